/**
 * The plain data this library works on. It mirrors the platform's shapes (findings from the
 * advisor, the diff libs/scans computes, webhook rows from the store) without importing them,
 * so the library stays free of the database, the queue and other Rollsafe libraries.
 */

export type Severity = 'critical' | 'warning' | 'info';

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export interface NotifiedResource {
  kind: string;
  namespace: string;
  name: string;
}

/** A finding as a notification shows it: new since the last scan, or resolved by this one. */
export interface NotifiedFinding {
  ruleId: string;
  severity: Severity;
  resource: NotifiedResource;
  container?: string;
  message: string;
  /** Link to the rule's documentation. */
  docs: string;
  /** Stable across scans: the same finding on the same resource keeps its fingerprint. */
  fingerprint: string;
}

export interface ChangeSet {
  organization: { id: string; name: string };
  cluster?: { id: string; name: string };
  scan: {
    id: string;
    /** Where a person can read the scan (the UI or API URL), when the caller knows one. */
    url?: string;
    /** ISO 8601. */
    finishedAt: string;
  };
  new: NotifiedFinding[];
  resolved: NotifiedFinding[];
  /** Services that started or stopped dropping traffic on rollout: what a message leads with. */
  verdicts?: VerdictChangeSet;
}

/** A Service whose rollout verdict changed. */
export interface NotifiedService {
  namespace: string;
  name: string;
  /** The verdict now: drops, safe, unknown, or gone (no longer in the scan). */
  verdict: string;
  /** Seconds of dropped traffic (now for those that started, before for those that stopped). */
  droppedTrafficSeconds: number;
  /** Where to see it (its timeline, or the simulator's docs). */
  link: string;
}

export interface VerdictChangeSet {
  startedDropping: NotifiedService[];
  stoppedDropping: NotifiedService[];
}

export type WebhookKind = 'slack' | 'dingtalk' | 'feishu' | 'wecom' | 'teams' | 'generic';

export const WEBHOOK_KINDS: readonly WebhookKind[] = ['slack', 'dingtalk', 'feishu', 'wecom', 'teams', 'generic'];

export interface WebhookTarget {
  kind: WebhookKind;
  /** The platform's webhook URL. It often is itself a credential: never log it. */
  url: string;
  /** Signing secret (DingTalk, Feishu, generic). Slack, WeCom and Teams have none. */
  secret?: string;
  minSeverity: Severity;
}

/** One HTTP request, ready to send. Build a fresh one per attempt: signatures carry a timestamp. */
export interface OutgoingRequest {
  kind: WebhookKind;
  /** May carry credentials (tokens in the path or query, DingTalk's sign): never log it. */
  url: string;
  headers: Record<string, string>;
  /** The exact bytes sent, and the bytes the generic signature covers. */
  body: Buffer;
}

/** What one delivery attempt did; safe to store and show (no URL, no secret). */
export interface DeliveryAttempt {
  /** True when the platform accepted the message. */
  ok: boolean;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** The platform's own result code from the response body (DingTalk/WeCom errcode, Feishu code, Slack error). */
  code?: number | string;
  /** Why the attempt failed; absent on success. */
  error?: string;
  durationMs: number;
  /** True when a later attempt may succeed (network error, 5xx, 429, platform rate limit). */
  retryable: boolean;
  /** The receiver asked to wait this long before the next attempt (Retry-After or a documented cool-down). */
  retryAfterMs?: number;
}
