// The provider rules of PROVIDERS.md section 5: each reads the Service's provider profile row
// (libs/advisor/src/profiles) and its annotations; findings that rest on an estimated value say so.
// The manifest rules fire only on settings whose annotations name their provider, so with no
// provider found they have nothing to judge: they are not listed as skipped for want of one.
import type { JsonObject, Severity } from '../model/finding.js';
import type { Namespace, Pod, Service } from '../model/k8s.js';
import type { Provider } from '../model/snapshot.js';
import type { FindingDraft, Rule, RuleContext } from '../engine/rule.js';
import { versionAtLeast } from '../engine/options.js';
import { externalTrafficPolicy, isLoadBalancer } from '../snapshot-index/snapshot-index.js';
import { nameOf, namespaceOf, type Workload } from '../snapshot-index/workloads.js';
import { alibabaAnnotation, alibabaAnnotationKey, annotationsOf, TENCENT_DIRECT_ACCESS } from '../util/annotations.js';
import { asCount, scaleIntOrPercent } from '../util/numbers.js';
import { providerForService } from '../util/provider.js';
import { decisionRemediation, patchRemediation, podPatch } from '../remediation/build.js';
import { lbPathsOf, registrationWindow, type LbPath } from '../profiles/backend.js';
import { isEligibleBackendNode } from './lb-backends.js';
import { predictUngatedRollout, type UngatedRolloutPrediction } from './gate-prediction.js';
import { describeWorkload, preStopDuration, targetOf, workloadSubject } from './helpers.js';

export const AWS_GATE_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';
const AWS_GATE_PREFIX = 'target-health.elbv2.k8s.aws/';
const ALIBABA_GATE_PREFIX = 'service.readiness.alibabacloud.com/';
const GKE_GATE = 'cloud.google.com/load-balancer-neg-ready';
const TKE_GATE = 'cloud.tencent.com/load-balancer-backendgroup-ready';
const AWS_TG_ATTRIBUTES = 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes';
const DEFAULT_GRACE_SECONDS = 30;

function serviceSubject(service: Service): FindingDraft['subject'] {
  return { kind: 'Service', namespace: namespaceOf(service), name: nameOf(service), object: service };
}

function describeService(service: Service): string {
  return `Service ${namespaceOf(service)}/${nameOf(service)}`;
}

function providerOf(context: RuleContext, service: Service): Provider | undefined {
  return providerForService(service, context.options.namedProvider, context.options.provider);
}

function pathsOf(context: RuleContext, service: Service): LbPath[] {
  return lbPathsOf(
    service,
    providerOf(context, service),
    context.options.profileOverrides,
    context.index.ingressesIn(namespaceOf(service)),
    context.options.backendEnv,
  );
}

/** Every (Service, pod-direct path) pair: Alibaba ENI, AWS LBC ip, GKE NEG (Ingress), Tencent direct access. */
function podDirectPaths(context: RuleContext): Array<{ service: Service; path: LbPath }> {
  const pairs: Array<{ service: Service; path: LbPath }> = [];
  for (const service of context.index.services) {
    for (const path of pathsOf(context, service)) if (path.profile.backendTarget === 'pod') pairs.push({ service, path });
  }
  return pairs;
}

function templateGates(workload: Workload): string[] {
  const gates = (workload.podSpec as { readinessGates?: Array<{ conditionType?: string }> } | undefined)?.readinessGates;
  return Array.isArray(gates) ? gates.map((g) => String(g?.conditionType ?? '')) : [];
}

function podGates(pod: Pod): string[] {
  const gates = (pod.spec as { readinessGates?: Array<{ conditionType?: string }> } | undefined)?.readinessGates;
  return Array.isArray(gates) ? gates.map((g) => String(g?.conditionType ?? '')) : [];
}

function namespaceObject(context: RuleContext, name: string): Namespace | undefined {
  return (context.snapshot.namespaces ?? []).find((n) => nameOf(n) === name);
}

function awsGateLabelled(namespace: Namespace | undefined): boolean {
  return namespace?.metadata?.labels?.[AWS_GATE_LABEL] === 'enabled';
}

/** The longest known preStop of the workload's serving containers (unknown durations count 0). */
function longestPreStop(context: RuleContext, workload: Workload): number {
  let longest = 0;
  for (const container of context.index.servingContainers(workload)) {
    const duration = preStopDuration(container);
    if (duration.present && duration.seconds !== undefined) longest = Math.max(longest, duration.seconds);
  }
  return longest;
}

function graceOf(workload: Workload): number {
  return asCount(workload.podSpec?.terminationGracePeriodSeconds) ?? DEFAULT_GRACE_SECONDS;
}

function isRolledOut(workload: Workload): boolean {
  return workload.kind !== 'Pod';
}

function estimateNote(estimate: boolean, profile: string): string {
  return estimate ? ` (profile ${profile}: an estimate; measure it and set it with --profile)` : '';
}

