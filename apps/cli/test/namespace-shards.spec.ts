// The scan split by namespace across threads (src/shards): the namespace read from a document's
// text, the plan, the checks that send a scan back to one thread, and output byte for byte the
// one-thread scan's. The shard threads run the compiled worker (`npm test` builds before it tests).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectProvider, type AdvisorOptions } from '#rollsafe/advisor';
import { CLI_LIMITS, parseManifests, readManifestPaths, splitDocuments, type ManifestInput } from '#rollsafe/manifests';
import { formatJson } from '../src/formatters/json.js';
import { scanManifests } from '../src/manifest-scan.js';
import { namespacedDocuments } from '../src/shards/document-namespace.js';
import { agreeProvider, prepareShard, type ShardJob } from '../src/shards/scan-shard.js';
import { planNamespaceShards } from '../src/shards/shard-plan.js';
import { scanManifestsSharded } from '../src/shards/sharded-scan.js';
import { root } from './run-cli.js';

// Whole scans, twice each: 1.5-2 s alone, and several times that beside other suites in CI.
const WHOLE_SCAN_TIMEOUT_MS = 120_000;
const workerUrl = new URL(`file://${path.join(root, 'dist/apps/cli/src/shards/shard-worker.js')}`);
const corpusDirs = [path.join(root, 'corpus/real-world'), path.join(root, 'corpus/providers'), path.join(root, '../shared/conformance/real')];

function yamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => path.join(dir, file))
    .sort();
}

const namespaceOf = (text: string): string | undefined => namespacedDocuments(text, Infinity)?.[0]?.namespace;

describe('namespacedDocuments', () => {
  it('cuts every corpus file where splitDocuments cuts it', () => {
    const files = corpusDirs.flatMap(yamlFiles);
    let compared = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const documents = namespacedDocuments(text, Infinity);
      if (!documents) continue; // a file the shards leave whole (a Namespace, a list, flow style): refused, never cut wrong
      compared++;
      expect(documents.map(({ start, end, line }) => ({ start, end, line }))).toEqual(
        splitDocuments(text)?.map(({ start, end, line }) => ({ start, end, line })),
      );
    }
    expect(compared).toBeGreaterThan(files.length / 2);
  });

  it.each([
    ['kind: Service\nmetadata:\n  name: a\n  namespace: shop\n', 'shop'],
    ['kind: Service\nmetadata:\n  name: a\n', 'default'],
    ['kind: Service\nmetadata:\n    namespace: "shop"\n    name: a\n', 'shop'],
    ["kind: Service\nmetadata:\n  namespace: 'shop' # the team's\n", 'shop'],
    ['kind: Service\nmetadata:\n  namespace: ~\n', 'default'],
    ['kind: Service\nmetadata:\n  namespace: null\n', 'default'],
    ['kind: Service\nmetadata:\n  namespace:\n  name: a\n', 'default'],
    ['kind: Service\nmetadata:\n  labels:\n    namespace: other\n  name: a\n', 'default'],
    ['kind: Deployment\nmetadata:\n  namespace: shop\nspec:\n  template:\n    metadata:\n      namespace: other\n', 'shop'],
    ['metadata:\n  namespace: first\nkind: Service\nmetadata:\n  name: a\n  namespace: last\n', 'last'],
    ['kind: Service\r\nmetadata:\r\n  # owned by shop\r\n\r\n  namespace: shop\r\n', 'shop'],
    ['# rendered\n---\nkind: Service\nmetadata:\n  namespace: shop\n', 'default'], // the comment before the marker is a document of its own
  ])('reads the namespace of %j', (text, namespace) => {
    expect(namespaceOf(text)).toBe(namespace);
  });

  it.each([
    ['a Node', 'kind: Node\nmetadata:\n  name: n1\n'],
    ['a Namespace', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n'],
    ['a webhook configuration', 'kind: MutatingWebhookConfiguration\nmetadata:\n  name: w\n'],
    ['a list', 'kind: List\nitems: []\n'],
    ['a typed list', 'kind: ServiceList\nitems: []\n'],
    ['flow metadata', 'kind: Service\nmetadata: {name: a, namespace: shop}\n'],
    ['an anchored metadata', 'kind: Service\nmetadata: &m\n  namespace: shop\n'],
    ['an anchored namespace', 'kind: Service\nmetadata:\n  namespace: &ns shop\n'],
    ['a namespace that is not a name', 'kind: Service\nmetadata:\n  namespace: "shop floor"\n'],
    ['a quoted key', '"kind": Service\nmetadata:\n  namespace: shop\n'],
    ['a flow document', '{kind: Service, metadata: {name: a}}\n'],
    ['a top-level sequence', '- kind: Service\n'],
    ['a directive', '%YAML 1.2\n---\nkind: Service\n'],
    ['a document end marker', 'kind: Service\n...\n'],
    ['content on a marker line', 'kind: Service\n--- !!map\nkind: Service\n'],
    ['a tab-indented key', 'kind: Service\nmetadata:\n  name: a\n\tnamespace: shop\n'],
    ['metadata keys at two indents', 'kind: Service\nmetadata:\n    name: a\n  namespace: shop\n'],
  ])('refuses %s', (_, text) => {
    expect(namespacedDocuments(text, Infinity)).toBeUndefined();
  });

  it('gives each document its lines and namespace, in order, and stops past the document limit', () => {
    const text = 'kind: Service\nmetadata:\n  namespace: a\n---\nkind: Service\nmetadata:\n  name: b\n--- # third\nkind: Service\nmetadata:\n  namespace: c\n';
    expect(namespacedDocuments(text, Infinity)?.map(({ line, namespace }) => [line, namespace])).toEqual([
      [1, 'a'],
      [4, 'default'],
      [8, 'c'],
    ]);
    expect(namespacedDocuments(text, 2)).toBeUndefined();
  });
});

