import { constructFromEvents, EVENT_ID, getScalarValue, parseEvents, YAMLException, type Event } from 'js-yaml';
import type { ManifestError } from './errors.js';
import type { ManifestLimits } from './limits.js';
import { ForwardLineCounter, lineAndColumn } from './line-index.js';
import { exceedsExpandedNodeBudget } from './alias-budget.js';
import type { ParsedDocument } from './parse-text.js';

/**
 * The reference path: js-yaml 5's event parser and constructor, which count aliases and give
 * the position of every node. The fast path hands it the documents it cannot take (tags,
 * anchors, aliases, duplicate keys) and inputs with directives or `...` markers. Duplicate keys
 * are accepted here, the last one winning as kubectl's parser does, and each is reported.
 */
export type ReferenceOutcome = ({ documents: ParsedDocument[]; duplicateKeys: DuplicateKey[] } | { error: ManifestError }) & {
  /**
   * The documents plus `items:` entries counted against the documents left (0 when the text
   * failed before they were counted): with fewer left, the outcome is TOO_MANY_DOCUMENTS.
   */
  budgetNeeded: number;
};

export interface DuplicateKey {
  key: string;
  line: number;
}

/** Where a document (and each item of a `kind: List`) starts, read from the parser's events. */
interface DocumentOutline {
  start: number;
  itemStarts: number[];
  aliasCount: number;
}

/**
 * Parses `text` (one document, or a whole input), whose first character is on line
 * `firstLine` of the file `file`.
 */
export function parseReference(text: string, file: string, firstLine: number, limits: ManifestLimits, documentsLeft: number): ReferenceOutcome {
  const lineOf = (offset: number, lines: ForwardLineCounter): number => lines.lineAt(offset) + firstLine - 1;
  let events: Event[];
  try {
    events = parseEvents(text, { filename: file, maxDepth: 100 });
  } catch (error) {
    return { error: referenceSyntaxError(file, error, firstLine), budgetNeeded: 0 };
  }

  const outlines = outlineDocuments(text, events);
  const budgetNeeded = outlines.length + outlines.reduce((sum, outline) => sum + outline.itemStarts.length, 0);
  if (budgetNeeded > documentsLeft) {
    return {
      error: { code: 'TOO_MANY_DOCUMENTS', file, message: `too many YAML documents: the limit is ${limits.maxDocuments} in one scan` },
      budgetNeeded,
    };
  }
  for (const outline of outlines) {
    if (outline.aliasCount > limits.maxAliasesPerDocument) {
      return {
        error: aliasError(file, text, firstLine, outline, `a document uses ${outline.aliasCount} aliases; the limit is ${limits.maxAliasesPerDocument}`),
        budgetNeeded,
      };
    }
  }

  let values: unknown[];
  try {
    values = constructFromEvents(events, { source: text, filename: file, maxAliases: limits.maxAliasesPerDocument, json: true });
  } catch (error) {
    return { error: referenceSyntaxError(file, error, firstLine), budgetNeeded };
  }

  const lines = new ForwardLineCounter(text);
  const duplicateKeys = findDuplicateKeys(text, events).map(({ key, offset }) => ({ key, line: lineOf(offset, lines) }));
  const documents: ParsedDocument[] = [];
  for (let index = 0; index < values.length; index++) {
    const outline = outlines[index] ?? { start: 0, itemStarts: [], aliasCount: 0 };
    const value = values[index];
    if (outline.aliasCount > 0 && exceedsExpandedNodeBudget(value, limits.maxExpandedNodesPerDocument)) {
      return {
        error: aliasError(file, text, firstLine, outline, `a document expands to more than ${limits.maxExpandedNodesPerDocument} nodes through its aliases`),
        budgetNeeded,
      };
    }
    const line = lineOf(outline.start, lines);
    // Item lines matter (and are kept) for a `kind: List` only.
    const itemLines = isList(value) ? outline.itemStarts.map((start) => lineOf(start, lines)) : [];
    documents.push(itemLines.length > 0 ? { value, line, itemLines } : { value, line });
  }
  return { documents, duplicateKeys, budgetNeeded };
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

/** Every key that repeats a key of the same mapping, with its offset. */
function findDuplicateKeys(text: string, events: Event[]): { key: string; offset: number }[] {
  const found: { key: string; offset: number }[] = [];
  // One frame per open collection: the keys seen so far (mappings) and whether a key comes next.
  const stack: { keys: Set<string> | undefined; expectingKey: boolean }[] = [];
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      stack.length = 0;
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    const top = stack[stack.length - 1];
    if (top?.keys) {
      if (top.expectingKey && event.type === EVENT_ID.SCALAR) {
        const key = getScalarValue(text, event);
        if (top.keys.has(key)) found.push({ key, offset: event.valueStart });
        else top.keys.add(key);
      }
      top.expectingKey = !top.expectingKey;
    }
    if (event.type === EVENT_ID.MAPPING) stack.push({ keys: new Set(), expectingKey: true });
    else if (event.type === EVENT_ID.SEQUENCE) stack.push({ keys: undefined, expectingKey: false });
  }
  return found;
}

function referenceSyntaxError(file: string, error: unknown, firstLine: number): ManifestError {
  if (error instanceof YAMLException) {
    const mark = error.mark;
    return {
      code: 'YAML_SYNTAX',
      file,
      message: error.reason || 'invalid YAML',
      ...(mark ? { line: mark.line + firstLine, column: mark.column + 1 } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'YAML_SYNTAX', file, message };
}

function aliasError(file: string, text: string, firstLine: number, outline: DocumentOutline, message: string): ManifestError {
  const { line } = lineAndColumn(text, outline.start);
  return { code: 'ALIAS_LIMIT', file, line: line + firstLine - 1, message };
}

function isList(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return typeof record['kind'] === 'string' && record['kind'].endsWith('List') && Array.isArray(record['items']);
}
