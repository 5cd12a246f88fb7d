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

/**
 * Splits an input at its `---` document markers (`---` at column 0 followed by a space, a tab,
 * a line break or the end). A document marker cannot occur inside a scalar (YAML 1.2, 9.1.4:
 * it is forbidden content), so each span is one document and can be parsed alone.
 *
 * Returns undefined when the input uses `%` directives or `...` document-end markers: such
 * inputs (rare in manifests) are parsed whole by the reference path instead.
 *
 * Stops at `maxSpans` spans: a caller that refuses more documents than that need not hold a
 * span for each of a million `---` lines.
 */
export function splitDocuments(text: string, maxSpans = Infinity): DocumentSpan[] | undefined {
  if (text.charCodeAt(0) === 37 /* % */ || isMarkerAt(text, 0, '...')) return undefined;
  const spans: DocumentSpan[] = [];
  let start = 0;
  let spanLine = 1;
  let line = 1;
  let explicit = isMarkerAt(text, 0, '---');
  // One pass over the line starts: count lines, find markers, refuse directives and `...`.
  for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', newline + 1)) {
    line++;
    const next = newline + 1;
    const first = text.charCodeAt(next);
    if (first === 45 /* - */) {
      if (!isMarkerAt(text, next, '---')) continue;
      spans.push({ start, end: next, line: spanLine, explicit });
      if (spans.length >= maxSpans) return spans;
      start = next;
      spanLine = line;
      explicit = true;
    } else if (first === 46 /* . */) {
      if (isMarkerAt(text, next, '...')) return undefined;
    } else if (first === 37 /* % */) {
      return undefined;
    }
  }
  spans.push({ start, end: text.length, line: spanLine, explicit });
  return spans;
}

function isMarkerAt(text: string, at: number, marker: string): boolean {
  if (!text.startsWith(marker, at)) return false;
  const next = text.charCodeAt(at + marker.length);
  return Number.isNaN(next) || next === 32 || next === 9 || next === 10 || next === 13;
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
