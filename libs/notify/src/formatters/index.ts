import type { ChangeSet, WebhookKind } from '../model.js';
import { formatDingTalk, type DingTalkPayload } from './dingtalk.js';
import { formatFeishu, type FeishuPayload } from './feishu.js';
import { formatGeneric, GENERIC_EVENT, type GenericPayload } from './generic.js';
import { formatSlack, SLACK_MAX_BLOCKS, SLACK_MAX_TEXT, type SlackBlock, type SlackPayload, type SlackText } from './slack.js';
import { formatTeams, type TeamsPayload } from './teams.js';
import { formatWeCom, WECOM_MAX_CONTENT_BYTES, type WeComPayload } from './wecom.js';

export type Payload = SlackPayload | DingTalkPayload | FeishuPayload | WeComPayload | TeamsPayload | GenericPayload;

/** The platform's native message for these (already selected) changes. */
export function formatPayload(kind: WebhookKind, changes: ChangeSet): Payload {
  switch (kind) {
    case 'slack':
      return formatSlack(changes);
    case 'dingtalk':
      return formatDingTalk(changes);
    case 'feishu':
      return formatFeishu(changes);
    case 'wecom':
      return formatWeCom(changes);
    case 'teams':
      return formatTeams(changes);
    case 'generic':
      return formatGeneric(changes);
  }
}

export { formatDingTalk, formatFeishu, formatGeneric, formatSlack, formatTeams, formatWeCom };
export { GENERIC_EVENT, SLACK_MAX_BLOCKS, SLACK_MAX_TEXT, WECOM_MAX_CONTENT_BYTES };
export type { DingTalkPayload, FeishuPayload, GenericPayload, SlackBlock, SlackPayload, SlackText, TeamsPayload, WeComPayload };
