import type { JsonObject } from '../model/finding.js';
import type { Container, Probe } from '../model/k8s.js';
import type { Rule, RuleContext } from '../engine/rule.js';
import { forExposure } from '../engine/severity.js';
import { targetPortOf } from '../snapshot-index/snapshot-index.js';
import { namespaceOf, type Workload } from '../snapshot-index/workloads.js';
import { providerForService } from '../util/provider.js';
import { decisionRemediation, patchRemediation, podPatch } from '../remediation/build.js';
import { toYaml } from '../remediation/to-yaml.js';
import { versionAtLeast } from '../engine/options.js';
import { drainRequirement, EXPOSED_MIN_DRAIN_SECONDS, type DrainRequirement } from './drain-delay.js';
import { sidecarStopAfter, unheldProxies, workloadSidecarStopSeconds } from './sidecar-stop.js';
import {
  describeProbeHandler,
  describeWorkload,
  nestUnder,
  podSpecPath,
  preStopDuration,
  probeHandlerIdentity,
  quoteList,
  servingPortOf,
  targetOf,
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

/** Per advisor run (one options object per run) and workload: several rules and remediations ask for each. */
const strictestDrains = new WeakMap<RuleContext['options'], WeakMap<Workload, DrainRequirement>>();

/** The strictest drain delay the workload's Services need. */
function strictestDrain(context: RuleContext, workload: Workload): DrainRequirement {
  let byWorkload = strictestDrains.get(context.options);
  if (!byWorkload) strictestDrains.set(context.options, (byWorkload = new WeakMap()));
  let drain = byWorkload.get(workload);
  if (!drain) byWorkload.set(workload, (drain = computeStrictestDrain(context, workload)));
  return drain;
}

function computeStrictestDrain(context: RuleContext, workload: Workload): DrainRequirement {
  return context.index
    .servicesOf(workload)
    .map((service) =>
      drainRequirement(
        service,
        providerForService(service, context.options.namedProvider, context.options.provider),
        context.options.profileOverrides,
        context.options.backendEnv,
        context.index.ingressesIn(namespaceOf(service)),
      ),
    )
    .reduce((a, b) => (b.seconds > a.seconds ? b : a));
}

/** The preStop sleep a remediation gives a container that has none: the drain delay, at least 15 s. */
function suggestedSleep(context: RuleContext, workload: Workload): number {
  return Math.max(strictestDrain(context, workload).seconds, EXPOSED_MIN_DRAIN_SECONDS);
}

/** A preStop hook whose duration is unknown is given this much before the app's shutdown budget. */
const UNKNOWN_HOOK_SECONDS = 30;

/**
 * The grace period every lifecycle remediation of a workload sets, so that applying several
 * of them never lowers what another needs: the longest preStop of its serving containers
 * after every remediation (a missing hook gets the drain sleep, a short sleep the drain
 * delay, a hook of unknown duration 30 s where the grace is 0 or 1), plus the app's shutdown
 * budget, and never less than the grace it has.
 */
function graceTarget(context: RuleContext, workload: Workload): { current: number; target: number } {
  const current = workload.podSpec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  let longest = 0;
  for (const container of context.index.servingContainers(workload)) {
    const duration = preStopDuration(container);
    if (!duration.present) longest = Math.max(longest, suggestedSleep(context, workload));
    else if (duration.seconds === undefined) longest = Math.max(longest, current <= 1 ? UNKNOWN_HOOK_SECONDS : 0);
    else longest = Math.max(longest, duration.seconds, strictestDrain(context, workload).seconds);
  }
  return { current, target: Math.max(current, longest + context.options.appShutdownSeconds + workloadSidecarStopSeconds(context, workload)) };
}

function graceFields(context: RuleContext, workload: Workload): JsonObject {
  const { current, target } = graceTarget(context, workload);
  return target > current ? { terminationGracePeriodSeconds: target } : {};
}

/** The native sleep action is on by default from Kubernetes 1.30; on manifests the version is unknown. */
function nativeSleepAvailable(context: RuleContext): boolean {
  return versionAtLeast(context.options, 1, 30);
}

function preStopNote(context: RuleContext, seconds: number): string {
  return nativeSleepAvailable(context)
    ? `# Before Kubernetes 1.30, use instead: preStop: {exec: {command: ["sleep", "${seconds}"]}}\n# (the exec form needs a sleep binary in the image: distroless and scratch images have none)`
    : '# The exec form needs a sleep binary in the image (distroless and scratch images have none);\n# from Kubernetes 1.30 use preStop: {sleep: {seconds: N}} instead.';
}

/** The handler of a probe as patch data (exactly one handler key), or undefined when it has none. */
function handlerOf(probe: Probe | undefined): JsonObject | undefined {
  if (!probe) return undefined;
  for (const key of ['httpGet', 'tcpSocket', 'grpc', 'exec'] as const) {
    const handler = probe[key];
    if (handler !== undefined) return { [key]: JSON.parse(JSON.stringify(handler)) as JsonObject };
  }
  return undefined;
}

/** Replaces a probe's handler: the new one set, every other handler key deleted, the timings kept. */
function replaceHandler(probe: Probe, handler: JsonObject): JsonObject {
  const patch: JsonObject = { ...handler };
  for (const key of ['httpGet', 'tcpSocket', 'grpc', 'exec'] as const) if (probe[key] !== undefined && !(key in handler)) patch[key] = null;
  return patch;
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
      context.report({
        severity: forExposure('critical', context.index, workload),
        subject: workloadSubject(workload),
        container: container.name,
        message: `${describeWorkload(workload)}: container "${container.name}" has no readinessProbe, so new pods receive traffic from Service ${quoteList(serviceNames(context, workload))} before the app can answer.`,
        evidence: { container: container.name ?? '', services: serviceNames(context, workload), readinessProbe: null },
        remediation: readinessRemediation(context, workload, container),
      });
    });
  },
};

