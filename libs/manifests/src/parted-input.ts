import type { ManifestError } from './errors.js';
import type { ManifestLimits } from './limits.js';
import { parseBudgeted, type BudgetedParse, type ManifestInput, type ParsedText, type TextPart } from './parse-text.js';

/**
 * An input read in parts cut at its `---` markers, with no `%` directive, no `...` marker, no NUL,
 * and not JSON (readManifestPaths checks): each part is a run of whole documents, so parsing the
 * parts one after another gives what parsing the joined text gives (as the parse threads do).
 * Reading an 80 MB file this way saves the copy of every character into one string, and that
 * string's memory: about 0.3 s on this machine's 80 MB corpus (bench/manifest-scan).
 * `text` joins the parts the first time something asks for it (SARIF, `rollsafe fix`).
 */
export function partedInput(name: string, parts: readonly TextPart[]): ManifestInput {
  let joined: string | undefined;
  return {
    name,
    parts,
    get text(): string {
      return (joined ??= joinParts(parts));
    },
  };
}

/** The whole text of an input's parts. */
export function joinParts(parts: readonly TextPart[]): string {
  return parts.map((part) => part.text).join('');
}

/** The input's length in UTF-16 code units, without joining its parts. */
export function inputLength(input: ManifestInput): number {
  return input.parts ? input.parts.reduce((sum, part) => sum + part.text.length, 0) : input.text.length;
}

/** The input's size error when its parts hold more than `maxBytes` of UTF-8, as the whole text's parse reports it. */
export function partsTooLarge(input: ManifestInput & { parts: readonly TextPart[] }, maxBytes: number): ManifestError | undefined {
  if (inputLength(input) * 3 <= maxBytes) return undefined;
  const byteLength = input.parts.reduce((sum, part) => sum + Buffer.byteLength(part.text, 'utf8'), 0);
  return byteLength > maxBytes ? { code: 'TOO_LARGE', file: input.name, message: `input is ${byteLength} bytes; the limit is ${maxBytes} bytes` } : undefined;
}

/** A part of an input as the parse threads take it. */
export interface PartOfInput {
  name: string;
  text: string;
  firstLine: number;
  /** Cut out of an input of several documents. */
  partOfMultiDocumentFile: boolean;
}

/** An input's parts as the parse threads take them: each a run of whole documents of a multi-document file. */
export function partsOfInput(input: ManifestInput & { parts: readonly TextPart[] }): PartOfInput[] {
  return input.parts.map((part) => ({ name: input.name, text: part.text, firstLine: part.firstLine, partOfMultiDocumentFile: true }));
}

export function parsePart(part: PartOfInput, limits: ManifestLimits, documentsLeft: number): BudgetedParse {
  return parseBudgeted({ name: part.name, text: part.text }, limits, {
    documentsLeft,
    firstLine: part.firstLine,
    partOfMultiDocumentFile: part.partOfMultiDocumentFile,
  });
}

/**
 * The parts of one input, in order, as one `ParsedText`, given `documentsLeft` for the input:
 * `parseOf(part, left)` parses a part with `left` documents still allowed.
 */
export function mergeParts<P>(file: string, parts: readonly P[], documentsLeft: number, parseOf: (part: P, left: number) => BudgetedParse): ParsedText {
  const merged: ParsedText = { file, documents: [], errors: [], duplicateKeys: [], documentCount: 0 };
  for (const part of parts) {
    const parse = parseOf(part, documentsLeft - merged.documentCount);
    // The single-threaded parse drops the input's documents and other errors at the limit.
    if (parse.limitReached || parts.length === 1) return parse.parsed;
    const { documents, errors, duplicateKeys, documentCount } = parse.parsed;
    // One push per item: a million documents do not fit in the arguments of one push(...).
    for (const document of documents) merged.documents.push(document);
    for (const error of errors) merged.errors.push(error);
    for (const duplicateKey of duplicateKeys) merged.duplicateKeys.push(duplicateKey);
    merged.documentCount += documentCount;
  }
  return merged;
}

/** Parses an input read in parts, part after part: the same result as `parseManifestText` of its joined text. */
export function parsePartedInput(input: ManifestInput & { parts: readonly TextPart[] }, limits: ManifestLimits, documentsLeft: number): ParsedText {
  const tooLarge = partsTooLarge(input, limits.maxBytes);
  if (tooLarge) return { file: input.name, documents: [], errors: [tooLarge], duplicateKeys: [], documentCount: 0 };
  return mergeParts(input.name, partsOfInput(input), documentsLeft, (part, left) => parsePart(part, limits, left));
}

export function isParted(input: ManifestInput): input is ManifestInput & { parts: readonly TextPart[] } {
  return input.parts !== undefined && input.parts.length > 0;
}
