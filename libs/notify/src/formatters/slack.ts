import { fitDigest, groupMoreText, resourceLabel, ruleLabel, sectionMoreText, truncate, type Digest } from '../digest.js';
import type { ChangeSet, NotifiedFinding } from '../model.js';
import { slackEscape, slackLink } from './text.js';

/**
 * Slack Block Kit message for an incoming webhook.
 *
 * Shape and limits, from Slack's reference (https://docs.slack.dev/reference/block-kit/blocks,
 * .../blocks/header-block, .../blocks/section-block, .../blocks/context-block, and
 * https://api.slack.com/methods/chat.postMessage for `text`):
 * - `blocks`: up to 50 blocks in a message;
 * - header: `plain_text`, at most 150 characters;
 * - section: `text` object, at most 3000 characters;
 * - context: at most 10 elements;
 * - top-level `text` is the fallback used for notifications when `blocks` are present.
 * mrkdwn escapes &, < and > (Slack's "Formatting text" guide); links are `<url|label>`.
 */

export const SLACK_MAX_BLOCKS = 50;
export const SLACK_MAX_TEXT = 3000;
export const SLACK_MAX_HEADER = 150;
export const SLACK_MAX_CONTEXT_ELEMENTS = 10;

export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
}

export type SlackBlock =
  | { type: 'header'; text: SlackText & { type: 'plain_text' } }
  | { type: 'section'; text: SlackText }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' };

export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

const EMOJI = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' } as const;

function findingLine(finding: NotifiedFinding, resolved: boolean): string {
  const mark = resolved ? ':white_check_mark:' : EMOJI[finding.severity];
  return `${mark} *${finding.severity}* \`${slackEscape(ruleLabel(finding))}\` ${slackEscape(finding.message)} (${slackLink(finding.docs, 'docs')})`;
}

function render(digest: Digest): SlackPayload {
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(digest.title, SLACK_MAX_HEADER) } }];
  const facts: SlackText[] = digest.facts.map((fact) => ({
    type: 'mrkdwn',
    text: fact.label === 'Scan' && digest.scanUrl ? `*Scan:* ${slackLink(digest.scanUrl, fact.value)}` : `*${fact.label}:* ${slackEscape(fact.value)}`,
  }));
  blocks.push({ type: 'context', elements: facts.slice(0, SLACK_MAX_CONTEXT_ELEMENTS) });
  for (const section of digest.sections) {
    blocks.push({ type: 'divider' });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${slackEscape(section.title)}*` } });
    for (const group of section.groups) {
      const lines = [`*${slackEscape(resourceLabel(group.resource))}*`];
      for (const finding of group.findings) lines.push(`• ${findingLine(finding, section.kind === 'resolved')}`);
      if (group.hidden > 0) lines.push(`• _${groupMoreText(group.hidden)}_`);
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } });
    }
    if (section.hiddenResources > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: sectionMoreText(section) }] });
  }
  return { text: digest.title, blocks };
}

function fits(payload: SlackPayload): boolean {
  return (
    payload.blocks.length <= SLACK_MAX_BLOCKS &&
    payload.blocks.every((block) => {
      if (block.type === 'header') return [...block.text.text].length <= SLACK_MAX_HEADER;
      if (block.type === 'section') return [...block.text.text].length <= SLACK_MAX_TEXT;
      if (block.type === 'context')
        return block.elements.length <= SLACK_MAX_CONTEXT_ELEMENTS && block.elements.every((e) => [...e.text].length <= SLACK_MAX_TEXT);
      return true;
    })
  );
}

export function formatSlack(changes: ChangeSet): SlackPayload {
  const payload = fitDigest(changes, render, fits);
  // Counts only still too long (absurdly long names): cut every text to its limit.
  if (!fits(payload)) {
    payload.blocks = payload.blocks.slice(0, SLACK_MAX_BLOCKS).map((block) => {
      if (block.type === 'section') return { ...block, text: { ...block.text, text: truncate(block.text.text, SLACK_MAX_TEXT) } };
      if (block.type === 'context') return { ...block, elements: block.elements.map((e) => ({ ...e, text: truncate(e.text, SLACK_MAX_TEXT) })) };
      return block;
    });
  }
  return payload;
}
