// Text output of simulations and verdicts: the windows with their causes, the fixes, and
// the parameters with their sources, so every figure can be checked by hand.
import { verdictHeadline, type ServiceVerdict, type ServiceVerdicts, type SimulationRun, type TrafficWindow } from '#rollsafe/simulator';

function n(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

export function formatWindow(w: TrafficWindow): string {
  const where = [w.node ? `node ${w.node}` : '', w.pod ? `pod ${w.pod}` : ''].filter(Boolean).join(', ');
  const when = w.start === w.end ? `at ${n(w.start)} s` : `${n(w.start)}-${n(w.end)} s`;
  const share = w.cause === 'capacity-dip' ? (w.share >= 1 ? 'no backend serving' : 'informational') : `${n(w.share * 100)} % of traffic`;
  return `${when.padEnd(14)} ${w.cause.padEnd(24)} ${share}${where ? `  (${where})` : ''}`;
}

/** One `rollsafe simulate` run as text. */
export function formatRunText(run: SimulationRun): string {
  const lines: string[] = [];
  const workload = run.workload ? `${run.workload.kind} ${run.workload.namespace}/${run.workload.name}` : 'no workload';
  const r = run.result;
  if (!r) {
    lines.push(`Service ${run.service.namespace}/${run.service.name} <- ${workload}: UNKNOWN`);
    for (const m of run.missing) lines.push(`  missing: ${m}`);
    return lines.join('\n') + '\n';
  }
  const causes = [...new Set(r.windows.filter((w) => w.cause !== 'capacity-dip' || w.share >= 1).map((w) => w.cause))];
  const head =
    r.verdict === 'safe' ? 'SAFE' : r.droppedTrafficSeconds > 0 ? `DROPS ${n(r.droppedTrafficSeconds)} s of traffic` : `DROPS (${causes.join(', ')})`;
  lines.push(`Service ${run.service.namespace}/${run.service.name} (${r.service.path}) <- ${workload}: ${head}, rollout ${n(r.durationSeconds)} s`);
  const p = r.parameters;
  lines.push(
    `  parameters: replicas ${p.replicas}, nodes ${p.nodes}, maxSurge ${p.maxSurge}, maxUnavailable ${p.maxUnavailable}, E ${p.E} s, L ${p.L} s, lbAdd ${p.lbAdd} s, podStart ${p.podStart} s, appWarmup ${p.appWarmup} s, P ${p.P} s, G ${p.G} s, drain ${p.drain ? `on ${p.drainTimeout} s` : 'off'}, ${p.profile}, Kubernetes ${p.kubernetesVersion}${p.inPlace ? ', in place' : ''}`,
  );
  const fromProfile = Object.entries(r.parameterSources)
    .filter(([, s]) => s.includes('estimate'))
    .map(([k]) => k);
  if (fromProfile.length > 0) lines.push(`  estimates (override with flags): ${fromProfile.join(', ')}`);
  for (const w of r.windows) lines.push(`  ${formatWindow(w)}`);
  for (const fix of run.fixes) {
    lines.push(`  fix: ${fix.change} (closes ${fix.closes.join(', ') || 'the rest'})`);
    for (const line of fix.remediation.yaml.split('\n')) lines.push(`         ${line}`);
  }
  if (run.afterFixes) lines.push(`  with the fixes: ${run.afterFixes.verdict}, ${n(run.afterFixes.droppedTrafficSeconds)} s lost (simulated again)`);
  for (const note of r.notes) lines.push(`  note: ${note}`);
  return lines.join('\n') + '\n';
}

function verdictLine(v: ServiceVerdict): string {
  const name = `Service ${v.service.namespace}/${v.service.name}`;
  if (v.verdict === 'unknown') return `  ${name}: unknown (missing: ${v.missing.join('; ')})`;
  const fixes = v.fixes.length > 0 ? `; fix: ${v.fixes.map((f) => f.change).join(' + ')}` : '';
  const causes = [...new Set(v.windows.filter((w) => w.cause !== 'capacity-dip' || w.share >= 1).map((w) => w.cause))].join(', ');
  return `  ${name} (${v.service.path}): ${n(v.droppedTrafficSeconds)} s of traffic lost (${causes})${v.ruleIds.length ? ` [${v.ruleIds.join(', ')}]` : ''}${fixes}`;
}

/** The verdict block `rollsafe scan` prints before the findings. */
export function formatVerdictsText(verdicts: ServiceVerdicts, bold: (text: string) => string = (t) => t): string {
  const lines = [bold(verdictHeadline(verdicts.summary))];
  for (const v of verdicts.verdicts) if (v.verdict === 'drops') lines.push(verdictLine(v));
  for (const v of verdicts.verdicts) if (v.verdict === 'unknown') lines.push(verdictLine(v));
  return lines.join('\n') + '\n\n';
}
