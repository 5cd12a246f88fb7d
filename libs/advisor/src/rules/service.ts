import type { Service } from '../model/k8s.js';
import type { Provider } from '../model/snapshot.js';
import type { FindingDraft, Rule } from '../engine/rule.js';
import { containerDeclaresPort, externalTrafficPolicy, isExposedService, isLoadBalancer, serviceType } from '../snapshot-index/snapshot-index.js';
import { nameOf, namespaceOf } from '../snapshot-index/workloads.js';
import { alibabaAnnotation, alibabaAnnotationKey, annotationsOf, isPodDirectBackend } from '../util/annotations.js';
import { asCount } from '../util/numbers.js';
import { providerForService } from '../util/provider.js';
import { ingressPathOf, lbPathOf, type LbPath } from '../profiles/backend.js';
import type { RuleContext } from '../engine/rule.js';
import { isEmptySelector } from '../util/selectors.js';
import { decisionRemediation, patchRemediation } from '../remediation/build.js';

function serviceSubject(service: Service): FindingDraft['subject'] {
  return { kind: 'Service', namespace: namespaceOf(service), name: nameOf(service), object: service };
}

function describeService(service: Service): string {
  return `Service ${namespaceOf(service)}/${nameOf(service)}`;
}

function selectorText(service: Service): string {
  return Object.entries(service.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

export const serviceSelectorNoMatch: Rule = {
  id: 'service-selector-no-match',
  title: 'Service selector matches no pods',
  category: 'service',
  requires: 'manifest',
  severity: 'critical / info',
  description:
    'A Service whose selector matches no pod has no endpoints: every request to it fails. In an upload that holds other workloads of the namespace this is a typo or a stale selector (critical); where it holds none, the workload may live in a file not uploaded (info).',
  check(context) {
    const live = context.snapshot.facts.source === 'cluster';
    for (const service of context.index.services) {
      if (isEmptySelector(service.spec?.selector) || serviceType(service) === 'ExternalName') continue;
      const namespace = namespaceOf(service);
      const matched = live
        ? context.index.podsSelectedBy(service).length
        : context.index.workloadsOf(service).length + context.index.otherPodTemplatesSelectedBy(service).length;
      if (matched > 0) continue;
      const others = context.index.workloadsInNamespace(namespace);
      // RULES.md, "Pods made by operators": a custom resource in the namespace may be what makes the pods.
      const customResources = live ? [] : context.index.customResourcesIn(namespace);
      const severity = live || (others.length > 0 && customResources.length === 0) ? 'critical' : 'info';
      const candidates = others.slice(0, 10).map((w) => ({ workload: `${w.kind}/${w.name}`, labels: w.podLabels }));
      const customNames = customResources.slice(0, 10).map((r) => `${r.kind}/${r.name}`);
      context.report({
        severity,
        subject: serviceSubject(service),
        message: live
          ? `${describeService(service)} selects ${selectorText(service)}, which matches no pod, so it has no endpoints to send traffic to.`
          : customResources.length > 0
            ? `${describeService(service)} selects ${selectorText(service)}, which matches no uploaded workload; its pods may be made by an operator from the custom resource(s) in namespace "${namespace}" (${customNames.join(', ')}${customResources.length > customNames.length ? ', ...' : ''}).`
            : others.length > 0
              ? `${describeService(service)} selects ${selectorText(service)}, which matches none of the ${others.length} workload(s) in its namespace: a typo or a stale selector leaves it without endpoints.`
              : `${describeService(service)} selects ${selectorText(service)}, and no uploaded workload in namespace "${namespace}" matches it (its workload may be in a file that was not uploaded).`,
        evidence: {
          selector: service.spec?.selector ?? {},
          ...(live ? {} : { workloadsInNamespace: candidates }),
          ...(customNames.length > 0 ? { customResources: customNames } : {}),
        },
        remediation: decisionRemediation(
          customNames.length > 0
            ? 'Check that the operator creates pods with these labels (live: `kubectl get pods -l <selector>`); otherwise make the selector equal to labels the pods carry.'
            : 'Make the Service selector equal to labels the pod template carries (every pair must match).',
          "which pods the Service is meant to reach is the team's call: changing a selector can break a per-pod or operator-managed Service",
          `# labels of the workloads in namespace ${namespace}:\n` +
            (candidates.length > 0
              ? candidates
                  .map(
                    (c) =>
                      `#   ${c.workload}: ${Object.entries(c.labels)
                        .map(([k, v]) => `${k}=${String(v)}`)
                        .join(',')}`,
                  )
                  .join('\n')
              : '#   (none uploaded)') +
            `\nspec:\n  selector:\n    <label>: <value the pods carry>`,
        ),
      });
    }
  },
};

export const serviceTargetPortUnresolved: Rule = {
  id: 'service-target-port-unresolved',
  title: 'Named targetPort is not declared by the selected pods',
  category: 'service',
  requires: 'manifest',
  severity: 'critical',
  description:
    'A Service port whose targetPort is a name that no container of the selected workloads declares gets no endpoint port: traffic to it fails. A numeric targetPort works undeclared and is not a finding.',
  check(context) {
    for (const service of context.index.services) {
      const workloads = context.index.workloadsOf(service).filter((w) => (w.podSpec?.containers ?? []).length > 0);
      if (workloads.length === 0) continue;
      for (const port of service.spec?.ports ?? []) {
        const target = port.targetPort;
        if (typeof target !== 'string' || /^\d+$/.test(target)) continue;
        const declared = workloads.some((w) => (w.podSpec?.containers ?? []).some((c) => containerDeclaresPort(c, target)));
        if (declared) continue;
        context.report({
          severity: 'critical',
          subject: serviceSubject(service),
          subKey: `port:${port.name ?? port.port ?? ''}`,
          message: `${describeService(service)} sends port ${port.port ?? '?'} to targetPort "${target}", which no container of ${workloads.map((w) => `${w.kind} ${w.name}`).join(', ')} declares.`,
          evidence: {
            port: port.port ?? null,
            targetPort: target,
            workloads: workloads.map((w) => `${w.kind}/${w.name}`),
            declaredPortNames: [
              ...new Set(workloads.flatMap((w) => (w.podSpec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.name ?? '')))),
            ].filter(Boolean),
          },
          remediation: decisionRemediation(
            `Name the container port "${target}" in the pod template, or use the port number as targetPort.`,
            'only the team knows which port the app listens on',
            `# in the pod template of the selected workload\ncontainers:\n  - name: <container>\n    ports:\n      - name: ${target}\n        containerPort: <the port the app listens on>`,
          ),
        });
      }
    }
  },
};

export const endpointsNotReady: Rule = {
  id: 'endpoints-not-ready',
  title: 'Exposed Service has no ready endpoint',
  category: 'service',
  requires: 'live',
  reads: ['endpointSlices'],
  severity: 'critical',
  description: 'An exposed Service with no ready endpoint answers every request with a connection error or a load balancer 5xx.',
  check(context) {
    for (const service of context.index.services) {
      if (!isExposedService(service) || isEmptySelector(service.spec?.selector)) continue;
      const endpoints = context.index.endpointsOf(service) ?? [];
      if (endpoints.some((e) => e.ready)) continue;
      context.report({
        severity: 'critical',
        subject: serviceSubject(service),
        message: `${describeService(service)} (${serviceType(service)}) has no ready endpoint, so every request it receives fails.`,
        evidence: {
          endpoints: endpoints.length,
          notReady: endpoints
            .filter((e) => !e.ready)
            .map((e) => e.podName ?? '')
            .slice(0, 20),
          selector: service.spec?.selector ?? {},
        },
        remediation: decisionRemediation(
          'Check why the selected pods are not ready (`kubectl describe pod`, readiness probe failures), or why none are selected.',
          'the cause is in the cluster (pod events, probe failures), not in the Service',
          `# kubectl get endpointslices -l kubernetes.io/service-name=${nameOf(service)} -n ${namespaceOf(service)} -o wide`,
        ),
      });
    }
  },
};

export const externalTrafficPolicyCluster: Rule = {
  id: 'external-traffic-policy-cluster',
  title: 'LoadBalancer Service uses externalTrafficPolicy: Cluster',
  category: 'service',
  requires: 'manifest',
  severity: 'info',
  description:
    'With externalTrafficPolicy: Cluster (the default) every node becomes a load balancer backend, which uses per-node quota, adds a hop through kube-proxy and loses the client source IP.',
  check(context) {
    for (const service of context.index.services) {
      if (!isLoadBalancer(service) || isPodDirectBackend(service) || externalTrafficPolicy(service) !== 'Cluster') continue;
      const explicit = service.spec?.externalTrafficPolicy !== undefined;
      context.report({
        severity: 'info',
        subject: serviceSubject(service),
        message: `${describeService(service)} uses externalTrafficPolicy: Cluster${explicit ? '' : ' (the default)'}, so every node is a load balancer backend, traffic takes an extra hop and the client source IP is lost.`,
        evidence: { externalTrafficPolicy: 'Cluster', explicit },
        remediation: decisionRemediation(
          'Make pods the backends where the provider can (ENI on Alibaba Cloud with Terway, NLB IP targets on AWS, NEG on GKE); otherwise Local with an in-place rollout.',
          'the load balancer mode depends on the CNI, the provider and whether the app needs the client IP: a network choice',
          'metadata:\n  annotations:\n    service.beta.kubernetes.io/backend-type: eni  # Alibaba Cloud (Terway)\n    # service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip  # AWS',
        ),
      });
    }
  },
};

const ALIBABA_DRAIN_MIN = 10;
const ALIBABA_DRAIN_MAX = 900;

interface DrainVerdict {
  reason: string;
  evidence: Record<string, string | number | boolean | null>;
  /** The annotations that turn draining on. */
  annotations: Record<string, string>;
}

/** Ports whose Alibaba listener is layer 4 (not named http/https in the protocol-port annotation). */
function alibabaLayer4Ports(service: Service): number[] {
  const layer7 = new Set<number>();
  for (const entry of (alibabaAnnotation(service, 'protocol-port') ?? '').split(',')) {
    const [protocol, port] = entry.split(':').map((s) => s.trim().toLowerCase());
    if ((protocol === 'http' || protocol === 'https') && port) layer7.add(Number(port));
  }
  return (service.spec?.ports ?? []).map((p) => p.port ?? 0).filter((port) => !layer7.has(port));
}

function alibabaDrainVerdict(service: Service): DrainVerdict | undefined {
  const layer4 = alibabaLayer4Ports(service);
  if (layer4.length === 0) return undefined;
  const drain = alibabaAnnotation(service, 'connection-drain');
  const timeoutText = alibabaAnnotation(service, 'connection-drain-timeout');
  const timeout = asCount(timeoutText);
  const on = drain?.toLowerCase() === 'on';
  if (on && timeout !== undefined && timeout >= ALIBABA_DRAIN_MIN && timeout <= ALIBABA_DRAIN_MAX) return undefined;
  const reason = !on
    ? `connection drain is ${drain === undefined ? 'not set' : `"${drain}"`}`
    : timeout === undefined
      ? 'connection drain is on but connection-drain-timeout is not set'
      : `connection-drain-timeout ${timeoutText} is outside 10-900 s`;
  return {
    reason,
    evidence: { provider: 'alibaba', layer4Ports: layer4.join(','), connectionDrain: drain ?? null, connectionDrainTimeout: timeoutText ?? null },
    annotations: { [alibabaAnnotationKey('connection-drain')]: 'on', [alibabaAnnotationKey('connection-drain-timeout')]: '30' },
  };
}

function awsDrainVerdict(service: Service, path: LbPath | undefined): DrainVerdict | undefined {
  const annotations = annotationsOf(service);
  if (!path) return undefined;
  if (!path.profile.id.startsWith('aws.legacy.clb')) {
    // ELBv2 target groups (LBC, or the in-tree NLB) drain for 300 s unless told otherwise:
    // only an explicit 0 turns draining off (PROVIDERS.md section 5).
    const attributes = annotations['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'] ?? '';
    const match = /deregistration_delay\.timeout_seconds\s*=\s*(\d+)/.exec(attributes);
    if (!match || Number(match[1]) > 0) return undefined;
    return {
      reason: 'the NLB target group deregistration delay is 0',
      evidence: { provider: 'aws', loadBalancer: 'nlb', profile: path.profile.id, deregistrationDelaySeconds: 0 },
      annotations: {
        'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': attributes.replace(
          /deregistration_delay\.timeout_seconds\s*=\s*\d+/,
          'deregistration_delay.timeout_seconds=30',
        ),
      },
    };
  }
  const enabled = annotations['service.beta.kubernetes.io/aws-load-balancer-connection-draining-enabled'];
  if (enabled?.toLowerCase() === 'true') return undefined;
  return {
    reason: `classic ELB connection draining is ${enabled === undefined ? 'not enabled (off by default)' : `"${enabled}"`}`,
    evidence: { provider: 'aws', loadBalancer: 'classic', profile: path.profile.id, connectionDrainingEnabled: enabled ?? null },
    annotations: {
      'service.beta.kubernetes.io/aws-load-balancer-connection-draining-enabled': 'true',
      'service.beta.kubernetes.io/aws-load-balancer-connection-draining-timeout': '30',
    },
  };
}

const DRAIN_CHECKS: Partial<Record<Provider, (service: Service, path: LbPath | undefined) => DrainVerdict | undefined>> = {
  alibaba: alibabaDrainVerdict,
  aws: awsDrainVerdict,
};

export const lbConnectionDrainOff: Rule = {
  id: 'lb-connection-drain-off',
  title: 'Load balancer connection draining is off',
  category: 'service',
  requires: 'manifest',
  needsProvider: true,
  severity: 'warning',
  description:
    'Without connection draining, the load balancer resets established connections the moment a backend is removed, cutting long requests and keep-alive connections on every rollout.',
  check(context) {
    for (const service of context.index.services) {
      const provider = providerForService(service, context.options.namedProvider, context.options.provider);
      if (provider === 'gcp') {
        reportGkeL7Drain(context, service);
        continue;
      }
      if (!isLoadBalancer(service)) continue;
      const verdict = provider
        ? DRAIN_CHECKS[provider]?.(service, lbPathOf(service, provider, context.options.profileOverrides, context.options.backendEnv))
        : undefined;
      if (!verdict) continue;
      context.report({
        severity: 'warning',
        subject: serviceSubject(service),
        message: `${describeService(service)}: ${verdict.reason}, so the load balancer cuts established connections when a backend is removed.`,
        evidence: verdict.evidence,
        remediation: patchRemediation(
          'Turn connection draining on with a 30 s timeout (raise it to cover your longest requests).',
          { kind: 'Service', namespace: namespaceOf(service), name: nameOf(service) },
          { metadata: { annotations: verdict.annotations } },
        ),
      });
    }
  },
};

/**
 * GKE container-native (NEG) Ingress path: the backend service drains only with a BackendConfig
 * connectionDraining.drainingTimeoutSec > 0 (default without one: 0, PROVIDERS.md 2.4 [U]).
 * A BackendConfig named but not uploaded cannot be judged.
 */
function reportGkeL7Drain(context: RuleContext, service: Service): void {
  const path = ingressPathOf(service, 'gcp', context.options.profileOverrides);
  if (!path) return;
  const a = annotationsOf(service);
  const raw = a['cloud.google.com/backend-config'] ?? a['beta.cloud.google.com/backend-config'];
  let names: string[] = [];
  if (raw) {
    try {
      const parsed = JSON.parse(String(raw)) as { default?: string; ports?: Record<string, string> };
      names = [parsed.default, ...Object.values(parsed.ports ?? {})].filter((n): n is string => typeof n === 'string');
    } catch {
      return;
    }
  }
  const configs = names.map((name) => (context.snapshot.backendConfigs ?? []).find((c) => nameOf(c) === name && namespaceOf(c) === namespaceOf(service)));
  if (configs.some((c) => c === undefined)) return;
  const off = configs.length === 0 || configs.some((c) => !((asCount(c?.spec?.connectionDraining?.drainingTimeoutSec) ?? 0) > 0));
  if (!off) return;
  const reason =
    configs.length === 0
      ? 'its NEG Ingress backend has no BackendConfig, so connection draining stays at 0 s (the default; not verified against GKE docs)'
      : `BackendConfig ${names.join(', ')} sets no connectionDraining.drainingTimeoutSec above 0`;
  context.report({
    severity: 'warning',
    subject: serviceSubject(service),
    message: `${describeService(service)}: ${reason}, so the load balancer cuts established connections when a pod leaves the NEG.`,
    evidence: { provider: 'gcp', profile: path.profile.id, backendConfigs: names, defaultIsEstimate: configs.length === 0 },
    remediation: decisionRemediation(
      'Give the Service a BackendConfig with connectionDraining.drainingTimeoutSec (30 s, no longer than terminationGracePeriodSeconds minus the preStop sleep).',
      "a BackendConfig is a new object plus a Service annotation, and the drain must fit the pods' grace period: the team applies both",
      `apiVersion: cloud.google.com/v1\nkind: BackendConfig\nmetadata:\n  name: ${nameOf(service)}\n  namespace: ${namespaceOf(service)}\nspec:\n  connectionDraining:\n    drainingTimeoutSec: 30\n---\n# on the Service\nmetadata:\n  annotations:\n    cloud.google.com/backend-config: '{"default": "${nameOf(service)}"}'`,
    ),
  });
}

export const eniBackendRecommended: Rule = {
  id: 'eni-backend-recommended',
  title: 'Terway cluster: LoadBalancer Service could use ENI backends',
  category: 'service',
  requires: 'live',
  reads: ['services'],
  severity: 'info',
  description:
    'On a Terway cluster the load balancer can target pods directly (backend-type: eni): no kube-proxy hop, no per-node attachment quota, and rollouts are not exposed to node-level traffic policy trade-offs.',
  check(context) {
    if (context.snapshot.facts.cni !== 'terway') return;
    for (const service of context.index.services) {
      if (!isLoadBalancer(service) || isPodDirectBackend(service)) continue;
      context.report({
        severity: 'info',
        subject: serviceSubject(service),
        message: `${describeService(service)} uses nodes as load balancer backends on a Terway cluster, where pods' ENIs could be the backends.`,
        evidence: { cni: 'terway', externalTrafficPolicy: externalTrafficPolicy(service) },
        remediation: decisionRemediation(
          'Make the pods the load balancer backends.',
          'switching a Service to ENI backends recreates its backend groups: a change to plan with the team',
          'metadata:\n  annotations:\n    service.beta.kubernetes.io/backend-type: eni',
        ),
      });
    }
  },
};
