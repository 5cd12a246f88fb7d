// The SVG timeline rendered by headless Chromium (JavaScript off): the picture is checked
// pixel by pixel, not only the markup. Needs /usr/bin/chromium (tools/ensure-services.sh
// installs it) and playwright-core (no browser download).
import fs from 'node:fs';
import zlib from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { simulateSnapshot, SVG_COLOURS, timelineSvg, type SimulationResult } from '../src/index.js';
import { SEED, snapshotOf } from './seed.js';

const CHROMIUM = process.env['ROLLSAFE_CHROMIUM'] ?? '/usr/bin/chromium';

/** A minimal PNG decoder (8-bit RGB/RGBA, non-interlaced: what Chromium writes). */
function decodePng(png: Buffer): { width: number; height: number; pixel: (x: number, y: number) => [number, number, number] } {
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : 0;
      expect(channels).toBeGreaterThan(0);
      expect(data[12]).toBe(0);
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i] as number;
      const a = i >= channels ? (out[y * stride + i - channels] as number) : 0;
      const b = y > 0 ? (out[(y - 1) * stride + i] as number) : 0;
      const c = y > 0 && i >= channels ? (out[(y - 1) * stride + i - channels] as number) : 0;
      let v = x;
      if (filter === 1) v = x + a;
      else if (filter === 2) v = x + b;
      else if (filter === 3) v = x + ((a + b) >> 1);
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      out[y * stride + i] = v & 0xff;
    }
  }
  return {
    width,
    height,
    pixel: (x, y) => {
      const at = Math.round(y) * stride + Math.round(x) * channels;
      return [out[at] as number, out[at + 1] as number, out[at + 2] as number];
    },
  };
}

function hex(colour: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)) as [number, number, number];
}

function near(actual: [number, number, number], expected: string): boolean {
  const e = hex(expected);
  return actual.every((v, i) => Math.abs(v - (e[i] as number)) <= 6);
}

function resultOf(yaml: string, overrides = {}): SimulationResult {
  const [run] = simulateSnapshot(snapshotOf(yaml), { overrides });
  return run?.result as SimulationResult;
}

type Box = { x: number; y: number; width: number; height: number };

function first(list: Box[]): Box {
  expect(list.length).toBeGreaterThan(0);
  return list[0] as Box;
}

let browser: Browser;
let page: Page;

beforeAll(async () => {
  expect(fs.existsSync(CHROMIUM)).toBe(true);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1000, height: 800 }, deviceScaleFactor: 1 });
  page = await context.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

async function render(
  svg: string,
): Promise<{ png: ReturnType<typeof decodePng>; boxes: (selector: string) => Promise<Array<{ x: number; y: number; width: number; height: number }>> }> {
  await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
  const png = decodePng(await page.screenshot({ fullPage: true }));
  const boxes = async (selector: string) => {
    const out = [];
    for (const handle of await page.locator(selector).all()) {
      const box = await handle.boundingBox();
      if (box) out.push(box);
    }
    return out;
  };
  return { png, boxes };
}

describe('SVG timeline in Chromium', () => {
  test('Local on 1.25: the node-without-endpoint windows are red where the LB still sends, with a legend', async () => {
    const result = resultOf(SEED.localDefaultStrategy, { kubernetesVersion: '1.25' });
    expect(result.verdict).toBe('drops');
    const { png, boxes } = await render(timelineSvg(result));
    // Two windows (seed.spec.ts: [26,32) on node-2, [38,44) on node-3), drawn red.
    const windows = await boxes('g.window rect');
    expect(windows).toHaveLength(2);
    for (const box of windows) expect(near(png.pixel(box.x + box.width / 2, box.y + box.height / 2), SVG_COLOURS.window)).toBe(true);
    // Window widths are proportional to their 6 s durations: equal.
    expect(Math.abs((windows[0]?.width ?? 0) - (windows[1]?.width ?? 0))).toBeLessThan(1);
    // Every legend swatch shows its colour.
    for (const key of ['starting', 'ready', 'preStop', 'terminating', 'lb', 'window', 'capacity'] as const) {
      const swatch = first(await boxes(`.legend-${key}`));
      expect(near(png.pixel(swatch.x + 7, swatch.y + 7), SVG_COLOURS[key])).toBe(true);
    }
    // Ready bars are green and preStop bars amber somewhere in the picture.
    const ready = first(await boxes('rect.ready'));
    expect(near(png.pixel(ready.x + 2, ready.y + ready.height / 2), SVG_COLOURS.ready)).toBe(true);
    const preStop = first(await boxes('rect.preStop'));
    expect(near(png.pixel(preStop.x + preStop.width / 2, preStop.y + preStop.height / 2), SVG_COLOURS.preStop)).toBe(true);
    // The LB's view of node-1 (always a backend) is blue.
    const lb = first(await boxes('rect.lb'));
    expect(near(png.pixel(lb.x + lb.width / 2, lb.y + lb.height / 2), SVG_COLOURS.lb)).toBe(true);
  }, 60_000);

  test('a safe rollout has no red in the plot area', async () => {
    const result = resultOf(SEED.cureLocalInPlace, { inPlace: true });
    expect(result.verdict).toBe('safe');
    const { png, boxes } = await render(timelineSvg(result));
    expect(await boxes('g.window rect')).toHaveLength(0);
    const [legend] = await boxes('.legend-window');
    let red = 0;
    for (let y = 60; y < (legend?.y ?? png.height) - 30; y += 2) {
      for (let x = 170; x < png.width - 40; x += 2) if (near(png.pixel(x, y), SVG_COLOURS.window)) red++;
    }
    expect(red).toBe(0);
  }, 60_000);

  test('a SIGKILL during preStop is marked', async () => {
    // grace 20 < preStop 30: killed at d + 20.
    const yaml = SEED.cureEni.replace('terminationGracePeriodSeconds: 60', 'terminationGracePeriodSeconds: 20');
    const result = resultOf(yaml);
    expect(result.pods.filter((p) => p.killed)).toHaveLength(3);
    const svg = timelineSvg(result);
    expect(svg.match(/class="killed"/g)).toHaveLength(3);
    const { png, boxes } = await render(svg);
    const mark = first(await boxes('path.killed'));
    expect(near(png.pixel(mark.x + mark.width / 2, mark.y + mark.height / 2), SVG_COLOURS.killed)).toBe(true);
  }, 60_000);
});