/**
 * A readiness probe that uses no invented path: the startup probe's handler, else a TCP check
 * of the serving port, whichever differs from the liveness handler (a readiness probe equal
 * to liveness is a finding of its own).
 */
function readinessRemediation(context: RuleContext, workload: Workload, container: Container) {
  const name = container.name ?? '';
  const liveness = container.livenessProbe ? probeHandlerIdentity(container.livenessProbe, container) : undefined;
  const port = servingPortOf(container, servicePortTargets(context, workload));
  const candidates: Array<{ handler: JsonObject; identity: string | undefined; why: string }> = [];
  const startup = handlerOf(container.startupProbe);
  if (startup && container.startupProbe) {
    candidates.push({ handler: startup, identity: probeHandlerIdentity(container.startupProbe, container), why: "the startup probe's check" });
  }
  if (port !== undefined) {
    const tcp = { tcpSocket: { port } };
    candidates.push({ handler: tcp, identity: probeHandlerIdentity(tcp, container), why: `a TCP check of the serving port ${String(port)}` });
  }
  const chosen = candidates.find((c) => c.identity !== undefined && c.identity !== liveness);
  if (!chosen) {
    return decisionRemediation(
      'Add a readinessProbe that succeeds only when the app can serve requests, on a handler other than the liveness probe.',
      port === undefined
        ? 'the port the Service sends this container traffic on is a name the container does not declare, and no probe of the container shows a check to reuse'
        : "the only checks the container shows are its liveness probe's; a readiness probe equal to it would restart pods instead of taking them out of rotation, and only the team knows the app's ready endpoint",
      nestUnder(
        podSpecPath(workload),
        `containers:\n  - name: ${name}\n    readinessProbe:\n      httpGet:\n        path: <the app's own ready endpoint>\n        port: <the serving port>\n      periodSeconds: 5`,
      ),
    );
  }
  return patchRemediation(
    `Add a readinessProbe (${chosen.why}): pods then join the endpoints only once the app accepts connections. An HTTP check of the app's own ready endpoint is stronger where it has one.`,
    targetOf(workload),
    podPatch(workload, {}, { name, fields: { readinessProbe: { ...chosen.handler, periodSeconds: 5, failureThreshold: 3 } } }),
  );
}

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
        remediation: (() => {
          const seconds = suggestedSleep(context, workload);
          const preStop: JsonObject = nativeSleepAvailable(context) ? { sleep: { seconds } } : { exec: { command: ['sleep', String(seconds)] } };
          return patchRemediation(
            `Sleep ${seconds} s in preStop, until endpoints, kube-proxy and the load balancer have stopped sending traffic, and keep the grace period above the sleep plus the app's shutdown time.`,
            targetOf(workload),
            podPatch(workload, graceFields(context, workload), { name: container.name ?? '', fields: { lifecycle: { preStop } } }),
            preStopNote(context, seconds),
          );
        })(),
      });
    });
    // PROVIDERS.md section 4 (no rule id of its own): below 1.29, proxy sidecars nothing holds after SIGTERM.
    for (const { workload, proxy, appPreStopSeconds, evidence } of unheldProxies(context)) {
      const seconds = Math.max(appPreStopSeconds, suggestedSleep(context, workload));
      context.report({
        severity: forExposure('warning', context.index, workload),
        subject: workloadSubject(workload),
        container: proxy.name,
        message: `${describeWorkload(workload)}: proxy sidecar "${proxy.name}" is a plain container (Kubernetes below 1.29) with no preStop hook or drain setting, so it stops forwarding at SIGTERM while the app still drains and the load balancer still sends traffic.`,
        evidence,
        remediation: patchRemediation(
          `Hold the proxy as long as the app: sleep ${seconds} s in its preStop (or the mesh's own setting: Linkerd config.alpha.linkerd.io/proxy-wait-before-exit-seconds, Istio terminationDrainDuration); from Kubernetes 1.29 run it as a native sidecar, which stops after the app.`,
          targetOf(workload),
          podPatch(workload, graceFields(context, workload), {
            name: proxy.name ?? '',
            fields: { lifecycle: { preStop: { exec: { command: ['sleep', String(seconds)] } } } },
          }),
          '# The exec form needs a sleep binary in the proxy image (distroless proxy images have none:\n# use the mesh annotation instead).',
        ),
      });
    }
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
      const strictest = strictestDrain(context, workload);
      if (duration.seconds >= strictest.seconds) return;
      context.report({
        // A profile row means a load balancer is in front, an ALB Ingress's included (a ClusterIP Service can be its backend).
        severity: strictest.profile ? 'warning' : forExposure('warning', context.index, workload),
        subject: workloadSubject(workload),
        container: container.name,
        message: `${describeWorkload(workload)}: container "${container.name}" sleeps ${duration.seconds} s in preStop, less than the ${strictest.seconds} s that Service "${strictest.service}" needs to stop sending it traffic${strictest.estimate ? ` (${strictest.profile ?? 'profile'} latency is an estimate)` : ''}.`,
        evidence: {
          container: container.name ?? '',
          preStopSeconds: duration.seconds,
          requiredSeconds: strictest.seconds,
          service: strictest.service,
          reason: strictest.reason,
          ...(strictest.profile ? { profile: strictest.profile, estimate: strictest.estimate ?? false } : {}),
        },
        remediation: longerSleepRemediation(context, workload, container, strictest.seconds),
      });
    });
  },
};

