import { fitDigest, groupMoreText, resourceLabel, ruleLabel, sectionMoreText, severityLabel, truncate, truncateUtf8, type Digest } from '../digest.js';
import type { ChangeSet, NotifiedFinding } from '../model.js';
import { mdLink, mdText } from './text.js';

/**
 * DingTalk custom robot, markdown message:
 *   {"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}}
 * `title` is what the conversation list shows; `text` supports a markdown subset (headings,
 * quote, bold, links, lists), no backslash escapes.
 * Source: DingTalk open platform, custom robot access and message types
 * (https://open.dingtalk.com/document/group/custom-robot-access, "markdown类型").
 * DingTalk documents no length limit for markdown `text`; we keep it under 5,000 UTF-8 bytes so
 * that a message stays readable on a phone and well inside the robot's request size.
 */

export const DINGTALK_MAX_TEXT_BYTES = 5000;

export interface DingTalkPayload {
  msgtype: 'markdown';
  markdown: { title: string; text: string };
}

function findingLine(finding: NotifiedFinding, resolved: boolean): string {
  const tag = resolved ? 'RESOLVED' : severityLabel(finding.severity);
  return `- ${tag} **${mdText(ruleLabel(finding))}**: ${mdText(finding.message)} ${mdLink(finding.docs, 'docs', mdText)}`;
}

function render(digest: Digest): DingTalkPayload {
  const parts: string[] = [`### ${mdText(digest.title)}`];
  parts.push(
    digest.facts
      .map((fact) =>
        fact.label === 'Scan' && digest.scanUrl ? `${fact.label}: ${mdLink(digest.scanUrl, fact.value, mdText)}` : `${fact.label}: ${mdText(fact.value)}`,
      )
      .join('  \n'),
  );
  for (const section of digest.sections) {
    parts.push(`#### ${section.title}`);
    for (const group of section.groups) {
      const lines = group.findings.map((finding) => findingLine(finding, section.kind === 'resolved'));
      if (group.hidden > 0) lines.push(`- ${groupMoreText(group.hidden)}`);
      parts.push(`**${mdText(resourceLabel(group.resource))}**\n\n${lines.join('\n')}`);
    }
    if (section.hiddenResources > 0) parts.push(sectionMoreText(section));
  }
  return { msgtype: 'markdown', markdown: { title: truncate(digest.title, 64), text: parts.join('\n\n') } };
}

export function formatDingTalk(changes: ChangeSet): DingTalkPayload {
  const payload = fitDigest(changes, render, (p) => Buffer.byteLength(p.markdown.text, 'utf8') <= DINGTALK_MAX_TEXT_BYTES);
  payload.markdown.text = truncateUtf8(payload.markdown.text, DINGTALK_MAX_TEXT_BYTES);
  return payload;
}
