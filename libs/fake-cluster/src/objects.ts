// Builders of realistic objects, as `kubectl get -o json` shows them (list items: no kind or
// apiVersion). Every value that varies per object is a parameter, so the large scenario can
// build one template per workload with placeholders and fill it per pod.
import { managedEntry } from './managed-fields.js';
import type { KubeObject } from './types.js';

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: 'TCP' | 'UDP';
}

export interface ContainerSpec {
  name: string;
  image: string;
  ports?: ContainerPort[];
  /** Readiness probe path on the first port; null for none. Default '/healthz/ready'. */
  readinessPath?: string | null;
  /** Liveness probe path; null for none. Default '/healthz/live'. */
  livenessPath?: string | null;
  /** preStop `sleep N`; null for none. Default 20. */
  preStopSleep?: number | null;
  cpu?: string;
  memory?: string;
  env?: Array<{ name: string; value: string }>;
  args?: string[];
}

export interface ContainerState {
  ready: boolean;
  restartCount: number;
  /** The last termination (restart loops): exit code and reason. */
  lastTermination?: { exitCode: number; reason: string };
}

export interface Meta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

export function ownerRef(apiVersion: string, kind: string, name: string, uid: string): OwnerReference {
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

/** metadata in the API server's field order, with managedFields last. */
function metadata(meta: Meta, managedFields: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = { name: meta.name };
  if (meta.generateName) out['generateName'] = meta.generateName;
  if (meta.namespace !== undefined) out['namespace'] = meta.namespace;
  out['uid'] = meta.uid;
  out['resourceVersion'] = meta.resourceVersion;
  if (meta.generation !== undefined) out['generation'] = meta.generation;
  out['creationTimestamp'] = meta.creationTimestamp;
  if (meta.labels && Object.keys(meta.labels).length > 0) out['labels'] = meta.labels;
  if (meta.annotations && Object.keys(meta.annotations).length > 0) out['annotations'] = meta.annotations;
  if (meta.ownerReferences) out['ownerReferences'] = meta.ownerReferences;
  if (meta.finalizers) out['finalizers'] = meta.finalizers;
  out['managedFields'] = managedFields;
  return out;
}

function probe(path: string, port: number | string, initialDelaySeconds: number): Record<string, unknown> {
  return {
    httpGet: { path, port, scheme: 'HTTP' },
    initialDelaySeconds,
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  };
}

export function container(spec: ContainerSpec): Record<string, unknown> {
  const ports = (spec.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' }));
  const probePort = spec.ports?.[0]?.name ?? spec.ports?.[0]?.containerPort ?? 8080;
  const out: Record<string, unknown> = { name: spec.name, image: spec.image };
  if (spec.args) out['args'] = spec.args;
  if (ports.length > 0) out['ports'] = ports;
  if (spec.env) out['env'] = spec.env;
  out['resources'] = {
    limits: { cpu: spec.cpu === '100m' ? '500m' : '2', memory: spec.memory ?? '512Mi' },
    requests: { cpu: spec.cpu ?? '250m', memory: spec.memory ?? '512Mi' },
  };
  out['volumeMounts'] = [{ name: 'kube-api-access', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }];
  const liveness = spec.livenessPath === undefined ? '/healthz/live' : spec.livenessPath;
  const readiness = spec.readinessPath === undefined ? '/healthz/ready' : spec.readinessPath;
  if (liveness) out['livenessProbe'] = probe(liveness, probePort, 10);
  if (readiness) out['readinessProbe'] = probe(readiness, probePort, 5);
  const sleep = spec.preStopSleep === undefined ? 20 : spec.preStopSleep;
  if (sleep !== null) out['lifecycle'] = { preStop: { exec: { command: ['sh', '-c', `sleep ${sleep}`] } } };
  out['terminationMessagePath'] = '/dev/termination-log';
  out['terminationMessagePolicy'] = 'File';
  out['imagePullPolicy'] = 'IfNotPresent';
  return out;
}

export interface PodTemplateInput {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  containers: ContainerSpec[];
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  hostNetwork?: boolean;
  /** Spread over hostnames (anti-affinity on the app label). */
  spread?: boolean;
  nodeSelector?: Record<string, string>;
  priorityClassName?: string;
  tolerateEverything?: boolean;
}

/** A pod spec without nodeName (templates) in the API server's field order. */
export function podSpec(input: PodTemplateInput, nodeName?: string, volumeSuffix = 'xxxxx'): Record<string, unknown> {
  const out: Record<string, unknown> = {
    volumes: [
      {
        name: `kube-api-access-${volumeSuffix}`,
        projected: {
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
          defaultMode: 420,
        },
      },
    ],
    containers: input.containers.map((c) => {
      const built = container(c);
      built['volumeMounts'] = [{ name: `kube-api-access-${volumeSuffix}`, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }];
      return built;
    }),
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: input.terminationGracePeriodSeconds ?? 60,
    dnsPolicy: input.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
  };
  if (input.nodeSelector) out['nodeSelector'] = input.nodeSelector;
  out['serviceAccountName'] = input.serviceAccountName ?? 'default';
  out['serviceAccount'] = input.serviceAccountName ?? 'default';
  if (nodeName !== undefined) out['nodeName'] = nodeName;
  if (input.hostNetwork) out['hostNetwork'] = true;
  out['securityContext'] = {};
  if (input.spread) {
    const [key, value] = Object.entries(input.labels)[0] ?? ['app', 'app'];
    out['affinity'] = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { [key]: value } }, topologyKey: 'kubernetes.io/hostname' } },
        ],
      },
    };
  }
  out['schedulerName'] = 'default-scheduler';
  out['tolerations'] = input.tolerateEverything
    ? [{ operator: 'Exists' }]
    : [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ];
  if (input.priorityClassName) out['priorityClassName'] = input.priorityClassName;
  out['priority'] = input.priorityClassName ? 2000001000 : 0;
  out['enableServiceLinks'] = true;
  out['preemptionPolicy'] = 'PreemptLowerPriority';
  return out;
}

