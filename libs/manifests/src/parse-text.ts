import type { ManifestError } from './errors.js';
import { isFastYamlError, loadFast, mayUseFastPath, type Listener } from './fast-yaml.js';
import { DEFAULT_LIMITS, type ManifestLimits } from './limits.js';
import { lineAndColumn } from './line-index.js';
import { parseReference, type DuplicateKey, type ReferenceOutcome } from './reference-parse.js';
import { firstContentLine, splitDocuments, type DocumentSpan } from './split.js';
import { BAIL, KeyCache, parseBlockDocument } from './block-parser.js';
import { RootItemBudget } from './item-budget.js';

export interface ManifestInput {
  /** A file path, `-` for stdin, or a name such as `upload`: it is what findings point at. */
  name: string;
  text: string;
  /**
   * The text in parts, each cut at a `---` marker (readManifestPaths reads a large file of many
   * documents this way; see parted-input.ts). The parsers take the parts; `text` joins them.
   */
  parts?: readonly TextPart[];
}

/** A part of an input's text and the 1-based file line of its first character. */
export interface TextPart {
  text: string;
  firstLine: number;
}

/** One parsed document: its value, its first line, and for a `kind: List` each item's line. */
export interface ParsedDocument {
  value: unknown;
  line: number;
  itemLines?: number[];
}

/**
 * What one input (or one part of it) parses to: plain data, so it can cross a worker_thread
 * boundary (structured clone) unchanged. Lines are 1-based lines of the whole file.
 */
export interface ParsedText {
  file: string;
  documents: ParsedDocument[];
  /** Documents that could not be parsed; the other documents are still in `documents`. */
  errors: ManifestError[];
  /** Duplicate mapping keys: the last value won, as kubectl's parser does. */
  duplicateKeys: DuplicateKey[];
  /** Documents plus `kind: List` items, as counted against `maxDocuments`. */
  documentCount: number;
}

export interface ParseTextOptions {
  /** How many documents this part may still add before `maxDocuments` is reached. Default: all of them. */
  documentsLeft?: number;
  /** The 1-based file line of the first character of `input.text`, when it is a part of a file. Default 1. */
  firstLine?: number;
  /**
   * `input.text` is a part, cut at a `---` marker, of a file of several documents: a broken
   * document's error then names its first line even when the part holds that document alone.
   */
  partOfMultiDocumentFile?: boolean;
}

/**
 * A parse and the document budget it depends on: any `documentsLeft` of at least `budgetNeeded`
 * gives the same result, so a part parsed with a larger budget (in a worker, before the parts
 * ahead of it are counted) need not be parsed again. Infinity when the document limit was reached.
 */
export interface BudgetedParse {
  parsed: ParsedText;
  budgetNeeded: number;
  /** The document limit was reached: `parsed` holds that one error and no document. */
  limitReached: boolean;
}

/** Deeper nesting than this is refused, as the reference parser does (a stack-overflow guard). */
const MAX_DEPTH = 100;

/**
 * Parses one input (YAML or JSON, multi-document, `kind: List`) into plain documents, each
 * document on its own: a broken document is reported with its file, line and column and the
 * others are still returned. Safe to call inside a worker_thread; the result is structured-
 * cloneable. `parseManifests` builds the snapshot from it.
 */
export function parseManifestText(input: ManifestInput, limits: Partial<ManifestLimits> = {}, options: ParseTextOptions = {}): ParsedText {
  return parseBudgeted(input, limits, options).parsed;
}

