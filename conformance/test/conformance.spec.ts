import fs from 'node:fs';
import path from 'node:path';
import { RULES } from '#rollsafe/advisor';
import { CORPUS_DIR, loadExplanations, loadPeerMap, loadRealUnits, readJson } from '../src/corpus.js';
import { inputErrorsUnder, kindlessListItems, scanAlibaba, scanRealWorld, scanRealWorldShapes } from '../src/real-world.js';
import { runConformance } from '../src/runner.js';
import type { Comparison } from '../src/types.js';

/**
 * Conformance against the peers' own tests (issue 2, item 5). `node conformance/report.mjs`
 * prints the same figures; with ROLLSAFE_CONFORMANCE_REPORT set, this spec writes them as JSON.
 */

const peerMap = loadPeerMap();
const explanations = loadExplanations();
const report = runConformance(peerMap, explanations);
const realWorld = scanRealWorld();
const alibaba = scanAlibaba();
const alibabaNamed = scanAlibaba({ provider: 'alibaba' });
const realWorldShapes = scanRealWorldShapes();

const reportFile = process.env['ROLLSAFE_CONFORMANCE_REPORT'];
if (reportFile) {
  fs.writeFileSync(
    reportFile,
    JSON.stringify({ ...report, realWorld, alibaba, alibabaNamed, realWorldShapes, kindlessListItems: kindlessListItems('api') }, null, 1),
  );
}

function line(c: Comparison): string {
  return `${c.peer} ${c.check} ${c.file} ${c.unit}${c.runConfig ? ` [${c.runConfig}]` : ''}: peer ${c.peerVerdict} (${c.expected}), Rollsafe ${c.rollsafeVerdict} ${JSON.stringify(c.rollsafeFindings)} scope ${JSON.stringify(c.scopeReasons)} context ${JSON.stringify(c.contextReasons)}`;
}

describe('peer map', () => {
  it('maps peer checks only to rule ids that exist', () => {
    const ids = new Set(RULES.map((r) => r.id));
    const unknown = peerMap.checks.flatMap((c) => c.rollsafe.filter((id) => !ids.has(id)).map((id) => `${c.peer} ${c.peer_check_id} -> ${id}`));
    expect(unknown).toEqual([]);
  });

  it('decides every peer check of the corpus: mapped, or listed as not mapped with a reason', () => {
    const decided = new Set([
      ...peerMap.checks.map((c) => `${c.peer} ${c.peer_check_id}`),
      ...peerMap.not_mapped.flatMap((n) => (n.codes ?? [n.peer_check_id]).map((id) => `${n.peer} ${id}`)),
    ]);
    const index = readJson<Array<{ file: string; checks: Array<{ peer_check_id?: string }> }>>(path.join(CORPUS_DIR, 'peers/index.json'));
    const used = new Set(index.flatMap((e) => e.checks.filter((c) => c.peer_check_id).map((c) => `${e.file.split('/')[0]} ${c.peer_check_id}`)));
    const popeye = readJson<Array<{ expected_by_object: Record<string, { messages: string[] }> }>>(path.join(CORPUS_DIR, 'peers/popeye/expectations.json'));
    for (const test of popeye) {
      for (const object of Object.values(test.expected_by_object)) {
        for (const message of object.messages) used.add(`popeye ${/^\[(POP-\d+)\]/.exec(message)?.[1] ?? message}`);
      }
    }
    expect([...used].filter((id) => !decided.has(id)).sort()).toEqual([]);
  });

  it('reads the fixtures consistently with the peers (kube-linter report counts, fixture paths)', () => {
    expect(report.fixtureProblems).toEqual([]);
  });
});

describe('agreement with the peers', () => {
  it('agrees on at least 95 % of the fixtures where RULES.md and the peer ask the same question', () => {
    const { sameQuestion, agreementPercent } = report.overall;
    expect(sameQuestion.total).toBeGreaterThanOrEqual(40);
    expect(agreementPercent).toBeGreaterThanOrEqual(95);
  });

  it('has no unexplained disagreement', () => {
    expect(report.comparisons.filter((c) => c.outcome === 'disagree-unexplained').map(line)).toEqual([]);
  });

  it('keeps every explanation current and verified against its fixture', () => {
    expect(report.explanationProblems).toEqual([]);
  });

  it('compares every peer', () => {
    for (const figures of report.perPeer) expect(figures.comparisons).toBeGreaterThan(0);
  });
});

describe('real-world and Alibaba files', () => {
  it('parses every real-world, Alibaba and API file without an input error', () => {
    expect([...inputErrorsUnder('real'), ...inputErrorsUnder('alibaba'), ...inputErrorsUnder('api')]).toEqual([]);
  });

  it('scans every real-world file as part of an application unit', () => {
    const indexed = readJson<Array<{ file: string }>>(path.join(CORPUS_DIR, 'real/index.json')).map((e) => e.file);
    const scanned = new Set(loadRealUnits().flatMap((u) => u.files));
    expect(indexed.filter((f) => !scanned.has(f))).toEqual([]);
    expect([...scanned].filter((f) => !indexed.includes(f))).toEqual([]);
    expect(indexed).toHaveLength(75);
  });

  it('scans every unit without an input error', () => {
    const errors = [...realWorld.units, ...alibaba.units, ...realWorldShapes.units].flatMap((u) => u.inputErrors);
    expect(errors).toEqual([]);
    expect(realWorld.findings).toBeGreaterThan(0);
  });
});
