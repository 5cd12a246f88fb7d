import { Composer, CST, Document, isMap, isSeq, LineCounter, Parser, type YAMLMap, type YAMLSeq } from 'yaml';
import { applyStrategicMerge, validatePatchedObject, type Finding, type JsonObject } from '#rollsafe/advisor';
import type { ManifestInput } from '#rollsafe/manifests';
import { createNode, mergeIntoMap } from './yaml-patch.js';

/** A finding whose remediation was applied, where. */
export interface AppliedFix {
  file: string;
  finding: Finding;
}

/** A finding left for a human, and why. */
export interface LeftFix {
  finding: Finding;
  reason: string;
}

export interface FixedFile {
  name: string;
  /** The file after the fixes; the input text itself when nothing changed. */
  text: string;
  changed: boolean;
}

export interface FixPlan {
  files: FixedFile[];
  applied: AppliedFix[];
  left: LeftFix[];
}

/** One object of a file: a document, or an item of a `kind: List` document. */
interface Entry {
  doc: number;
  item?: number;
  identity: string;
  line: number;
  value: unknown;
}

function identityOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as { kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } };
  if (typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') return undefined;
  const namespace = typeof o.metadata.namespace === 'string' && o.metadata.namespace ? o.metadata.namespace : 'default';
  return `${o.kind}/${namespace}/${o.metadata.name}`;
}

function isListValue(value: unknown): value is { kind: string; items: unknown[] } {
  const o = value as { kind?: unknown; items?: unknown } | null;
  return typeof o === 'object' && o !== null && typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items);
}

function targetKey(finding: Finding): string {
  const { kind, namespace, name } = finding.remediation.target ?? finding.resource;
  return `${kind}/${namespace || 'default'}/${name}`;
}

/** The entry a finding's patch targets: same identity, the nearest one at or above the finding's line. */
function findEntry(entries: Entry[], finding: Finding): Entry | undefined {
  const key = targetKey(finding);
  const candidates = entries.filter((e) => e.identity === key);
  if (candidates.length <= 1) return candidates[0];
  const line = finding.location?.line ?? 0;
  return candidates.filter((e) => e.line <= line + 1).pop() ?? candidates[0];
}

type FileOutcome = { text: string; applied: Finding[]; left: LeftFix[] };

/**
 * Applies the remediations that need no human decision to the files they point at. YAML is
 * edited through the `yaml` package's document model: only the documents a patch touches
 * are rewritten (keeping their comments and key order); every other byte of the file is the
 * input's. JSON files are rewritten with their indentation. A file whose result would not
 * parse, or whose patched object would be invalid, is left as it was.
 */
export function planFixes(inputs: ManifestInput[], findings: Finding[], ruleIds?: ReadonlySet<string>): FixPlan {
  const selected = findings.filter((f) => !ruleIds || ruleIds.has(f.ruleId));
  const left: LeftFix[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const finding of selected) {
    const { patch, needsDecision } = finding.remediation;
    if (!patch) {
      left.push({ finding, reason: needsDecision ?? 'no patch' });
      continue;
    }
    const file = finding.location?.file;
    if (file === undefined) {
      left.push({ finding, reason: 'the finding has no source file to patch' });
      continue;
    }
    const list = byFile.get(file) ?? [];
    list.push(finding);
    byFile.set(file, list);
  }

  const files: FixedFile[] = [];
  const applied: AppliedFix[] = [];
  for (const input of inputs) {
    const wanted = byFile.get(input.name) ?? [];
    byFile.delete(input.name);
    if (wanted.length === 0) {
      files.push({ name: input.name, text: input.text, changed: false });
      continue;
    }
    const outcome = /^\s*[[{]/.test(input.text) ? fixJson(input.text, wanted) : fixYaml(input.text, wanted);
    files.push({ name: input.name, text: outcome.text, changed: outcome.text !== input.text });
    for (const finding of outcome.applied) applied.push({ file: input.name, finding });
    left.push(...outcome.left);
  }
  for (const rest of byFile.values()) for (const finding of rest) left.push({ finding, reason: 'its file was not among the inputs' });
  return { files, applied, left };
}

function fixJson(text: string, findings: Finding[]): FileOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { text, applied: [], left: findings.map((finding) => ({ finding, reason: 'the file is not valid JSON' })) };
  }
  const items: unknown[] = isListValue(value) ? value.items : [value];
  const applied: Finding[] = [];
  const left: LeftFix[] = [];
  const originals = new Map<number, unknown>();
  for (const finding of findings) {
    const patch = finding.remediation.patch as JsonObject;
    if (finding.remediation.patchType === 'create') {
      if (!isListValue(value)) {
        left.push({ finding, reason: 'a JSON file holds one object: add the new object in a file of its own' });
        continue;
      }
      value.items.push(patch);
      applied.push(finding);
      continue;
    }
    const index = items.findIndex((item) => identityOf(item) === targetKey(finding));
    if (index < 0) {
      left.push({ finding, reason: 'the patch target was not found in the file' });
      continue;
    }
    if (!originals.has(index)) originals.set(index, items[index]);
    items[index] = applyStrategicMerge(items[index], patch);
    applied.push(finding);
  }
  for (const [index, original] of originals) {
    const problems = validatePatchedObject(original, items[index]);
    if (problems.length > 0) return invalid(text, findings, problems);
  }
  const patched = isListValue(value) ? { ...value, items } : items[0];
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '';
  return { text: JSON.stringify(patched, null, indent || undefined) + (text.endsWith('\n') ? '\n' : ''), applied, left };
}