export const lbReadinessGateMissing: Rule = {
  id: 'lb-readiness-gate-missing',
  title: "Pods lack the load balancer's readiness gate",
  category: 'rollout',
  requires: 'manifest',
  severity: 'warning; critical when replicas <= 2 or (live) the rollout leaves the load balancer without a healthy backend',
  description:
    "With pods as load balancer backends, a new pod is Ready before the load balancer has registered and health-checked it: without the provider's readiness gate the Deployment deletes old pods while the new ones get no traffic yet. Manifests: Alibaba ENI Services whose pod template lacks service.readiness.alibabacloud.com/<service>. Live: running pods of any pod-direct Service (Alibaba, AWS in a labelled namespace, GKE NEG, Tencent direct access) that lack the gate.",
  check(context) {
    const live = context.snapshot.facts.source === 'cluster';
    const seen = new Set<string>();
    for (const { service, path } of podDirectPaths(context)) {
      const provider = path.profile.provider;
      for (const workload of context.index.workloadsOf(service)) {
        if (!isRolledOut(workload)) continue;
        let gate: string;
        let lacking: string[] = [];
        if (provider === 'alibaba') gate = `${ALIBABA_GATE_PREFIX}${nameOf(service)}`;
        else if (provider === 'aws') gate = `${AWS_GATE_PREFIX}<targetgroupbinding>`;
        else if (provider === 'gcp') gate = GKE_GATE;
        else gate = TKE_GATE;
        if (!live) {
          // Manifests: only Alibaba's gate is written in the template; AWS is judged by its
          // namespace label (aws-readiness-gate-label-missing), GKE and TKE inject theirs.
          if (provider !== 'alibaba' || templateGates(workload).includes(gate)) continue;
        } else {
          if (provider === 'aws' && !awsGateLabelled(namespaceObject(context, workload.namespace))) continue;
          const prefix = provider === 'aws' ? AWS_GATE_PREFIX : gate;
          lacking = context.index
            .podsOf(workload)
            .filter((pod) => !pod.metadata?.deletionTimestamp && !podGates(pod).some((g) => (provider === 'aws' ? g.startsWith(prefix) : g === prefix)))
            .map((pod) => nameOf(pod));
          if (lacking.length === 0) continue;
        }
        const key = `${workload.kind}/${workload.namespace}/${workload.name}/${gate}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const replicas = context.index.replicas(workload);
        // Live: the next rollout's pods get the gate only where something injects it; where
        // nothing will, the simulator's arithmetic says whether the LB is left without a backend.
        const newPodsGated = live && newPodsGetGate(context, provider, workload, gate);
        const prediction = live && !newPodsGated ? predictUngatedRollout(workload, replicas, context.index.servingContainers(workload)[0], path) : undefined;
        const severity: Severity = replicas <= 2 || prediction?.noHealthyBackend ? 'critical' : 'warning';
        const remediation =
          !live && provider === 'alibaba'
            ? patchRemediation(
                `Add the readiness gate ${gate}: the pod becomes Ready only once the CLB has it as a healthy backend (CCM >= v2.10.0, Kubernetes >= 1.24; or enable the CCM's readiness-gate webhook).`,
                targetOf(workload),
                podPatch(workload, { readinessGates: [...templateGates(workload).map((conditionType) => ({ conditionType })), { conditionType: gate }] }),
              )
            : decisionRemediation(
                provider === 'aws'
                  ? `Restart the workload so the controller's webhook injects ${AWS_GATE_PREFIX}* into new pods (it injects only at pod creation, once the Service and TargetGroupBinding exist).`
                  : provider === 'alibaba'
                    ? `Add readinessGates: [{conditionType: ${gate}}] to the pod template (or enable the CCM's readiness-gate webhook) and restart the workload.`
                    : `Restart the workload so the provider's webhook injects ${gate}; check that the webhook is enabled.`,
                'restarting pods is a rollout the team schedules',
                `# kubectl -n ${workload.namespace} rollout restart ${workload.kind.toLowerCase()}/${workload.name}`,
              );
        context.report({
          severity,
          subject: workloadSubject(workload),
          subKey: gate,
          message: live
            ? `${describeWorkload(workload)}: ${lacking.length} running pod(s) behind ${describeService(service)} (${path.profile.id}) lack the readiness gate ${gate}, so a rollout can delete old pods before the load balancer sends the new ones traffic.`
            : `${describeWorkload(workload)} is behind ${describeService(service)} with pods as load balancer backends (${path.profile.id}), but its pod template lacks the readiness gate ${gate}: a rollout can delete old pods before the load balancer sends the new ones traffic.`,
          evidence: {
            service: nameOf(service),
            profile: path.profile.id,
            readinessGate: gate,
            templateReadinessGates: templateGates(workload),
            replicas,
            ...(live ? { podsWithoutGate: lacking.slice(0, 20), newPodsGated } : {}),
            ...predictionEvidence(prediction),
          },
          remediation,
          suppressibleBy: [service],
        });
      }
    }
  },
};

/**
 * Will the next rollout's pods carry the gate? GKE and TKE inject theirs; the AWS controller's
 * webhook injects into labelled namespaces when it is installed; Alibaba's is in the template
 * (its injection webhook, CCM >= v2.12.4, is not visible: taken as off).
 */
function newPodsGetGate(context: RuleContext, provider: Provider, workload: Workload, gate: string): boolean {
  if (provider === 'alibaba') return templateGates(workload).includes(gate);
  if (provider === 'aws')
    return awsGateLabelled(namespaceObject(context, workload.namespace)) && context.options.backendEnv.awsLoadBalancerController !== false;
  return true;
}