describe('planNamespaceShards', () => {
  const text = Array.from(
    { length: 40 },
    (_, i) => `kind: Service\nmetadata:\n  name: s${i}\n  namespace: ns-${i % 7}\nspec:\n  ports: [{port: ${80 + (i % 3)}}]\n`,
  ).join('---\n');
  const inputs: ManifestInput[] = [
    { name: 'a.yaml', text },
    { name: 'b.yaml', text: 'kind: Service\nmetadata:\n  name: lone\n' },
  ];

  it.each([2, 3, 4])('puts every namespace in one of %i shards and every document in one part', (count) => {
    const shards = planNamespaceShards(inputs, count, CLI_LIMITS);
    expect(shards).toHaveLength(count);
    const owners = new Map<string, number>();
    shards?.forEach((shard, index) => shard.namespaces.forEach((namespace) => owners.set(namespace, index)));
    expect([...owners.keys()].sort()).toEqual(['default', ...Array.from({ length: 7 }, (_, i) => `ns-${i}`)]);
    const parts = (shards ?? []).flatMap((shard, index) =>
      shard.parts.map((part) => ({ index, input: part.input, firstLine: part.firstLine, text: shard.text.slice(part.start, part.end) })),
    );
    for (const part of parts) {
      for (const document of namespacedDocuments(part.text, Infinity) ?? []) expect(owners.get(document.namespace)).toBe(part.index);
    }
    // The parts, put back in file order, are the inputs.
    for (const [input, { text: whole }] of inputs.entries()) {
      const own = parts.filter((part) => part.input === input).sort((a, b) => a.firstLine - b.firstLine);
      expect(own.map((part) => part.text).join('')).toBe(whole);
    }
  });

  it.each([
    ['one namespace', [{ name: 'a.yaml', text: 'kind: Service\nmetadata:\n  name: a\n---\nkind: Service\nmetadata:\n  name: b\n' }]],
    ['JSON', [{ name: 'a.json', text: '{"kind": "Service", "metadata": {"name": "a", "namespace": "x"}}' }, ...inputs]],
    ['a Node', [...inputs, { name: 'node.yaml', text: 'kind: Node\nmetadata:\n  name: n1\n' }]],
    [
      'one namespace holding most of the bytes',
      [...inputs, { name: 'big.yaml', text: `kind: ConfigMap\nmetadata:\n  namespace: big\ndata:\n  a: "${'x'.repeat(50_000)}"\n` }],
    ],
  ])('refuses %s', (_, refused) => {
    expect(planNamespaceShards(refused, 2, CLI_LIMITS)).toBeUndefined();
  });

  it('refuses more documents than the limit', () => {
    expect(planNamespaceShards(inputs, 2, { ...CLI_LIMITS, maxDocuments: 40 })).toBeUndefined();
    expect(planNamespaceShards(inputs, 2, { ...CLI_LIMITS, maxDocuments: 41 })).toBeDefined();
  });
});

