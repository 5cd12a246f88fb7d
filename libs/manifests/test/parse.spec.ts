import { buildSnapshot, DEFAULT_LIMITS, parseManifests, parseManifestText } from '../src/index.js';
import { parseReference } from '../src/reference-parse.js';

const deployment = (name: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers: [{name: app}]
`;

describe('parseManifests', () => {
  it('reads multi-document YAML and keeps each resource line', () => {
    const text = `# leading comment\n---\n${deployment('a')}---\n\n${deployment('b')}---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {selector: {app: a}}\n`;
    const { snapshot, errors, documentCount } = parseManifests([{ name: 'apps.yaml', text }]);
    expect(errors).toEqual([]);
    expect(documentCount).toBe(3); // a comment before the first --- is not a document
    expect(snapshot.deployments.map((d) => d.metadata?.name)).toEqual(['a', 'b']);
    const lines = [...snapshot.deployments, ...snapshot.services].map((o) => snapshot.locations.get(o));
    expect(lines).toEqual([
      { file: 'apps.yaml', line: 3 },
      { file: 'apps.yaml', line: 15 },
      { file: 'apps.yaml', line: 26 },
    ]);
  });

  it('expands kind: List and points each item at its own line', () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: one}
  - apiVersion: v1
    kind: Service
    metadata: {name: two}