function predictionEvidence(prediction: UngatedRolloutPrediction | undefined): JsonObject {
  return prediction ? { noHealthyBackendPredicted: prediction.noHealthyBackend, prediction: prediction.evidence } : {};
}

export const awsReadinessGateLabelMissing: Rule = {
  id: 'aws-readiness-gate-label-missing',
  title: 'AWS ip targets: namespace lacks the readiness-gate injection label',
  category: 'rollout',
  requires: 'manifest',
  severity: 'warning; critical when replicas <= 2 or (live) the rollout leaves the load balancer without a healthy target',
  description:
    'The AWS Load Balancer Controller injects its target-health readiness gate only into pods of namespaces labelled elbv2.k8s.aws/pod-readiness-gate-inject: enabled. With ip targets and no label, a rollout deletes old pods while the new targets are still registering (a few minutes on an NLB). Judged when the Namespace object is uploaded (or live).',
  check(context) {
    const live = context.snapshot.facts.source === 'cluster';
    const byNamespace = new Map<string, { namespace: Namespace; services: string[]; minReplicas: number; starved: string[] }>();
    for (const { service, path } of podDirectPaths(context)) {
      if (path.profile.provider !== 'aws') continue;
      const namespace = namespaceObject(context, namespaceOf(service));
      if (!namespace || awsGateLabelled(namespace)) continue;
      const workloads = context.index.workloadsOf(service).filter(isRolledOut);
      const replicas = workloads.length > 0 ? Math.min(...workloads.map((w) => context.index.replicas(w))) : Number.POSITIVE_INFINITY;
      const entry = byNamespace.get(namespaceOf(service)) ?? { namespace, services: [], minReplicas: Number.POSITIVE_INFINITY, starved: [] };
      entry.services.push(nameOf(service));
      entry.minReplicas = Math.min(entry.minReplicas, replicas);
      // Live (PROVIDERS.md 7): the label is known absent, so no new pod gets the gate: the simulator's arithmetic decides.
      if (live) {
        for (const w of workloads) {
          if (predictUngatedRollout(w, context.index.replicas(w), context.index.servingContainers(w)[0], path)?.noHealthyBackend) {
            entry.starved.push(`${w.kind}/${w.name}`);
          }
        }
      }
      byNamespace.set(namespaceOf(service), entry);
    }
    for (const [name, entry] of byNamespace) {
      const value = entry.namespace.metadata?.labels?.[AWS_GATE_LABEL];
      context.report({
        severity: entry.minReplicas <= 2 || entry.starved.length > 0 ? 'critical' : 'warning',
        subject: { kind: 'Namespace', namespace: '', name, object: entry.namespace },
        message: `Namespace ${name} holds Service(s) ${entry.services.join(', ')} with AWS ip targets but ${value === undefined ? 'lacks' : `sets "${String(value)}" for`} the label ${AWS_GATE_LABEL}: enabled, so pods get no target-health readiness gate and rollouts outpace target registration.`,
        evidence: {
          services: entry.services,
          label: AWS_GATE_LABEL,
          value: value === undefined ? null : String(value),
          minReplicas: Number.isFinite(entry.minReplicas) ? entry.minReplicas : null,
          ...(live ? { noHealthyTargetPredictedFor: entry.starved } : {}),
        },
        remediation: patchRemediation(
          `Label the namespace ${AWS_GATE_LABEL}=enabled, then restart its ip-target workloads: the gate is injected only into pods created after the label.`,
          { kind: 'Namespace', namespace: '', name },
          { metadata: { labels: { [AWS_GATE_LABEL]: 'enabled' } } },
          '# then: kubectl rollout restart the workloads behind these Services',
        ),
      });
    }
  },
};

export const awsReadinessWebhookFailOpen: Rule = {
  id: 'aws-readiness-webhook-fail-open',
  title: "AWS Load Balancer Controller's pod webhook fails open",
  category: 'rollout',
  requires: 'live',
  provider: 'aws',
  severity: 'info',
  description:
    "The controller's pod mutator (mpod.elbv2.k8s.aws) has failurePolicy: Ignore (the default after LBC v2.11.0): pods created while the controller is down get no readiness gate, so a rollout then can outpace target registration.",
  check(context) {
    for (const config of context.snapshot.mutatingWebhookConfigurations ?? []) {
      if (nameOf(config) !== 'aws-load-balancer-webhook') continue;
      const webhook = (config.webhooks ?? []).find((w) => w.name === 'mpod.elbv2.k8s.aws');
      if (!webhook || (webhook.failurePolicy ?? 'Fail') !== 'Ignore') continue;
      const labelled = (context.snapshot.namespaces ?? []).filter(awsGateLabelled).map((n) => nameOf(n));
      const ipServices = podDirectPaths(context)
        .filter(({ service, path }) => path.profile.provider === 'aws' && labelled.includes(namespaceOf(service)))
        .map(({ service }) => `${namespaceOf(service)}/${nameOf(service)}`);
      if (ipServices.length === 0) continue;
      context.report({
        severity: 'info',
        subject: { kind: 'MutatingWebhookConfiguration', namespace: '', name: nameOf(config), object: config },
        message: `MutatingWebhookConfiguration aws-load-balancer-webhook: webhook mpod.elbv2.k8s.aws has failurePolicy: Ignore, so pods of ip-target Services (${ipServices.slice(0, 5).join(', ')}) created while the controller is down get no readiness gate.`,
        evidence: { webhook: 'mpod.elbv2.k8s.aws', failurePolicy: 'Ignore', services: ipServices.slice(0, 20) },
        remediation: decisionRemediation(
          'Set the webhook to failurePolicy: Fail with an objectSelector (the controller docs recommend it), or watch for pods without the gate (lb-readiness-gate-missing).',
          'Fail blocks pod creation in labelled namespaces while the controller is down: an availability trade-off',
          '# Helm (aws-load-balancer-controller): webhookConfig.failurePolicy: Fail\nwebhooks:\n  - name: mpod.elbv2.k8s.aws\n    failurePolicy: Fail',
        ),
      });
    }
  },
};