/** `parseManifestText`, also saying how many documents left the result depends on. */
export function parseBudgeted(input: ManifestInput, limits: Partial<ManifestLimits> = {}, options: ParseTextOptions = {}): BudgetedParse {
  const effective: ManifestLimits = { ...DEFAULT_LIMITS, ...limits };
  const file = input.name;
  const text = input.text;
  const firstLine = options.firstLine ?? 1;
  const documentsLeft = options.documentsLeft ?? effective.maxDocuments;
  const result: ParsedText = { file, documents: [], errors: [], duplicateKeys: [], documentCount: 0 };

  const byteLength = utf8LengthAbove(text, effective.maxBytes);
  if (byteLength !== undefined) {
    result.errors.push({ code: 'TOO_LARGE', file, message: `input is ${byteLength} bytes; the limit is ${effective.maxBytes} bytes` });
    return budgeted(result, 0);
  }
  if (text.includes('\u0000')) {
    result.errors.push({ code: 'UNREADABLE', file, message: 'input is binary, not YAML or JSON text' });
    return budgeted(result, 0);
  }

  // Each span past the first is a document: more than documentsLeft + 1 of them are refused.
  const spans = splitDocuments(text, documentsLeft + 2);
  if (!spans) return takeReference(result, parseReference(text, file, firstLine, effective, documentsLeft), input, effective, documentsLeft);
  const multiDocument = spans.length > 1 || options.partOfMultiDocumentFile === true;

  const tooMany = (line?: number): ManifestError => ({
    code: 'TOO_MANY_DOCUMENTS',
    file,
    ...(line !== undefined ? { line } : {}),
    message: `too many YAML documents: the limit is ${effective.maxDocuments} in one scan`,
  });
  const parseErrors: ManifestError[] = [];
  const keys = new KeyCache();
  let budgetNeeded = 0;
  for (const span of spans) {
    const line = span.line + firstLine - 1;
    const contentLine = firstContentLine(text, span.start, span.end, line);
    if (contentLine === undefined && !span.explicit) continue; // comments before the first `---`: not a document
    if (result.documentCount >= documentsLeft) {
      result.errors.push(tooMany());
      return limitReached(result);
    }
    const outcome = parseDocument(text, span, line, contentLine ?? line, file, effective, documentsLeft - result.documentCount, keys);
    if ('limit' in outcome) {
      result.errors.push(tooMany(outcome.line));
      return limitReached(result);
    }
    budgetNeeded = Math.max(budgetNeeded, result.documentCount + outcome.budgetNeeded);
    if ('error' in outcome) {
      parseErrors.push(
        multiDocument ? { ...outcome.error, message: `${outcome.error.message} (in the document that starts at line ${contentLine ?? line})` } : outcome.error,
      );
      result.documentCount++;
      continue;
    }
    for (const document of outcome.documents) {
      result.documents.push(document);
      result.documentCount += 1 + (document.itemLines?.length ?? 0);
    }
    for (const duplicateKey of outcome.duplicateKeys) result.duplicateKeys.push(duplicateKey);
    if (result.documentCount > documentsLeft) {
      result.errors.push(tooMany());
      return limitReached(result);
    }
  }
  if (parseErrors.length > 0 && parseErrors.every((error) => error.code === 'YAML_SYNTAX') && looksLikeJson(input.name, input.text)) {
    // Some valid JSON is not valid YAML (tab indentation, for one): such a file is taken as JSON.
    const json = parseAsJson(input, firstLine, effective, documentsLeft);
    if (json?.limitReached) return json;
    return json
      ? { ...json, budgetNeeded: Math.max(budgetNeeded, json.budgetNeeded) }
      : budgeted({ ...withoutDocuments(result), errors: [jsonSyntaxError(input, firstLine)] }, budgetNeeded);
  }
  for (const error of parseErrors) result.errors.push(error);
  return budgeted(result, budgetNeeded);
}

function budgeted(parsed: ParsedText, budgetNeeded: number): BudgetedParse {
  return { parsed, budgetNeeded, limitReached: false };
}

function limitReached(result: ParsedText): BudgetedParse {
  return { parsed: withoutDocuments(result), budgetNeeded: Infinity, limitReached: true };
}

/**
 * What one document parses to. `budgetNeeded` is the least number of documents left under
 * which it parses the same: 1, or 1 plus the entries of a root `items:` sequence, which the
 * List check, the node guard and the reference parser count against the documents left.
 */
type DocumentOutcome =
  | { documents: ParsedDocument[]; duplicateKeys: DuplicateKey[]; budgetNeeded: number }
  | { error: ManifestError; budgetNeeded: number }
  | { limit: true; line: number };

