import type { ChangeSet, NotifiedFinding, NotifiedResource, Severity } from './model.js';
import { compareFindings } from './select.js';

/**
 * The platform-neutral content of one message: findings grouped by resource, capped, with
 * the counts of what the caps left out. Each formatter renders a digest in its own syntax and
 * asks `fitDigest` for the largest one that fits its platform's limits.
 */

export interface DigestLimits {
  /** Resource groups shown per section (new, resolved). */
  maxResources: number;
  /** Findings shown per resource group. */
  maxFindingsPerResource: number;
  /** A finding's message is cut to this many characters. */
  maxMessageChars: number;
}

/** Tried in order; the last one shows counts only and fits anywhere. */
export const LIMIT_LEVELS: readonly DigestLimits[] = [
  { maxResources: 10, maxFindingsPerResource: 5, maxMessageChars: 300 },
  { maxResources: 6, maxFindingsPerResource: 3, maxMessageChars: 200 },
  { maxResources: 3, maxFindingsPerResource: 2, maxMessageChars: 120 },
  { maxResources: 1, maxFindingsPerResource: 1, maxMessageChars: 80 },
  { maxResources: 0, maxFindingsPerResource: 0, maxMessageChars: 80 },
];

export interface ResourceGroup {
  resource: NotifiedResource;
  /** The findings shown, most severe first. */
  findings: NotifiedFinding[];
  /** Findings on this resource left out by the cap ("and N more"). */
  hidden: number;
}

export interface DigestSection {
  kind: 'new' | 'resolved';
  title: string;
  total: number;
  groups: ResourceGroup[];
  /** Resources (and their findings) left out by the cap. */
  hiddenResources: number;
  hiddenFindings: number;
}

export interface Digest {
  /** One line: what changed, and where. */
  title: string;
  /** Organization, cluster and scan, as short "label: value" facts. */
  facts: Array<{ label: string; value: string }>;
  scanUrl?: string;
  /** Non-empty sections only: verdict changes first (Services that started, then stopped dropping), then new, then resolved findings. */
  sections: DigestSection[];
  /** The most severe new finding, for platforms that colour a message. */
  worstNew?: Severity;
}

/** Groups findings by resource; groups come in order of their most severe finding. */
export function groupByResource(findings: readonly NotifiedFinding[]): Array<{ resource: NotifiedResource; findings: NotifiedFinding[] }> {
  const groups = new Map<string, { resource: NotifiedResource; findings: NotifiedFinding[] }>();
  for (const finding of [...findings].sort(compareFindings)) {
    const key = JSON.stringify([finding.resource.kind, finding.resource.namespace, finding.resource.name]);
    const group = groups.get(key);
    if (group) group.findings.push(finding);
    else groups.set(key, { resource: finding.resource, findings: [finding] });
  }
  return [...groups.values()];
}

/**
 * Verdict changes as sections the formatters already draw: each Service a group of one line,
 * those that started dropping marked like new critical findings, those that stopped like
 * resolved ones. They come first: they are what a rollout will do.
 */
function verdictSections(changes: ChangeSet, limits: DigestLimits): DigestSection[] {
  const sections: DigestSection[] = [];
  const verdicts = changes.verdicts;
  if (!verdicts) return sections;
  for (const [kind, services] of [
    ['new', verdicts.startedDropping],
    ['resolved', verdicts.stoppedDropping],
  ] as const) {
    if (services.length === 0) continue;
    const lines = services.map((service) => ({
      resource: { kind: 'Service', namespace: service.namespace, name: service.name },
      findings: [
        {
          ruleId: 'rollout-verdict',
          severity: kind === 'new' ? ('critical' as const) : ('info' as const),
          resource: { kind: 'Service', namespace: service.namespace, name: service.name },
          message: truncate(verdictMessage(service, kind === 'new'), limits.maxMessageChars),
          docs: service.link,
          fingerprint: `verdict/${service.namespace}/${service.name}`,
        },
      ],
      hidden: 0,
    }));
    // Verdicts are few and what matters most: shown even at the counts-only level, up to ten.
    const shown = lines.slice(0, Math.max(limits.maxResources, 10));
    sections.push({
      kind,
      title: kind === 'new' ? `Services that now drop traffic on rollout (${services.length})` : `Services that stopped dropping traffic (${services.length})`,
      total: services.length,
      groups: shown,
      hiddenResources: lines.length - shown.length,
      hiddenFindings: lines.length - shown.length,
    });
  }
  return sections;
}