const NEG_WITHOUT_CHECK = new Set(['LoadBalancerNegWithoutHealthCheck', 'LoadBalancerNegTimeout']);

export const gkeNegGateWithoutHealthCheck: Rule = {
  id: 'gke-neg-gate-without-health-check',
  title: 'GKE NEG readiness gate passed without a load balancer health check',
  category: 'rollout',
  requires: 'live',
  reads: ['pods'],
  provider: 'gcp',
  severity: 'warning',
  description:
    'The NEG controller sets cloud.google.com/load-balancer-neg-ready True also when no health-checked backend service uses the NEG (LoadBalancerNegWithoutHealthCheck) or after 10 minutes (LoadBalancerNegTimeout): the gate then protects nothing.',
  check(context) {
    for (const workload of context.index.workloads) {
      const pods = context.index
        .podsOf(workload)
        .filter((pod) =>
          (pod.status?.conditions ?? []).some((c) => c.type === GKE_GATE && c.status === 'True' && NEG_WITHOUT_CHECK.has(String(c.reason ?? ''))),
        );
      if (pods.length === 0) continue;
      const reasons = [...new Set(pods.flatMap((pod) => (pod.status?.conditions ?? []).filter((c) => c.type === GKE_GATE).map((c) => String(c.reason ?? ''))))];
      context.report({
        severity: 'warning',
        subject: workloadSubject(workload),
        message: `${describeWorkload(workload)}: ${pods.length} pod(s) passed the NEG readiness gate without the load balancer checking them (${reasons.join(', ')}), so rollouts are not held until the load balancer sends them traffic.`,
        evidence: { pods: pods.slice(0, 20).map((pod) => nameOf(pod)), reasons },
        remediation: decisionRemediation(
          "Make the NEG's backend service health-checked (an Ingress or Gateway backend; a BackendConfig healthCheck, or an HTTP readinessProbe the Ingress derives its check from); for a timeout, find why the endpoint never turned healthy.",
          'which path the app answers health checks on is the team’s call',
          '# BackendConfig\nspec:\n  healthCheck:\n    type: HTTP\n    requestPath: <a path the app answers>\n    port: <serving port>',
        ),
      });
    }
  },
};

interface DrainSetting {
  seconds: number;
  explicit: boolean;
  source: string;
}

const ALB_TG_ATTRIBUTES = 'alb.ingress.kubernetes.io/target-group-attributes';

/**
 * The deregistration delay a path's target group is given: an NLB's from the Service's
 * annotation; an ALB's from `alb.ingress.kubernetes.io/target-group-attributes` on the Service,
 * else on the Ingress (the LB controller lets the Service's win).
 */
function awsDeregistrationDelay(service: Service, path: LbPath): { seconds: number; key: string } | undefined {
  const alb = path.profile.id.startsWith('aws.lbc.alb.');
  const candidates = alb
    ? [annotationsOf(service)[ALB_TG_ATTRIBUTES], path.via ? annotationsOf(path.via)[ALB_TG_ATTRIBUTES] : undefined]
    : [annotationsOf(service)[AWS_TG_ATTRIBUTES]];
  for (const value of candidates) {
    const match = /deregistration_delay\.timeout_seconds\s*=\s*(\d+)/.exec(String(value ?? ''));
    if (match) return { seconds: Number(match[1]), key: alb ? ALB_TG_ATTRIBUTES : AWS_TG_ATTRIBUTES };
  }
  return undefined;
}

function backendConfigDrain(context: RuleContext, service: Service): number | undefined {
  const a = annotationsOf(service);
  const raw = a['cloud.google.com/backend-config'] ?? a['beta.cloud.google.com/backend-config'];
  if (!raw) return undefined;
  let names: string[] = [];
  try {
    const parsed = JSON.parse(String(raw)) as { default?: string; ports?: Record<string, string> };
    names = [parsed.default, ...Object.values(parsed.ports ?? {})].filter((n): n is string => typeof n === 'string');
  } catch {
    return undefined;
  }
  let longest: number | undefined;
  for (const name of names) {
    const config = (context.snapshot.backendConfigs ?? []).find((c) => nameOf(c) === name && namespaceOf(c) === namespaceOf(service));
    const seconds = asCount(config?.spec?.connectionDraining?.drainingTimeoutSec);
    if (seconds !== undefined) longest = Math.max(longest ?? 0, seconds);
  }
  return longest;
}