/** Parses the document `span` of `text`, whose first character is on the file line `line`. */
function parseDocument(
  text: string,
  span: DocumentSpan,
  line: number,
  contentLine: number,
  file: string,
  limits: ManifestLimits,
  documentsLeft: number,
  keys: KeyCache,
): DocumentOutcome {
  // The block parser gives up on any tag, anchor or alias (they start nodes), so it goes first.
  let value: unknown = parseBlockDocument(text, limits.maxExpandedNodesPerDocument, MAX_DEPTH, keys, span.start, span.end);
  let budgetNeeded = 1;
  // The other parsers take the document cut out of the text.
  let cut: string | undefined;
  const chunk = (): string => (cut ??= text.slice(span.start, span.end));
  if (value === BAIL) {
    const guard = new NodeGuard(line, limits.maxExpandedNodesPerDocument, documentsLeft - 1);
    if (!mayUseFastPath(chunk())) return referenceWithinLimits(chunk(), file, line, limits, documentsLeft, guard);
    try {
      value = loadFast(chunk(), guard.listener);
    } catch (error) {
      return fastError(error, guard, chunk(), file, line, limits, documentsLeft);
    }
    budgetNeeded = guard.budgetNeeded();
  }
  if (value === undefined) value = null;
  if (isRecord(value) && Array.isArray(value['items']) && typeof value['kind'] === 'string' && value['kind'].endsWith('List')) {
    // A `kind: List`: its items count against the document limit, and each keeps its own line,
    // which the reference parser's events give (Lists are rare, and bounded by the node limit).
    if (value['items'].length + 1 > documentsLeft) return { limit: true, line: contentLine };
    return withBudget(parseReference(chunk(), file, line, limits, documentsLeft), Math.max(budgetNeeded, value['items'].length + 1));
  }
  return { documents: [{ value, line: contentLine }], duplicateKeys: [], budgetNeeded };
}

/** A reference outcome as a document outcome, needing at least `budgetNeeded` documents left. */
function withBudget(outcome: ReferenceOutcome, budgetNeeded: number): DocumentOutcome {
  return { ...outcome, budgetNeeded: Math.max(budgetNeeded, outcome.budgetNeeded) };
}

function fastError(
  error: unknown,
  guard: NodeGuard,
  chunk: string,
  file: string,
  line: number,
  limits: ManifestLimits,
  documentsLeft: number,
): DocumentOutcome {
  const budgetNeeded = guard.budgetNeeded();
  if (error instanceof NodeLimit) {
    return error.code === 'TOO_MANY_DOCUMENTS'
      ? { limit: true, line: error.line }
      : { error: { code: error.code, file, line: error.line, message: error.message }, budgetNeeded };
  }
  if (isFastYamlError(error)) {
    // Duplicate keys are allowed (the last one wins, with a warning): the reference path takes them.
    if (error.reason === 'duplicated mapping key') return withBudget(parseReference(chunk, file, line, limits, documentsLeft), budgetNeeded);
    const mark = error.mark;
    return {
      error: { code: 'YAML_SYNTAX', file, message: error.reason || 'invalid YAML', ...(mark ? { line: mark.line + line, column: mark.column + 1 } : {}) },
      budgetNeeded,
    };
  }
  // Anything else (a stack overflow on pathological input): let the reference path judge it.
  return withBudget(parseReference(chunk, file, line, limits, documentsLeft), budgetNeeded);
}

/**
 * The reference parser builds every event of a document before it counts anything: a document
 * it takes (anchors, aliases, tags) is first walked by js-yaml 4 under the node guard, which
 * refuses a List past the document limit, or a document past the node limit, before that.
 * js-yaml 4's other complaints (an unknown tag) are left to the reference parser.
 */
function referenceWithinLimits(chunk: string, file: string, line: number, limits: ManifestLimits, documentsLeft: number, guard: NodeGuard): DocumentOutcome {
  try {
    loadFast(chunk, guard.listener);
  } catch (error) {
    if (error instanceof NodeLimit && error.code !== 'YAML_SYNTAX') return fastError(error, guard, chunk, file, line, limits, documentsLeft);
  }
  return withBudget(parseReference(chunk, file, line, limits, documentsLeft), guard.budgetNeeded());
}

