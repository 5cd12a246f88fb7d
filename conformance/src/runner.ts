import path from 'node:path';
import { runAdvisor, type Finding } from '#rollsafe/advisor';
import { parseManifests } from '#rollsafe/manifests';
import { isRecord, loadExplanations, loadPeerMap, rawObjects, readCorpusText, readJson, CORPUS_DIR, type RawObject } from './corpus.js';
import { PEER_CONDITIONS } from './peer-conditions.js';
import { hpaTarget, kindOf, objectId, podSpec, scopeReasons, selectedWorkloads, WORKLOAD_KINDS } from './scope.js';
import {
  PEERS,
  type CheckMapping,
  type Comparison,
  type ConformanceReport,
  type Explanations,
  type Peer,
  type PeerFigures,
  type PeerMap,
  type PeerVerdict,
  type RollsafeVerdict,
} from './types.js';

interface IndexCheck {
  peer_check_id?: string;
  expected?: string | null;
  run_config?: string;
  expected_messages?: string[];
  expected_report_count?: number | null;
}

interface IndexEntry {
  file: string;
  role: string;
  checks: IndexCheck[];
}

interface PopeyeTest {
  test: string;
  linter: string;
  fixtures_loaded: Array<{ kind: string; fixture: string }>;
  expected_by_object: Record<string, { issue_count: number; messages: string[] }>;
}

/** One scanned fixture: the runner's raw reading of it and Rollsafe's findings on it. */
interface Scan {
  objects: RawObject[];
  findings: Finding[];
  inputErrors: number;
}

const POPEYE_LINTER_KINDS: Record<string, string> = {
  svc: 'Service',
  pod: 'Pod',
  dp: 'Deployment',
  sts: 'StatefulSet',
  ds: 'DaemonSet',
  rs: 'ReplicaSet',
  hpa: 'HorizontalPodAutoscaler',
  pdb: 'PodDisruptionBudget',
  node: 'Node',
};

function scan(files: string[], source: 'manifests' | 'cluster' = 'manifests'): Scan {
  const inputs = files.map((file) => ({ name: file, text: readCorpusText(file) }));
  const { snapshot, errors } = parseManifests(inputs);
  snapshot.facts.source = source;
  return {
    objects: inputs.flatMap((input) => rawObjects(input.text)),
    findings: runAdvisor(snapshot).findings,
    inputErrors: errors.length,
  };
}

function findingId(finding: Finding): string {
  const { kind, namespace, name } = finding.resource;
  return `${kind}/${namespace}/${name}`;
}

function describeFinding(finding: Finding): string {
  return `${finding.ruleId} ${finding.severity} ${findingId(finding)}${finding.container ? ` ${finding.container}` : ''}`;
}

function judgedKinds(mapping: CheckMapping): string[] {
  return mapping.judged_kinds === 'workloads' ? WORKLOAD_KINDS : mapping.judged_kinds;
}

const OBJECT_SCOPES = new Set(['pdb', 'service-with-selector', 'service-with-workloads', 'load-balancer-service', 'exposed-service']);

/** The objects Rollsafe would report on for a judged object, and why it would not judge them. */
function subjectsOf(object: RawObject, mapping: CheckMapping, fixture: RawObject[]): { ids: string[]; reasons: string[] } {
  if (mapping.subject === 'self') {
    return { ids: [objectId(object)], reasons: scopeReasons(object, fixture, mapping.rollsafe_scope) };
  }
  const targets = mapping.subject === 'hpa-target' ? [hpaTarget(object, fixture)].filter(isRecord) : selectedWorkloads(object, fixture);
  if (targets.length === 0) return { ids: [], reasons: [mapping.subject === 'hpa-target' ? 'target-not-uploaded' : 'no-selected-workload'] };
  const judged = targets.map((target) => ({ id: objectId(target), reasons: scopeReasons(target, fixture, mapping.rollsafe_scope) }));
  const inScope = judged.filter((j) => j.reasons.length === 0);
  return {
    ids: judged.map((j) => j.id),
    reasons: inScope.length > 0 ? [] : [...new Set(judged.flatMap((j) => j.reasons))],
  };
}

function thresholdOf(runConfig: string | undefined, key: string): number {
  const match = new RegExp(`${key}:\\s*(\\d+)`).exec(runConfig ?? '');
  return match ? Number(match[1]) : 0; // kube-score's test default: a zero-valued RunConfiguration
}

