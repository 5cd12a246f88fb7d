// The SVG timeline of a simulation (SIMULATOR.md "Pictures"): one lane per node (per pod on
// the pod path), a bar per pod life (starting, ready, preStop, terminating, killed), the
// load balancer's view of each backend, traffic-loss windows in red with their cause, and a
// legend. Plain SVG: no script, no external font or stylesheet, readable in any viewer.
import { compareNames } from './simulate.js';
import type { PodLife, SimulationResult, TrafficWindow } from './types.js';

export const SVG_COLOURS = {
  starting: '#9e9e9e',
  ready: '#2e7d32',
  preStop: '#f9a825',
  terminating: '#ef6c00',
  lb: '#1565c0',
  window: '#d32f2f',
  capacity: '#f8bbd0',
  killed: '#000000',
} as const;

const WIDTH = 960;
const LEFT = 170;
const RIGHT = 20;
const ROW = 18;
const BAR = 10;
const LB_BAR = 5;

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

interface Lane {
  label: string;
  pods: PodLife[];
  node: string;
}

/** Renders one simulation as a standalone SVG document. */
export function timelineSvg(result: SimulationResult): string {
  const horizon = Math.max(10, Math.ceil((result.durationSeconds + 5) / 10) * 10);
  const plot = WIDTH - LEFT - RIGHT;
  const x = (t: number | null, fallback: number): number => {
    const v = t === null || !Number.isFinite(t) ? fallback : Math.max(0, Math.min(horizon, t));
    return LEFT + (v / horizon) * plot;
  };
  const podPath = result.service.path === 'pod';
  const lanes: Lane[] = [];
  const byNode = new Map<string, PodLife[]>();
  for (const pod of result.pods) {
    const list = byNode.get(pod.node);
    if (list) list.push(pod);
    else byNode.set(pod.node, [pod]);
  }
  const nodeNames = [...byNode.keys()].sort(compareNames);
  for (const node of nodeNames) lanes.push({ label: node, node, pods: byNode.get(node) as PodLife[] });

  const out: string[] = [];
  const top = 58;
  let y = top;
  const body: string[] = [];
  const windowsByPod = new Map<string, TrafficWindow[]>();
  const windowsByNode = new Map<string, TrafficWindow[]>();
  for (const w of result.windows) {
    if (w.cause === 'capacity-dip') continue;
    if (w.cause === 'node-without-endpoint' || (w.cause === 'connections-cut' && !w.pod)) {
      const list = windowsByNode.get(w.node ?? '') ?? [];
      list.push(w);
      windowsByNode.set(w.node ?? '', list);
    } else if (w.pod) {
      const list = windowsByPod.get(w.pod) ?? [];
      list.push(w);
      windowsByPod.set(w.pod, list);
    }
  }
  const windowRect = (w: TrafficWindow, rowY: number, height: number): string => {
    const title = `${w.cause} ${fmt(w.start)}-${fmt(w.end)} s, share ${w.share}`;
    if (w.end === w.start) {
      const cx = x(w.start, 0);
      return `<g class="window cut" data-cause="${w.cause}"><title>${esc(title)}</title><rect x="${fmt(cx - 2)}" y="${fmt(rowY - 3)}" width="4" height="${fmt(height + 6)}" fill="${SVG_COLOURS.window}"/></g>`;
    }
    return `<g class="window" data-cause="${w.cause}"><title>${esc(title)}</title><rect x="${fmt(x(w.start, 0))}" y="${fmt(rowY)}" width="${fmt(Math.max(2, x(w.end, horizon) - x(w.start, 0)))}" height="${height}" fill="${SVG_COLOURS.window}"/></g>`;
  };

  for (const lane of lanes) {
    body.push(`<text x="8" y="${y + 12}" font-weight="bold">${esc(lane.label)}</text>`);
    if (result.service.path === 'local') {
      // The LB's view of the node.
      const spans = result.lbNodes.filter((n) => n.node === lane.node);
      body.push(`<text x="24" y="${y + 30}" fill="#555">LB sends to node</text>`);
      for (const span of spans) {
        body.push(
          `<rect class="lb" x="${fmt(x(span.from, 0))}" y="${y + 22}" width="${fmt(Math.max(1, x(span.to, horizon) - x(span.from, 0)))}" height="${LB_BAR + 4}" fill="${SVG_COLOURS.lb}"/>`,
        );
      }
      for (const w of windowsByNode.get(lane.node) ?? []) body.push(windowRect(w, y + 20, LB_BAR + 8));
      y += ROW;
    }
    y += ROW;
    for (const pod of lane.pods) {
      body.push(`<text x="24" y="${y + 9}">${esc(pod.name)}</text>`);
      const start = pod.scheduled ?? 0;
      const deleted = pod.deleted;
      const end = pod.stopped ?? horizon;
      const seg = (cls: keyof typeof SVG_COLOURS, a: number | null, b: number | null): void => {
        if (a === null || b === null || !(b > a)) return;
        body.push(`<rect class="${cls}" x="${fmt(x(a, 0))}" y="${y}" width="${fmt(x(b, horizon) - x(a, 0))}" height="${BAR}" fill="${SVG_COLOURS[cls]}"/>`);
      };
      const ready = pod.ready ?? horizon;
      seg('starting', start, Math.min(ready, deleted ?? horizon));
      seg('ready', pod.scheduled === null ? 0 : ready, deleted ?? horizon);
      if (deleted !== null) {
        seg('preStop', deleted, pod.preStopEnd);
        seg('terminating', pod.preStopEnd ?? deleted, end);
        if (pod.killed) {
          const kx = x(end, horizon);
          body.push(
            `<path class="killed" d="M${fmt(kx - 5)} ${y - 2} L${fmt(kx + 5)} ${y + BAR + 2} M${fmt(kx + 5)} ${y - 2} L${fmt(kx - 5)} ${y + BAR + 2}" stroke="${SVG_COLOURS.killed}" stroke-width="2"/>`,
          );
        }
      }
      if (podPath || result.service.path !== 'local') {
        // The path's view of the pod: LB backend (pod path) or kube-proxy endpoint.
        seg2(body, x, pod.receives, pod.removed, y + BAR + 1, horizon);
      }
      for (const w of windowsByPod.get(pod.name) ?? []) body.push(windowRect(w, y - 1, BAR + 2));
      y += ROW;
    }
    y += 6;
  }

  // Capacity dips along the axis.
  const axisY = y + 4;
  for (const w of result.windows.filter((w) => w.cause === 'capacity-dip')) {
    body.push(
      `<rect class="capacity" x="${fmt(x(w.start, 0))}" y="${axisY - 8}" width="${fmt(Math.max(1, x(w.end, horizon) - x(w.start, 0)))}" height="6" fill="${w.share >= 1 ? SVG_COLOURS.window : SVG_COLOURS.capacity}"><title>capacity-dip ${fmt(w.start)}-${fmt(w.end)} s</title></rect>`,
    );
  }
  body.push(`<line x1="${LEFT}" y1="${axisY}" x2="${WIDTH - RIGHT}" y2="${axisY}" stroke="#333"/>`);
  const tick = horizon <= 60 ? 5 : horizon <= 200 ? 10 : horizon <= 600 ? 30 : 60;
  for (let t = 0; t <= horizon; t += tick) {
    body.push(`<line x1="${fmt(x(t, 0))}" y1="${axisY}" x2="${fmt(x(t, 0))}" y2="${axisY + 4}" stroke="#333"/>`);
    body.push(`<text x="${fmt(x(t, 0))}" y="${axisY + 16}" text-anchor="middle" fill="#333">${t}</text>`);
  }
  body.push(`<text x="${WIDTH - RIGHT}" y="${axisY + 30}" text-anchor="end" fill="#333">seconds since the rollout started</text>`);

  // Legend.
  const legendY = axisY + 44;
  const items: Array<[keyof typeof SVG_COLOURS, string]> = [
    ['starting', 'starting'],
    ['ready', 'ready'],
    ['preStop', 'preStop'],
    ['terminating', 'terminating'],
    ['lb', result.service.path === 'local' ? 'LB sends to node' : result.service.path === 'pod' ? 'LB backend' : 'kube-proxy endpoint'],
    ['window', 'traffic lost (window)'],
    ['capacity', 'capacity dip'],
  ];
  let lx = 8;
  const legend: string[] = [];
  for (const [cls, label] of items) {
    legend.push(`<rect class="legend-${cls}" x="${lx}" y="${legendY}" width="14" height="14" fill="${SVG_COLOURS[cls]}"/>`);
    legend.push(`<text x="${lx + 18}" y="${legendY + 11}">${esc(label)}</text>`);
    lx += 26 + label.length * 6.6;
  }
  legend.push(
    `<path d="M${lx} ${legendY} L${lx + 12} ${legendY + 14} M${lx + 12} ${legendY} L${lx} ${legendY + 14}" stroke="${SVG_COLOURS.killed}" stroke-width="2"/><text x="${lx + 18}" y="${legendY + 11}">SIGKILL</text>`,
  );
  const height = legendY + 30;

  const verdictText =
    result.verdict === 'drops'
      ? `drops traffic: ${fmt(result.droppedTrafficSeconds)} s of the Service's traffic lost in ${result.windows.filter((w) => w.cause !== 'capacity-dip').length} window(s)`
      : 'safe: no traffic lost';
  const p = result.parameters;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="11" role="img" aria-labelledby="title desc">`,
  );
  out.push(
    `<title id="title">${esc(`${result.workload.kind} ${result.workload.namespace}/${result.workload.name} behind Service ${result.service.name} (${result.service.path}): ${verdictText}`)}</title>`,
  );
  out.push(
    `<desc id="desc">${esc(`Rollout timeline: replicas ${p.replicas}, maxSurge ${p.maxSurge}, maxUnavailable ${p.maxUnavailable}, E ${p.E} s, L ${p.L} s, lbAdd ${p.lbAdd} s, preStop ${p.P} s, grace ${p.G} s, provider ${p.provider}, Kubernetes ${p.kubernetesVersion}.`)}</desc>`,
  );
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(
    `<text x="8" y="20" font-size="14" font-weight="bold">${esc(`${result.service.namespace}/${result.service.name} (${result.service.path}) - ${result.workload.kind} ${result.workload.name}`)}</text>`,
  );
  out.push(`<text x="8" y="38" fill="${result.verdict === 'drops' ? SVG_COLOURS.window : SVG_COLOURS.ready}" font-weight="bold">${esc(verdictText)}</text>`);
  out.push(
    `<text x="8" y="52" fill="#555">${esc(`replicas ${p.replicas}, maxSurge ${p.maxSurge}, maxUnavailable ${p.maxUnavailable}, E ${p.E} s, L ${p.L} s, lbAdd ${p.lbAdd} s, preStop ${p.P} s, grace ${p.G} s, ${p.provider}, Kubernetes ${p.kubernetesVersion}`)}</text>`,
  );
  out.push(...body, ...legend, '</svg>');
  return out.join('\n') + '\n';
}

function seg2(body: string[], x: (t: number | null, f: number) => number, from: number | null, to: number | null, y: number, horizon: number): void {
  const a = x(from, 0);
  const b = x(to, horizon);
  if (b > a) body.push(`<rect class="lb" x="${fmt(a)}" y="${y}" width="${fmt(b - a)}" height="${LB_BAR - 1}" fill="${SVG_COLOURS.lb}"/>`);
}
