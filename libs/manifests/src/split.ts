/**
 * One YAML document of an input: the text from its `---` marker (or the start of the input)
 * to the next marker. `line` is the 1-based line of `start`.
 */
export interface DocumentSpan {
  start: number;
  end: number;
  line: number;
  /** Starts with a `---` marker. Only the first span of an input may lack one. */
  explicit: boolean;
}

const NEWLINE = 10;

/**
 * Splits an input at its `---` document markers (`---` at column 0 followed by a space, a tab,
 * a line break or the end). A document marker cannot occur inside a scalar (YAML 1.2, 9.1.4:
 * it is forbidden content), so each span is one document and can be parsed alone.
 *
 * Returns undefined when the input uses `%` directives or `...` document-end markers: such
 * inputs (rare in manifests) are parsed whole by the reference path instead.
 */
export function splitDocuments(text: string): DocumentSpan[] | undefined {
  if (text.charCodeAt(0) === 37 /* % */ || text.includes('\n%') || text.startsWith('...') || hasMarker(text, '\n...')) return undefined;
  const spans: DocumentSpan[] = [];
  let start = 0;
  let line = 1;
  let explicit = isMarkerAt(text, 0, '---');
  let counted = 0; // offset up to which newlines are counted into `line`
  let search = 0;
  for (;;) {
    const found = text.indexOf('\n---', search);
    if (found === -1) break;
    search = found + 4;
    const marker = found + 1;
    if (!isMarkerAt(text, marker, '---')) continue;
    spans.push({ start, end: marker, line, explicit });
    line += countNewlines(text, counted, marker);
    counted = marker;
    start = marker;
    explicit = true;
  }
  spans.push({ start, end: text.length, line, explicit });
  return spans;
}

function hasMarker(text: string, needle: string): boolean {
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    if (isMarkerAt(text, at + 1, needle.slice(1))) return true;
  }
  return false;
}

function isMarkerAt(text: string, at: number, marker: string): boolean {
  if (!text.startsWith(marker, at)) return false;
  const next = text.charCodeAt(at + marker.length);
  return Number.isNaN(next) || next === 32 || next === 9 || next === 10 || next === 13;
}

export function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/**
 * The 1-based line of the first content of a span (skipping blank lines, comments and the
 * `---` marker itself), or undefined when the span holds no content at all.
 */
export function firstContentLine(text: string, from: number, end: number, line: number): number | undefined {
  let position = from;
  while (position < end) {
    let lineEnd = text.indexOf('\n', position);
    if (lineEnd === -1 || lineEnd > end) lineEnd = end;
    let at = position;
    if (at === from && isMarkerAt(text, at, '---')) at += 3;
    for (;;) {
      const code = text.charCodeAt(at);
      if (at < lineEnd && (code === 32 || code === 9 || code === 13 || code === 0xfeff)) at++;
      else break;
    }
    if (at < lineEnd && text.charCodeAt(at) !== 35 /* # */) return line;
    position = lineEnd + 1;
    line++;
  }
  return undefined;
}

/** The 1-based line of the next content character at or after `from` (skips spaces, line breaks, comments). */
export function nextContentLine(text: string, from: number, line: number): number {
  let at = from;
  for (;;) {
    const code = text.charCodeAt(at);
    if (code === 32 || code === 9 || code === 13) at++;
    else if (code === NEWLINE) {
      at++;
      line++;
    } else if (code === 35 /* # */) {
      const lineEnd = text.indexOf('\n', at);
      if (lineEnd === -1) return line;
      at = lineEnd;
    } else return line;
  }
}
