import { fitDigest, groupMoreText, resourceLabel, ruleLabel, sectionMoreText, severityLabel, truncateUtf8, type Digest } from '../digest.js';
import type { ChangeSet, NotifiedFinding } from '../model.js';
import { mdLink, mdText } from './text.js';

/**
 * WeCom (企业微信) group robot, markdown message:
 *   {"msgtype": "markdown", "markdown": {"content": "..."}}
 * `content` is at most 4096 bytes, UTF-8 (longer content is refused with errcode 40058).
 * The markdown subset: headings, bold, links, `code`, `>` quotes and
 * <font color="info|comment|warning"> for colour.
 * Source: WeCom developer docs, group robot configuration
 * (https://developer.work.weixin.qq.com/document/path/91770, "markdown类型").
 */

export const WECOM_MAX_CONTENT_BYTES = 4096;

export interface WeComPayload {
  msgtype: 'markdown';
  markdown: { content: string };
}

const COLOUR = { critical: 'warning', warning: 'warning', info: 'comment' } as const;

function findingLine(finding: NotifiedFinding, resolved: boolean): string {
  const tag = resolved ? '<font color="info">RESOLVED</font>' : `<font color="${COLOUR[finding.severity]}">${severityLabel(finding.severity)}</font>`;
  return `> ${tag} \`${mdText(ruleLabel(finding))}\` ${mdText(finding.message)} ${mdLink(finding.docs, 'docs', mdText)}`;
}

function render(digest: Digest): WeComPayload {
  const lines: string[] = [`## ${mdText(digest.title)}`];
  for (const fact of digest.facts) {
    lines.push(
      fact.label === 'Scan' && digest.scanUrl ? `${fact.label}: ${mdLink(digest.scanUrl, fact.value, mdText)}` : `${fact.label}: ${mdText(fact.value)}`,
    );
  }
  for (const section of digest.sections) {
    lines.push('', `### ${section.title}`);
    for (const group of section.groups) {
      lines.push(`**${mdText(resourceLabel(group.resource))}**`);
      for (const finding of group.findings) lines.push(findingLine(finding, section.kind === 'resolved'));
      if (group.hidden > 0) lines.push(`> ${groupMoreText(group.hidden)}`);
    }
    if (section.hiddenResources > 0) lines.push(sectionMoreText(section));
  }
  return { msgtype: 'markdown', markdown: { content: lines.join('\n') } };
}

export function formatWeCom(changes: ChangeSet): WeComPayload {
  const payload = fitDigest(changes, render, (p) => Buffer.byteLength(p.markdown.content, 'utf8') <= WECOM_MAX_CONTENT_BYTES);
  payload.markdown.content = truncateUtf8(payload.markdown.content, WECOM_MAX_CONTENT_BYTES);
  return payload;
}