/** A pod template spec as it appears in workloads (no volumes, no defaults of admission). */
export function templateSpec(input: PodTemplateInput): Record<string, unknown> {
  const spec = podSpec(input);
  delete spec['volumes'];
  delete spec['serviceAccount'];
  delete spec['priority'];
  delete spec['enableServiceLinks'];
  delete spec['preemptionPolicy'];
  spec['containers'] = input.containers.map((c) => {
    const built = container(c);
    delete built['volumeMounts'];
    return built;
  });
  spec['tolerations'] = input.tolerateEverything ? [{ operator: 'Exists' }] : undefined;
  if (!input.tolerateEverything) delete spec['tolerations'];
  return spec;
}

export interface PodInput {
  meta: Meta;
  template: PodTemplateInput;
  nodeName: string;
  hostIP: string;
  podIP: string;
  phase?: 'Running' | 'Pending';
  containers: ContainerState[];
  startedAt: string;
  volumeSuffix?: string;
}

export function podObject(input: PodInput): KubeObject {
  const spec = podSpec(input.template, input.nodeName, input.volumeSuffix);
  const ready = input.containers.every((c) => c.ready);
  const notReady = input.template.containers.filter((_, i) => !input.containers[i]?.ready).map((c) => c.name);
  const time = input.startedAt;
  const condition = (type: string, status: boolean, extra: Record<string, string> = {}): Record<string, unknown> => ({
    type,
    status: status ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: time,
    ...extra,
  });
  const unready: Record<string, string> = ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${notReady.join(' ')}]` };
  const status: Record<string, unknown> = {
    phase: input.phase ?? 'Running',
    conditions: [
      condition('PodReadyToStartContainers', true),
      condition('Initialized', true),
      condition('Ready', ready, unready),
      condition('ContainersReady', ready, unready),
      condition('PodScheduled', true),
    ],
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    podIP: input.podIP,
    podIPs: [{ ip: input.podIP }],
    startTime: time,
    containerStatuses: input.template.containers.map((c, i) => {
      const state = input.containers[i] ?? { ready: true, restartCount: 0 };
      const containerID = `containerd://${input.meta.uid.replace(/-/g, '')}${i.toString(16).padStart(2, '0')}${'0'.repeat(30)}`;
      const last = state.lastTermination
        ? {
            terminated: {
              exitCode: state.lastTermination.exitCode,
              reason: state.lastTermination.reason,
              startedAt: time,
              finishedAt: time,
              containerID,
            },
          }
        : {};
      return {
        name: c.name,
        state: { running: { startedAt: time } },
        lastState: last,
        ready: state.ready,
        restartCount: state.restartCount,
        image: c.image,
        imageID: `${c.image.split(':')[0]}@sha256:${input.meta.uid.replace(/-/g, '')}${input.meta.uid.replace(/-/g, '')}`,
        containerID,
        started: true,
      };
    }),
    qosClass: 'Burstable',
  };
  const meta = input.meta;
  const managed = [
    managedEntry('kube-controller-manager', 'v1', meta.creationTimestamp, {
      metadata: { generateName: meta.generateName, labels: meta.labels, ownerReferences: meta.ownerReferences },
      spec: { ...spec, nodeName: undefined },
    }),
    managedEntry(
      'kubelet',
      'v1',
      time,
      {
        status: {
          conditions: status['conditions'],
          containerStatuses: [],
          hostIP: 1,
          hostIPs: status['hostIPs'],
          phase: 1,
          podIP: 1,
          podIPs: status['podIPs'],
          startTime: 1,
        },
      },
      'status',
    ),
  ];
  return { metadata: metadata(meta, managed), spec, status } as KubeObject;
}

