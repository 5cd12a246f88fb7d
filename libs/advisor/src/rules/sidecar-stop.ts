// How sidecars stop relative to the app (PROVIDERS.md section 4, KEP-753 SidecarContainers).
// From Kubernetes 1.29 a native sidecar (an init container with `restartPolicy: Always`) is
// stopped after the main containers have exited, in reverse order, inside the same
// terminationGracePeriodSeconds: the grace must cover the app's preStop and shutdown, then
// each sidecar's own preStop. Below 1.29 a mesh proxy is a plain container: SIGTERM reaches
// it at the moment the pod starts terminating, and unless something holds it, it stops
// forwarding while the app is still sleeping in preStop and the load balancer still sends.
import type { JsonObject } from '../model/finding.js';
import type { Container } from '../model/k8s.js';
import type { RuleContext } from '../engine/rule.js';
import { versionAtLeast } from '../engine/options.js';
import type { Workload } from '../snapshot-index/workloads.js';
import { preStopDuration } from './helpers.js';

export interface SidecarStop {
  /** Seconds the native sidecars' preStop hooks add after the main containers have stopped. */
  seconds: number;
  sidecars: Array<{ name: string; preStopSeconds: number }>;
}

const NO_SIDECAR_STOP: SidecarStop = { seconds: 0, sidecars: [] };

function nativeSidecarsOf(workload: Workload): Container[] {
  return (workload.podSpec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
}

/**
 * What the native sidecars add to a main container's stop (1.29+): the sum of their known
 * preStop durations, since the kubelet stops them one after another once the main containers
 * have exited. A native sidecar judged as a serving container itself adds nothing (it is one
 * of them), and a hook of unknown duration adds nothing (duration rules fire only on known ones).
 */
export function sidecarStopAfter(context: RuleContext, workload: Workload, container: Container): SidecarStop {
  if (!versionAtLeast(context.options, 1, 29)) return NO_SIDECAR_STOP;
  const sidecars = nativeSidecarsOf(workload);
  if (sidecars.includes(container)) return NO_SIDECAR_STOP;
  const timed = sidecars
    .map((c) => ({ name: c.name ?? '', duration: preStopDuration(c) }))
    .filter((s) => s.duration.present && (s.duration.seconds ?? 0) > 0)
    .map((s) => ({ name: s.name, preStopSeconds: s.duration.present ? (s.duration.seconds ?? 0) : 0 }));
  return { seconds: timed.reduce((sum, s) => sum + s.preStopSeconds, 0), sidecars: timed };
}

/** The longest sidecar stop any regular container of the workload waits behind (grace targets). */
export function workloadSidecarStopSeconds(context: RuleContext, workload: Workload): number {
  const regular = workload.podSpec?.containers?.[0];
  return regular ? sidecarStopAfter(context, workload, regular).seconds : 0;
}

/** Mesh proxies that sit in front of the app (by container name or image). */
const PROXY_NAMES = /^(istio-proxy|linkerd-proxy|envoy|envoy-sidecar|consul-dataplane|consul-connect-envoy-sidecar|kuma-sidecar|nginx-mesh-sidecar|osm-envoy)$/;
const PROXY_IMAGES = /(^|\/)(proxyv2|linkerd2?-proxy|proxy|envoy|envoy-distroless|consul-dataplane|kuma-dp)(:|@|$)/;

export function isProxySidecar(container: Container): boolean {
  const name = container.name ?? '';
  const image = String(container.image ?? '').toLowerCase();
  return PROXY_NAMES.test(name) || (PROXY_IMAGES.test(image) && /(istio|linkerd|envoy|consul|kuma)/.test(image));
}

/** How the pod holds its proxy after SIGTERM, when it says so: a preStop hook, Linkerd's or Istio's setting. */
function proxyHold(workload: Workload, proxy: Container): string | undefined {
  if (preStopDuration(proxy).present) return 'preStop hook';
  const template = (workload.object as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } }).spec?.template;
  const annotations = (workload.kind === 'Pod' ? workload.object.metadata?.annotations : template?.metadata?.annotations) ?? {};
  if (annotations['config.alpha.linkerd.io/proxy-wait-before-exit-seconds'] !== undefined) return 'config.alpha.linkerd.io/proxy-wait-before-exit-seconds';
  if (/terminationDrainDuration/.test(String(annotations['proxy.istio.io/config'] ?? ''))) return 'proxy.istio.io/config terminationDrainDuration';
  return undefined;
}

export interface UnheldProxy {
  workload: Workload;
  proxy: Container;
  /** The app's longest known preStop sleep the proxy must outlast (0 when none is known). */
  appPreStopSeconds: number;
  /** Proxy images are often distroless: a `sleep` binary is not guaranteed. */
  evidence: JsonObject;
}

/**
 * Below Kubernetes 1.29: plain-container proxies of Service-backed workloads that nothing
 * holds after SIGTERM (no preStop, no mesh drain setting). PROVIDERS.md section 4 asks for a
 * warning and defines no rule id: RULES.md's `prestop-hook-missing` (SIGTERM arrives while the
 * load balancer still sends traffic) reports it, on the proxy container.
 */
export function unheldProxies(context: RuleContext): UnheldProxy[] {
  if (versionAtLeast(context.options, 1, 29)) return [];
  const found: UnheldProxy[] = [];
  for (const workload of context.index.workloads) {
    if (!context.index.isServiceBacked(workload)) continue;
    const serving = context.index.servingContainers(workload);
    for (const proxy of workload.podSpec?.containers ?? []) {
      if (serving.includes(proxy) || !isProxySidecar(proxy) || proxyHold(workload, proxy)) continue;
      const appPreStopSeconds = Math.max(0, ...serving.map((c) => preStopDuration(c)).map((d) => (d.present ? (d.seconds ?? 0) : 0)));
      found.push({
        workload,
        proxy,
        appPreStopSeconds,
        evidence: {
          container: proxy.name ?? '',
          proxySidecar: true,
          image: String(proxy.image ?? ''),
          servingContainers: serving.map((c) => c.name ?? ''),
          appPreStopSeconds,
          kubernetesVersion: context.options.kubernetesVersion.join('.'),
          reason: 'below Kubernetes 1.29 the proxy is a plain container: it gets SIGTERM with the app and can stop forwarding before the app has drained',
        },
      });
    }
  }
  return found;
}