`;
    const { snapshot } = parseManifests([{ name: 'list.yaml', text }]);
    expect(snapshot.services.map((s) => [s.metadata?.name, snapshot.locations.get(s)?.line])).toEqual([
      ['one', 4],
      ['two', 7],
    ]);
  });

  it('reads JSON, including typed lists such as ServiceList', () => {
    const text = JSON.stringify({ kind: 'ServiceList', items: [{ kind: 'Service', metadata: { name: 'x' } }] }, null, 2);
    const { snapshot, errors } = parseManifests([{ name: 'services.json', text }]);
    expect(errors).toEqual([]);
    expect(snapshot.services.map((s) => s.metadata?.name)).toEqual(['x']);
  });

  it('gives the items of typed API lists (PodList, ...) their kind', () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'p1' } }, { kind: 'Pod', metadata: { name: 'p2' } }] });
    const { snapshot } = parseManifests([{ name: 'pods.json', text }]);
    expect(snapshot.pods.map((p) => [p.kind, p.metadata?.name])).toEqual([
      ['Pod', 'p1'],
      ['Pod', 'p2'],
    ]);
    expect(snapshot.warnings).toEqual([]);
  });

  it('reads JSON that YAML cannot (tab indentation)', () => {
    const text = '{\n\t"kind": "Service",\n\t"metadata": {\n\t\t"name": "tabbed"\n\t}\n}\n';
    const { snapshot, errors } = parseManifests([{ name: 'tabbed.json', text }]);
    expect(errors).toEqual([]);
    expect(snapshot.services[0]?.metadata?.name).toBe('tabbed');
  });

  it('names file, line and column of a YAML syntax error and still reports the other files', () => {
    const bad = `${deployment('ok')}---\nkind: Service\nmetadata:\n  name: [unclosed\n`;
    const { snapshot, errors } = parseManifests([
      { name: 'bad.yaml', text: bad },
      { name: 'good.yaml', text: deployment('fine') },
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'YAML_SYNTAX', file: 'bad.yaml' });
    expect(errors[0]?.line).toBeGreaterThanOrEqual(15);
    expect(errors[0]?.column).toBeGreaterThan(0);
    expect(errors[0]?.message).toContain('the document that starts at line 12');
    // The broken document fails alone (RULES.md): the good one before it is still judged.
    expect(snapshot.deployments.map((d) => d.metadata?.name)).toEqual(['ok', 'fine']);
  });

  it('reports invalid JSON with its line and column', () => {
    const { errors } = parseManifests([{ name: 'bad.json', text: '{\n  "kind": "Service",\n  "metadata": {"name" "x"}\n}\n' }]);
    expect(errors[0]).toMatchObject({ code: 'JSON_SYNTAX', file: 'bad.json', line: 3 });
  });

  it('refuses input over the size limit without parsing it', () => {
    const { errors, snapshot } = parseManifests([{ name: 'big.yaml', text: 'a'.repeat(2048) }], { maxBytes: 1024 });
    expect(errors[0]).toMatchObject({ code: 'TOO_LARGE', file: 'big.yaml' });
    expect(snapshot.services).toEqual([]);
  });

  it('refuses more documents than the limit', () => {
    const text = Array.from({ length: 5 }, (_, i) => `kind: Service\nmetadata: {name: s${i}}\n`).join('---\n');
    const { errors } = parseManifests([{ name: 'many.yaml', text }], { maxDocuments: 4 });
    expect(errors[0]).toMatchObject({ code: 'TOO_MANY_DOCUMENTS' });
  });

  it('refuses a billion-laughs alias bomb quickly', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const previous = String.fromCharCode(96 + i);
      const current = String.fromCharCode(97 + i);
      levels.push(`${current}: &${current} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const text = `kind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
    const started = process.hrtime.bigint();
    const { errors } = parseManifests([{ name: 'bomb.yaml', text }]);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(errors[0]).toMatchObject({ code: 'ALIAS_LIMIT', file: 'bomb.yaml' });
    // Not a timing assertion on speed, a guard that nothing expanded the bomb (10^9 nodes).
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('refuses an alias bomb that stays under the alias count but expands past the node budget', () => {
    const text = `a: &a [1,2,3,4,5,6,7,8,9,10]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`;
    const { errors } = parseManifests([{ name: 'wide.yaml', text }], { maxExpandedNodesPerDocument: 5_000 });
    expect(errors[0]).toMatchObject({ code: 'ALIAS_LIMIT' });
  });

  it('accepts the modest aliases real manifests use', () => {
    const text = `kind: Deployment\nmetadata: {name: web, labels: &labels {app: web}}\nspec:\n  template:\n    metadata: {labels: *labels}\n    spec: {containers: [{name: app}]}\n`;
    const { errors, snapshot } = parseManifests([{ name: 'anchors.yaml', text }]);
    expect(errors).toEqual([]);
    expect(snapshot.deployments[0]?.spec?.template?.metadata?.labels).toEqual({ app: 'web' });
  });

  it('refuses binary input', () => {
    const { errors } = parseManifests([{ name: 'image.yaml', text: 'kind: Service\u0000\u0001' }]);
    expect(errors[0]).toMatchObject({ code: 'UNREADABLE' });
  });

  it('skips documents without kind and workloads without a template, with a warning naming the line', () => {
    const text = `metadata: {name: no-kind}\n---\nkind: Deployment\nmetadata: {name: no-template}\nspec: {replicas: 2}\n---\nkind: ConfigMap\nmetadata: {name: ignored}\n`;
    const { snapshot, errors } = parseManifests([{ name: 'odd.yaml', text }]);
    expect(errors).toEqual([]);
    expect(snapshot.warnings).toEqual([
      { message: 'document has no kind: skipped', location: { file: 'odd.yaml', line: 1 } },
      { message: 'Deployment no-template has no spec.template: skipped', location: { file: 'odd.yaml', line: 3 } },
    ]);
    expect(snapshot.deployments).toEqual([]);
  });

  it('recognises a known kind whatever its apiVersion', () => {
    const { snapshot } = parseManifests([{ name: 'v.yaml', text: `apiVersion: v1\n${deployment('odd').replace('apiVersion: apps/v1\n', '')}` }]);
    expect(snapshot.deployments).toHaveLength(1);
  });

  it('ignores empty documents', () => {
    const { snapshot, errors } = parseManifests([{ name: 'empty.yaml', text: '---\n---\n# only a comment\n' }]);
    expect(errors).toEqual([]);
    expect(snapshot.warnings).toEqual([]);
  });
});

describe('parseManifests: duplicate keys and broken documents (RULES.md, issue 9)', () => {
  const workloads = Array.from({ length: 11 }, (_, i) => deployment(`app-${i}`)).join('---\n');
  const configMap = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  LOG_LEVEL: info\n  TIMEOUT: "5"\n  LOG_LEVEL: debug\n`;

  it('takes a duplicated key, last one winning, with a warning naming file, line and key: the file is still judged', () => {
    const text = `${configMap}---\n${workloads}`;
    const { snapshot, errors } = parseManifests([{ name: 'release.yaml', text }]);
    expect(errors).toEqual([]);
    expect(snapshot.deployments).toHaveLength(11);
    expect(snapshot.warnings).toEqual([
      { message: 'duplicate key "LOG_LEVEL": the last value wins, as kubectl\'s parser does', location: { file: 'release.yaml', line: 8 } },
    ]);
  });

  it('keeps the last value of a duplicated key, as kubectl does', () => {
    const text = `${deployment('web').replace('spec:\n  template:', 'spec:\n  replicas: 1\n  replicas: 3\n  template:')}`;
    const { snapshot, errors } = parseManifests([{ name: 'dup.yaml', text }]);
    expect(errors).toEqual([]);
    expect(snapshot.deployments[0]?.spec?.replicas).toBe(3);
    expect(snapshot.warnings.map((w) => w.location)).toEqual([{ file: 'dup.yaml', line: 7 }]);
  });

  it('reports a duplicated key in a document with anchors and aliases too', () => {
    const text = `kind: Deployment\nmetadata: {name: web, labels: &l {app: web}}\nmetadata: {name: web2, labels: *l}\nspec: {template: {metadata: {labels: *l}, spec: {containers: [{name: app}]}}}\n`;
    const { snapshot, errors } = parseManifests([{ name: 'a.yaml', text }]);
    expect(errors).toEqual([]);
    expect(snapshot.deployments.map((d) => d.metadata?.name)).toEqual(['web2']);
    expect(snapshot.warnings.map((w) => [w.message.slice(0, 20), w.location?.line])).toEqual([['duplicate key "metad', 3]]);
  });

  it('fails one broken document alone: the others are judged, the error names file, line and column', () => {
    const broken = `apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\n spec: {}\n`;
    const text = `${deployment('before')}---\n${broken}---\n${deployment('after')}`;
    const { snapshot, errors } = parseManifests([{ name: 'mixed.yaml', text }]);
    expect(snapshot.deployments.map((d) => d.metadata?.name)).toEqual(['before', 'after']);
    expect(snapshot.services).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'YAML_SYNTAX', file: 'mixed.yaml', line: 16 });
    expect(errors[0]?.column).toBeGreaterThan(0);
    expect(errors[0]?.message).toContain('starts at line 12');
    // The lines of the documents after the broken one are still right.
    const after = snapshot.deployments[1];
    expect(after && snapshot.locations.get(after)).toEqual({ file: 'mixed.yaml', line: 18 });
  });
});