/** The LB-side drain a pod-direct path keeps connections for after removal, if known. */
function drainOf(context: RuleContext, service: Service, path: LbPath): DrainSetting | undefined {
  const provider = path.profile.provider;
  if (provider === 'aws') {
    const explicit = awsDeregistrationDelay(service, path);
    if (explicit !== undefined)
      return { seconds: explicit.seconds, explicit: true, source: `${explicit.key}: deregistration_delay.timeout_seconds=${explicit.seconds}` };
    return { seconds: path.profile.drain.defaultSeconds.value, explicit: false, source: `ELBv2 default (${path.profile.drain.defaultSeconds.source})` };
  }
  if (provider === 'alibaba') {
    if (alibabaAnnotation(service, 'connection-drain')?.toLowerCase() !== 'on') return undefined;
    const seconds = asCount(alibabaAnnotation(service, 'connection-drain-timeout'));
    return seconds === undefined ? undefined : { seconds, explicit: true, source: `${alibabaAnnotationKey('connection-drain-timeout')}: ${seconds}` };
  }
  if (provider === 'gcp') {
    const seconds = backendConfigDrain(context, service);
    return seconds === undefined ? undefined : { seconds, explicit: true, source: `BackendConfig connectionDraining.drainingTimeoutSec: ${seconds}` };
  }
  return undefined;
}

export const lbDrainExceedsGrace: Rule = {
  id: 'lb-drain-exceeds-grace',
  title: "Load balancer drain outlasts the pod's grace period",
  category: 'lifecycle',
  requires: 'manifest',
  severity: 'warning / info (AWS 300 s default only)',
  description:
    'With pods as backends, the load balancer keeps established connections to a removed pod for its drain (deregistration delay) — but the kubelet kills the pod at the grace period: connections still draining after terminationGracePeriodSeconds minus the preStop sleep are cut by SIGKILL.',
  check(context) {
    const seen = new Set<string>();
    for (const { service, path } of podDirectPaths(context)) {
      const drain = drainOf(context, service, path);
      if (!drain || drain.seconds === 0) continue;
      for (const workload of context.index.workloadsOf(service)) {
        const grace = graceOf(workload);
        const preStop = longestPreStop(context, workload);
        if (drain.seconds <= grace - preStop) continue;
        const key = `${workload.kind}/${workload.namespace}/${workload.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const target = preStop + drain.seconds;
        const evidence = {
          service: nameOf(service),
          profile: path.profile.id,
          drainSeconds: drain.seconds,
          drainSource: drain.source,
          terminationGracePeriodSeconds: grace,
          preStopSeconds: preStop,
        };
        const message = `${describeWorkload(workload)}: the load balancer of ${describeService(service)} drains connections for ${drain.seconds} s (${drain.explicit ? drain.source : 'the ELBv2 default'}), longer than the ${Math.max(0, grace - preStop)} s the pod lives after its preStop (grace ${grace} s - preStop ${preStop} s): connections still draining are cut by SIGKILL.`;
        if (drain.explicit) {
          context.report({
            severity: 'warning',
            subject: workloadSubject(workload),
            message,
            evidence,
            remediation: patchRemediation(
              `Set terminationGracePeriodSeconds to at least the preStop sleep plus the drain (${target} s), or shorten the load balancer's drain to fit.`,
              targetOf(workload),
              podPatch(workload, { terminationGracePeriodSeconds: target }),
            ),
            suppressibleBy: [service],
          });
        } else {
          const fit = Math.max(0, grace - preStop);
          context.report({
            severity: 'info',
            subject: workloadSubject(workload),
            message,
            evidence,
            remediation: decisionRemediation(
              `Set the target group's deregistration delay to what the pod can serve (${fit} s, with connection termination), or raise terminationGracePeriodSeconds to ${target} s.`,
              'a shorter delay cuts long connections at the load balancer; a longer grace slows node drains: the team chooses',
              `metadata:\n  annotations:\n    ${AWS_TG_ATTRIBUTES}: "deregistration_delay.timeout_seconds=${fit},deregistration_delay.connection_termination.enabled=true"`,
            ),
            suppressibleBy: [service],
          });
        }
      }
    }
  },
};