/** Removes undefined fields (JSON.stringify drops them too; this keeps objects tidy for tests). */
export function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export interface WorkloadInput {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet';
  meta: Meta;
  selector: Record<string, string>;
  replicas?: number;
  template: PodTemplateInput;
  /** Template labels beyond the selector (pod-template-hash on ReplicaSets). */
  strategy?: Record<string, unknown>;
  readyReplicas: number;
  updatedAt: string;
  serviceName?: string;
  revisionHash?: string;
  lastApplied?: boolean;
  minReadySeconds?: number;
}

export function workloadObject(input: WorkloadInput): KubeObject {
  const spec: Record<string, unknown> = {};
  if (input.kind !== 'DaemonSet') spec['replicas'] = input.replicas ?? 1;
  spec['selector'] = { matchLabels: input.selector };
  spec['template'] = {
    metadata: { creationTimestamp: null, labels: input.template.labels, ...(input.template.annotations ? { annotations: input.template.annotations } : {}) },
    spec: templateSpec(input.template),
  };
  if (input.kind === 'StatefulSet') {
    spec['serviceName'] = input.serviceName ?? input.meta.name;
    spec['podManagementPolicy'] = 'OrderedReady';
    spec['updateStrategy'] = input.strategy ?? { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    spec['revisionHistoryLimit'] = 10;
    spec['persistentVolumeClaimRetentionPolicy'] = { whenDeleted: 'Retain', whenScaled: 'Retain' };
  } else if (input.kind === 'DaemonSet') {
    spec['updateStrategy'] = input.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
    spec['revisionHistoryLimit'] = 10;
  } else if (input.kind === 'Deployment') {
    spec['strategy'] = input.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
    if (input.minReadySeconds) spec['minReadySeconds'] = input.minReadySeconds;
    spec['revisionHistoryLimit'] = 10;
    spec['progressDeadlineSeconds'] = 600;
  }
  const replicas = input.replicas ?? 1;
  const ready = input.readyReplicas;
  const time = input.updatedAt;
  let status: Record<string, unknown>;
  if (input.kind === 'DaemonSet') {
    status = {
      currentNumberScheduled: replicas,
      numberMisscheduled: 0,
      desiredNumberScheduled: replicas,
      numberReady: ready,
      observedGeneration: input.meta.generation ?? 1,
      updatedNumberScheduled: replicas,
      numberAvailable: ready,
      ...(ready < replicas ? { numberUnavailable: replicas - ready } : {}),
    };
  } else if (input.kind === 'Deployment') {
    const available = ready >= Math.max(1, replicas - Math.floor(replicas / 4));
    status = {
      observedGeneration: input.meta.generation ?? 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(ready < replicas ? { unavailableReplicas: replicas - ready } : {}),
      conditions: [
        {
          type: 'Available',
          status: available ? 'True' : 'False',
          lastUpdateTime: time,
          lastTransitionTime: time,
          reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: time,
          lastTransitionTime: time,
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${input.meta.name}-${input.revisionHash ?? 'xxxxxxxxxx'}" has successfully progressed.`,
        },
      ],
    };
  } else if (input.kind === 'StatefulSet') {
    status = {
      observedGeneration: input.meta.generation ?? 1,
      replicas,
      readyReplicas: ready,
      currentReplicas: replicas,
      updatedReplicas: replicas,
      currentRevision: `${input.meta.name}-${input.revisionHash ?? 'xxxxxxxxxx'}`,
      updateRevision: `${input.meta.name}-${input.revisionHash ?? 'xxxxxxxxxx'}`,
      collisionCount: 0,
      availableReplicas: ready,
    };
  } else {
    status =
      replicas === 0
        ? { replicas: 0, observedGeneration: input.meta.generation ?? 1 }
        : {
            replicas,
            fullyLabeledReplicas: replicas,
            readyReplicas: ready,
            availableReplicas: ready,
            observedGeneration: input.meta.generation ?? 1,
          };
  }
  const apiVersion = 'apps/v1';
  const meta = input.meta;
  let annotations = meta.annotations ?? {};
  if (input.lastApplied) {
    const applied = {
      apiVersion,
      kind: input.kind,
      metadata: { annotations: {}, labels: meta.labels ?? {}, name: meta.name, namespace: meta.namespace },
      spec: {
        ...(input.kind === 'DaemonSet' ? {} : { replicas }),
        selector: spec['selector'],
        template: { metadata: { labels: input.template.labels }, spec: { containers: input.template.containers.map(container) } },
      },
    };
    annotations = { ...annotations, 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(applied)}\n` };
  }
  const fullMeta: Meta = { ...meta, annotations };
  const managed =
    input.kind === 'ReplicaSet'
      ? [
          managedEntry('kube-controller-manager', apiVersion, meta.creationTimestamp, {
            metadata: { annotations: meta.annotations, labels: meta.labels, ownerReferences: meta.ownerReferences },
            spec,
          }),
          managedEntry('kube-controller-manager', apiVersion, time, { status }, 'status'),
        ]
      : [
          managedEntry(input.lastApplied ? 'kubectl-client-side-apply' : 'kubectl-create', apiVersion, meta.creationTimestamp, {
            metadata: { annotations: input.lastApplied ? { 'kubectl.kubernetes.io/last-applied-configuration': 1 } : undefined, labels: meta.labels },
            spec,
          }),
          managedEntry('kube-controller-manager', apiVersion, time, { status }, 'status'),
        ];
  return clean({ metadata: metadata(fullMeta, managed), spec, status }) as KubeObject;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort: number | string;
  protocol?: 'TCP' | 'UDP';
  nodePort?: number;
}

export interface ServiceInput {
  meta: Meta;
  type: 'ClusterIP' | 'LoadBalancer' | 'NodePort';
  selector: Record<string, string>;
  ports: ServicePort[];
  clusterIP: string;
  externalTrafficPolicy?: 'Local' | 'Cluster';
  healthCheckNodePort?: number;
  loadBalancerIP?: string;
  headless?: boolean;
}

export function serviceObject(input: ServiceInput): KubeObject {
  const exposed = input.type !== 'ClusterIP';
  const ports = input.ports.map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    protocol: p.protocol ?? 'TCP',
    port: p.port,
    targetPort: p.targetPort,
    ...(exposed ? { nodePort: p.nodePort ?? 30000 + (p.port % 2000) } : {}),
  }));
  const spec: Record<string, unknown> = {
    ports,
    selector: input.selector,
    clusterIP: input.headless ? 'None' : input.clusterIP,
    clusterIPs: [input.headless ? 'None' : input.clusterIP],
    type: input.type,
    sessionAffinity: 'None',
  };
  if (exposed) {
    spec['externalTrafficPolicy'] = input.externalTrafficPolicy ?? 'Cluster';
    if (spec['externalTrafficPolicy'] === 'Local' && input.type === 'LoadBalancer')
      spec['healthCheckNodePort'] = input.healthCheckNodePort ?? 32000 + ((input.ports[0]?.port ?? 0) % 700);
  }
  spec['ipFamilies'] = ['IPv4'];
  spec['ipFamilyPolicy'] = 'SingleStack';
  if (input.type === 'LoadBalancer') spec['allocateLoadBalancerNodePorts'] = true;
  spec['internalTrafficPolicy'] = 'Cluster';
  const status =
    input.type === 'LoadBalancer' ? { loadBalancer: { ingress: [{ ip: input.loadBalancerIP ?? '47.96.0.1', ipMode: 'VIP' }] } } : { loadBalancer: {} };
  const meta = input.meta;
  const applied = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { annotations: meta.annotations ?? {}, labels: meta.labels ?? {}, name: meta.name, namespace: meta.namespace },
    spec: {
      ports: input.ports,
      selector: input.selector,
      type: input.type,
      ...(input.externalTrafficPolicy ? { externalTrafficPolicy: input.externalTrafficPolicy } : {}),
    },
  };
  const fullMeta: Meta = {
    ...meta,
    annotations: { ...(meta.annotations ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(applied)}\n` },
    ...(input.type === 'LoadBalancer' ? { finalizers: ['service.k8s.alibaba/resources'] } : {}),
  };
  const managed = [
    managedEntry('kubectl-client-side-apply', 'v1', meta.creationTimestamp, {
      metadata: { annotations: fullMeta.annotations, labels: meta.labels },
      spec: { ...spec, clusterIP: undefined, clusterIPs: undefined, healthCheckNodePort: undefined },
    }),
  ];
  if (input.type === 'LoadBalancer') {
    managed.push(managedEntry('cloud-controller-manager', 'v1', meta.creationTimestamp, { metadata: { finalizers: fullMeta.finalizers } }));
    managed.push(managedEntry('cloud-controller-manager', 'v1', meta.creationTimestamp, { status }, 'status'));
  }
  return clean({ metadata: metadata(fullMeta, managed), spec, status }) as KubeObject;
}

