/** Shapes of the conformance data files (peer-map.json, explanations.json, real-units.json) and results. */

export type Peer = 'polaris' | 'kube-score' | 'kube-linter' | 'popeye';
export const PEERS: readonly Peer[] = ['polaris', 'kube-score', 'kube-linter', 'popeye'];

export type RollsafeScope =
  | 'service-backed-workload'
  | 'service-backed-replicated'
  | 'service-backed-deployment'
  | 'pdb'
  | 'service-with-selector'
  | 'service-with-workloads'
  | 'load-balancer-service'
  | 'exposed-service';

export interface CheckMapping {
  peer: Peer;
  peer_check_id: string;
  peer_check_name?: string;
  rollsafe: string[];
  granularity: 'file' | 'object' | 'container';
  judged_kinds: 'workloads' | string[];
  subject: 'self' | 'hpa-target' | 'selected-workloads';
  rollsafe_scope: RollsafeScope;
  peer_shares_scope: string[];
  threshold?: { run_config_key: string; rollsafe_equivalent: number };
  /** A condition of src/peer-conditions.ts under which the peer asks its question at all. */
  peer_asks_only_when?: string;
  verdict_map: string;
  scope_note: string;
  /** kube-linter: the objects each fixture's expected messages name (`Kind/namespace/name[#container]`). */
  fixtures?: Record<string, { fail: string[] }>;
}

export interface NotMapped {
  peer: Peer;
  peer_check_id: string;
  /** popeye: the group of codes the entry covers. */
  codes?: string[];
  why: string;
}

export interface PeerMap {
  peers: Record<Peer, { repo: string; verdicts: Record<string, string>; how: string }>;
  checks: CheckMapping[];
  popeye_tests_not_comparable: Record<string, string>;
  not_mapped: NotMapped[];
}

export interface ReasonDefinition {
  /** `scope` and `context` reasons are verified by the runner from the fixture; `semantics` reasons are a stated judgement. */
  kind: 'scope' | 'context' | 'semantics' | 'peer-defect';
  text: string;
}

export interface ExplainedDisagreement {
  peer: Peer;
  check: string;
  /** Fixture path under corpus/peers/, or the popeye test name. */
  file: string;
  /** One judged unit of the file (`Kind/namespace/name[#container]`); absent: every unit of the file. */
  unit?: string;
  /** kube-score RunConfiguration of the assertion; absent: every run. */
  run_config?: string;
  reason: string;
  note?: string;
}

export interface Explanations {
  reasons: Record<string, ReasonDefinition>;
  disagreements: ExplainedDisagreement[];
}

export type PeerVerdict = 'flag' | 'quiet' | 'skip';
export type RollsafeVerdict = 'flag' | 'quiet';

export type Outcome = 'agree' | 'disagree-explained' | 'disagree-unexplained' | 'excluded';

export interface Comparison {
  peer: Peer;
  check: string;
  rollsafe: string[];
  file: string;
  /** `file` for file-level verdicts, else `Kind/namespace/name[#container]`. */
  unit: string;
  runConfig?: string;
  /** The verdict as the peer's tests state it (fail, pass, critical, ok, skipped, POP-xxxx listed...). */
  expected: string;
  peerVerdict: PeerVerdict;
  rollsafeVerdict: RollsafeVerdict;
  /** `ruleId severity Kind/namespace/name[ container]` of the mapped rules' findings that decided the verdict. */
  rollsafeFindings: string[];
  /** Why RULES.md does not judge the unit (empty: it does). */
  scopeReasons: string[];
  /** Why the assertion is not comparable at all (peer configuration, peer skipped, not asserted). */
  contextReasons: string[];
  sameQuestion: boolean;
  outcome: Outcome;
  /** For excluded comparisons: why; for explained disagreements: the reason code. */
  reason?: string;
  note?: string;
}

export interface PeerFigures {
  peer: Peer;
  fixtures: number;
  comparisons: number;
  excluded: number;
  sameQuestion: { total: number; agree: number; disagree: number };
  otherScope: { total: number; agree: number; disagree: number };
  explained: number;
  unexplained: number;
}

export interface ConformanceReport {
  comparisons: Comparison[];
  perPeer: PeerFigures[];
  overall: Omit<PeerFigures, 'peer'> & { agreementPercent: number };
  /** Explanations that matched no disagreement (stale) or named an unknown or unverifiable reason. */
  explanationProblems: string[];
  /** Sanity checks of the fixture reading (e.g. kube-linter fail lists against expected report counts). */
  fixtureProblems: string[];
}

export interface RealUnit {
  name: string;
  files: string[];
}