function invalid(text: string, findings: Finding[], problems: string[]): FileOutcome {
  return {
    text,
    applied: [],
    left: findings.map((finding) => ({ finding, reason: `the patched file would be invalid (${problems.join('; ')}): left unchanged` })),
  };
}

interface StringifyStyle {
  indent: number;
  indentSeq: boolean;
  flowCollectionPadding: boolean;
}

const STYLES: StringifyStyle[] = [2, 4].flatMap((indent) =>
  [true, false].flatMap((indentSeq) => [true, false].map((flowCollectionPadding) => ({ indent, indentSeq, flowCollectionPadding }))),
);

function render(doc: Document, style: StringifyStyle): string {
  return doc.toString({ lineWidth: 0, ...style });
}

/** The stringify options under which the untouched document reads most like its source. */
function styleOf(doc: Document, source: string): StringifyStyle {
  const wanted = new Map<string, number>();
  for (const line of source.split('\n')) wanted.set(line, (wanted.get(line) ?? 0) + 1);
  let best = STYLES[0] as StringifyStyle;
  let bestScore = -1;
  for (const style of STYLES) {
    const counts = new Map(wanted);
    let score = 0;
    for (const line of render(doc, style).split('\n')) {
      const left = counts.get(line) ?? 0;
      if (left > 0) {
        score++;
        counts.set(line, left - 1);
      }
    }
    if (score > bestScore) [best, bestScore] = [style, score];
  }
  return best;
}

const MAX_DIFF_CELLS = 4_000_000;

/** Pairs of equal lines (index in a, index in b) of a longest common subsequence; undefined when too large. */
function commonLines(a: string[], b: string[]): Array<[number, number]> | undefined {
  if ((a.length + 1) * (b.length + 1) > MAX_DIFF_CELLS) return undefined;
  const width = b.length + 1;
  const table = new Int32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] =
        a[i] === b[j] ? (table[(i + 1) * width + j + 1] as number) + 1 : Math.max(table[(i + 1) * width + j] as number, table[i * width + j + 1] as number);
    }
  }
  const pairs: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) pairs.push([i++, j++]);
    else if ((table[(i + 1) * width + j] as number) >= (table[i * width + j + 1] as number)) i++;
    else j++;
  }
  return pairs;
}

/**
 * Carries the change from `before` to `after` (two renders of a document, unpatched and
 * patched) over to the document's own source, so that its untouched lines keep their exact
 * formatting (blank lines, folded scalars, spacing). A changed line must map to a source line;
 * an inserted block goes after the source line its predecessor maps to (or before the one its
 * successor maps to). Undefined when the
 * change cannot be placed; the caller then checks the result parses to the patched document.
 */