export interface EndpointInput {
  ip: string;
  nodeName: string;
  podName: string;
  podUid: string;
  namespace: string;
  ready: boolean;
  terminating?: boolean;
  zone?: string;
}

export interface EndpointSliceInput {
  meta: Meta;
  serviceName: string;
  serviceUid: string;
  endpoints: EndpointInput[];
  ports: Array<{ name?: string; port: number; protocol?: 'TCP' | 'UDP' }>;
}

export function endpointSliceObject(input: EndpointSliceInput): KubeObject {
  const meta: Meta = {
    ...input.meta,
    generateName: `${input.serviceName}-`,
    labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': input.serviceName },
    annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': input.meta.creationTimestamp },
    ownerReferences: [ownerRef('v1', 'Service', input.serviceName, input.serviceUid)],
  };
  const endpoints = input.endpoints.map((e) => ({
    addresses: [e.ip],
    conditions: { ready: e.ready && !e.terminating, serving: e.ready, terminating: e.terminating ?? false },
    targetRef: { kind: 'Pod', namespace: e.namespace, name: e.podName, uid: e.podUid },
    nodeName: e.nodeName,
    ...(e.zone ? { zone: e.zone } : {}),
  }));
  const ports = input.ports.map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port }));
  const managed = [
    managedEntry('kube-controller-manager', 'discovery.k8s.io/v1', meta.creationTimestamp, {
      addressType: 1,
      endpoints: [],
      metadata: { annotations: meta.annotations, generateName: 1, labels: meta.labels, ownerReferences: meta.ownerReferences },
      ports: [],
    }),
  ];
  return clean({ metadata: metadata(meta, managed), addressType: 'IPv4', endpoints, ports }) as KubeObject;
}

