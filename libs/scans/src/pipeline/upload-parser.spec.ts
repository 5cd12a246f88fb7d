// Uploads are parsed off the event loop when large, with the same result as in place.
import { UploadParser, INLINE_PARSE_BYTES } from './upload-parser.js';
import { parseUpload } from './parse-upload.js';
import { acceptUpload } from './accept-upload.js';
import { decodeSnapshot } from './snapshot-codec.js';

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
    });

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
});