function spliceChange(source: string, before: string, after: string): string | undefined {
  const src = source.split('\n');
  const b = before.split('\n');
  const a = after.split('\n');
  const change = commonLines(b, a);
  const anchor = commonLines(b, src);
  if (!change || !anchor) return undefined;
  const srcOf = new Map(anchor);
  const out: string[] = [];
  let srcNext = 0;
  let bi = 0;
  let ai = 0;
  const hunks: Array<{ b0: number; b1: number; a0: number; a1: number }> = [];
  for (const [bj, aj] of [...change, [b.length, a.length] as [number, number]]) {
    if (bj > bi || aj > ai) hunks.push({ b0: bi, b1: bj, a0: ai, a1: aj });
    bi = bj + 1;
    ai = aj + 1;
  }
  for (const hunk of hunks) {
    let start: number;
    let end: number;
    if (hunk.b1 > hunk.b0) {
      // Replaced lines: each must be a source line, and consecutive.
      const mapped = [];
      for (let k = hunk.b0; k < hunk.b1; k++) mapped.push(srcOf.get(k));
      if (mapped.some((m) => m === undefined)) return undefined;
      start = mapped[0] as number;
      end = (mapped[mapped.length - 1] as number) + 1;
      if (end - start !== mapped.length) return undefined;
    } else {
      // Inserted lines: after the source line of the line before them, else before that of the line after them.
      const previous = hunk.b0 === 0 ? -1 : srcOf.get(hunk.b0 - 1);
      const next = srcOf.get(hunk.b0);
      if (previous === undefined && next === undefined) return undefined;
      start = end = previous !== undefined ? previous + 1 : (next as number);
    }
    if (start < srcNext) return undefined;
    out.push(...src.slice(srcNext, start), ...a.slice(hunk.a0, hunk.a1));
    srcNext = end;
  }
  out.push(...src.slice(srcNext));
  return out.join('\n');
}

/** The document's first node and the first key of its first mapping: where the composer puts a leading comment. */
function leadingNodes(document: Document): Array<{ commentBefore?: string | null }> {
  const nodes: Array<{ commentBefore?: string | null }> = [];
  let node: unknown = document.contents;
  for (let depth = 0; depth < 3 && node; depth++) {
    nodes.push(node as { commentBefore?: string | null });
    const first: unknown = isMap(node) || isSeq(node) ? node.items[0] : undefined;
    node = first && typeof first === 'object' && 'key' in first ? (first as { key: unknown }).key : first;
  }
  return nodes;
}

function sameDocument(text: string, document: Document): boolean {
  const parsed = [...new Composer({ uniqueKeys: false }).compose(new Parser().parse(text))];
  if (parsed.length !== 1 || (parsed[0] as Document).errors.length > 0) return false;
  return JSON.stringify((parsed[0] as Document).toJS({ maxAliasCount: -1 })) === JSON.stringify(document.toJS({ maxAliasCount: -1 }));
}