describe('prepareShard', () => {
  const job = (text: string, namespaces: string[]): ShardJob => ({
    text,
    parts: [{ input: 0, start: 0, end: text.length, firstLine: 1, partOfMultiDocumentFile: false }],
    namespaces,
    limits: CLI_LIMITS,
    advisorOptions: {},
    inputNames: ['a.yaml'],
  });

  it('takes a shard whose objects are all in its namespaces', () => {
    const prepared = prepareShard(job('kind: Service\nmetadata:\n  name: a\n  namespace: shop\n', ['shop']));
    expect('refused' in prepared).toBe(false);
  });

  it.each([
    ['an object of another namespace', 'kind: Service\nmetadata:\n  name: a\n  namespace: other\n', /namespace "other"/],
    ['a broken document', 'kind: Service\nmetadata:\n  name: a\n namespace: shop\n', /could not be parsed/],
    ['a skipped document', 'kind: Deployment\nmetadata:\n  name: a\n  namespace: shop\nspec: {}\n', /warning/],
    ['a duplicate key', 'kind: Service\nmetadata:\n  name: a\n  name: b\n  namespace: shop\n', /warning/],
    ['a Node', 'kind: Node\nmetadata:\n  name: n1\n', /read across namespaces/],
  ])('refuses %s', (_, text, reason) => {
    const prepared = prepareShard(job(text, ['shop']));
    expect('refused' in prepared ? prepared.refused : '').toMatch(reason);
  });
});

describe('agreeProvider', () => {
  const service = (name: string, namespace: string, provider: 'aws' | 'alibaba'): string => {
    const annotation =
      provider === 'aws'
        ? 'service.beta.kubernetes.io/aws-load-balancer-type: nlb'
        : 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec: slb.s1.small';
    return `kind: Service\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n  annotations:\n    ${annotation}\nspec:\n  type: LoadBalancer\n`;
  };

  it.each([
    ['a tie: the first Service seen wins', ['alibaba@b', 'aws@a', 'aws@c', 'alibaba@d'], 'alibaba'],
    ['a tie the other way round', ['aws@d', 'alibaba@a', 'alibaba@b', 'aws@c'], 'aws'],
    ['the most named wins', ['alibaba@a', 'aws@b', 'aws@c', 'aws@d', 'alibaba@e'], 'aws'],
  ])('picks what detectProvider picks over the whole snapshot: %s', (_, services, expected) => {
    const text = services
      .map((entry, i) => {
        const [provider, namespace] = entry.split('@') as ['aws' | 'alibaba', string];
        return service(`s${i}`, namespace, provider);
      })
      .join('---\n');
    const inputs = [{ name: 'a.yaml', text }];
    const whole = detectProvider(parseManifests(inputs, CLI_LIMITS).snapshot).fromAnnotations;
    expect(whole).toBe(expected);
    for (const count of [2, 3, 4]) {
      const shards = planNamespaceShards(inputs, count, CLI_LIMITS) ?? [];
      expect(shards.length).toBeGreaterThanOrEqual(2);
      const votes = shards.flatMap((shard) => {
        const prepared = prepareShard({
          text: shard.text,
          parts: shard.parts,
          namespaces: shard.namespaces,
          limits: CLI_LIMITS,
          advisorOptions: {},
          inputNames: ['a.yaml'],
        });
        return 'refused' in prepared ? [] : prepared.votes;
      });
      expect(agreeProvider(votes)).toEqual({ fromAnnotations: whole });
    }
  });
});

