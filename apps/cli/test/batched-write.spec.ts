import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { writeBatched, writeWithBackpressure } from '../src/batched-write.js';
import { root } from './run-cli.js';

/** Writes `pieces` with writeBatched into a new file and returns its bytes. */
function writtenBytes(pieces: string[]): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-batched-'));
  const file = path.join(dir, 'out');
  const fd = fs.openSync(file, 'w');
  try {
    writeBatched(fd, pieces);
  } finally {
    fs.closeSync(fd);
  }
  const bytes = fs.readFileSync(file);
  fs.rmSync(dir, { recursive: true });
  return bytes;
}

/** What fs.writeSync of each piece in turn writes. */
const eachPieceAsUtf8 = (pieces: string[]): Buffer => Buffer.concat(pieces.map((piece) => Buffer.from(piece, 'utf8')));

describe('writeBatched', () => {
  it('writes the bytes fs.writeSync of each piece would, across many 1 MB batches', () => {
    const texts = ['', '{"a":1}', 'façade ✓ 🚀', 'x'.repeat(65_536), 'é'.repeat(100_000), '\n'];
    const pieces = Array.from({ length: 400 }, (_, index) => texts[index % texts.length] ?? '');
    expect(writtenBytes(pieces).equals(eachPieceAsUtf8(pieces))).toBe(true);
  });

  it('writes a piece too long for the buffer between the batched ones, in order', () => {
    const pieces = ['before ', 'ü'.repeat(400_000), ' between ', 'z'.repeat(2_000_000), ' after'];
    expect(writtenBytes(pieces).equals(eachPieceAsUtf8(pieces))).toBe(true);
  });

  it('encodes a surrogate pair split over two pieces as each piece alone would be (replacement characters)', () => {
    const pair = '🚀';
    const pieces = [`a${pair.slice(0, 1)}`, `${pair.slice(1)}b`];
    expect(writtenBytes(pieces).equals(eachPieceAsUtf8(pieces))).toBe(true);
    expect(writtenBytes([])).toHaveLength(0);
  });
});

/** A reader that takes one chunk every few milliseconds, as a slow pipe does; records the most it ever held queued. */
function slowReader(options: { failAfter?: number } = {}): { stream: Writable; received: Buffer[]; maxQueued: () => number } {
  const received: Buffer[] = [];
  let maxQueued = 0;
  const stream = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, done) {
      received.push(chunk);
      if (options.failAfter !== undefined && received.length >= options.failAfter) {
        setTimeout(() => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })), 1);
        return;
      }
      setTimeout(done, 1);
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string) => {
    const more = write(chunk);
    maxQueued = Math.max(maxQueued, stream.writableLength);
    return more;
  }) as typeof stream.write;
  stream.on('error', () => undefined);
  return { stream, received, maxQueued: () => maxQueued };
}

describe('writeWithBackpressure', () => {
  const pieces = Array.from({ length: 200 }, (_, index) => `${index}:${'y'.repeat(40_000)}|`);

  it('writes every piece in order, never holding more than the buffer and one piece', async () => {
    const reader = slowReader();
    await writeWithBackpressure(reader.stream, pieces);
    await new Promise<void>((resolve) => reader.stream.end(resolve));
    expect(Buffer.concat(reader.received).toString()).toBe(pieces.join(''));
    expect(reader.maxQueued()).toBeLessThanOrEqual(64 * 1024 + 41_000);
  });

  it('stops when the reader goes away (EPIPE) instead of waiting for it', async () => {
    const reader = slowReader({ failAfter: 5 });
    await writeWithBackpressure(reader.stream, pieces);
    expect(reader.received.length).toBeLessThan(pieces.length);
  });

  it('stops when told the output is closed', async () => {
    const reader = slowReader();
    await writeWithBackpressure(reader.stream, pieces, () => reader.received.length >= 3);
    await new Promise<void>((resolve) => reader.stream.end(resolve));
    expect(reader.received.length).toBeGreaterThanOrEqual(3);
    expect(reader.received.length).toBeLessThan(10);
  });
});

describe('bin/rollsafe --format json into a file', () => {
  it('writes the same bytes as into a pipe', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-json-'));
    const file = path.join(dir, 'report.json');
    const args = ['scan', path.join(root, 'examples'), path.join(root, 'apps', 'cli', 'test', 'fixtures', 'seed'), '--format', 'json'];
    const fd = fs.openSync(file, 'w');
    const intoFile = spawnSync(path.join(root, 'bin', 'rollsafe'), args, { stdio: ['ignore', fd, 'pipe'] });
    fs.closeSync(fd);
    const intoPipe = spawnSync(path.join(root, 'bin', 'rollsafe'), args, { maxBuffer: 1 << 30 });
    expect(intoFile.status).toBe(intoPipe.status);
    expect(intoPipe.stdout.length).toBeGreaterThan(10_000);
    expect(fs.readFileSync(file).equals(intoPipe.stdout)).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });
});
