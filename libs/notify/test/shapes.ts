/**
 * Each platform's documented payload shape, checked field by field (required fields and their
 * types, and the documented limits), written from the platforms' docs independently of the
 * formatters. Each function returns the problems found; none means the payload conforms.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const chars = (text: string) => [...text].length;

class Problems {
  readonly list: string[] = [];
  check(condition: boolean, problem: string): boolean {
    if (!condition) this.list.push(problem);
    return condition;
  }
}

/** Slack Block Kit message (docs.slack.dev/reference/block-kit/blocks and the per-block pages). */
export function slackProblems(payload: unknown): string[] {
  const p = new Problems();
  if (!p.check(isObject(payload), 'payload is an object')) return p.list;
  const body = payload as Json;
  p.check(isString(body['text']) && body['text'].length > 0, 'top-level text fallback is a non-empty string');
  const blocks = body['blocks'];
  if (!p.check(Array.isArray(blocks), 'blocks is an array')) return p.list;
  const list = blocks as unknown[];
  p.check(list.length >= 1 && list.length <= 50, `1 to 50 blocks (got ${list.length})`);
  list.forEach((block, i) => {
    if (!p.check(isObject(block), `block ${i} is an object`)) return;
    const b = block as Json;
    const text = b['text'];
    switch (b['type']) {
      case 'header':
        p.check(
          isObject(text) && text['type'] === 'plain_text' && isString(text['text']) && chars(text['text']) <= 150,
          `header ${i}: plain_text of at most 150 characters`,
        );
        break;
      case 'section':
        p.check(
          isObject(text) &&
            (text['type'] === 'mrkdwn' || text['type'] === 'plain_text') &&
            isString(text['text']) &&
            chars(text['text']) >= 1 &&
            chars(text['text']) <= 3000,
          `section ${i}: text object of 1 to 3000 characters`,
        );
        break;
      case 'context': {
        const elements = b['elements'];
        p.check(Array.isArray(elements) && elements.length >= 1 && elements.length <= 10, `context ${i}: 1 to 10 elements`);
        if (Array.isArray(elements)) {
          elements.forEach((e, j) =>
            p.check(isObject(e) && (e['type'] === 'mrkdwn' || e['type'] === 'plain_text') && isString(e['text']), `context ${i} element ${j}: text object`),
          );
        }
        break;
      }
      case 'divider':
        break;
      default:
        p.check(false, `block ${i}: known type (got ${String(b['type'])})`);
    }
  });
  return p.list;
}

/** DingTalk custom robot markdown message. */
export function dingTalkProblems(payload: unknown): string[] {
  const p = new Problems();
  if (!p.check(isObject(payload), 'payload is an object')) return p.list;
  const body = payload as Json;
  p.check(body['msgtype'] === 'markdown', 'msgtype is "markdown"');
  const markdown = body['markdown'];
  if (!p.check(isObject(markdown), 'markdown is an object')) return p.list;
  const m = markdown as Json;
  p.check(isString(m['title']) && m['title'].length > 0, 'markdown.title is a non-empty string');
  p.check(isString(m['text']) && m['text'].length > 0, 'markdown.text is a non-empty string');
  return p.list;
}

/** Feishu/Lark custom bot interactive card; `signed` when the bot has a secret. */
export function feishuProblems(payload: unknown, rawBody: Buffer, signed: boolean): string[] {
  const p = new Problems();
  p.check(rawBody.length <= 20 * 1024, `body at most 20 KB (got ${rawBody.length} bytes)`);
  if (!p.check(isObject(payload), 'payload is an object')) return p.list;
  const body = payload as Json;
  p.check(body['msg_type'] === 'interactive', 'msg_type is "interactive"');
  if (signed) {
    p.check(isString(body['timestamp']) && /^\d{10}$/.test(body['timestamp']), 'timestamp is a string of seconds');
    p.check(isString(body['sign']) && body['sign'].length > 0, 'sign is a non-empty string');
  } else {
    p.check(!('sign' in body) && !('timestamp' in body), 'no sign or timestamp without a secret');
  }
  const card = body['card'];
  if (!p.check(isObject(card), 'card is an object')) return p.list;
  const c = card as Json;
  const header = c['header'];
  p.check(
    isObject(header) && isObject(header['title']) && header['title']['tag'] === 'plain_text' && isString(header['title']['content']),
    'card.header.title is plain_text',
  );
  const elements = c['elements'];
  if (!p.check(Array.isArray(elements) && elements.length > 0, 'card.elements is a non-empty array')) return p.list;
  (elements as unknown[]).forEach((element, i) => {
    if (!p.check(isObject(element), `element ${i} is an object`)) return;
    const e = element as Json;
    if (e['tag'] === 'div') {
      const text = e['text'];
      p.check(
        isObject(text) && (text['tag'] === 'lark_md' || text['tag'] === 'plain_text') && isString(text['content']),
        `div ${i}: text is lark_md or plain_text`,
      );
    } else if (e['tag'] === 'note') {
      const inner = e['elements'];
      p.check(
        Array.isArray(inner) && inner.every((t) => isObject(t) && (t['tag'] === 'lark_md' || t['tag'] === 'plain_text') && isString(t['content'])),
        `note ${i}: text elements`,
      );
    } else {
      p.check(e['tag'] === 'hr', `element ${i}: known tag (got ${String(e['tag'])})`);
    }
  });
  return p.list;
}