export const lbRegistrationOutpacesRollout: Rule = {
  id: 'lb-registration-outpaces-rollout',
  title: 'New pods count as available before the load balancer sends them traffic',
  category: 'rollout',
  requires: 'manifest',
  severity: 'warning',
  description:
    "With pods as backends and no load balancer readiness gate, the controller counts a new pod available minReadySeconds after Ready, while the load balancer still registers and health-checks it (the profile's W_add: propagation + registration + interval x healthy threshold). Old pods go first.",
  check(context) {
    const seen = new Set<string>();
    for (const { service, path } of podDirectPaths(context)) {
      const provider = path.profile.provider;
      // GKE (Ingress NEG) and TKE direct access inject their gates; AWS is judged where its namespace is known.
      if (provider === 'gcp' || provider === 'tencent') continue;
      const window = registrationWindow(path.profile);
      const required = Math.ceil(window.seconds);
      for (const workload of context.index.workloadsOf(service)) {
        if (!isRolledOut(workload)) continue;
        if (provider === 'alibaba' && templateGates(workload).some((g) => g.startsWith(ALIBABA_GATE_PREFIX))) continue;
        if (provider === 'aws') {
          const namespace = namespaceObject(context, workload.namespace);
          if (!namespace || awsGateLabelled(namespace) || templateGates(workload).some((g) => g.startsWith(AWS_GATE_PREFIX))) continue;
        }
        const spec = (workload.object as { spec?: { minReadySeconds?: unknown } }).spec ?? {};
        const minReady = asCount(spec.minReadySeconds) ?? 0;
        if (minReady >= required) continue;
        const key = `${workload.kind}/${workload.namespace}/${workload.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        context.report({
          severity: 'warning',
          subject: workloadSubject(workload),
          message: `${describeWorkload(workload)}: minReadySeconds ${minReady} is shorter than the ~${required} s the load balancer of ${describeService(service)} takes to send a new pod traffic (${window.formula})${estimateNote(window.estimate, path.profile.id)}, and the pods have no load balancer readiness gate.`,
          evidence: {
            service: nameOf(service),
            profile: path.profile.id,
            minReadySeconds: minReady,
            registrationSeconds: window.seconds,
            estimate: window.estimate,
          },
          remediation: patchRemediation(
            `Hold each new pod ${required} s before it counts as available (minReadySeconds), or better, give the pods the load balancer's readiness gate.`,
            targetOf(workload),
            { spec: { minReadySeconds: required } },
          ),
          suppressibleBy: [service],
        });
      }
    }
  },
};

const AWS_HC_PROTOCOL = 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol';
const AWS_HC_PORT = 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port';

export const localHealthCheckNotNodeAware: Rule = {
  id: 'local-health-check-not-node-aware',
  title: "Local Service's load balancer probe does not ask kube-proxy",
  category: 'service',
  requires: 'manifest',
  severity: 'critical / warning (traffic port)',
  description:
    'With externalTrafficPolicy: Local on a node-mode load balancer (AWS instance targets, Azure), the load balancer learns that a node lost its last pod from the healthCheckNodePort probe. A TCP check of that port (always accepts) or no probe keeps sending traffic to emptied nodes (critical); a check of the traffic port notices only after the node emptied (warning).',
  check(context) {
    for (const service of context.index.services) {
      if (!isLoadBalancer(service) || externalTrafficPolicy(service) !== 'Local') continue;
      const path = pathsOf(context, service)[0];
      if (!path || path.profile.backendTarget !== 'node' || path.profile.mode !== 'local') continue;
      const provider = path.profile.provider;
      const a = annotationsOf(service);
      const problems: Array<{ severity: Severity; reason: string; remove: string[] }> = [];
      if (provider === 'aws') {
        const protocol = String(a[AWS_HC_PROTOCOL] ?? '').toLowerCase();
        const port = a[AWS_HC_PORT] === undefined ? undefined : String(a[AWS_HC_PORT]);
        if (port !== undefined) {
          problems.push({
            severity: 'warning',
            reason: `the health check goes to port ${port}, not the healthCheckNodePort kube-proxy answers for this Service`,
            remove: [AWS_HC_PORT, ...(protocol === 'tcp' ? [AWS_HC_PROTOCOL] : [])],
          });
        } else if (protocol === 'tcp') {
          problems.push({
            severity: 'critical',
            reason: 'the health check is a TCP connect to the healthCheckNodePort, which kube-proxy accepts whether or not the node has a ready pod',
            remove: [AWS_HC_PROTOCOL],
          });
        }
      } else if (provider === 'azure') {
        for (const port of service.spec?.ports ?? []) {
          const number = port.port;
          const noProbe = `service.beta.kubernetes.io/port_${number}_no_probe_rule`;
          const probePort = `service.beta.kubernetes.io/port_${number}_health-probe_port`;
          if (String(a[noProbe] ?? '').toLowerCase() === 'true') {
            problems.push({ severity: 'critical', reason: `port ${number} has no probe (${noProbe}: "true")`, remove: [noProbe] });
          } else if (a[probePort] !== undefined) {
            problems.push({
              severity: 'warning',
              reason: `port ${number} is probed on port ${String(a[probePort])} instead of the healthCheckNodePort`,
              remove: [probePort],
            });
          }
        }
      } else continue;
      if (problems.length === 0) continue;
      const severity: Severity = problems.some((p) => p.severity === 'critical') ? 'critical' : 'warning';
      const remove = [...new Set(problems.flatMap((p) => p.remove))];
      const annotations: JsonObject = {};
      for (const key of remove) annotations[key] = null;
      context.report({
        severity,
        subject: serviceSubject(service),
        message: `${describeService(service)} (externalTrafficPolicy: Local, ${path.profile.id}): ${problems.map((p) => p.reason).join('; ')}, so a node keeps receiving traffic after its last pod is gone.`,
        evidence: { profile: path.profile.id, annotations: remove, reasons: problems.map((p) => p.reason) },
        remediation: patchRemediation(
          "Remove the probe overrides: the provider then probes kube-proxy's healthCheckNodePort (HTTP /healthz), which fails as soon as the node has no ready endpoint.",
          { kind: 'Service', namespace: namespaceOf(service), name: nameOf(service) },
          { metadata: { annotations } },
        ),
      });
    }
  },
};

