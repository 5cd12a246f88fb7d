import type { ResourceRef } from '../model/finding.js';
import type { Container, LifecycleHandler, Probe } from '../model/k8s.js';
import type { FindingDraft } from '../engine/rule.js';
import type { Workload } from '../snapshot-index/workloads.js';

export function workloadSubject(workload: Workload): FindingDraft['subject'] {
  return { kind: workload.kind, namespace: workload.namespace, name: workload.name, object: workload.object };
}

/** "Deployment shop/web" */
export function describeWorkload(workload: { kind: string; namespace: string; name: string }): string {
  return `${workload.kind} ${workload.namespace}/${workload.name}`;
}

export function quoteList(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

/** Indents every line of a block by `spaces`. */
export function indent(block: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return block
    .split('\n')
    .map((line) => (line.length > 0 ? pad + line : line))
    .join('\n');
}

/** Nests a block under a path of mapping keys: ['spec', 'template'] -> "spec:\n  template:\n    <block>". */
export function nestUnder(path: string[], block: string): string {
  const keys = path.map((key, depth) => `${' '.repeat(depth * 2)}${key}:`).join('\n');
  return `${keys}\n${indent(block, path.length * 2)}`;
}

/** Where the pod spec sits in the workload's manifest. */
export function podSpecPath(workload: Workload): string[] {
  return workload.kind === 'Pod' ? ['spec'] : ['spec', 'template', 'spec'];
}

/** The finding's subject as a patch target. */
export function targetOf(workload: Workload): ResourceRef {
  return { kind: workload.kind, namespace: workload.namespace, name: workload.name };
}

export const SERVICE_KINDS_DESCRIPTION = 'Service';

export type PreStopDuration = { present: false } | { present: true; seconds?: number; handler: string };

/**
 * How long a preStop hook holds the container: `sleep N` (also via `sh -c "sleep N"`), the
 * native `sleep` action, or present with an unknown duration (httpGet, other commands).
 */
export function preStopDuration(container: Container): PreStopDuration {
  const preStop: LifecycleHandler | undefined = container.lifecycle?.preStop;
  if (!preStop || Object.keys(preStop).length === 0) return { present: false };
  if (preStop.sleep) {
    const seconds = Number(preStop.sleep.seconds);
    return Number.isFinite(seconds) ? { present: true, seconds, handler: 'sleep' } : { present: true, handler: 'sleep' };
  }
  const command = preStop.exec?.command;
  if (Array.isArray(command) && command.length > 0) {
    return { present: true, handler: 'exec', ...optionalSeconds(sleepSecondsOfCommand(command.map(String))) };
  }
  return { present: true, handler: preStop.httpGet ? 'httpGet' : 'other' };
}

function optionalSeconds(seconds: number | undefined): { seconds?: number } {
  return seconds === undefined ? {} : { seconds };
}

const SLEEP_ARGUMENT = /^(\d+(?:\.\d+)?)(s|m)?$/;

function sleepArgument(text: string | undefined): number | undefined {
  const match = SLEEP_ARGUMENT.exec((text ?? '').trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  return match[2] === 'm' ? value * 60 : value;
}

function isSleepBinary(word: string | undefined): boolean {
  return word !== undefined && /(^|\/)sleep$/.test(word);
}

function isShell(word: string | undefined): boolean {
  return word !== undefined && /(^|\/)(sh|bash|ash|dash|zsh)$/.test(word);
}

/** ["sleep","30"], ["/bin/sh","-c","sleep 30"], ["sh","-c","sleep 5s && nginx -s quit"]. */
export function sleepSecondsOfCommand(command: string[]): number | undefined {
  if (isSleepBinary(command[0])) return command.length === 2 ? sleepArgument(command[1]) : undefined;
  if (isShell(command[0]) && command[1] === '-c' && command.length === 3) {
    const script = (command[2] ?? '').trim();
    const match = /^sleep\s+(\S+?)\s*(?:$|;|&&)/.exec(script);
    return match ? sleepArgument(match[1]) : undefined;
  }
  return undefined;
}

/** A probe's handler as a comparable identity: kind and target (path, port, command). */
export function probeHandlerIdentity(probe: Probe, container: Container): string | undefined {
  const port = (value: unknown): string => {
    if (typeof value === 'string' && !/^\d+$/.test(value)) {
      const declared = (container.ports ?? []).find((p) => p.name === value);
      return declared?.containerPort !== undefined ? String(declared.containerPort) : `name:${value}`;
    }
    return String(value);
  };
  if (probe.httpGet) {
    const path = probe.httpGet.path ?? '/';
    return `http ${(probe.httpGet.scheme ?? 'HTTP').toUpperCase()} ${probe.httpGet.host ?? ''} ${port(probe.httpGet.port)} ${path}`;
  }
  if (probe.tcpSocket) return `tcp ${port(probe.tcpSocket.port)}`;
  if (probe.grpc) return `grpc ${port(probe.grpc.port)} ${probe.grpc.service ?? ''}`;
  if (probe.exec) return `exec ${JSON.stringify(probe.exec.command ?? [])}`;
  return undefined;
}

export function describeProbeHandler(probe: Probe): string {
  if (probe.httpGet) return `httpGet ${probe.httpGet.path ?? '/'} on port ${String(probe.httpGet.port)}`;
  if (probe.tcpSocket) return `tcpSocket on port ${String(probe.tcpSocket.port)}`;
  if (probe.grpc) return `grpc on port ${String(probe.grpc.port)}`;
  if (probe.exec) return `exec ${JSON.stringify(probe.exec.command ?? [])}`;
  return 'no handler';
}

/**
 * The port a Service sends this container traffic on, as the container names it (its port
 * name if it has one, else the number), or a numeric targetPort it does not declare.
 * Undefined when only an undeclared port name is known: no port is guessed.
 */
export function servingPortOf(container: Container, servicePortTargets: Array<string | number>): string | number | undefined {
  for (const target of servicePortTargets) {
    const numeric = typeof target === 'number' || /^\d+$/.test(String(target));
    const declared = (container.ports ?? []).find((p) => (numeric ? p.containerPort === Number(target) : p.name === target));
    if (declared) return declared.name ?? declared.containerPort ?? target;
  }
  const numeric = servicePortTargets.find((t) => typeof t === 'number' || /^\d+$/.test(String(t)));
  return numeric === undefined ? undefined : Number(numeric);
}
