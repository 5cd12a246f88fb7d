import { slimObject } from '../src/index.js';

const managedFields = [{ manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:status': { 'f:phase': {} } } }];

describe('slimObject', () => {
  it('keeps what the advisor reads of an owned pod (judged through its workload) and drops the rest', () => {
    const pod = {
      metadata: {
        name: 'web-1',
        namespace: 'shop',
        uid: 'u1',
        labels: { app: 'web' },
        annotations: { 'rollsafe.io/ignore': 'single-replica', 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'r1', controller: true, blockOwnerDeletion: true }],
        managedFields,
        resourceVersion: '42',
        creationTimestamp: '2024-01-01T00:00:00Z',
      },
      spec: {
        nodeName: 'node-1',
        containers: [
          { name: 'app', image: 'web:1', env: [{ name: 'A', value: 'x' }], resources: {}, readinessProbe: { httpGet: { port: 8080 } }, volumeMounts: [] },
        ],
        volumes: [{ name: 'v' }],
        tolerations: [],
        terminationGracePeriodSeconds: 30,
      },
      status: {
        phase: 'Running',
        podIP: '10.0.0.1',
        hostIP: '192.168.0.1',
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: 't' },
          { type: 'Ready', status: 'True', lastTransitionTime: 't' },
        ],
        containerStatuses: [
          {
            name: 'app',
            ready: true,
            restartCount: 7,
            image: 'web:1',
            imageID: 'sha',
            lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: 't', containerID: 'c' } },
          },
        ],
      },
    };
    expect(slimObject('pods', 'Pod', 'v1', pod)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1',
        namespace: 'shop',
        uid: 'u1',
        labels: { app: 'web' },
        annotations: { 'rollsafe.io/ignore': 'single-replica' },
        ownerReferences: [{ kind: 'ReplicaSet', name: 'web-abc', uid: 'r1', controller: true }],
      },
      spec: { nodeName: 'node-1' },
      status: {
        phase: 'Running',
        podIP: '10.0.0.1',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 7, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: 't' } } }],
      },
    });
  });

  it('keeps the spec of a bare pod, a workload of its own', () => {
    const pod = {
      metadata: { name: 'debug', namespace: 'shop' },
      spec: {
        nodeName: 'n1',
        containers: [{ name: 'sh', image: 'busybox', env: [], readinessProbe: { exec: { command: ['true'] } } }],
        terminationGracePeriodSeconds: 5,
        volumes: [],
      },
    };
    expect(slimObject('pods', 'Pod', 'v1', pod)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug', namespace: 'shop' },
      spec: {
        nodeName: 'n1',
        terminationGracePeriodSeconds: 5,
        containers: [{ name: 'sh', image: 'busybox', readinessProbe: { exec: { command: ['true'] } } }],
      },
    });
  });

  it("reduces a Deployment's ReplicaSet to ownership and template labels; keeps a bare one whole", () => {
    const template = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'app', image: 'web:1' }] } };
    const owned = {
      metadata: { name: 'web-abc', namespace: 'shop', ownerReferences: [{ kind: 'Deployment', name: 'web', controller: true }] },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
    };
    expect(slimObject('replicaSets', 'ReplicaSet', 'apps/v1', owned)).toMatchObject({
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } } } },
    });
    expect((slimObject('replicaSets', 'ReplicaSet', 'apps/v1', owned) as { spec: { template: object } }).spec.template).not.toHaveProperty('spec');
    const bare = { metadata: { name: 'legacy', namespace: 'shop' }, spec: { replicas: 1, template } };
    expect(slimObject('replicaSets', 'ReplicaSet', 'apps/v1', bare)).toMatchObject({ spec: { replicas: 1, template } });
  });

  it('slims the pod template of workloads and keeps their rollout settings', () => {
    const deployment = {
      metadata: { name: 'web', namespace: 'shop', managedFields, generation: 3 },
      spec: {
        replicas: 3,
        revisionHistoryLimit: 10,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
        template: {
          metadata: { labels: { app: 'web' }, creationTimestamp: null },
          spec: { containers: [{ name: 'app', terminationMessagePath: '/dev' }], dnsPolicy: 'ClusterFirst' },
        },
      },
      status: { replicas: 3 },
    };
    expect(slimObject('deployments', 'Deployment', 'apps/v1', deployment)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app' }] } },
      },
    });
  });

  it('keeps endpoint conditions and node names of EndpointSlices, and node provider ids', () => {
    const slice = {
      metadata: { name: 'web-x', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' }, managedFields },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: ['10.0.0.1'],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: 'n1',
          zone: 'a',
          targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop', uid: 'u' },
        },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' }],
    };
    expect(slimObject('endpointSlices', 'EndpointSlice', 'discovery.k8s.io/v1', slice)).toMatchObject({
      endpoints: [
        {
          addresses: ['10.0.0.1'],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: 'n1',
          targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop' },
        },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
    const node = {
      metadata: { name: 'n1', managedFields },
      spec: { providerID: 'alicloud://cn-hangzhou.i-1', podCIDR: 'x' },
      status: { capacity: {}, images: [{}], nodeInfo: { kubeletVersion: 'v1.30.2', osImage: 'x' } },
    };
    expect(slimObject('nodes', 'Node', 'v1', node)).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      spec: { providerID: 'alicloud://cn-hangzhou.i-1' },
      status: { nodeInfo: { kubeletVersion: 'v1.30.2' } },
    });
  });

  it('passes non-objects through so the snapshot can warn about them', () => {
    expect(slimObject('pods', 'Pod', 'v1', 'nonsense')).toBe('nonsense');
  });
});