function verdictMessage(service: { verdict: string; droppedTrafficSeconds: number }, started: boolean): string {
  const seconds = `${Math.round(service.droppedTrafficSeconds * 10) / 10} s`;
  if (started) return `a rollout drops traffic for ${seconds}`;
  if (service.verdict === 'gone') return 'no longer in the scan';
  return service.verdict === 'safe' ? 'a rollout no longer drops traffic' : `no longer judged dropping (now ${service.verdict})`;
}

export function buildDigest(changes: ChangeSet, limits: DigestLimits): Digest {
  const sections: DigestSection[] = verdictSections(changes, limits);
  for (const kind of ['new', 'resolved'] as const) {
    const findings = kind === 'new' ? changes.new : changes.resolved;
    if (findings.length === 0) continue;
    const all = groupByResource(findings);
    const shown = all.slice(0, limits.maxResources);
    const left = all.slice(limits.maxResources);
    sections.push({
      kind,
      title: kind === 'new' ? `New findings (${findings.length})` : `Resolved findings (${findings.length})`,
      total: findings.length,
      groups: shown.map((group) => ({
        resource: group.resource,
        findings: group.findings.slice(0, limits.maxFindingsPerResource).map((finding) => ({
          ...finding,
          message: truncate(finding.message, limits.maxMessageChars),
        })),
        hidden: Math.max(0, group.findings.length - limits.maxFindingsPerResource),
      })),
      hiddenResources: left.length,
      hiddenFindings: left.reduce((sum, group) => sum + group.findings.length, 0),
    });
  }
  const facts = [{ label: 'Organization', value: changes.organization.name }];
  if (changes.cluster) facts.push({ label: 'Cluster', value: changes.cluster.name });
  facts.push({ label: 'Scan', value: `${changes.scan.id} (finished ${changes.scan.finishedAt})` });
  const worstNew = (changes.verdicts?.startedDropping.length ?? 0) > 0 ? 'critical' : [...changes.new].sort(compareFindings)[0]?.severity;
  return {
    title: headline(changes),
    facts,
    ...(changes.scan.url ? { scanUrl: changes.scan.url } : {}),
    sections,
    ...(worstNew ? { worstNew } : {}),
  };
}

/**
 * Renders with the most generous limits that fit. `fits` checks the platform's own limits
 * (bytes, characters, blocks); the last level shows counts only and should always fit, and is
 * returned even if it does not, for the caller to cut.
 */
export function fitDigest<T>(changes: ChangeSet, render: (digest: Digest) => T, fits: (rendered: T) => boolean): T {
  let rendered: T | undefined;
  for (const limits of LIMIT_LEVELS) {
    rendered = render(buildDigest(changes, limits));
    if (fits(rendered)) return rendered;
  }
  return rendered as T;
}

export function headline(changes: ChangeSet): string {
  const parts: string[] = [];
  const started = changes.verdicts?.startedDropping.length ?? 0;
  const stopped = changes.verdicts?.stoppedDropping.length ?? 0;
  if (started > 0) parts.push(`${started} ${plural(started, 'Service')} now ${started === 1 ? 'drops' : 'drop'} traffic on rollout`);
  if (stopped > 0) parts.push(`${stopped} stopped dropping`);
  if (changes.new.length > 0) parts.push(`${changes.new.length} new ${plural(changes.new.length, 'finding')}`);
  if (changes.resolved.length > 0) parts.push(`${changes.resolved.length} resolved`);
  const where = changes.cluster?.name ?? changes.organization.name;
  return truncate(`Rollsafe: ${parts.join(', ')} in ${where}`, 140);
}

export function resourceLabel(resource: NotifiedResource): string {
  return resource.namespace ? `${resource.kind} ${resource.namespace}/${resource.name}` : `${resource.kind} ${resource.name}`;
}

/** "rule-id (container)" */
export function ruleLabel(finding: NotifiedFinding): string {
  return finding.container ? `${finding.ruleId} (container ${finding.container})` : finding.ruleId;
}

export function groupMoreText(hidden: number): string {
  return `…and ${hidden} more on this resource`;
}

export function sectionMoreText(section: DigestSection): string {
  return `…and ${section.hiddenFindings} more ${plural(section.hiddenFindings, 'finding')} on ${section.hiddenResources} more ${plural(section.hiddenResources, 'resource')}`;
}

export function severityLabel(severity: Severity): string {
  return severity.toUpperCase();
}

export function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}

/** Cuts to at most `max` characters (code points), ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Cuts to at most `maxBytes` UTF-8 bytes without splitting a character, ending with an ellipsis when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const ellipsis = '…';
  let budget = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
  let out = '';
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (size > budget) break;
    out += char;
    budget -= size;
  }
  return out + ellipsis;
}

/** The href of a docs link, only when it is an http(s) URL (findings are data, not markup). */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : undefined;
  } catch {
    return undefined;
  }
}