describe('parseManifests: document starts, limits and values', () => {
  it('points each document at its first content line, after comments and markers', () => {
    const text = `# header\n\n--- # first\n# about web\n${deployment('web')}--- {kind: Service, metadata: {name: inline}}\n---\n\n\n${deployment('late')}`;
    const { snapshot, errors, documentCount } = parseManifests([{ name: 's.yaml', text }]);
    expect(errors).toEqual([]);
    expect(documentCount).toBe(3);
    expect([...snapshot.locations.values()].map((l) => l.line)).toEqual([5, 15, 19]);
  });

  it('counts the items of a kind: List against the document limit', () => {
    const items = Array.from({ length: 5 }, (_, i) => `  - {kind: Service, metadata: {name: s${i}}}`).join('\n');
    const { errors, snapshot } = parseManifests([{ name: 'list.yaml', text: `kind: List\nitems:\n${items}\n` }], { maxDocuments: 4 });
    expect(errors[0]).toMatchObject({ code: 'TOO_MANY_DOCUMENTS', file: 'list.yaml' });
    expect(snapshot.services).toEqual([]);
  });

  it.each([
    ['flow', `{"kind": "List", "items": [${Array(1_000_000).fill('{}').join(',')}]}`],
    ['block', `kind: List\nitems:\n${'- {}\n'.repeat(1_000_000)}`],
  ])('refuses a %s List of a million {} items while parsing it, with the upload limits', (_style, text) => {
    const started = process.hrtime.bigint();
    const { errors, snapshot } = parseManifests([{ name: 'huge.yaml', text }]);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(errors).toHaveLength(1);
    expect(['TOO_MANY_DOCUMENTS', 'ALIAS_LIMIT']).toContain(errors[0]?.code);
    expect(snapshot.pods).toEqual([]);
    // A guard that parsing stopped early, not a speed assertion.
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('reads plain scalars as the YAML 1.2 core schema does (the values of the reference parser)', () => {
    const text = `kind: ConfigMap\nmetadata: {name: c}\ndata: {a: 0b101, b: 1_000, c: -0x10, d: 0x1F, e: 0o17, f: .inf, g: 2024-01-01, h: yes, i: ~, j: 1e3, k: 010, l: +1, m: -0}\n`;
    const fast = parseManifestText({ name: 's.yaml', text });
    const reference = parseReference(text, 's.yaml', 1, DEFAULT_LIMITS, 10);
    const data = (fast.documents[0]?.value as { data: Record<string, unknown> }).data;
    expect(data).toEqual({ a: '0b101', b: '1_000', c: '-0x10', d: 31, e: 15, f: Infinity, g: '2024-01-01', h: 'yes', i: null, j: 1000, k: 10, l: 1, m: -0 });
    expect(Object.is(data['m'], -0)).toBe(true);
    expect('documents' in reference && reference.documents[0]?.value).toEqual(fast.documents[0]?.value);
  });
});

describe('parseManifestText (the unit a worker_thread runs)', () => {
  it('returns plain data that survives a structured clone, and builds the same snapshot as parseManifests', () => {
    const text = `${deployment('a')}---\nkind: ConfigMap\nmetadata: {name: c, labels: &l {x: y}}\ndata: {a: *l, b: -0}\n---\nkind: Service\nmetadata:\n  name: s\n  name: s2\n---\nkind: [broken\n`;
    const parsed = parseManifestText({ name: 'w.yaml', text }, DEFAULT_LIMITS);
    const cloned = structuredClone(parsed);
    expect(cloned).toEqual(parsed);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.duplicateKeys).toEqual([{ key: 'name', line: 19 }]);
    const direct = parseManifests([{ name: 'w.yaml', text }]);
    const viaClone = buildSnapshot([cloned]);
    expect(viaClone.errors).toEqual(direct.errors);
    expect(viaClone.snapshot.warnings).toEqual(direct.snapshot.warnings);
    expect([...viaClone.snapshot.locations]).toEqual([...direct.snapshot.locations]);
  });
});
