import type { Container, Probe } from '../model/k8s.js';
import type { Rule, RuleContext } from '../engine/rule.js';
import { forExposure } from '../engine/severity.js';
import { targetPortOf } from '../snapshot-index/snapshot-index.js';
import type { Workload } from '../snapshot-index/workloads.js';
import { providerForService } from '../util/provider.js';
import { drainRequirement } from './drain-delay.js';
import {
  containerPatch,
  describeProbeHandler,
  describeWorkload,
  preStopDuration,
  probeHandlerIdentity,
  quoteList,
  suggestedProbePort,
  workloadSubject,
} from './helpers.js';

const DEFAULT_GRACE_SECONDS = 30;
const DEFAULT_PERIOD_SECONDS = 10;
const DEFAULT_FAILURE_THRESHOLD = 3;

/** Calls `visit` for each serving container of each Service-backed workload. */
function eachServingContainer(context: RuleContext, visit: (workload: Workload, container: Container) => void): void {
  for (const workload of context.index.workloads) {
    if (!context.index.isServiceBacked(workload)) continue;
    for (const container of context.index.servingContainers(workload)) visit(workload, container);
  }
}

function serviceNames(context: RuleContext, workload: Workload): string[] {
  return context.index.servicesOf(workload).map((s) => s.metadata?.name ?? '');
}

function servicePortTargets(context: RuleContext, workload: Workload): Array<string | number> {
  return context.index
    .servicesOf(workload)
    .flatMap((s) => (s.spec?.ports ?? []).map(targetPortOf))
    .filter((t): t is string | number => t !== undefined);
}

export const readinessProbeMissing: Rule = {
  id: 'readiness-probe-missing',
  title: 'Serving container has no readiness probe',
  category: 'lifecycle',
  requires: 'manifest',
  severity: 'critical (warning for ClusterIP-only)',
  description:
    'A serving container without a readinessProbe is added to the Service endpoints as soon as it starts, before the app can answer: every rollout sends requests to pods that refuse them.',
  check(context) {
    eachServingContainer(context, (workload, container) => {
      if (container.readinessProbe) return;
      const port = suggestedProbePort(container, servicePortTargets(context, workload));
      context.report({
        severity: forExposure('critical', context.index, workload),
        subject: workloadSubject(workload),
        container: container.name,
        message: `${describeWorkload(workload)}: container "${container.name}" has no readinessProbe, so new pods receive traffic from Service ${quoteList(serviceNames(context, workload))} before the app can answer.`,
        evidence: { container: container.name ?? '', services: serviceNames(context, workload), readinessProbe: null },
        remediation: {
          summary: 'Add a readinessProbe that succeeds only when the app can serve requests (keep it cheap; do not check downstream dependencies here).',
          yaml: containerPatch(
            workload,
            container.name,
            `readinessProbe:\n  httpGet:\n    path: /healthz/ready\n    port: ${port}\n  periodSeconds: 5\n  failureThreshold: 3`,
          ),
        },
      });
    });
  },
};

export const prestopHookMissing: Rule = {
  id: 'prestop-hook-missing',
  title: 'Serving container has no preStop hook',
  category: 'lifecycle',
  requires: 'manifest',
  severity: 'critical (warning for ClusterIP-only)',
  description:
    'Without a preStop hook the container gets SIGTERM at the moment the pod starts terminating, while the endpoints controller, kube-proxy and the cloud load balancer are still removing it: in-flight and new requests fail.',
  check(context) {
    eachServingContainer(context, (workload, container) => {
      if (preStopDuration(container).present) return;
      context.report({
        severity: forExposure('critical', context.index, workload),
        subject: workloadSubject(workload),
        container: container.name,
        message: `${describeWorkload(workload)}: container "${container.name}" has no preStop hook, so it receives SIGTERM while the endpoints and load balancer still send it traffic.`,
        evidence: {
          container: container.name ?? '',
          services: serviceNames(context, workload),
          terminationGracePeriodSeconds: workload.podSpec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS,
        },
        remediation: {
          summary:
            'Sleep in preStop until traffic has drained, and give the pod a grace period longer than the sleep plus the app shutdown (Kubernetes 1.29+ can use `sleep: {seconds: 30}` instead of exec).',
          yaml: containerPatch(
            workload,
            container.name,
            'lifecycle:\n  preStop:\n    exec:\n      command: ["sleep", "30"]',
            'terminationGracePeriodSeconds: 60',
          ),
        },
      });
    });
  },
};

