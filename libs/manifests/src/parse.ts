import { constructFromEvents, EVENT_ID, getScalarValue, parseEvents, YAMLException, type Event } from 'js-yaml';
import { addObject, emptySnapshot, isRecord, type Snapshot, type SourceLocation } from '#rollsafe/advisor';
import type { ManifestError } from './errors.js';
import { DEFAULT_LIMITS, type ManifestLimits } from './limits.js';
import { ForwardLineCounter, lineAndColumn } from './line-index.js';
import { exceedsExpandedNodeBudget } from './alias-budget.js';

export interface ManifestInput {
  /** A file path, `-` for stdin, or a name such as `upload`: it is what findings point at. */
  name: string;
  text: string;
}

export interface ParseResult {
  snapshot: Snapshot;
  /** Inputs that could not be parsed; the other inputs are still in the snapshot. */
  errors: ManifestError[];
  documentCount: number;
}

/** Where each document (and each item of a `kind: List`) starts, read from the parser's events. */
interface DocumentOutline {
  start: number;
  itemStarts: number[];
  aliasCount: number;
}

/**
 * Parses YAML or JSON manifests (multi-document, `kind: List`) into a manifest snapshot.
 * Every resource keeps its file and line. Parsing happens once: the parser's event stream
 * gives the positions, and the same events build the objects.
 */
export function parseManifests(inputs: ManifestInput[], limits: Partial<ManifestLimits> = {}): ParseResult {
  const effective: ManifestLimits = { ...DEFAULT_LIMITS, ...limits };
  const snapshot = emptySnapshot({ source: 'manifests' });
  const errors: ManifestError[] = [];
  let documentCount = 0;

  for (const input of inputs) {
    const outcome = parseInput(input, effective, effective.maxDocuments - documentCount);
    if ('error' in outcome) {
      errors.push(outcome.error);
      continue;
    }
    documentCount += outcome.documents.length;
    const lines = new ForwardLineCounter(input.text);
    for (const { value, outline } of outcome.documents) {
      addDocument(snapshot, value, outline, input.name, lines);
    }
  }
  return { snapshot, errors, documentCount };
}

interface ParsedDocument {
  value: unknown;
  outline: DocumentOutline;
}

function parseInput(input: ManifestInput, limits: ManifestLimits, documentsLeft: number): { documents: ParsedDocument[] } | { error: ManifestError } {
  const file = input.name;
  const byteLength = Buffer.byteLength(input.text, 'utf8');
  if (byteLength > limits.maxBytes) {
    return {
      error: {
        code: 'TOO_LARGE',
        file,
        message: `input is ${byteLength} bytes; the limit is ${limits.maxBytes} bytes`,
      },
    };
  }
  if (input.text.includes('\u0000')) {
    return { error: { code: 'UNREADABLE', file, message: 'input is binary, not YAML or JSON text' } };
  }

  let events: Event[];
  try {
    events = parseEvents(input.text, { filename: file, maxDepth: 100 });
  } catch (error) {
    return parseAsJson(input) ?? { error: syntaxError(input, error) };
  }

  const outlines = outlineDocuments(input.text, events);
  if (outlines.length > documentsLeft) {
    return {
      error: {
        code: 'TOO_MANY_DOCUMENTS',
        file,
        message: `too many YAML documents: the limit is ${limits.maxDocuments} in one scan`,
      },
    };
  }
  for (const outline of outlines) {
    if (outline.aliasCount > limits.maxAliasesPerDocument) {
      return { error: aliasError(input, outline, `a document uses ${outline.aliasCount} aliases; the limit is ${limits.maxAliasesPerDocument}`) };
    }
  }

  let values: unknown[];
  try {
    values = constructFromEvents(events, { source: input.text, filename: file, maxAliases: limits.maxAliasesPerDocument });
  } catch (error) {
    return parseAsJson(input) ?? { error: syntaxError(input, error) };
  }

  const documents: ParsedDocument[] = [];
  for (let index = 0; index < values.length; index++) {
    const outline = outlines[index] ?? { start: 0, itemStarts: [], aliasCount: 0 };
    const value = values[index];
    if (outline.aliasCount > 0 && exceedsExpandedNodeBudget(value, limits.maxExpandedNodesPerDocument)) {
      return {
        error: aliasError(input, outline, `a document expands to more than ${limits.maxExpandedNodesPerDocument} nodes through its aliases`),
      };
    }
    documents.push({ value, outline });
  }
  return { documents };
}

