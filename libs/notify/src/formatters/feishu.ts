import { fitDigest, groupMoreText, resourceLabel, ruleLabel, sectionMoreText, severityLabel, truncate, type Digest } from '../digest.js';
import type { ChangeSet, NotifiedFinding } from '../model.js';
import { mdLink, mdText } from './text.js';

/**
 * Feishu / Lark custom bot, message card:
 *   {"msg_type": "interactive", "card": {"config", "header": {"title", "template"}, "elements": [...]}}
 * with `div` elements holding `lark_md` text, `hr` separators and a `note` footer. When the bot
 * has signature verification on, `timestamp` and `sign` are added at the top level of the body
 * (see signing.ts). The request body may not exceed 20 KB.
 * Sources: Feishu open platform, custom bot guide
 * (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot: "发送消息卡片",
 * "msg_type": "interactive", body size limit, signature) and the message card structure
 * (config / header / elements, lark_md).
 */

/** 20 KB minus room for `timestamp` and `sign`. */
export const FEISHU_MAX_BODY_BYTES = 20 * 1024 - 200;

export interface FeishuText {
  tag: 'plain_text' | 'lark_md';
  content: string;
}

export type FeishuElement = { tag: 'div'; text: FeishuText } | { tag: 'hr' } | { tag: 'note'; elements: FeishuText[] };

export interface FeishuPayload {
  msg_type: 'interactive';
  card: {
    config: { wide_screen_mode: boolean };
    header: { title: FeishuText & { tag: 'plain_text' }; template: 'red' | 'orange' | 'blue' | 'green' };
    elements: FeishuElement[];
  };
  /** Present when the bot has a secret: seconds since the epoch, as a string. */
  timestamp?: string;
  sign?: string;
}

function findingLine(finding: NotifiedFinding, resolved: boolean): string {
  const tag = resolved ? 'RESOLVED' : severityLabel(finding.severity);
  return `- **${tag}** ${mdText(ruleLabel(finding))}: ${mdText(finding.message)} ${mdLink(finding.docs, 'docs', mdText)}`;
}

function render(digest: Digest): FeishuPayload {
  const elements: FeishuElement[] = [];
  for (const section of digest.sections) {
    if (elements.length > 0) elements.push({ tag: 'hr' });
    elements.push({ tag: 'div', text: { tag: 'lark_md', content: `**${section.title}**` } });
    for (const group of section.groups) {
      const lines = [`**${mdText(resourceLabel(group.resource))}**`];
      for (const finding of group.findings) lines.push(findingLine(finding, section.kind === 'resolved'));
      if (group.hidden > 0) lines.push(`- ${groupMoreText(group.hidden)}`);
      elements.push({ tag: 'div', text: { tag: 'lark_md', content: lines.join('\n') } });
    }
    if (section.hiddenResources > 0) elements.push({ tag: 'div', text: { tag: 'lark_md', content: sectionMoreText(section) } });
  }
  elements.push({
    tag: 'note',
    elements: digest.facts.map((fact) =>
      fact.label === 'Scan' && digest.scanUrl
        ? { tag: 'lark_md', content: `Scan: ${mdLink(digest.scanUrl, fact.value, mdText)}` }
        : { tag: 'plain_text', content: `${fact.label}: ${fact.value}` },
    ),
  });
  const template = digest.worstNew === 'critical' ? 'red' : digest.worstNew === 'warning' ? 'orange' : digest.worstNew === 'info' ? 'blue' : 'green';
  return {
    msg_type: 'interactive',
    card: { config: { wide_screen_mode: true }, header: { title: { tag: 'plain_text', content: truncate(digest.title, 100) }, template }, elements },
  };
}

export function formatFeishu(changes: ChangeSet): FeishuPayload {
  return fitDigest(changes, render, (p) => Buffer.byteLength(JSON.stringify(p), 'utf8') <= FEISHU_MAX_BODY_BYTES);
}