/** The same preStop handler with a longer sleep: the native action's seconds, or the sleep argument of the command. */
function longerSleepRemediation(context: RuleContext, workload: Workload, container: Container, seconds: number) {
  const preStop = container.lifecycle?.preStop ?? {};
  let handler: JsonObject | undefined;
  if (preStop.sleep) handler = { sleep: { seconds } };
  else if (Array.isArray(preStop.exec?.command)) {
    const command = preStop.exec.command.map(String);
    const longer =
      command.length === 2
        ? [command[0] ?? 'sleep', String(seconds)]
        : [...command.slice(0, 2), (command[2] ?? '').replace(/^(\s*sleep\s+)\S+?(\s*(?:$|;|&&))/, `$1${seconds}$2`)];
    handler = { exec: { command: longer } };
  }
  const summary = `Sleep at least ${seconds} s in preStop, and keep terminationGracePeriodSeconds above the sleep plus the app's shutdown time.`;
  if (!handler) return decisionRemediation(summary, 'the preStop hook is not a sleep Rollsafe can lengthen', '# lengthen the preStop sleep');
  return patchRemediation(
    summary,
    targetOf(workload),
    podPatch(workload, graceFields(context, workload), { name: container.name ?? '', fields: { lifecycle: { preStop: handler } } }),
  );
}

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
      if (!duration.present) return;
      const grace = workload.podSpec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
      // Built only for a container that gets a finding: most containers with a preStop get none.
      const remediation = () => {
        const { target } = graceTarget(context, workload);
        return patchRemediation(
          `Set terminationGracePeriodSeconds to at least the preStop duration plus the app's shutdown time (${target} s)${duration.seconds === undefined ? '; raise it further if the hook takes longer than 30 s' : ''}.`,
          targetOf(workload),
          podPatch(workload, { terminationGracePeriodSeconds: target }),
        );
      };
      if (grace <= 1) {
        // RULES.md: grace 0 or 1 with any preStop hook: the kubelet kills the container before the hook can drain.
        context.report({
          severity: forExposure('critical', context.index, workload),
          subject: workloadSubject(workload),
          container: container.name,
          message: `${describeWorkload(workload)}: terminationGracePeriodSeconds ${grace} with a preStop hook on container "${container.name}" (${duration.handler}), so the kubelet kills the container before the hook can drain it.`,
          evidence: {
            container: container.name ?? '',
            terminationGracePeriodSeconds: grace,
            graceIsDefault: false,
            preStopSeconds: duration.seconds ?? null,
            preStopHandler: duration.handler,
            appShutdownSeconds: context.options.appShutdownSeconds,
          },
          remediation: remediation(),
        });
        return;
      }
      if (duration.seconds === undefined) return;
      const sidecars = sidecarStopAfter(context, workload, container);
      const needed = duration.seconds + context.options.appShutdownSeconds + sidecars.seconds;
      if (grace >= needed) return;
      const killedMidDrain = grace <= duration.seconds;
      const sidecarCut = !killedMidDrain && grace >= duration.seconds + context.options.appShutdownSeconds;
      context.report({
        severity: forExposure(killedMidDrain ? 'critical' : 'warning', context.index, workload),
        subject: workloadSubject(workload),
        container: container.name,
        message: killedMidDrain
          ? `${describeWorkload(workload)}: terminationGracePeriodSeconds ${grace} is not longer than container "${container.name}"'s ${duration.seconds} s preStop sleep, so the kubelet kills it mid-drain.`
          : sidecarCut
            ? `${describeWorkload(workload)}: terminationGracePeriodSeconds ${grace} covers container "${container.name}"'s ${duration.seconds} s preStop and shutdown but not the native sidecars ${quoteList(sidecars.sidecars.map((s) => s.name))} stopped after it (${sidecars.seconds} s of preStop), so the kubelet kills them mid-drain.`
            : `${describeWorkload(workload)}: terminationGracePeriodSeconds ${grace} leaves container "${container.name}" only ${grace - duration.seconds} s after its ${duration.seconds} s preStop sleep to finish in-flight requests (${context.options.appShutdownSeconds} s recommended).`,
        evidence: {
          container: container.name ?? '',
          terminationGracePeriodSeconds: grace,
          graceIsDefault: workload.podSpec?.terminationGracePeriodSeconds === undefined,
          preStopSeconds: duration.seconds,
          appShutdownSeconds: context.options.appShutdownSeconds,
          ...(sidecars.seconds > 0 ? { sidecarStopSeconds: sidecars.seconds, sidecars: sidecars.sidecars, requiredSeconds: needed } : {}),
        },
        remediation: remediation(),
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
        remediation: (() => {
          const handler = handlerOf(liveness);
          const summary =
            "Add a startupProbe with the liveness probe's check that allows the slowest start; liveness and readiness begin only after it succeeds.";
          if (!handler)
            return decisionRemediation(summary, 'the liveness probe has no handler to reuse', '# add a startupProbe with the check the app answers');
          return patchRemediation(
            summary,
            targetOf(workload),
            podPatch(
              workload,
              {},
              {
                name: container.name ?? '',
                fields: { startupProbe: { ...handler, periodSeconds: 5, failureThreshold: Math.ceil((readyFrom + 60) / 5) } },
              },
            ),
          );
        })(),
      });
    });
  },
};

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
        remediation: (() => {
          const port = liveness.httpGet?.port ?? liveness.grpc?.port;
          if (port === undefined) {
            return decisionRemediation(
              'Give liveness a check that only proves the process is not wedged, and keep dependency checks in readiness.',
              liveness.tcpSocket
                ? 'both probes are already TCP checks: only the team knows an HTTP endpoint the app serves for readiness'
                : 'both probes run the same command: only the team knows a cheaper liveness check',
              nestUnder(
                podSpecPath(workload),
                `containers:\n  - name: ${container.name ?? ''}\n    readinessProbe:\n      httpGet:\n        path: <an endpoint the app serves when ready>\n        port: <the serving port>`,
              ),
            );
          }
          return patchRemediation(
            'Make liveness a TCP check of the same port: it restarts only a process that stopped accepting connections, while readiness keeps its check and takes a struggling pod out of rotation. The probe keeps its timings.',
            targetOf(workload),
            podPatch(workload, {}, { name: container.name ?? '', fields: { livenessProbe: replaceHandler(liveness, { tcpSocket: { port } }) } }),
          );
        })(),
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
          remediation: decisionRemediation(
            `Declare the port "${portName}" on the container, or point the probe at a port number.`,
            'only the team knows which port the app listens on for this probe',
            nestUnder(
              podSpecPath(workload),
              `containers:\n  - name: ${container.name ?? ''}\n    ports:\n      - name: ${portName}\n        containerPort: <the port the app listens on>`,
            ),
          ),
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
          remediation: decisionRemediation(
            'Find why the kubelet kills it (`kubectl describe pod`: liveness failures or OOMKilled). Add a startupProbe for slow starts, relax the liveness failure window, or raise the memory limit.',
            'the cause (a slow start, a wedged process or memory) is in the pod events, not in the spec',
            restartLoopYaml(workload, container),
          ),
        });
      }
    }
  },
};

function restartLoopYaml(workload: Workload, containerName: string): string {
  const container = (workload.podSpec?.containers ?? []).find((c) => c.name === containerName);
  const handler = handlerOf(container?.livenessProbe);
  const startup = handler
    ? toYaml({ startupProbe: { ...handler, periodSeconds: 5, failureThreshold: 24 } })
    : '# startupProbe: <the liveness check>, periodSeconds: 5, failureThreshold: 24';
  return nestUnder(
    podSpecPath(workload),
    `containers:\n  - name: ${containerName}\n${startup
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n')}\n    resources:\n      limits:\n        memory: <above the observed peak>`,
  );
}