class NodeLimit extends Error {
  constructor(
    readonly code: 'ALIAS_LIMIT' | 'YAML_SYNTAX' | 'TOO_MANY_DOCUMENTS',
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Counts js-yaml 4's nodes while it parses: a document of more than `maxNodes` nodes, or a List
 * of more than `maxItems` items (a million `{}`, say), is refused before it is built, and nesting
 * is bounded (js-yaml 4 recurses).
 */
class NodeGuard {
  private depth = 0;
  private nodes = 0;
  private readonly items: RootItemBudget;
  constructor(
    private readonly firstLine: number,
    private readonly maxNodes: number,
    maxItems: number,
  ) {
    this.items = new RootItemBudget(maxItems);
  }
  readonly listener: Listener = (event, state) => {
    if (event === 'close') {
      this.depth--;
      this.items.close(state.result);
      return;
    }
    if (this.items.open()) throw new NodeLimit('TOO_MANY_DOCUMENTS', state.line + this.firstLine, 'too many items');
    // js-yaml 4 opens up to two nodes per YAML node (it tries a block mapping first).
    if (++this.depth > 2 * MAX_DEPTH + 2) throw new NodeLimit('YAML_SYNTAX', state.line + this.firstLine, `nesting deeper than ${MAX_DEPTH} levels`);
    if (++this.nodes > 2 * this.maxNodes) {
      throw new NodeLimit('ALIAS_LIMIT', state.line + this.firstLine, `a document has more than ${this.maxNodes} nodes`);
    }
  };

  /** The least number of documents left under which the guard lets through what it has seen. */
  budgetNeeded(): number {
    return 1 + this.items.counted;
  }
}

function takeReference(result: ParsedText, outcome: ReferenceOutcome, input: ManifestInput, limits: ManifestLimits, documentsLeft: number): BudgetedParse {
  if ('error' in outcome) {
    if (outcome.budgetNeeded > documentsLeft) {
      result.errors.push(outcome.error); // the document limit
      return limitReached(result);
    }
    if (outcome.error.code === 'YAML_SYNTAX' && looksLikeJson(input.name, input.text)) {
      const json = parseAsJson(input, 1, limits, documentsLeft);
      if (json?.limitReached) return json;
      return json
        ? { ...json, budgetNeeded: Math.max(json.budgetNeeded, outcome.budgetNeeded) }
        : budgeted({ ...result, errors: [jsonSyntaxError(input, 1)] }, outcome.budgetNeeded);
    }
    result.errors.push(outcome.error);
    return budgeted(result, outcome.budgetNeeded);
  }
  result.documents = outcome.documents;
  result.duplicateKeys = outcome.duplicateKeys;
  result.documentCount = outcome.documents.reduce((sum, d) => sum + 1 + (d.itemLines?.length ?? 0), 0);
  return budgeted(result, outcome.budgetNeeded);
}

function withoutDocuments(result: ParsedText): ParsedText {
  return { ...result, documents: [], duplicateKeys: [] };
}

function parseAsJson(input: ManifestInput, firstLine: number, limits: ManifestLimits, documentsLeft: number): BudgetedParse | undefined {
  let value: unknown;
  try {
    value = JSON.parse(input.text);
  } catch {
    return undefined;
  }
  const file = input.name;
  const documentCount = 1 + (isRecord(value) && Array.isArray(value['items']) ? value['items'].length : 0);
  if (documentCount > documentsLeft) {
    const error: ManifestError = { code: 'TOO_MANY_DOCUMENTS', file, message: `too many YAML documents: the limit is ${limits.maxDocuments} in one scan` };
    return { parsed: { file, documents: [], errors: [error], duplicateKeys: [], documentCount: 0 }, budgetNeeded: Infinity, limitReached: true };
  }
  return budgeted({ file, documents: [{ value, line: firstLine }], errors: [], duplicateKeys: [], documentCount }, documentCount);
}

/** Taken as JSON: a .json name, or text (or its first part) that starts with `[` or `{`. */
export function looksLikeJson(name: string, text: string): boolean {
  return name.toLowerCase().endsWith('.json') || /^\s*[[{]/.test(text);
}

/** JSON that cannot be parsed is reported with JSON.parse's own explanation. */
function jsonSyntaxError(input: ManifestInput, firstLine: number): ManifestError {
  try {
    JSON.parse(input.text);
    return { code: 'JSON_SYNTAX', file: input.name, message: 'invalid JSON' };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    const where = position ? lineAndColumn(input.text, Number(position[1])) : undefined;
    return {
      code: 'JSON_SYNTAX',
      file: input.name,
      message: message.replace(/\s*\(line \d+ column \d+\)$/, ''),
      ...(where ? { line: where.line + firstLine - 1, column: where.column } : {}),
    };
  }
}

/**
 * The text's UTF-8 length when it is above `maxBytes`, else undefined. A UTF-16 code unit takes
 * 1 to 3 bytes, so the length in units bounds it: counting the bytes (a pass over the whole
 * text, a third of a second at 80 MB) is needed only between those bounds.
 */
function utf8LengthAbove(text: string, maxBytes: number): number | undefined {
  if (text.length * 3 <= maxBytes) return undefined;
  const byteLength = Buffer.byteLength(text, 'utf8');
  return byteLength > maxBytes ? byteLength : undefined;
}

/** Kept here rather than imported from the advisor, so that a parse worker loads only the parser. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