export function endpointsObject(input: EndpointSliceInput): KubeObject {
  const meta: Meta = {
    ...input.meta,
    name: input.serviceName,
    labels: {},
    annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': input.meta.creationTimestamp },
  };
  const address = (e: EndpointInput): Record<string, unknown> => ({
    ip: e.ip,
    nodeName: e.nodeName,
    targetRef: { kind: 'Pod', namespace: e.namespace, name: e.podName, uid: e.podUid },
  });
  const ready = input.endpoints.filter((e) => e.ready && !e.terminating).map(address);
  const notReady = input.endpoints.filter((e) => !e.ready || e.terminating).map(address);
  const ports = input.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol ?? 'TCP' }));
  const subsets =
    input.endpoints.length === 0
      ? undefined
      : [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }];
  const managed = [
    managedEntry('kube-controller-manager', 'v1', meta.creationTimestamp, { metadata: { annotations: meta.annotations }, subsets: subsets ?? [] }),
  ];
  return clean({ metadata: metadata(meta, managed), ...(subsets ? { subsets } : {}) }) as KubeObject;
}

export interface NodeInput {
  meta: Meta;
  ip: string;
  instanceId: string;
  region: string;
  zone: string;
  instanceType: string;
  nodePool: string;
  ready: boolean;
  unschedulable?: boolean;
  kubeletVersion: string;
  podCIDRs?: string[];
  extraLabels?: Record<string, string>;
}