describe('scanManifestsSharded', () => {
  let dir: string;
  let paths: string[];

  beforeAll(() => {
    expect(fs.existsSync(workerUrl)).toBe(true); // the compiled worker: `node tools/build.mjs`
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-shards-'));
    const apps = path.join(dir, 'apps.yaml');
    const helm = path.join(dir, 'helm.yaml');
    for (const [script, args] of [
      ['generate.mjs', ['--apps', '300', '--out', apps]],
      ['generate-helm.mjs', ['--releases', '12', '--out', helm]],
    ] as const) {
      const generated = spawnSync(process.execPath, [path.join(root, 'bench/manifest-scan', script), ...args], { encoding: 'utf8' });
      expect(generated.status).toBe(0);
    }
    // Every corpus file the shards take (the others refuse the whole scan, tested above), beside the generated ones.
    const corpus = corpusDirs.flatMap(yamlFiles).filter((file) => namespacedDocuments(fs.readFileSync(file, 'utf8'), Infinity) !== undefined);
    expect(corpus.length).toBeGreaterThan(40);
    paths = [apps, helm, ...corpus];
  }, WHOLE_SCAN_TIMEOUT_MS);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const options: Array<[string, AdvisorOptions]> = [
    ['detected provider', {}],
    ['--provider aws', { provider: 'aws' }],
    ['--provider alibaba, another docs URL', { provider: 'alibaba', docsBaseUrl: 'https://docs.example.com/rules' }],
  ];

  it.each(options)(
    'writes the one-thread scan JSON byte for byte (%s)',
    async (_, advisorOptions) => {
      const single = await scanManifests(
        paths,
        advisorOptions,
        () => Promise.resolve(''),
        () => undefined,
      );
      expect(single.inputErrors).toEqual([]);
      expect(single.result.findings.length).toBeGreaterThan(500);
      expect(single.verdicts?.verdicts.length).toBeGreaterThan(100);
      const expected = [...formatJson(single, false)].join('');
      const read = await readManifestPaths(paths, () => Promise.resolve(''));
      for (const threads of [2, 3]) {
        const sharded = await scanManifestsSharded(read.inputs, advisorOptions, CLI_LIMITS, { threads, minChars: 0, workerUrl });
        expect(sharded?.shards).toBe(threads);
        expect(sharded?.summary).toEqual(single.result.summary);
        expect(sharded?.verdictSummary).toEqual(single.verdicts?.summary);
        const written = [...(sharded?.json() ?? [])].join('');
        expect(written === expected).toBe(true); // toBe would print megabytes on a difference
      }
    },
    WHOLE_SCAN_TIMEOUT_MS,
  );

  it(
    'answers undefined, for the one-thread scan to report, when a shard finds a warning',
    async () => {
      const read = await readManifestPaths(paths, () => Promise.resolve(''));
      const skipped = { name: path.join(dir, 'skipped.yaml'), text: 'kind: Deployment\nmetadata:\n  name: no-template\n  namespace: shop\nspec: {}\n' };
      await expect(scanManifestsSharded([...read.inputs, skipped], {}, CLI_LIMITS, { threads: 2, minChars: 0, workerUrl })).resolves.toBeUndefined();
    },
    WHOLE_SCAN_TIMEOUT_MS,
  );

  it(
    'answers undefined when a thread fails',
    async () => {
      const read = await readManifestPaths(paths, () => Promise.resolve(''));
      const missing = new URL(`file://${path.join(dir, 'no-such-worker.js')}`);
      await expect(scanManifestsSharded(read.inputs, {}, CLI_LIMITS, { threads: 2, minChars: 0, workerUrl: missing })).resolves.toBeUndefined();
    },
    WHOLE_SCAN_TIMEOUT_MS,
  );

  it(
    'leaves inputs under minChars to one thread',
    async () => {
      const read = await readManifestPaths(paths, () => Promise.resolve(''));
      await expect(scanManifestsSharded(read.inputs, {}, CLI_LIMITS, { threads: 2, minChars: 1e12, workerUrl })).resolves.toBeUndefined();
    },
    WHOLE_SCAN_TIMEOUT_MS,
  );
});
