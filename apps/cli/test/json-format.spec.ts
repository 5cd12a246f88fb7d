import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdvisorResult, Finding } from '#rollsafe/advisor';
import type { ServiceVerdict } from '#rollsafe/simulator';
import { formatJson } from '../src/formatters/json.js';
import { providerReport } from '../src/formatters/provider.js';
import type { ScanReport } from '../src/formatters/report.js';
import { scanManifests } from '../src/manifest-scan.js';
import { root } from './run-cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The contract as one object, in its key order: what the chunked output must equal. */
function contract(report: ScanReport): object {
  const { result } = report;
  return {
    findings: result.findings,
    summary: { ...result.summary, skipped: report.warnings.filter((warning) => warning.message.endsWith('skipped')).length },
    notEvaluated: result.notEvaluated,
    provider: providerReport(result),
    kubernetesVersion: result.kubernetesVersion,
    profiles: result.profiles,
    ...(report.verdicts ? { verdicts: report.verdicts.verdicts, verdictSummary: report.verdicts.summary } : {}),
    errors: report.inputErrors,
    warnings: report.warnings,
  };
}

const ODD_TEXTS = [
  'say "hi"',
  'back\\slash',
  'two\nlines\ttab\r',
  '\u0000\u001f\u007f',
  'façade ✓ 🚀',
  'lone \ud800 high',
  'lone \udfff low',
  '\u2028\u2029',
  '</script>',
];

/** Evidence with nested values and, as a rule may leave at run time, a key set to undefined. */
function evidenceOf(text: string, index: number): Finding['evidence'] {
  const evidence: Finding['evidence'] = { text, list: [text, index, index / 7, null, true, { nested: [text] }] };
  Reflect.set(evidence, 'absent', undefined);
  return evidence;
}

/** A finding whose text fields hold `text`; every third one has no container, every fifth no location. */
function oddFinding(index: number): Finding {
  const text = `${ODD_TEXTS[index % ODD_TEXTS.length]} #${index}`;
  const resource = { kind: 'Deployment', namespace: 'shop', name: `web-${index}` };
  return {
    ruleId: 'prestop-hook-missing',
    severity: index % 2 ? 'critical' : 'warning',
    resource,
    ...(index % 3 ? { container: text } : {}),
    message: `${text} `.repeat(1 + (index % 40)),
    evidence: evidenceOf(text, index),
    remediation:
      index % 4
        ? {
            summary: text,
            yaml: `a: ${JSON.stringify(text)}\n`,
            target: resource,
            patchType: 'strategic-merge',
            patch: { metadata: { annotations: { [text]: text } } },
          }
        : { summary: text, yaml: text, needsDecision: text },
    docs: `https://docs.example/${text}.md`,
    ...(index % 5 ? { location: { file: `/tmp/${text}.yaml`, line: index + 1 } } : {}),
    fingerprint: index.toString(16).padStart(64, '0'),
  } as Finding;
}

function oddVerdict(finding: Finding, index: number): ServiceVerdict {
  const text = ODD_TEXTS[index % ODD_TEXTS.length] ?? '';
  return {
    service: { namespace: finding.resource.namespace, name: text, type: 'LoadBalancer', path: null },
    workload: null,
    verdict: 'unknown',
    missing: [text],
    droppedTrafficSeconds: index / 3,
    windows: [],
    ruleIds: [finding.ruleId],
    findings: [finding.fingerprint],
    fixes: [],
    afterFixes: null,
    parameters: null,
    parameterSources: { [text]: text },
    notes: [text],
    durationSeconds: 0,
  };
}

function oddReport(findingCount: number, withVerdicts: boolean): ScanReport {
  const findings = Array.from({ length: findingCount }, (_, index) => oddFinding(index));
  const result: AdvisorResult = {
    findings,
    suppressed: [],
    notEvaluated: ['container-restart-loop'],
    summary: { critical: 1, warning: 2, info: 0, suppressed: 0, notEvaluated: 1 },
    warnings: [],
    providerSkipped: ['lb-connection-drain-off'],
    kubernetesVersion: { version: '1.30', source: 'default' },
    profiles: { version: 'test' },
  };
  const verdicts = findings.map((finding, index) => oddVerdict(finding, index));
  return {
    result,
    inputErrors: [{ code: 'YAML_SYNTAX', message: 'bad "quote"\n', file: 'x.yaml', line: 3 }],
    warnings: [{ message: 'document 2 skipped' }, { message: 'duplicate key "a"' }],
    fileCount: 1,
    resourceCount: findingCount,
    ...(withVerdicts ? { verdicts: { verdicts, summary: { services: verdicts.length, drops: 1, safe: 0, unknown: 0 } } } : {}),
  };
}

describe('formatJson', () => {
  it('writes exactly JSON.stringify of the contract, in chunks, for text with quotes, control characters, unicode and lone surrogates', () => {
    for (const count of [0, 1, 7, 9, 2500]) {
      for (const withVerdicts of [true, false]) {
        const report = oddReport(count, withVerdicts);
        expect([...formatJson(report, false)].join('')).toBe(`${JSON.stringify(contract(report))}\n`);
      }
    }
  });

  it('keeps every chunk below the 128 KB where V8 stops allocating strings in the young generation', () => {
    const chunks = [...formatJson(oddReport(5000, true), false)];
    expect(chunks.length).toBeGreaterThan(50);
    for (const chunk of chunks) expect(chunk.length).toBeLessThan(128 * 1024);
  });

  it('writes a finding longer than a chunk whole, and shrinks the chunks after it', () => {
    const report = oddReport(40, false);
    (report.result.findings[3] as Finding).message = 'x'.repeat(2_000_000);
    const chunks = [...formatJson(report, false)];
    expect(chunks.join('')).toBe(`${JSON.stringify(contract(report))}\n`);
    // From the average so far (over 200 KB a finding), one finding a chunk.
    const afterFirst = chunks.slice(
      chunks.indexOf('{"findings":[') + 2,
      chunks.findIndex((chunk) => chunk.startsWith('],')),
    );
    expect(afterFirst.filter((chunk) => chunk !== ',')).toHaveLength(40 - 8);
  });

  it('pretty-prints the same contract in one piece (a terminal)', () => {
    const report = oddReport(30, true);
    expect([...formatJson(report, true)]).toEqual([`${JSON.stringify(contract(report), null, 2)}\n`]);
  });

  it('writes a real scan (examples and seed manifests, with verdicts) as JSON.stringify of its contract', async () => {
    const report = await scanManifests(
      [path.join(root, 'examples'), path.join(here, 'fixtures', 'seed')],
      { docsBaseUrl: 'https://docs.example/rules' },
      () => Promise.resolve(''),
      () => undefined,
    );
    expect(report.result.findings.length).toBeGreaterThan(10);
    expect(report.verdicts?.verdicts.length).toBeGreaterThan(0);
    expect([...formatJson(report, false)].join('')).toBe(`${JSON.stringify(contract(report))}\n`);
  });
});