export const prestopSleepTooShort: Rule = {
  id: 'prestop-sleep-too-short',
  title: 'preStop sleep is shorter than the drain delay',
  category: 'lifecycle',
  requires: 'manifest',
  severity: 'warning (info for ClusterIP-only)',
  description:
    'The preStop sleep must outlast the time endpoints, kube-proxy and the load balancer take to stop sending traffic: 5 s behind a ClusterIP Service, at least 15 s (or the health-check interval x unhealthy threshold + 5 s) behind a load balancer.',
  check(context) {
    eachServingContainer(context, (workload, container) => {
      const duration = preStopDuration(container);
      if (!duration.present || duration.seconds === undefined) return;
      const requirements = context.index
        .servicesOf(workload)
        .map((service) => drainRequirement(service, providerForService(service, context.options.namedProvider, context.options.provider)));
      const strictest = requirements.reduce((a, b) => (b.seconds > a.seconds ? b : a));
      if (duration.seconds >= strictest.seconds) return;
      const suggested = Math.max(strictest.seconds, 30);
      context.report({
        severity: forExposure('warning', context.index, workload),
        subject: workloadSubject(workload),
        container: container.name,
        message: `${describeWorkload(workload)}: container "${container.name}" sleeps ${duration.seconds} s in preStop, less than the ${strictest.seconds} s that Service "${strictest.service}" needs to stop sending it traffic.`,
        evidence: {
          container: container.name ?? '',
          preStopSeconds: duration.seconds,
          requiredSeconds: strictest.seconds,
          service: strictest.service,
          reason: strictest.reason,
        },
        remediation: {
          summary: `Sleep at least ${strictest.seconds} s in preStop, and keep terminationGracePeriodSeconds above the sleep plus the app's shutdown time.`,
          yaml: containerPatch(
            workload,
            container.name,
            `lifecycle:\n  preStop:\n    exec:\n      command: ["sleep", "${suggested}"]`,
            `terminationGracePeriodSeconds: ${suggested + context.options.appShutdownSeconds}`,
          ),
        },
      });
    });
  },
};

export const terminationGraceTooShort: Rule = {
  id: 'termination-grace-too-short',
  title: 'Grace period does not cover the preStop sleep and shutdown',
  category: 'lifecycle',
  requires: 'manifest',
  severity: 'critical / warning (one step lower for ClusterIP-only)',
  description:
    'The grace period counts from the start of preStop: when it is not longer than the sleep, the kubelet kills the container mid-drain; when it leaves less than the app shutdown budget (30 s) after the sleep, in-flight requests are cut.',
  check(context) {
    eachServingContainer(context, (workload, container) => {
      const duration = preStopDuration(container);
      if (!duration.present || duration.seconds === undefined) return;
      const grace = workload.podSpec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
      const needed = duration.seconds + context.options.appShutdownSeconds;
      if (grace >= needed) return;
      const killedMidDrain = grace <= duration.seconds;
      context.report({
        severity: forExposure(killedMidDrain ? 'critical' : 'warning', context.index, workload),
        subject: workloadSubject(workload),
        container: container.name,
        message: killedMidDrain
          ? `${describeWorkload(workload)}: terminationGracePeriodSeconds ${grace} is not longer than container "${container.name}"'s ${duration.seconds} s preStop sleep, so the kubelet kills it mid-drain.`
          : `${describeWorkload(workload)}: terminationGracePeriodSeconds ${grace} leaves container "${container.name}" only ${grace - duration.seconds} s after its ${duration.seconds} s preStop sleep to finish in-flight requests (${context.options.appShutdownSeconds} s recommended).`,
        evidence: {
          container: container.name ?? '',
          terminationGracePeriodSeconds: grace,
          graceIsDefault: workload.podSpec?.terminationGracePeriodSeconds === undefined,
          preStopSeconds: duration.seconds,
          appShutdownSeconds: context.options.appShutdownSeconds,
        },
        remediation: {
          summary: `Set terminationGracePeriodSeconds to at least the preStop sleep plus the app's shutdown time (${needed} s).`,
          yaml: containerPatch(workload, container.name, `# preStop sleeps ${duration.seconds} s`, `terminationGracePeriodSeconds: ${needed}`),
        },
      });
    });
  },
};

