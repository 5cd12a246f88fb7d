import { addObject, emptySnapshot, isRecord, type Snapshot, type SourceLocation } from '#rollsafe/advisor';
import type { ManifestError } from './errors.js';
import { DEFAULT_LIMITS, type ManifestLimits } from './limits.js';
import { parseManifestText, type ManifestInput, type ParsedText } from './parse-text.js';
import { isParted, parsePartedInput } from './parted-input.js';

export type { ManifestInput } from './parse-text.js';

export interface ParseResult {
  snapshot: Snapshot;
  /** Inputs, or documents of an input, that could not be parsed; the others are still in the snapshot. */
  errors: ManifestError[];
  /** Documents plus `kind: List` items, as counted against `maxDocuments`. */
  documentCount: number;
}

/**
 * Parses YAML or JSON manifests (multi-document, `kind: List`) into a manifest snapshot.
 * Every resource keeps its file and line. Each document is parsed on its own: a broken one is
 * an error naming its file, line and column, and the file's other documents are still judged.
 * A duplicate mapping key is a warning (the last value wins, as kubectl's parser does).
 */
export function parseManifests(inputs: ManifestInput[], limits: Partial<ManifestLimits> = {}): ParseResult {
  const effective: ManifestLimits = { ...DEFAULT_LIMITS, ...limits };
  const parsed: ParsedText[] = [];
  let documentCount = 0;
  for (const input of inputs) {
    const documentsLeft = effective.maxDocuments - documentCount;
    const one = isParted(input) ? parsePartedInput(input, effective, documentsLeft) : parseManifestText(input, effective, { documentsLeft });
    documentCount += one.documents.length === 0 ? 0 : one.documentCount;
    parsed.push(one);
  }
  return buildSnapshot(parsed);
}

/**
 * Builds the snapshot from parsed inputs (or parts of inputs, in file order), such as those a
 * worker_thread returns from `parseManifestText`.
 */
export function buildSnapshot(parsed: ParsedText[]): ParseResult {
  const snapshot = emptySnapshot({ source: 'manifests' });
  const errors: ManifestError[] = [];
  let documentCount = 0;
  for (const part of parsed) {
    errors.push(...part.errors);
    documentCount += part.documents.length === 0 ? 0 : part.documentCount;
    for (const { key, line } of part.duplicateKeys) {
      snapshot.warnings.push({ message: `duplicate key "${key}": the last value wins, as kubectl's parser does`, location: { file: part.file, line } });
    }
    for (const document of part.documents) addDocument(snapshot, document.value, part.file, document.line, document.itemLines);
  }
  return { snapshot, errors, documentCount };
}

function addDocument(snapshot: Snapshot, value: unknown, file: string, line: number, itemLines: number[] | undefined): void {
  if (value === null || value === undefined) return; // an empty document
  const location: SourceLocation = { file, line };
  if (isRecord(value) && isListKind(value['kind']) && Array.isArray(value['items'])) {
    const itemKind = listItemKind(value['kind'] as string);
    value['items'].forEach((item: unknown, index: number) => {
      // API List responses (PodList, ...) leave kind out of their items.
      if (itemKind && isRecord(item) && item['kind'] === undefined) item['kind'] = itemKind;
      const itemLine = itemLines?.[index];
      addObject(snapshot, item, itemLine === undefined ? location : { file, line: itemLine });
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