/** A comment's text without markers or spaces, to compare a node's comment with its source. */
function squash(comment: string): string {
  return comment.replace(/[#\s]/g, '');
}

function fixYaml(text: string, findings: Finding[]): FileOutcome {
  const lineCounter = new LineCounter();
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  // Duplicate keys are read as kubectl does (the last wins), not refused.
  const documents = [...new Composer({ uniqueKeys: false }).compose(tokens)];
  const documentTokens = tokens.filter((t) => t.type === 'document');
  if (documents.length !== documentTokens.length) {
    return { text, applied: [], left: findings.map((finding) => ({ finding, reason: 'the file could not be read as YAML documents' })) };
  }
  const entries: Entry[] = [];
  documents.forEach((doc, index) => {
    if (doc.errors.length > 0) return;
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    const line = lineCounter.linePos((documentTokens[index] as { offset: number }).offset).line;
    if (isListValue(value)) {
      value.items.forEach((item, itemIndex) => {
        const identity = identityOf(item);
        if (identity) entries.push({ doc: index, item: itemIndex, identity, line, value: item });
      });
    } else {
      const identity = identityOf(value);
      if (identity) entries.push({ doc: index, identity, line, value });
    }
  });

  // Comments outside any document are top-level tokens written from the source; the composer
  // also hands them to the next document (commentBefore) or, at the end, to the last one.
  const preludes = new Map<number, string>();
  let prelude = '';
  let seen = 0;
  for (const token of tokens) {
    if (token.type === 'comment') prelude += CST.stringify(token);
    if (token.type === 'document') {
      if (prelude) preludes.set(seen, prelude);
      prelude = '';
      seen++;
    }
  }
  const trailingComments = prelude !== '';

  const applied: Finding[] = [];
  const left: LeftFix[] = [];
  const changed = new Map<number, { style: StringifyStyle; before: string }>();
  const inserts = new Map<number, JsonObject[]>();
  const touched = new Map<Entry, YAMLMap>();
  const remember = (index: number): void => {
    if (changed.has(index)) return;
    const document = documents[index] as Document;
    const comments = preludes.get(index);
    if (comments) {
      // The composer gives them to the document, or to its first node.
      document.commentBefore = null;
      for (const first of leadingNodes(document)) {
        if (first.commentBefore && squash(comments).endsWith(squash(first.commentBefore))) first.commentBefore = null;
      }
    }
    if (trailingComments && index === documents.length - 1) document.comment = null;
    const style = styleOf(document, CST.stringify(documentTokens[index] as CST.Token));
    changed.set(index, { style, before: render(document, style) });
  };
  for (const finding of findings) {
    const entry = findEntry(entries, finding);
    if (!entry) {
      left.push({ finding, reason: 'the patch target was not found in the file' });
      continue;
    }
    const doc = documents[entry.doc] as Document;
    const patch = finding.remediation.patch as JsonObject;
    if (finding.remediation.patchType === 'create') {
      if (entry.item !== undefined) {
        remember(entry.doc);
        (doc.get('items', true) as YAMLSeq).add(createNode(doc, patch));
      } else {
        const list = inserts.get(entry.doc) ?? [];
        list.push(patch);
        inserts.set(entry.doc, list);
      }
      applied.push(finding);
      continue;
    }
    const node = entry.item === undefined ? doc.contents : (doc.get('items', true) as YAMLSeq | undefined)?.items[entry.item];
    if (!isMap(node)) {
      left.push({ finding, reason: 'the patch target is not a YAML mapping' });
      continue;
    }
    remember(entry.doc);
    mergeIntoMap(doc, node, patch);
    touched.set(entry, node);
    applied.push(finding);
  }

  for (const [entry, node] of touched) {
    const problems = validatePatchedObject(entry.value, node.toJS(documents[entry.doc] as Document));
    if (problems.length > 0) return invalid(text, findings, problems);
  }

  let out = '';
  let documentIndex = -1;
  for (const token of tokens) {
    const source = text.slice(token.offset, token.offset + CST.stringify(token).length);
    if (token.type !== 'document') {
      out += source;
      continue;
    }
    documentIndex++;
    const change = changed.get(documentIndex);
    const style = change?.style;
    const document = documents[documentIndex] as Document;
    let rendered = source;
    if (change) {
      const after = render(document, change.style);
      // Keep the source's own lines where the patch did not touch them, if that reads back as the patched document.
      const spliced = spliceChange(source, change.before, after);
      rendered = spliced !== undefined && sameDocument(spliced, document) ? spliced : after;
      if (!source.endsWith('\n')) rendered = rendered.replace(/\n$/, '');
    }
    out += rendered;
    for (const object of inserts.get(documentIndex) ?? []) {
      if (!out.endsWith('\n')) out += '\n';
      const created = new Document();
      created.contents = createNode(created, object);
      out += '---\n' + render(created, style ?? (STYLES[0] as StringifyStyle));
    }
  }
  // A document that did not parse is copied as it was: the result may not have more broken ones.
  const broken = (documents: Document[]): number => documents.filter((d) => d.errors.length > 0).length;
  if (broken([...new Composer({ uniqueKeys: false }).compose(new Parser().parse(out))]) > broken(documents)) {
    return invalid(text, findings, ['the result does not parse']);
  }
  return { text: out, applied, left };
}
