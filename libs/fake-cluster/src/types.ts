// Shapes shared by the fake kube-apiserver and its scenarios.

/** RBAC-like: a verb on a resource of an API group ('*' matches any). */
export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
}

/** What a user may do. */
export interface FakeUser {
  name: string;
  rules: ResourceRule[];
  /** Groups the user is in (client certificates carry them as O=). */
  groups?: string[];
}

/** The resources the fake serves (plural names as in URLs). */
export type KubeResourceName =
  | 'nodes'
  | 'pods'
  | 'services'
  | 'endpoints'
  | 'endpointslices'
  | 'deployments'
  | 'replicasets'
  | 'statefulsets'
  | 'daemonsets'
  | 'poddisruptionbudgets'
  | 'horizontalpodautoscalers'
  | 'namespaces'
  | 'mutatingwebhookconfigurations';

export interface KubeVersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/** A Kubernetes object as JSON (untyped: tests read what they need). */
export type KubeObject = { [key: string]: unknown } & { metadata?: KubeObjectMeta };

export interface KubeObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * The objects of one resource, sorted as etcd returns them: by key ("namespace/name", or
 * "name" for cluster-scoped resources), ascending by UTF-16 code unit.
 * Objects may be generated on demand: a store need not hold them.
 */
export interface KubeObjectStore {
  readonly size: number;
  /** The key of the object at `index` ("namespace/name" or "name"). */
  key(index: number): string;
  /** The object at `index` as JSON, as a list item (no kind, no apiVersion). */
  json(index: number): string;
}

/** What a scenario is expected to show a collector and the advisor (for assertions). */
export interface KubeScenarioExpectations {
  provider?: 'alibaba' | 'aws' | 'gcp' | 'azure' | 'tencent';
  cni?: string;
  /** Live rules (RULES.md) that fire on this cluster with the default options. */
  firingLiveRules: string[];
}

export interface KubeScenario {
  readonly name: string;
  readonly version: KubeVersionInfo;
  /** The resourceVersion lists report (>= every object's own). */
  readonly resourceVersion: number;
  readonly expected: KubeScenarioExpectations;
  /** Objects of a resource; a resource the scenario has none of answers an empty store. */
  store(resource: KubeResourceName): KubeObjectStore;
}

/** One request the fake answered. */
export interface RequestLog {
  method: string;
  /** The path without the query string. */
  path: string;
  query: Record<string, string>;
  status: number;
  /** The authenticated user, when there was one. */
  user?: string;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface FailureInjection {
  status: 410 | 429 | 500 | 503;
  retryAfterSeconds?: number;
  /** How many matching requests fail; default 1. */
  times?: number;
}

export interface FailureMatch {
  method?: string;
  pathPrefix?: string;
}