function addDocument(snapshot: Snapshot, value: unknown, outline: DocumentOutline, file: string, lines: ForwardLineCounter): void {
  if (value === null || value === undefined) return; // an empty document
  const location: SourceLocation = { file, line: lines.lineAt(outline.start) };
  if (isRecord(value) && isListKind(value['kind']) && Array.isArray(value['items'])) {
    const itemKind = listItemKind(value['kind'] as string);
    value['items'].forEach((item: unknown, index: number) => {
      // API List responses (PodList, ...) leave kind out of their items.
      if (itemKind && isRecord(item) && item['kind'] === undefined) item['kind'] = itemKind;
      const start = outline.itemStarts[index];
      addObject(snapshot, item, start === undefined ? location : { file, line: lines.lineAt(start) });
    });
    return;
  }
  addObject(snapshot, value, location);
}

function listItemKind(listKind: string): string | undefined {
  return listKind !== 'List' && listKind.endsWith('List') ? listKind.slice(0, -'List'.length) : undefined;
}

function isListKind(kind: unknown): boolean {
  return typeof kind === 'string' && (kind === 'List' || kind.endsWith('List'));
}

/**
 * One pass over the events: each document's start offset, the start of each element of a
 * top-level `items:` sequence (for `kind: List`), and the number of aliases per document.
 * A depth counter is enough: only the root mapping's keys matter.
 */
function outlineDocuments(text: string, events: Event[]): DocumentOutline[] {
  const outlines: DocumentOutline[] = [];
  let current: DocumentOutline | undefined;
  let depth = 0; // 1 inside a document, 2 inside its root collection, 3 inside a root value...
  let rootIsMapping = false;
  let expectingKey = false; // in the root mapping: the next node is a key
  let lastKey: string | undefined;
  let inItems = false; // inside the root mapping's `items:` sequence

  for (const event of events) {
    if (event.type === EVENT_ID.POP) {
      if (--depth === 2) inItems = false;
      continue;
    }
    if (event.type === EVENT_ID.DOCUMENT) {
      current = { start: -1, itemStarts: [], aliasCount: 0 };
      outlines.push(current);
      depth = 1;
      rootIsMapping = false;
      inItems = false;
      continue;
    }
    if (!current) continue;
    const isCollection = event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE;
    if (current.start < 0) {
      current.start = event.type === EVENT_ID.SCALAR ? event.valueStart : event.type === EVENT_ID.ALIAS ? event.anchorStart : event.start;
    }
    if (event.type === EVENT_ID.ALIAS) current.aliasCount++;
    if (depth === 2 && rootIsMapping) {
      if (expectingKey) lastKey = event.type === EVENT_ID.SCALAR ? getScalarValue(text, event) : undefined;
      else if (event.type === EVENT_ID.SEQUENCE && lastKey === 'items') inItems = true;
      expectingKey = !expectingKey;
    } else if (depth === 3 && inItems && isCollection) {
      current.itemStarts.push(event.start);
    }
    if (isCollection) {
      if (depth === 1) {
        rootIsMapping = event.type === EVENT_ID.MAPPING;
        expectingKey = true;
      }
      depth++;
    }
  }
  for (const outline of outlines) if (outline.start < 0) outline.start = 0;
  return outlines;
}

function syntaxError(input: ManifestInput, error: unknown): ManifestError {
  const file = input.name;
  if (looksLikeJson(input)) return jsonSyntaxError(input);
  if (error instanceof YAMLException) {
    const mark = error.mark;
    return {
      code: 'YAML_SYNTAX',
      file,
      message: error.reason || 'invalid YAML',
      ...(mark ? { line: mark.line + 1, column: mark.column + 1 } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'YAML_SYNTAX', file, message };
}

/**
 * Some valid JSON is not valid YAML (tab indentation, for one): such a file is taken as JSON,
 * without per-item positions.
 */
function parseAsJson(input: ManifestInput): { documents: ParsedDocument[] } | undefined {
  if (!looksLikeJson(input)) return undefined;
  try {
    const value: unknown = JSON.parse(input.text);
    return { documents: [{ value, outline: { start: 0, itemStarts: [], aliasCount: 0 } }] };
  } catch {
    return undefined;
  }
}

function looksLikeJson(input: ManifestInput): boolean {
  return input.name.toLowerCase().endsWith('.json') || /^\s*[[{]/.test(input.text);
}

/** JSON that cannot be parsed is reported with JSON.parse's own explanation. */
function jsonSyntaxError(input: ManifestInput): ManifestError {
  try {
    JSON.parse(input.text);
    return { code: 'JSON_SYNTAX', file: input.name, message: 'invalid JSON' };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    const where = position ? lineAndColumn(input.text, Number(position[1])) : undefined;
    return { code: 'JSON_SYNTAX', file: input.name, message: message.replace(/\s*\(line \d+ column \d+\)$/, ''), ...where };
  }
}

function aliasError(input: ManifestInput, outline: DocumentOutline, message: string): ManifestError {
  const { line } = lineAndColumn(input.text, outline.start);
  return { code: 'ALIAS_LIMIT', file: input.name, line, message };
}
