import { safeUrl } from '../digest.js';

/**
 * Escaping for the text of findings, which is data (resource names, messages), never markup.
 */

/** Slack mrkdwn: escape the three control characters, as Slack's formatting reference asks. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<url|label>` with a checked URL, or the bare label when the URL is not http(s). */
export function slackLink(url: string | undefined, label: string): string {
  const href = safeUrl(url);
  return href ? `<${href.replace(/\|/g, '%7C').replace(/>/g, '%3E')}|${slackEscape(label)}>` : slackEscape(label);
}

/**
 * The chat platforms' markdown subsets (DingTalk, WeCom, Feishu lark_md, Teams TextBlock) have
 * no reliable backslash escapes: replace the characters that would start markup, a link or a
 * tag with look-alikes instead, and keep each text on one line.
 */
export function mdText(text: string): string {
  return text.replace(/</g, '‹').replace(/>/g, '›').replace(/\[/g, '(').replace(/\]/g, ')').replace(/\*/g, '∗').replace(/`/g, "'").replace(/\r?\n/g, ' ');
}

/** `[label](url)` with a checked URL whose parentheses cannot end the link early. */
export function mdLink(url: string | undefined, label: string, escapeLabel: (text: string) => string): string {
  const href = safeUrl(url);
  return href ? `[${escapeLabel(label)}](${href.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20')})` : escapeLabel(label);
}
