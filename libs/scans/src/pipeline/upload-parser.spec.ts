// Uploads are parsed off the event loop when large, with the same result as in place.
import { UploadParser, INLINE_PARSE_BYTES } from './upload-parser.js';
import { parseUpload } from './parse-upload.js';
import { acceptUpload } from './accept-upload.js';
import { decodeSnapshot } from './snapshot-codec.js';
import { readJsonUpload } from './json-upload.js';

function deployments(count: number): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: { name: web-${i}, namespace: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: web-${i} } }
  template:
    metadata: { labels: { app: web-${i} } }
    spec:
      containers:
        - name: app
          image: nginx:1.27
          ports: [{ containerPort: 8080 }]
`);
  }
  return docs.join('---\n');
}

describe('UploadParser', () => {
  const parser = new UploadParser();
  afterAll(() => parser.onModuleDestroy());

  it('answers other work while a large upload is parsed in its thread', async () => {
    const text = deployments(4000);
    expect(text.length).toBeGreaterThan(INLINE_PARSE_BYTES);
    let otherWorkDone = false;
    const parsing = parser.parse([{ name: 'big.yaml', text }]).then((parsed) => ({ parsed, otherWorkDoneFirst: otherWorkDone }));
    setImmediate(() => (otherWorkDone = true));
    const { parsed, otherWorkDoneFirst } = await parsing;
    expect(otherWorkDoneFirst).toBe(true);
    expect(parsed.errors).toEqual([]);
    expect(parsed.documentCount).toBe(4000);
    const inPlace = parseUpload({ id: parsed.id, files: [{ name: 'big.yaml', text }] });
    expect(parsed).toEqual(inPlace);
  });

  it('keeps every location through the snapshot codec', async () => {
    const parsed = await parser.parse([{ name: 'small.yaml', text: deployments(3) }]);
    const snapshot = decodeSnapshot(parsed.snapshot ?? '');
    expect(snapshot?.deployments.map((d) => [d.metadata?.name, snapshot.locations.get(d)])).toEqual([
      ['web-0', { file: 'small.yaml', line: 1 }],
      ['web-1', { file: 'small.yaml', line: 15 }],
      ['web-2', { file: 'small.yaml', line: 29 }],
    ]);
  });

  it('names file and line of a parse error from the thread, and sends no snapshot', async () => {
    const text = `${deployments(3000)}---\nkind: [unclosed\n`;
    const parsed = await parser.parse([{ name: 'broken.yaml', text }]);
    expect(parsed.snapshot).toBeUndefined();
    expect(parsed.errors).toEqual([expect.objectContaining({ file: 'broken.yaml', line: 42002 })]);
  });

  describe('accept (an upload to scan)', () => {
    const decoder = new TextDecoder();

    it('measures, parses and encodes what the store keeps on the thread, as in place', async () => {
      const text = `# ✓ ${deployments(3000)}`;
      const files = [{ name: 'big.yaml', text }];
      const accepted = await parser.accept(files, { parse: true });
      expect(accepted).toMatchObject({ blank: false, sizeBytes: Buffer.byteLength(text), errors: [], documentCount: 3000 });
      expect(decoder.decode(accepted.stored?.files)).toBe(JSON.stringify(files));
      const snapshot = decodeSnapshot(decoder.decode(accepted.stored?.snapshot));
      expect(snapshot?.deployments).toHaveLength(3000);
      expect(accepted).toEqual(acceptUpload({ id: accepted.id, files, parse: true }));
    }, 30_000);

    it('only measures when not asked to parse, or when the files are blank or over the limit', async () => {
      const text = deployments(3000);
      expect(await parser.accept([{ name: 'a.yaml', text }], { parse: false })).toMatchObject({
        blank: false,
        sizeBytes: Buffer.byteLength(text),
        documentCount: 0,
      });
      expect((await parser.accept([{ name: 'a.yaml', text }], { parse: false })).stored).toBeUndefined();
      expect(await parser.accept([{ name: 'blank.yaml', text: ' \n'.repeat(200_000) }], { parse: true })).toMatchObject({ blank: true, documentCount: 0 });
      const over = `${text}#${'x'.repeat(11 * 1024 * 1024)}\n`;
      const tooLarge = await parser.accept([{ name: 'over.yaml', text: over }], { parse: true });
      expect(tooLarge).toMatchObject({ blank: false, sizeBytes: Buffer.byteLength(over), errors: [], documentCount: 0 });
      expect(tooLarge.stored).toBeUndefined();
    });

    it('names file and line of a parse error, and keeps nothing', async () => {
      const accepted = await parser.accept([{ name: 'broken.yaml', text: `${deployments(3000)}---\nkind: [unclosed\n` }], { parse: true });
      expect(accepted.stored).toBeUndefined();
      expect(accepted.errors).toEqual([expect.objectContaining({ file: 'broken.yaml', line: 42002 })]);
    });
  });

  describe('bytes (a body or a file as it came)', () => {
    const utf8 = new TextEncoder();
    const decoder = new TextDecoder();

    it('decodes bytes on the thread, the same as their text in place; the buffer is handed over, not copied', async () => {
      const text = `# ✓ ümlaut\n${deployments(3000)}`;
      const bytes = Buffer.from(text);
      const accepted = await parser.accept([{ name: 'upload', bytes }], { parse: true });
      expect(bytes.byteLength).toBe(0);
      expect(accepted).toEqual(acceptUpload({ id: accepted.id, files: [{ name: 'upload', text }], parse: true }));
      expect(decoder.decode(accepted.stored?.files)).toBe(JSON.stringify([{ name: 'upload', text }]));
    }, 30_000);

    it('copies bytes that share their buffer instead of handing the buffer over', async () => {
      const text = deployments(3000);
      const shared = Buffer.from(`${text}#tail`);
      const accepted = await parser.accept([{ name: 'upload', bytes: shared.subarray(0, Buffer.byteLength(text)) }], { parse: true });
      expect(shared.byteLength).toBe(Buffer.byteLength(text) + 5);
      expect(accepted).toMatchObject({ errors: [], documentCount: 3000, sizeBytes: Buffer.byteLength(text) });
    });

    it('keeps the line and column of an error after non-ASCII text (counted in characters, not bytes)', async () => {
      const text = `${deployments(3000)}---\nmetadata: { name: "ünïcödé ✓✓✓", labels: [unclosed\n`;
      const fromBytes = await parser.accept([{ name: 'upload', bytes: Buffer.from(text) }], { parse: true });
      const fromText = acceptUpload({ id: fromBytes.id, files: [{ name: 'upload', text }], parse: true });
      expect(fromBytes.errors).toEqual(fromText.errors);
      expect(fromBytes.errors[0]).toMatchObject({ file: 'upload', line: 42002, column: expect.any(Number) });
    });

    it('decodes the charset it is told, drops a byte order mark of a body and keeps one of a multipart file', async () => {
      const latin1 = Buffer.from('apiVersion: v1\nkind: Service\nmetadata: { name: caf\u00e9, namespace: a }\n', 'latin1');
      const accepted = await parser.accept([{ name: 'upload', bytes: latin1, charset: 'iso-8859-1' }], { parse: true });
      expect(JSON.parse(decoder.decode(accepted.stored?.files))).toEqual([{ name: 'upload', text: latin1.toString('latin1') }]);
      const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('kind: ConfigMap\nmetadata: { name: c }\n')]);
      const body = await parser.accept([{ name: 'upload', bytes: withBom }], { parse: true });
      expect(body.sizeBytes).toBe(withBom.byteLength - 3);
      const file = await parser.accept([{ name: 'a.yaml', bytes: withBom, keepBom: true }], { parse: true });
      expect(file.sizeBytes).toBe(withBom.byteLength);
    });

    it('reads a large JSON body on the thread: the manifests handed back as bytes, the fields it checks', async () => {
      const manifests = `# ✓\n${deployments(3000)}`;
      const bytes = Buffer.from(JSON.stringify({ target: 'shop', provider: 'aws', manifests, other: 'x'.repeat(1000) }));
      const read = await parser.readJson(bytes);
      expect(bytes.byteLength).toBe(0);
      expect(read).toMatchObject({ valid: true, body: { target: 'shop', provider: 'aws' } });
      if (!read.valid || !read.manifests) throw new Error('no manifests');
      expect(read.body).toEqual({ target: 'shop', provider: 'aws' });
      expect(decoder.decode(read.manifests.bytes)).toBe(manifests);
      const accepted = await parser.accept([read.manifests], { parse: true });
      expect(accepted).toEqual(acceptUpload({ id: accepted.id, files: [{ name: 'upload', text: manifests }], parse: true }));
      expect(await parser.readJson(Buffer.from(`{"manifests": ${JSON.stringify(manifests)}`))).toMatchObject({ valid: false });
    }, 30_000);

    it('reads JSON bodies as the JSON body parser did: strict, an empty body is {}, only what is checked comes back', () => {
      const read = (text: string) => readJsonUpload({ id: 0, bytes: utf8.encode(text) });
      expect(read('')).toEqual({ id: 0, valid: true, body: {} });
      expect(read('  ')).toEqual({ id: 0, valid: false });
      expect(read('"kind: List"')).toEqual({ id: 0, valid: false });
      expect(read('{not json')).toEqual({ id: 0, valid: false });
      expect(read(' [1, 2]')).toEqual({ id: 0, valid: true, body: [] });
      expect(read('{"manifests": 42, "provider": {"a": 1}, "target": null}')).toEqual({ id: 0, valid: true, body: { provider: false, target: null } });
      expect(read('\ufeff{"manifests": "\\ufeffkind: List"}')).toEqual({
        id: 0,
        valid: true,
        body: {},
        manifests: { name: 'upload', bytes: utf8.encode('\ufeffkind: List'), keepBom: true },
      });
      expect(readJsonUpload({ id: 0, bytes: Buffer.from('{"manifests": "a: 1"}', 'utf16le'), charset: 'utf-16le' })).toMatchObject({ valid: true });
    });
  });
});
