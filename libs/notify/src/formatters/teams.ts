import { fitDigest, groupMoreText, resourceLabel, ruleLabel, sectionMoreText, severityLabel, type Digest } from '../digest.js';
import type { ChangeSet, NotifiedFinding } from '../model.js';
import { mdLink, mdText } from './text.js';

/**
 * Microsoft Teams, through a Workflows "post to a channel when a webhook request is received"
 * flow (the replacement of Office 365 connectors), which takes the same body as an incoming
 * webhook carrying an Adaptive Card:
 *   {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
 *    "contentUrl": null, "content": {"type": "AdaptiveCard", "version": "1.4", "body": [...]}}]}
 * "The type field must be message; attachments contains a set of card objects; contentType
 * must be set to adaptive card type; content is the card formatted in JSON."
 * Sources: Microsoft Learn, "Send Adaptive Cards using an Incoming Webhook"
 * (msteams-docs webhooks-and-connectors/how-to/connectors-using.md), "Create workflows"
 * (how-to/create-workflows.md), and the Adaptive Cards schema (TextBlock, FactSet,
 * Action.OpenUrl; TextBlock markdown: bold, links, lists). Messages are limited to 28 KB.
 */

export const TEAMS_MAX_BODY_BYTES = 27 * 1024;

export type TeamsElement =
  | { type: 'TextBlock'; text: string; wrap: true; weight?: 'Bolder'; size?: 'Medium' | 'Large'; isSubtle?: boolean; spacing?: 'Medium' | 'Large' }
  | { type: 'FactSet'; facts: Array<{ title: string; value: string }> };

export interface TeamsPayload {
  type: 'message';
  attachments: Array<{
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
      type: 'AdaptiveCard';
      version: '1.4';
      body: TeamsElement[];
      actions?: Array<{ type: 'Action.OpenUrl'; title: string; url: string }>;
    };
  }>;
}

function findingLine(finding: NotifiedFinding, resolved: boolean): string {
  const tag = resolved ? 'RESOLVED' : severityLabel(finding.severity);
  return `- **${tag}** ${mdText(ruleLabel(finding))}: ${mdText(finding.message)} ${mdLink(finding.docs, 'docs', mdText)}`;
}

function render(digest: Digest): TeamsPayload {
  const body: TeamsElement[] = [
    { type: 'TextBlock', text: mdText(digest.title), wrap: true, weight: 'Bolder', size: 'Medium' },
    { type: 'FactSet', facts: digest.facts.map((fact) => ({ title: fact.label, value: mdText(fact.value) })) },
  ];
  for (const section of digest.sections) {
    body.push({ type: 'TextBlock', text: section.title, wrap: true, weight: 'Bolder', spacing: 'Medium' });
    for (const group of section.groups) {
      body.push({ type: 'TextBlock', text: `**${mdText(resourceLabel(group.resource))}**`, wrap: true });
      const lines = group.findings.map((finding) => findingLine(finding, section.kind === 'resolved'));
      if (group.hidden > 0) lines.push(`- ${groupMoreText(group.hidden)}`);
      body.push({ type: 'TextBlock', text: lines.join('\n'), wrap: true });
    }
    if (section.hiddenResources > 0) body.push({ type: 'TextBlock', text: sectionMoreText(section), wrap: true, isSubtle: true });
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(digest.scanUrl ? { actions: [{ type: 'Action.OpenUrl' as const, title: 'Open scan', url: digest.scanUrl }] } : {}),
        },
      },
    ],
  };
}

export function formatTeams(changes: ChangeSet): TeamsPayload {
  return fitDigest(changes, render, (p) => Buffer.byteLength(JSON.stringify(p), 'utf8') <= TEAMS_MAX_BODY_BYTES);
}
