import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import type { Explanations, PeerMap, RealUnit } from './types.js';

/** The conformance project directory (conformance/), whether run from src/ or test/. */
export const CONFORMANCE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The copy of ../shared/conformance kept in the repository. */
export const CORPUS_DIR = path.join(CONFORMANCE_DIR, 'corpus');

export type RawObject = Record<string, unknown>;

export function isRecord(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function loadPeerMap(): PeerMap {
  return readJson<PeerMap>(path.join(CONFORMANCE_DIR, 'peer-map.json'));
}

export function loadExplanations(): Explanations {
  return readJson<Explanations>(path.join(CONFORMANCE_DIR, 'explanations.json'));
}

export function loadRealUnits(): RealUnit[] {
  return readJson<{ units: RealUnit[] }>(path.join(CONFORMANCE_DIR, 'real-units.json')).units;
}

export function readCorpusText(relative: string): string {
  return fs.readFileSync(path.join(CORPUS_DIR, relative), 'utf8');
}

/** Every file under a corpus directory, relative to the corpus, sorted. */
export function listCorpusFiles(directory: string, extensions = ['.yaml', '.yml', '.json']): string[] {
  const out: string[] = [];
  const walk = (relative: string): void => {
    const entries = fs.readdirSync(path.join(CORPUS_DIR, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (extensions.includes(path.extname(entry.name).toLowerCase())) out.push(child);
    }
  };
  walk(directory);
  return out.sort();
}

/**
 * The objects of a manifest file as plain data, for the runner's own reading of a fixture
 * (which objects the peer judges, which Service selects what). `*List` documents are
 * flattened. Independent of libs/manifests on purpose.
 */
export function rawObjects(text: string): RawObject[] {
  let documents: unknown[];
  try {
    documents = loadAll(text);
  } catch {
    documents = [JSON.parse(text) as unknown];
  }
  const objects: RawObject[] = [];
  for (const document of documents) {
    if (!isRecord(document)) continue;
    const kind = document['kind'];
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(document['items'])) {
      for (const item of document['items'] as unknown[]) if (isRecord(item)) objects.push(item);
    } else {
      objects.push(document);
    }
  }
  return objects;
}