export const azureClusterProbeNotShared: Rule = {
  id: 'azure-cluster-probe-not-shared',
  title: 'Azure Cluster Services: probe mode is not shared',
  category: 'service',
  requires: 'live',
  provider: 'azure',
  severity: 'info',
  description:
    "From Kubernetes 1.31 kube-proxy's :10256/healthz fails on nodes the cluster autoscaler is deleting; with clusterServiceLoadBalancerHealthProbeMode: shared Azure's load balancer follows it, with the default servicenodeport probe it keeps sending to the draining node. Needs the cloud config, which AKS does not expose.",
  check(context) {
    const mode = context.snapshot.facts.azureClusterProbeMode;
    if (mode === undefined || mode.toLowerCase() === 'shared' || !versionAtLeast(context.options, 1, 31)) return;
    for (const service of context.index.services) {
      if (!isLoadBalancer(service) || externalTrafficPolicy(service) !== 'Cluster') continue;
      context.report({
        severity: 'info',
        subject: serviceSubject(service),
        message: `${describeService(service)} (externalTrafficPolicy: Cluster): the cloud config's clusterServiceLoadBalancerHealthProbeMode is "${mode}", so nodes the autoscaler drains stay load balancer backends until they are gone.`,
        evidence: { clusterServiceLoadBalancerHealthProbeMode: mode, kubernetesVersion: context.options.kubernetesVersion.join('.') },
        remediation: decisionRemediation(
          'Set clusterServiceLoadBalancerHealthProbeMode: shared in the cloud provider config.',
          'a cluster-wide cloud-provider setting, not a resource Rollsafe can patch',
          '# azure.json (cloud-provider-azure)\n"clusterServiceLoadBalancerHealthProbeMode": "shared"',
        ),
      });
    }
  },
};

const TKE_GRACE_SHUTDOWN = 'service.cloud.tencent.com/enable-grace-shutdown';
const TKE_GRACE_DELETION = 'service.cloud.tencent.com/enable-grace-deletion';

export const tkeDirectAccessGracefulOff: Rule = {
  id: 'tke-direct-access-graceful-off',
  title: 'TKE direct access without graceful shutdown or deletion',
  category: 'service',
  requires: 'manifest',
  severity: 'warning',
  description:
    'With direct access the CLB sends to pod IPs; without enable-grace-deletion (weight 0 before the kubelet deletes the pod) or enable-grace-shutdown (weight 0 once the pod terminates), a terminating pod is removed at once and its established connections are cut, or it keeps receiving new ones until removal.',
  check(context) {
    for (const service of context.index.services) {
      const a = annotationsOf(service);
      if (String(a[TENCENT_DIRECT_ACCESS] ?? '').toLowerCase() !== 'true' || providerOf(context, service) !== 'tencent') continue;
      const on = (key: string) => String(a[key] ?? '').toLowerCase() === 'true';
      if (on(TKE_GRACE_SHUTDOWN) || on(TKE_GRACE_DELETION)) continue;
      context.report({
        severity: 'warning',
        subject: serviceSubject(service),
        message: `${describeService(service)} uses TKE direct access without ${TKE_GRACE_DELETION} or ${TKE_GRACE_SHUTDOWN}, so the CLB removes a terminating pod without first setting its weight to 0.`,
        evidence: {
          directAccess: true,
          enableGraceShutdown: a[TKE_GRACE_SHUTDOWN] === undefined ? null : String(a[TKE_GRACE_SHUTDOWN]),
          enableGraceDeletion: a[TKE_GRACE_DELETION] === undefined ? null : String(a[TKE_GRACE_DELETION]),
        },
        remediation: patchRemediation(
          `Turn on graceful shutdown (weight 0 while the pod terminates); with controller >= v2.5.0 and kubelet support, ${TKE_GRACE_DELETION}: "true" is stronger (weight 0 before deletion). Keep the preStop sleep and SIGTERM handling.`,
          { kind: 'Service', namespace: namespaceOf(service), name: nameOf(service) },
          { metadata: { annotations: { [TKE_GRACE_SHUTDOWN]: 'true' } } },
        ),
      });
    }
  },
};

export const alibabaEniGracefulShutdownOff: Rule = {
  id: 'alibaba-eni-graceful-shutdown-off',
  title: 'Alibaba ENI Service without graceful shutdown (weight 0)',
  category: 'service',
  requires: 'manifest',
  severity: 'info',
  description:
    'In ENI mode the CCM removes a terminating pod from the backend group at once. With graceful-shutdown: "true" (CCM, kubernetes/cloud-provider-alibaba-cloud#486) it keeps terminating but serving pods at weight 0 until they stop serving: no new connections, established ones finish. Which ACK CCM release ships it is not documented yet.',
  check(context) {
    for (const service of context.index.services) {
      const path = pathsOf(context, service)[0];
      if (!path || path.profile.provider !== 'alibaba' || path.profile.backendTarget !== 'pod') continue;
      const graceful = alibabaAnnotation(service, 'graceful-shutdown')?.toLowerCase() === 'true';
      const ignore = alibabaAnnotation(service, 'ignore-weight-update')?.toLowerCase() === 'on';
      if (graceful && !ignore) continue;
      context.report({
        severity: 'info',
        subject: serviceSubject(service),
        message: `${describeService(service)} (ENI backends) ${graceful ? 'sets graceful-shutdown but also ignore-weight-update: "on", which disables it' : 'does not set graceful-shutdown: "true"'}, so a terminating pod leaves the backend group at once instead of draining at weight 0 (needs a CCM release with kubernetes/cloud-provider-alibaba-cloud#486).`,
        evidence: { profile: path.profile.id, gracefulShutdown: graceful, ignoreWeightUpdate: ignore },
        remediation: patchRemediation(
          'Keep terminating pods at weight 0 until they stop serving (check that your CCM release supports graceful-shutdown).',
          { kind: 'Service', namespace: namespaceOf(service), name: nameOf(service) },
          {
            metadata: {
              annotations: {
                [alibabaAnnotationKey('graceful-shutdown')]: 'true',
                ...(ignore
                  ? { [alibabaAnnotationKey('ignore-weight-update')]: null, 'service.beta.kubernetes.io/alicloud-loadbalancer-ignore-weight-update': null }
                  : {}),
              },
            },
          },
        ),
      });
    }
  },
};