function killDeadline(probe: Probe): number {
  return (probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? DEFAULT_PERIOD_SECONDS) * (probe.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD);
}

export const livenessKillsSlowStart: Rule = {
  id: 'liveness-kills-slow-start',
  title: 'Liveness probe kills the container before it can become ready',
  category: 'lifecycle',
  requires: 'manifest',
  severity: 'warning (info for ClusterIP-only)',
  description:
    "Without a startupProbe, a liveness probe whose kill deadline (initialDelaySeconds + periodSeconds x failureThreshold) is at or before the readiness probe's initialDelaySeconds restarts the container before it could ever become ready: the rollout never completes.",
  check(context) {
    eachServingContainer(context, (workload, container) => {
      const liveness = container.livenessProbe;
      const readiness = container.readinessProbe;
      if (!liveness || !readiness || container.startupProbe) return;
      const deadline = killDeadline(liveness);
      const readyFrom = readiness.initialDelaySeconds ?? 0;
      if (deadline > readyFrom) return;
      context.report({
        severity: forExposure('warning', context.index, workload),
        subject: workloadSubject(workload),
        container: container.name,
        message: `${describeWorkload(workload)}: container "${container.name}"'s liveness probe can kill it after ${deadline} s, before its readiness probe even starts at ${readyFrom} s.`,
        evidence: {
          container: container.name ?? '',
          livenessKillDeadlineSeconds: deadline,
          readinessInitialDelaySeconds: readyFrom,
          startupProbe: null,
        },
        remediation: {
          summary: 'Add a startupProbe that allows the slowest start; liveness and readiness begin only after it succeeds.',
          yaml: containerPatch(
            workload,
            container.name,
            `startupProbe:\n  ${describeProbeYaml(liveness)}\n  periodSeconds: 5\n  failureThreshold: ${Math.ceil((readyFrom + 60) / 5)}`,
          ),
        },
      });
    });
  },
};

function describeProbeYaml(probe: Probe): string {
  if (probe.httpGet) return `httpGet:\n    path: ${probe.httpGet.path ?? '/'}\n    port: ${String(probe.httpGet.port)}`;
  if (probe.tcpSocket) return `tcpSocket:\n    port: ${String(probe.tcpSocket.port)}`;
  if (probe.grpc) return `grpc:\n    port: ${String(probe.grpc.port)}`;
  if (probe.exec) return `exec:\n    command: ${JSON.stringify(probe.exec.command ?? [])}`;
  return 'tcpSocket:\n    port: 8080';
}

export const livenessEqualsReadiness: Rule = {
  id: 'liveness-equals-readiness',
  title: 'Liveness and readiness probes use the same handler',
  category: 'lifecycle',
  requires: 'manifest',
  severity: 'warning (info for ClusterIP-only)',
  description:
    'When liveness checks the same thing as readiness, a slow dependency makes the kubelet restart pods that should only leave rotation, turning a brownout into a restart storm during rollouts.',
  check(context) {
    eachServingContainer(context, (workload, container) => {
      const liveness = container.livenessProbe;
      const readiness = container.readinessProbe;
      if (!liveness || !readiness) return;
      const same = probeHandlerIdentity(liveness, container);
      if (same === undefined || same !== probeHandlerIdentity(readiness, container)) return;
      context.report({
        severity: forExposure('warning', context.index, workload),
        subject: workloadSubject(workload),
        container: container.name,
        message: `${describeWorkload(workload)}: container "${container.name}" uses the same handler (${describeProbeHandler(liveness)}) for liveness and readiness, so a slow dependency gets pods restarted instead of taken out of rotation.`,
        evidence: { container: container.name ?? '', handler: describeProbeHandler(liveness) },
        remediation: {
          summary:
            'Point liveness at a cheap endpoint that only proves the process is not wedged; keep dependency checks in readiness. Give liveness a longer failure window.',
          yaml: containerPatch(
            workload,
            container.name,
            `livenessProbe:\n  httpGet:\n    path: /healthz/live\n    port: ${String(liveness.httpGet?.port ?? liveness.tcpSocket?.port ?? suggestedProbePort(container, []))}\n  periodSeconds: 10\n  failureThreshold: 6\nreadinessProbe:\n  ${describeProbeYaml(readiness)}`,
          ),
        },
      });
    });
  },
};