/** WeCom group robot markdown message. */
export function weComProblems(payload: unknown): string[] {
  const p = new Problems();
  if (!p.check(isObject(payload), 'payload is an object')) return p.list;
  const body = payload as Json;
  p.check(body['msgtype'] === 'markdown', 'msgtype is "markdown"');
  const markdown = body['markdown'];
  if (!p.check(isObject(markdown), 'markdown is an object')) return p.list;
  const content = (markdown as Json)['content'];
  p.check(isString(content) && content.length > 0, 'markdown.content is a non-empty string');
  if (isString(content)) p.check(Buffer.byteLength(content, 'utf8') <= 4096, `content at most 4096 bytes (got ${Buffer.byteLength(content, 'utf8')})`);
  return p.list;
}

/** Teams (Workflows / incoming webhook) message with an Adaptive Card attachment. */
export function teamsProblems(payload: unknown): string[] {
  const p = new Problems();
  if (!p.check(isObject(payload), 'payload is an object')) return p.list;
  const body = payload as Json;
  p.check(body['type'] === 'message', 'type is "message"');
  const attachments = body['attachments'];
  if (!p.check(Array.isArray(attachments) && attachments.length >= 1, 'attachments is a non-empty array')) return p.list;
  (attachments as unknown[]).forEach((attachment, i) => {
    if (!p.check(isObject(attachment), `attachment ${i} is an object`)) return;
    const a = attachment as Json;
    p.check(a['contentType'] === 'application/vnd.microsoft.card.adaptive', `attachment ${i}: adaptive card content type`);
    const content = a['content'];
    if (!p.check(isObject(content), `attachment ${i}: content is an object`)) return;
    const card = content as Json;
    p.check(card['type'] === 'AdaptiveCard', 'content.type is "AdaptiveCard"');
    p.check(card['version'] === '1.4', 'content.version is "1.4"');
    const cardBody = card['body'];
    if (!p.check(Array.isArray(cardBody) && cardBody.length > 0, 'content.body is a non-empty array')) return;
    (cardBody as unknown[]).forEach((element, j) => {
      if (!p.check(isObject(element) && isString(element['type']), `body ${j} has a type`)) return;
      const e = element as Json;
      if (e['type'] === 'TextBlock') p.check(isString(e['text']) && e['text'].length > 0, `TextBlock ${j} has text`);
      else if (e['type'] === 'FactSet')
        p.check(Array.isArray(e['facts']) && e['facts'].every((f) => isObject(f) && isString(f['title']) && isString(f['value'])), `FactSet ${j} facts`);
      else p.check(false, `body ${j}: known element (got ${String(e['type'])})`);
    });
  });
  return p.list;
}

const SEVERITY = ['critical', 'warning', 'info'];

/** Rollsafe's generic JSON. */
export function genericProblems(payload: unknown): string[] {
  const p = new Problems();
  if (!p.check(isObject(payload), 'payload is an object')) return p.list;
  const body = payload as Json;
  p.check(body['event'] === 'rollsafe.scan.changes', 'event is "rollsafe.scan.changes"');
  const org = body['organization'];
  p.check(isObject(org) && isString(org['id']) && isString(org['name']), 'organization {id, name}');
  const cluster = body['cluster'];
  p.check(cluster === null || (isObject(cluster) && isString(cluster['id']) && isString(cluster['name'])), 'cluster {id, name} or null');
  const scan = body['scan'];
  p.check(isObject(scan) && isString(scan['id']) && isString(scan['finishedAt']), 'scan {id, finishedAt}');
  for (const key of ['new', 'resolved']) {
    const list = body[key];
    if (!p.check(Array.isArray(list), `${key} is an array`)) continue;
    (list as unknown[]).forEach((f, i) => {
      const ok =
        isObject(f) &&
        isString(f['ruleId']) &&
        SEVERITY.includes(f['severity'] as string) &&
        isObject(f['resource']) &&
        isString(f['resource']['kind']) &&
        isString(f['resource']['namespace']) &&
        isString(f['resource']['name']) &&
        isString(f['message']) &&
        isString(f['docs']) &&
        isString(f['fingerprint']);
      p.check(ok, `${key}[${i}] is a finding`);
    });
  }
  return p.list;
}