export const alibabaL7HealthCheckOff: Rule = {
  id: 'alibaba-l7-health-check-off',
  title: 'Alibaba CLB HTTP/HTTPS listener without a health check',
  category: 'service',
  requires: 'manifest',
  severity: 'warning',
  description:
    'A CLB layer-7 listener (protocol-port naming http or https) has no health check unless health-check-flag is "on": the CLB keeps sending to removed or dead backends until the CCM updates the backend group.',
  check(context) {
    for (const service of context.index.services) {
      if (!isLoadBalancer(service) || providerOf(context, service) !== 'alibaba') continue;
      if (String(service.spec?.loadBalancerClass ?? '') === 'alibabacloud.com/nlb') continue;
      const layer7 = (alibabaAnnotation(service, 'protocol-port') ?? '')
        .split(',')
        .map((entry) => entry.split(':').map((s) => s.trim().toLowerCase()))
        .filter(([protocol]) => protocol === 'http' || protocol === 'https')
        .map(([protocol, port]) => `${protocol}:${port ?? ''}`);
      if (layer7.length === 0) continue;
      const flag = alibabaAnnotation(service, 'health-check-flag');
      if (flag?.toLowerCase() === 'on') continue;
      context.report({
        severity: 'warning',
        subject: serviceSubject(service),
        message: `${describeService(service)} has layer-7 listener(s) ${layer7.join(', ')} with health-check-flag ${flag === undefined ? 'unset (off by default)' : `"${flag}"`}, so the CLB keeps sending to backends that stopped answering until the CCM removes them.`,
        evidence: { listeners: layer7, healthCheckFlag: flag ?? null },
        remediation: decisionRemediation(
          'Turn the layer-7 health check on, with a path the app answers.',
          'the health-check path must be one the app serves: only the team knows it',
          `metadata:\n  annotations:\n    ${alibabaAnnotationKey('health-check-flag')}: "on"\n    ${alibabaAnnotationKey('health-check-uri')}: <a path the app answers>`,
        ),
      });
    }
  },
};

export const lbBackendQuota: Rule = {
  id: 'lb-backend-quota',
  title: 'Load balancer backend quota near its limit during a rollout',
  category: 'service',
  requires: 'live',
  needsProvider: true,
  severity: 'warning (80 %) / critical (100 %)',
  description:
    "During a rollout a pod-direct load balancer holds old and surge pods at once; an instance-mode NLB holds every node once per Service port. Past the provider's backend quota (AWS NLB 500 per AZ, Tencent direct access 200 per CLB, Alibaba 200 per CLB) registrations fail and backends stop updating.",
  check(context) {
    const nodes = context.snapshot.nodes.filter(isEligibleBackendNode).length;
    for (const service of context.index.services) {
      const path = pathsOf(context, service)[0];
      const quota = path?.profile.backendQuota;
      if (!path || !quota) continue;
      let backends: number;
      let basis: string;
      if (path.profile.backendTarget === 'pod') {
        backends = 0;
        for (const workload of context.index.workloadsOf(service)) {
          const replicas = context.index.replicas(workload);
          const spec = (workload.object as { spec?: { strategy?: { rollingUpdate?: { maxSurge?: string | number } } } }).spec;
          const surge = workload.kind === 'Deployment' ? (scaleIntOrPercent(spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', replicas, true) ?? 0) : 0;
          backends += replicas + surge;
        }
        basis = 'pods including surge';
      } else {
        backends = nodes * Math.max(1, (service.spec?.ports ?? []).length);
        basis = 'nodes x Service ports';
      }
      const share = backends / quota.value;
      if (share < 0.8) continue;
      context.report({
        severity: share >= 1 ? 'critical' : 'warning',
        subject: serviceSubject(service),
        message: `${describeService(service)} (${path.profile.id}) has ${backends} load balancer backends during a rollout (${basis}), ${Math.round(share * 100)} % of the ${quota.value} the provider allows (${quota.source}).`,
        evidence: { profile: path.profile.id, backends, quota: quota.value, quotaSource: quota.source, basis },
        remediation: decisionRemediation(
          'Raise the quota with the provider, split the Service across load balancers, or lower the surge.',
          'quota raises are tickets to the provider and splitting a Service is an architecture change',
          '# e.g. a smaller surge\nspec:\n  strategy:\n    rollingUpdate:\n      maxSurge: 1',
        ),
      });
    }
  },
};