export function nodeObject(input: NodeInput): KubeObject {
  const name = input.meta.name;
  const labels: Record<string, string> = {
    'alibabacloud.com/nodepool-id': input.nodePool,
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/instance-type': input.instanceType,
    'beta.kubernetes.io/os': 'linux',
    'failure-domain.beta.kubernetes.io/region': input.region,
    'failure-domain.beta.kubernetes.io/zone': input.zone,
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': input.instanceType,
    'topology.diskplugin.csi.alibabacloud.com/zone': input.zone,
    'topology.kubernetes.io/region': input.region,
    'topology.kubernetes.io/zone': input.zone,
    ...(input.extraLabels ?? {}),
  };
  const meta: Meta = {
    ...input.meta,
    labels,
    annotations: {
      'node.alpha.kubernetes.io/ttl': '0',
      'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      'k8s.aliyun.com/max-pods': '64',
    },
  };
  const time = input.meta.creationTimestamp;
  const condition = (type: string, status: string, reason: string, message: string): Record<string, unknown> => ({
    type,
    status,
    lastHeartbeatTime: time,
    lastTransitionTime: time,
    reason,
    message,
  });
  const spec: Record<string, unknown> = {
    ...(input.podCIDRs ? { podCIDR: input.podCIDRs[0], podCIDRs: input.podCIDRs } : {}),
    providerID: `alicloud://${input.region}.${input.instanceId}`,
    ...(input.unschedulable ? { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: time }] } : {}),
  };
  const status = {
    capacity: { cpu: '4', 'ephemeral-storage': '123722704Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '15944248Ki', pods: '64' },
    allocatable: { cpu: '3900m', 'ephemeral-storage': '114022843818', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '12958264Ki', pods: '64' },
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      input.ready
        ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
        : condition('Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'),
    ],
    addresses: [
      { type: 'InternalIP', address: input.ip },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: input.meta.uid.replace(/-/g, ''),
      systemUUID: input.meta.uid.toUpperCase(),
      bootID: input.meta.uid,
      kernelVersion: '5.10.134-16.3.al8.x86_64',
      osImage: 'Alibaba Cloud Linux 3.2104 U10 (OpenAnolis Edition)',
      containerRuntimeVersion: 'containerd://1.6.28',
      kubeletVersion: input.kubeletVersion,
      kubeProxyVersion: input.kubeletVersion,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
    images: [
      {
        names: [
          'registry-cn-hangzhou-vpc.ack.aliyuncs.com/acs/terway@sha256:5e1b4b0b8a7f0d1c2e3f4a5b6c7d8e9f00112233445566778899aabbccddeeff',
          'registry-cn-hangzhou-vpc.ack.aliyuncs.com/acs/terway:v1.9.4',
        ],
        sizeBytes: 91234567,
      },
      {
        names: [
          'registry-cn-hangzhou-vpc.ack.aliyuncs.com/acs/kube-proxy@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
          'registry-cn-hangzhou-vpc.ack.aliyuncs.com/acs/kube-proxy:v1.30.1-aliyun.1',
        ],
        sizeBytes: 30123456,
      },
    ],
  };
  const managed = [
    managedEntry('kubelet', 'v1', time, {
      metadata: { annotations: { 'node.alpha.kubernetes.io/ttl': 1, 'volumes.kubernetes.io/controller-managed-attach-detach': 1 }, labels },
    }),
    managedEntry('cloud-controller-manager', 'v1', time, { spec: { providerID: 1 } }),
    managedEntry(
      'kubelet',
      'v1',
      time,
      {
        status: {
          allocatable: status.allocatable,
          capacity: status.capacity,
          conditions: status.conditions,
          daemonEndpoints: 1,
          images: 1,
          nodeInfo: status.nodeInfo,
        },
      },
      'status',
    ),
  ];
  return clean({ metadata: metadata(meta, managed), spec, status }) as KubeObject;
}

