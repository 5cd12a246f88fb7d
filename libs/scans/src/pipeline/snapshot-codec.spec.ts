// The snapshot the API keeps is the snapshot the worker runs on: every field, every location.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Snapshot } from '#rollsafe/advisor';
import { parseManifests } from '#rollsafe/manifests';
import { codecVersionOf, decodeSnapshot, EncodedSnapshot, encodeSnapshot, keepSnapshot, SNAPSHOT_CODEC_VERSION } from './snapshot-codec.js';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../corpus/real-world');

/** The snapshot with each object's location beside it (the Map is keyed by identity). */
function comparable(snapshot: Snapshot) {
  const { locations, ...rest } = snapshot;
  const located = Object.entries(rest)
    .filter(([, value]) => Array.isArray(value))
    .map(([key, items]) => [key, (items as object[]).map((item) => locations.get(item as never) ?? null)]);
  return { ...rest, located };
}

describe('snapshot codec', () => {
  it('round-trips real manifests, custom resources and skipped-document warnings included', () => {
    const files = ['kube-prometheus', 'argo-cd'].flatMap((project) =>
      fs
        .readdirSync(path.join(corpus, project))
        .map((name) => ({ name: `${project}/${name}`, text: fs.readFileSync(path.join(corpus, project, name), 'utf8') })),
    );
    files.push({ name: 'odd.yaml', text: 'just a string\n---\napiVersion: v1\nmetadata: { name: nameless }\n' });
    const { snapshot } = parseManifests(files);
    expect(snapshot.customResources?.length).toBeGreaterThan(0);
    expect(snapshot.warnings.length).toBeGreaterThanOrEqual(2);
    expect(snapshot.locations.size).toBeGreaterThan(10);
    const decoded = decodeSnapshot(encodeSnapshot(snapshot));
    expect(decoded && comparable(decoded)).toEqual(comparable(snapshot));
  });

  it('ignores a snapshot stored by another version of the codec (the files are parsed again)', () => {
    expect(decodeSnapshot(JSON.stringify({ version: 1, facts: { source: 'manifests' } }))).toBeUndefined();
  });

  it('reads the codec version of kept text without decoding it, whatever "version" keys the manifests hold', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\ndata: {version: "7", "\\"version\\":": "9"}\n---\n' +
      'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a, labels: {version: "3"}}\nspec: {selector: {version: "3"}}\n';
    const { snapshot, errors } = parseManifests([{ name: '"version":5.yaml', text }]);
    expect(errors).toEqual([]);
    const encoded = encodeSnapshot(snapshot);
    expect(codecVersionOf(encoded)).toBe(SNAPSHOT_CODEC_VERSION);
    expect(codecVersionOf(JSON.stringify({ version: 1, facts: { source: 'manifests' }, locations: {} }))).toBe(1);
    expect(codecVersionOf('{}')).toBeUndefined();
    const kept = new EncodedSnapshot(encoded, 2);
    expect(comparable(kept.decode())).toEqual(comparable(snapshot));
    expect(kept.decode()).toBe(kept.decode());
  });

  it('keeps a snapshot packed (deflated, in base64 after its codec version) and reads it back as the JSON text', () => {
    const files = fs
      .readdirSync(path.join(corpus, 'kube-prometheus'))
      .map((name) => ({ name: `kube-prometheus/${name}`, text: fs.readFileSync(path.join(corpus, 'kube-prometheus', name), 'utf8') }));
    files.push({ name: 'ümlaut ✓.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata: { name: s, annotations: { note: "ünïcödé ✓" } }\n' });
    const { snapshot } = parseManifests(files);
    const kept = keepSnapshot(snapshot);
    expect(kept.byteOffset === 0 && kept.byteLength === kept.buffer.byteLength).toBe(true);
    const text = new TextDecoder().decode(kept);
    expect(text).toMatch(new RegExp(`^deflate;v=${SNAPSHOT_CODEC_VERSION};base64,[A-Za-z0-9+/]+=*$`));
    expect(kept.byteLength * 4).toBeLessThan(Buffer.byteLength(encodeSnapshot(snapshot)));
    expect(codecVersionOf(text)).toBe(SNAPSHOT_CODEC_VERSION);
    expect(codecVersionOf('deflate;v=1;base64,AA==')).toBe(1);
    const decoded = decodeSnapshot(text);
    expect(decoded && comparable(decoded)).toEqual(comparable(snapshot));
    expect(comparable(new EncodedSnapshot(text, 2).decode())).toEqual(comparable(snapshot));
  });
});