interface Draft {
  peer: Peer;
  mapping: CheckMapping;
  file: string;
  unit: string;
  runConfig?: string;
  expected: string;
  peerVerdict: PeerVerdict | 'unasserted';
  rollsafeFindings: Finding[];
  scopeReasons: string[];
  contextReasons: string[];
}

function peerVerdictOf(peer: Peer, expected: string | null | undefined): PeerVerdict | 'unasserted' {
  if (expected === null || expected === undefined) return 'unasserted';
  if (peer === 'polaris') return expected === 'fail' ? 'flag' : 'quiet';
  if (peer === 'kube-score') return expected === 'skipped' ? 'skip' : expected === 'ok' ? 'quiet' : 'flag';
  return expected === 'fail' ? 'flag' : 'quiet';
}

/** polaris and kube-score: one verdict for the fixture file. */
function fileDrafts(entry: IndexEntry, check: IndexCheck, mapping: CheckMapping, fixture: Scan): Draft[] {
  const judged = fixture.objects.filter((o) => judgedKinds(mapping).includes(kindOf(o)));
  const subjects = judged.map((o) => subjectsOf(o, mapping, fixture.objects));
  let reasons: string[];
  if (judged.length === 0) reasons = OBJECT_SCOPES.has(mapping.rollsafe_scope) ? [] : ['no-judged-object'];
  else if (subjects.some((s) => s.reasons.length === 0)) reasons = [];
  else reasons = [...new Set(subjects.flatMap((s) => s.reasons))];

  const context: string[] = [];
  const verdict = peerVerdictOf(mapping.peer, check.expected);
  if (verdict === 'unasserted' || entry.role === 'mutation_expected_output') context.push('unasserted');
  const condition = mapping.peer_asks_only_when;
  if (condition !== undefined && !PEER_CONDITIONS[condition]?.(fixture.objects)) context.push('peer-not-asked');
  if (mapping.threshold && thresholdOf(check.run_config, mapping.threshold.run_config_key) !== mapping.threshold.rollsafe_equivalent) {
    context.push('peer-config');
  }
  return [
    {
      peer: mapping.peer,
      mapping,
      file: entry.file,
      unit: 'file',
      ...(check.run_config ? { runConfig: check.run_config } : {}),
      expected: String(check.expected),
      peerVerdict: verdict,
      rollsafeFindings: fixture.findings.filter((f) => mapping.rollsafe.includes(f.ruleId)),
      scopeReasons: reasons,
      contextReasons: context,
    },
  ];
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** kube-linter: one verdict per object (or container) of the fixture. */
function objectDrafts(entry: IndexEntry, check: IndexCheck, mapping: CheckMapping, fixture: Scan, problems: string[]): Draft[] {
  const failing = mapping.fixtures?.[entry.file]?.fail;
  if (!failing) {
    problems.push(`${mapping.peer} ${mapping.peer_check_id}: peer-map.json names no failing objects for ${entry.file}`);
    return [];
  }
  const expectedCount = check.expected_report_count ?? check.expected_messages?.length;
  if (expectedCount !== undefined && expectedCount !== failing.length) {
    problems.push(`${entry.file}: ${failing.length} failing objects listed, the peer expects ${expectedCount} reports`);
  }
  const judged = uniqueBy(
    fixture.objects.filter((o) => judgedKinds(mapping).includes(kindOf(o))),
    objectId,
  );
  const drafts: Draft[] = [];
  for (const object of judged) {
    const subject = subjectsOf(object, mapping, fixture.objects);
    const units: Array<{ unit: string; container: string | undefined }> =
      mapping.granularity === 'container'
        ? (Array.isArray(podSpec(object)['containers']) ? (podSpec(object)['containers'] as unknown[]) : [])
            .filter(isRecord)
            .map((c) => ({ unit: `${objectId(object)}#${String(c['name'] ?? '')}`, container: String(c['name'] ?? '') }))
        : [{ unit: objectId(object), container: undefined }];
    for (const { unit, container } of uniqueBy(units, (u) => u.unit)) {
      drafts.push({
        peer: mapping.peer,
        mapping,
        file: entry.file,
        unit,
        expected: failing.includes(unit) ? 'fail' : 'pass',
        peerVerdict: failing.includes(unit) ? 'flag' : 'quiet',
        rollsafeFindings: fixture.findings.filter(
          (f) =>
            mapping.rollsafe.includes(f.ruleId) &&
            subject.ids.includes(findingId(f)) &&
            (container === undefined || f.container === container),
        ),
        scopeReasons: subject.reasons,
        contextReasons: [],
      });
    }
  }
  for (const unit of failing) {
    if (!drafts.some((d) => d.unit === unit)) problems.push(`${entry.file}: failing object ${unit} is not in the fixture`);
  }
  return drafts;
}

function popeyeDrafts(peerMap: PeerMap, problems: string[]): Draft[] {
  const tests = readJson<PopeyeTest[]>(path.join(CORPUS_DIR, 'peers/popeye/expectations.json'));
  const mappings = peerMap.checks.filter((c) => c.peer === 'popeye');
  const drafts: Draft[] = [];
  for (const test of tests) {
    const kind = POPEYE_LINTER_KINDS[test.linter];
    const relevant = mappings.filter((m) => kind !== undefined && judgedKinds(m).includes(kind));
    if (relevant.length === 0) continue;
    const files = test.fixtures_loaded.map((f) => path.posix.normalize(path.posix.join('peers', f.fixture)));
    const fixture = scan(files, 'cluster');
    if (fixture.inputErrors > 0) problems.push(`${test.test}: ${fixture.inputErrors} fixture files could not be parsed`);
    const notComparable = peerMap.popeye_tests_not_comparable[test.test];
    for (const [key, asserted] of Object.entries(test.expected_by_object)) {
      const [namespace, name] = key.includes('/') ? key.split('/') : ['default', key];
      const object = fixture.objects.find((o) => objectId(o) === `${kind}/${namespace}/${name}`);
      for (const mapping of relevant) {
        const listed = asserted.messages.some((m) => m.startsWith(`[${mapping.peer_check_id}]`));
        const subject = object ? subjectsOf(object, mapping, fixture.objects) : { ids: [], reasons: [] };
        const context: string[] = [];
        if (!object) context.push('peer-asserts-absent-object');
        if (notComparable) context.push('peer-config');
        drafts.push({
          peer: 'popeye',
          mapping,
          file: test.test,
          unit: `${kind}/${namespace}/${name}`,
          expected: listed ? `${mapping.peer_check_id} listed` : `${mapping.peer_check_id} not listed`,
          peerVerdict: listed ? 'flag' : 'quiet',
          rollsafeFindings: fixture.findings.filter((f) => mapping.rollsafe.includes(f.ruleId) && subject.ids.includes(findingId(f))),
          scopeReasons: subject.reasons,
          contextReasons: context,
        });
      }
    }
  }
  return drafts;
}

const EXCLUDING_CONTEXT = new Set(['unasserted', 'peer-asserts-absent-object']);

function classify(draft: Draft, explanations: Explanations, used: Set<number>, problems: string[]): Comparison {
  const shared = draft.mapping.peer_shares_scope;
  const remaining = draft.scopeReasons.filter((r) => !shared.includes(r));
  const sharedOnly = draft.scopeReasons.length > 0 && remaining.length === 0;
  let peerVerdict: PeerVerdict = draft.peerVerdict === 'unasserted' ? 'quiet' : draft.peerVerdict;
  const context = [...draft.contextReasons];
  if (peerVerdict === 'skip') {
    // A peer that skips for the very reason RULES.md does not judge answers the same question: no.
    if (sharedOnly) peerVerdict = 'quiet';
    else context.push('peer-skipped');
  }
  const rollsafeVerdict: RollsafeVerdict = draft.rollsafeFindings.length > 0 ? 'flag' : 'quiet';
  const base = {
    peer: draft.peer,
    check: draft.mapping.peer_check_id,
    rollsafe: draft.mapping.rollsafe,
    file: draft.file,
    unit: draft.unit,
    ...(draft.runConfig ? { runConfig: draft.runConfig } : {}),
    expected: draft.expected,
    peerVerdict,
    rollsafeVerdict,
    rollsafeFindings: draft.rollsafeFindings.map(describeFinding),
    scopeReasons: draft.scopeReasons,
    contextReasons: context,
    sameQuestion: context.length === 0 && remaining.length === 0,
  };
  const excludedBy = context.find((c) => EXCLUDING_CONTEXT.has(c));
  if (excludedBy) return { ...base, sameQuestion: false, outcome: 'excluded', reason: excludedBy };
  const agrees = peerVerdict === rollsafeVerdict || (peerVerdict === 'skip' && rollsafeVerdict === 'quiet');
  if (agrees) return { ...base, outcome: 'agree' };

  const index = explanations.disagreements.findIndex(
    (e) =>
      e.peer === draft.peer &&
      e.check === draft.mapping.peer_check_id &&
      e.file === draft.file &&
      (e.unit === undefined || e.unit === draft.unit) &&
      (e.run_config === undefined || e.run_config === draft.runConfig),
  );
  const explanation = explanations.disagreements[index];
  if (!explanation) return { ...base, outcome: 'disagree-unexplained' };
  used.add(index);
  const definition = explanations.reasons[explanation.reason];
  const where = `${draft.peer} ${draft.mapping.peer_check_id} ${draft.file} ${draft.unit}`;
  if (!definition) {
    problems.push(`${where}: unknown reason "${explanation.reason}"`);
    return { ...base, outcome: 'disagree-unexplained' };
  }
  const verified =
    definition.kind === 'scope'
      ? draft.scopeReasons.includes(explanation.reason)
      : definition.kind === 'context'
        ? context.includes(explanation.reason)
        : true;
  if (!verified) {
    problems.push(`${where}: reason "${explanation.reason}" does not hold for this fixture`);
    return { ...base, outcome: 'disagree-unexplained' };
  }
  return { ...base, outcome: 'disagree-explained', reason: explanation.reason, ...(explanation.note ? { note: explanation.note } : {}) };
}

function figures(comparisons: Comparison[]): Omit<PeerFigures, 'peer'> {
  const counted = comparisons.filter((c) => c.outcome !== 'excluded');
  const same = counted.filter((c) => c.sameQuestion);
  const other = counted.filter((c) => !c.sameQuestion);
  return {
    fixtures: new Set(counted.map((c) => c.file)).size,
    comparisons: counted.length,
    excluded: comparisons.length - counted.length,
    sameQuestion: {
      total: same.length,
      agree: same.filter((c) => c.outcome === 'agree').length,
      disagree: same.filter((c) => c.outcome !== 'agree').length,
    },
    otherScope: {
      total: other.length,
      agree: other.filter((c) => c.outcome === 'agree').length,
      disagree: other.filter((c) => c.outcome !== 'agree').length,
    },
    explained: counted.filter((c) => c.outcome === 'disagree-explained').length,
    unexplained: counted.filter((c) => c.outcome === 'disagree-unexplained').length,
  };
}

/** Runs every mapped peer fixture through Rollsafe and classifies each verdict. */
export function runConformance(peerMap: PeerMap = loadPeerMap(), explanations: Explanations = loadExplanations()): ConformanceReport {
  const index = readJson<IndexEntry[]>(path.join(CORPUS_DIR, 'peers/index.json'));
  const fixtureProblems: string[] = [];
  const explanationProblems: string[] = [];
  const drafts: Draft[] = [];
  const scans = new Map<string, Scan>();

  for (const entry of index) {
    const peer = entry.file.split('/')[0] as Peer;
    if (peer === 'popeye') continue;
    for (const check of entry.checks) {
      const mapping = peerMap.checks.find((c) => c.peer === peer && c.peer_check_id === check.peer_check_id);
      if (!mapping) continue;
      const fixturePath = `peers/${entry.file}`;
      let fixture = scans.get(fixturePath);
      if (!fixture) {
        fixture = scan([fixturePath]);
        scans.set(fixturePath, fixture);
        if (fixture.inputErrors > 0) fixtureProblems.push(`${entry.file}: could not be parsed`);
      }
      drafts.push(
        ...(mapping.granularity === 'file'
          ? fileDrafts(entry, check, mapping, fixture)
          : objectDrafts(entry, check, mapping, fixture, fixtureProblems)),
      );
    }
  }
  drafts.push(...popeyeDrafts(peerMap, fixtureProblems));

  const used = new Set<number>();
  const comparisons = drafts.map((d) => classify(d, explanations, used, explanationProblems));
  explanations.disagreements.forEach((e, i) => {
    if (!used.has(i)) explanationProblems.push(`stale explanation (no such disagreement): ${e.peer} ${e.check} ${e.file} ${e.unit ?? ''}`);
  });

  const perPeer = PEERS.map((peer) => ({ peer, ...figures(comparisons.filter((c) => c.peer === peer)) }));
  const all = figures(comparisons);
  const overall = {
    ...all,
    agreementPercent: all.sameQuestion.total === 0 ? 0 : (100 * all.sameQuestion.agree) / all.sameQuestion.total,
  };
  return { comparisons, perPeer, overall, explanationProblems, fixtureProblems };
}