const PROBE_KINDS = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;

function namedProbePort(probe: Probe | undefined): string | undefined {
  const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
  return typeof port === 'string' && !/^\d+$/.test(port) ? port : undefined;
}

export const probePortUnknown: Rule = {
  id: 'probe-port-unknown',
  title: 'Probe names a port the container does not declare',
  category: 'lifecycle',
  requires: 'manifest',
  severity: 'critical',
  description:
    'A probe that names a port (by name) the container does not declare can never pass: the pod never becomes ready, and a rollout stalls or, with liveness, restarts forever. Numeric ports are not findings.',
  check(context) {
    eachServingContainer(context, (workload, container) => {
      for (const kind of PROBE_KINDS) {
        const portName = namedProbePort(container[kind]);
        if (portName === undefined || (container.ports ?? []).some((p) => p.name === portName)) continue;
        const declared = (container.ports ?? []).map((p) => p.name ?? String(p.containerPort));
        context.report({
          severity: 'critical',
          subject: workloadSubject(workload),
          container: container.name,
          subKey: `${container.name ?? ''}/${kind}`,
          message: `${describeWorkload(workload)}: container "${container.name}"'s ${kind} uses port "${portName}", which the container does not declare, so the probe can never pass.`,
          evidence: { container: container.name ?? '', probe: kind, port: portName, declaredPorts: declared },
          remediation: {
            summary: `Declare the port "${portName}" on the container, or point the probe at a port number.`,
            yaml: containerPatch(workload, container.name, `ports:\n  - name: ${portName}\n    containerPort: 8080  # the port the app listens on`),
          },
        });
      }
    });
  },
};

export const containerRestartLoop: Rule = {
  id: 'container-restart-loop',
  title: 'Serving container keeps being killed',
  category: 'lifecycle',
  requires: 'live',
  reads: ['pods'],
  severity: 'warning (info for ClusterIP-only)',
  description:
    'A serving container that has restarted 3 or more times and was last killed (exit 137: liveness failure or OOM) drops the requests it held at every kill and shrinks capacity during rollouts.',
  check(context) {
    for (const workload of context.index.workloads) {
      if (!context.index.isServiceBacked(workload)) continue;
      const serving = new Set(context.index.servingContainers(workload).map((c) => c.name));
      const looping = new Map<string, Array<{ pod: string; restarts: number; exitCode: number; reason: string }>>();
      for (const pod of context.index.podsOf(workload)) {
        for (const status of pod.status?.containerStatuses ?? []) {
          const terminated = status.lastState?.terminated;
          if (!serving.has(status.name) || (status.restartCount ?? 0) < 3 || terminated?.exitCode !== 137) continue;
          const list = looping.get(status.name ?? '') ?? [];
          list.push({ pod: pod.metadata?.name ?? '', restarts: status.restartCount ?? 0, exitCode: 137, reason: terminated.reason ?? '' });
          looping.set(status.name ?? '', list);
        }
      }
      for (const [container, pods] of looping) {
        const total = pods.reduce((sum, p) => sum + p.restarts, 0);
        context.report({
          severity: forExposure('warning', context.index, workload),
          subject: workloadSubject(workload),
          container,
          message: `${describeWorkload(workload)}: container "${container}" was killed and restarted ${total} times across ${pods.length} pod(s), dropping the requests it held each time.`,
          evidence: { container, pods: pods.slice(0, 20), podCount: pods.length, totalRestarts: total },
          remediation: {
            summary:
              'Find why the kubelet kills it (`kubectl describe pod`: liveness failures or OOMKilled). Add a startupProbe for slow starts, relax the liveness failure window, or raise the memory limit.',
            yaml: containerPatch(
              workload,
              container,
              'startupProbe:\n  httpGet:\n    path: /healthz/live\n    port: 8080\n  periodSeconds: 5\n  failureThreshold: 24\nresources:\n  limits:\n    memory: 512Mi  # above the observed peak',
            ),
          },
        });
      }
    }
  },
};