export interface PdbInput {
  meta: Meta;
  selector: Record<string, string>;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  expectedPods: number;
  healthyPods: number;
}

export function pdbObject(input: PdbInput): KubeObject {
  const spec = {
    ...(input.minAvailable !== undefined ? { minAvailable: input.minAvailable } : {}),
    ...(input.maxUnavailable !== undefined ? { maxUnavailable: input.maxUnavailable } : {}),
    selector: { matchLabels: input.selector },
  };
  const min =
    typeof input.minAvailable === 'number' ? input.minAvailable : input.expectedPods - (typeof input.maxUnavailable === 'number' ? input.maxUnavailable : 1);
  const desired = Math.max(0, min);
  const time = input.meta.creationTimestamp;
  const status = {
    observedGeneration: 1,
    disruptionsAllowed: Math.max(0, input.healthyPods - desired),
    currentHealthy: input.healthyPods,
    desiredHealthy: desired,
    expectedPods: input.expectedPods,
    conditions: [
      {
        type: 'DisruptionAllowed',
        status: input.healthyPods > desired ? 'True' : 'False',
        observedGeneration: 1,
        lastTransitionTime: time,
        reason: input.healthyPods > desired ? 'SufficientPods' : 'InsufficientPods',
        message: '',
      },
    ],
  };
  const managed = [
    managedEntry('kubectl-client-side-apply', 'policy/v1', time, { metadata: { labels: input.meta.labels }, spec }),
    managedEntry('kube-controller-manager', 'policy/v1', time, { status }, 'status'),
  ];
  return clean({ metadata: metadata({ ...input.meta, generation: 1 }, managed), spec, status }) as KubeObject;
}

export interface HpaInput {
  meta: Meta;
  target: { kind: string; name: string };
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
}

export function hpaObject(input: HpaInput): KubeObject {
  const spec = {
    scaleTargetRef: { kind: input.target.kind, name: input.target.name, apiVersion: 'apps/v1' },
    minReplicas: input.minReplicas,
    maxReplicas: input.maxReplicas,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
  };
  const time = input.meta.creationTimestamp;
  const status = {
    currentReplicas: input.currentReplicas,
    desiredReplicas: input.currentReplicas,
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '112m', averageUtilization: 45 } } }],
    conditions: [
      { type: 'AbleToScale', status: 'True', lastTransitionTime: time, reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
      {
        type: 'ScalingActive',
        status: 'True',
        lastTransitionTime: time,
        reason: 'ValidMetricFound',
        message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
      },
      {
        type: 'ScalingLimited',
        status: 'False',
        lastTransitionTime: time,
        reason: 'DesiredWithinRange',
        message: 'the desired count is within the acceptable range',
      },
    ],
  };
  const managed = [
    managedEntry('kubectl-client-side-apply', 'autoscaling/v2', time, { metadata: { labels: input.meta.labels }, spec }),
    managedEntry('kube-controller-manager', 'autoscaling/v2', time, { status }, 'status'),
  ];
  return clean({ metadata: metadata(input.meta, managed), spec, status }) as KubeObject;
}
