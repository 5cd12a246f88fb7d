import { resolvePlain } from './fast-yaml.js';

/**
 * A hand-written parser for the YAML that renderers (helm, kustomize, kubectl) write: block
 * mappings and sequences indented with spaces, one-line plain and quoted scalars, literal block
 * scalars, one-line flow collections, comments. Anything else (folded or indented block
 * scalars, multi-line plain or quoted scalars, escapes, tags, anchors, complex keys, duplicate
 * keys, tabs or CR in indentation, syntax errors...) makes it give up on the document with
 * BAIL, and js-yaml 4 parses that document instead. Where it does not give up, it builds the
 * value js-yaml 4 builds with the same schema (a test compares them on every corpus).
 */
export const BAIL: unique symbol = Symbol('bail');
export type BlockResult = unknown | typeof BAIL;

const BAIL_ERROR = new Error('outside the fast subset');
const bail = (): never => {
  throw BAIL_ERROR;
};

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const QUOTE = 34;
const APOSTROPHE = 39;
const PIPE = 124;

/** A lookup table over ASCII: 1 for the given characters. */
function asciiTable(characters: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const character of characters) table[character.charCodeAt(0)] = 1;
  return table;
}
/** Characters that cannot start a plain scalar (YAML c-indicator), save `-`, `?` and `:` followed by a non-space. */
const INDICATOR = asciiTable('-?:,[]{}#&*!|>\'"%@`');
const isIndicator = (code: number): boolean => code < 128 && INDICATOR[code] === 1;
/** Characters that end a plain scalar in a flow collection (and spaces). */
const FLOW_STOP = asciiTable(' ,[]{}');

/**
 * Plain mapping keys and plain scalar values seen lately, by a hash of length and first and
 * last characters: manifests repeat a few hundred keys (`name`, `image`, label keys) and many
 * values (`TCP`, `80`, `true`), and one found here is compared in place instead of being cut
 * out of the text and resolved again (values are primitives, so sharing them is safe). Share
 * one across the documents of an input; it holds slices of the texts it saw.
 */
export class KeyCache {
  readonly sources: Array<string | undefined> = new Array<string | undefined>(KEY_SLOTS);
  readonly keys: string[] = new Array<string>(KEY_SLOTS);
  readonly valueSources: Array<string | undefined> = new Array<string | undefined>(KEY_SLOTS);
  readonly values: unknown[] = new Array<unknown>(KEY_SLOTS);
  /** Where the next tab and carriage return are, for documents parsed in place in one text. */
  readonly nextTab = new NextIndex('\t');
  readonly nextCarriageReturn = new NextIndex('\r');
}
const KEY_SLOTS = 1024;

/**
 * The first index of a character at or after a position, remembered: asked with positions that
 * only grow (the documents of a text, in order), it passes over the text once in all, where
 * `indexOf` asked for each document could pass over the rest of the text each time.
 */
class NextIndex {
  private text: string | undefined;
  private from = 0;
  private found = -1;

  constructor(private readonly character: string) {}

  /** The first index of the character at or after `from` in `text`, or -1. */
  at(text: string, from: number): number {
    if (text !== this.text || from < this.from || (this.found !== -1 && from > this.found)) {
      this.text = text;
      this.from = from;
      this.found = text.indexOf(this.character, from);
    }
    return this.found;
  }
}

/**
 * Parses the document `text.slice(start, end)` in place: a document of a larger text is not cut
 * out of it (reading characters through a slice costs more than reading the text itself).
 * `end` is the end of the text or the start of a line.
 */
export function parseBlockDocument(
  text: string,
  maxNodes: number,
  maxDepth: number,
  keys: KeyCache = new KeyCache(),
  start = 0,
  end = text.length,
): BlockResult {
  const parser = new BlockParser(text, start, end, maxNodes, maxDepth, keys);
  try {
    return parser.document();
  } catch {
    return BAIL; // outside the subset (or anything unexpected): js-yaml 4 decides
  }
}

class BlockParser {
  /** Start of the current line. */
  private line = 0;
  /** End of the current line (index of its `\n`, or the end of the document). */
  private lineEnd = 0;
  /** Indentation of the current line. */
  private indent = 0;
  private nodes = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly start: number,
    private readonly end: number,
    private readonly maxNodes: number,
    private readonly maxDepth: number,
    private readonly keyCache: KeyCache,
  ) {}

  document(): unknown {
    const { text, start, end } = this;
    if (this.has(this.keyCache.nextCarriageReturn) || this.has(this.keyCache.nextTab) || text.charCodeAt(start) === 0xfeff) bail();
    this.setLine(start);
    // A `---` marker line with nothing after it (a comment at most).
    if (end - start >= 3 && text.startsWith('---', start)) {
      const rest = this.skipSpaces(start + 3);
      if (rest < this.lineEnd && text.charCodeAt(rest) !== HASH) bail();
      this.nextLine();
    }
    if (!this.toContent()) return null;
    if (this.indent !== 0) bail();
    const value = this.blockNode(-1);
    if (this.toContent()) bail(); // content left over: not one node
    return value;
  }

  /** The document holds the character. */
  private has(next: NextIndex): boolean {
    const at = next.at(this.text, this.start);
    return at !== -1 && at < this.end;
  }

  // ---- lines ----

  private setLine(start: number): void {
    this.line = start;
    const newline = this.text.indexOf('\n', start);
    const lineEnd = newline === -1 || newline > this.end ? this.end : newline;
    this.lineEnd = lineEnd;
    let at = start;
    while (at < lineEnd && this.text.charCodeAt(at) === SPACE) at++;
    this.indent = at - start;
  }

  private nextLine(): void {
    this.setLine(this.lineEnd + 1);
  }

  private atEnd(): boolean {
    return this.line >= this.end;
  }

  /** Moves to the next line with content (skips blank and comment-only lines); false at the end. */
  private toContent(): boolean {
    while (!this.atEnd()) {
      const first = this.line + this.indent;
      if (first < this.lineEnd && this.text.charCodeAt(first) !== HASH) return true;
      this.nextLine();
    }
    return false;
  }

  private skipSpaces(at: number): number {
    while (at < this.lineEnd && this.text.charCodeAt(at) === SPACE) at++;
    return at;
  }

  /** True when only spaces and a comment (after a space) follow `at` on the current line. */
  private restIsEmpty(at: number): boolean {
    const next = this.skipSpaces(at);
    return next >= this.lineEnd || (this.text.charCodeAt(next) === HASH && next > at);
  }

  count(): void {
    if (++this.nodes > this.maxNodes) bail();
  }

  // ---- block nodes ----

  /** The node that starts on the current (content) line, whose parent is indented `parentIndent`. */
  private blockNode(parentIndent: number): unknown {
    if (this.indent <= parentIndent) bail();
    if (++this.depth > this.maxDepth) bail();
    const start = this.line + this.indent;
    const value = this.isSequenceEntry(start) ? this.sequence(this.indent, start) : this.mapping(this.indent, start);
    this.depth--;
    return value;
  }

  private isSequenceEntry(at: number): boolean {
    if (this.text.charCodeAt(at) !== DASH) return false;
    const next = this.text.charCodeAt(at + 1);
    return at + 1 >= this.lineEnd || next === SPACE;
  }

  /** A block sequence whose `-` entries sit at column `indent`; the first entry starts at `at`. */
  private sequence(indent: number, at: number): unknown[] {
    const items: unknown[] = [];
    this.count();
    for (;;) {
      const after = at + 1;
      const content = this.skipSpaces(after);
      if (content >= this.lineEnd || (this.text.charCodeAt(content) === HASH && content > after)) {
        // `-` alone: the item is on the following lines, or null.
        this.nextLine();
        const more = this.toContent();
        if (more && this.indent > indent) items.push(this.blockNode(indent));
        else {
          // js-yaml 4 lets a less indented `-` line after an empty item join this sequence: give up there.
          if (more && this.indent < indent) bail();
          this.count();
          items.push(null);
        }
      } else {
        if (this.isSequenceEntry(content)) bail(); // `- - x`
        items.push(this.inlineOrCompact(indent, content));
      }
      if (!this.toContent()) break;
      if (this.indent < indent) break;
      if (this.indent > indent) bail();
      at = this.line + this.indent;
      if (!this.isSequenceEntry(at)) break; // a mapping key at the sequence's column ends it
    }
    return items;
  }

  /**
   * A sequence item written on the `-` line: a compact mapping (`- key: value`, whose other keys
   * are aligned under `key`), or a scalar, flow collection or block scalar.
   */
  private inlineOrCompact(sequenceIndent: number, at: number): unknown {
    if (this.findMappingColon(at) !== -1) {
      if (++this.depth > this.maxDepth) bail();
      const value = this.mapping(at - this.line, at);
      this.depth--;
      return value;
    }
    return this.inlineValue(at, sequenceIndent);
  }

  /** A block mapping whose keys sit at column `indent`; the first key starts at `at`. */
  private mapping(indent: number, at: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.count();
    for (;;) {
      const colon = this.findMappingColon(at);
      if (colon === -1) bail();
      const key = this.key(at, colon);
      if (Object.prototype.hasOwnProperty.call(result, key) || key === '__proto__') bail();
      const valueStart = this.skipSpaces(colon + 1);
      let value: unknown;
      if (valueStart >= this.lineEnd || (this.text.charCodeAt(valueStart) === HASH && valueStart > colon + 1)) {
        this.nextLine();
        if (!this.toContent()) {
          this.count();
          value = null;
        } else if (this.indent > indent) {
          value = this.blockNode(indent);
        } else if (this.indent === indent && this.isSequenceEntry(this.line + this.indent)) {
          // A sequence may sit at its key's column.
          if (++this.depth > this.maxDepth) bail();
          value = this.sequence(indent, this.line + this.indent);
          this.depth--;
        } else {
          this.count();
          value = null;
        }
      } else {
        value = this.inlineValue(valueStart, indent);
      }
      result[key] = value;
      if (!this.toContent()) break;
      if (this.indent < indent) break;
      if (this.indent > indent) bail();
      at = this.line + this.indent;
      if (this.isSequenceEntry(at)) break; // the parent sequence's next item (or an error the caller sees)
    }
    return result;
  }

  /** The `:` that ends a key starting at `at` on the current line, or -1 when the line holds no mapping entry. */
  private findMappingColon(at: number): number {
    const text = this.text;
    const first = text.charCodeAt(at);
    if (first === 91 /* [ */ || first === 123 /* { */) return -1; // a flow collection (as a key: outside the subset)
    if (first === QUOTE || first === APOSTROPHE) {
      const close = this.quotedEnd(at);
      if (close === -1) return -1;
      const colon = this.skipSpaces(close);
      if (text.charCodeAt(colon) !== COLON) return -1;
      const after = text.charCodeAt(colon + 1);
      return colon + 1 >= this.lineEnd || after === SPACE ? colon : -1;
    }
    const end = this.lineEnd;
    for (let i = at; i < end; i++) {
      const ch = text.charCodeAt(i);
      if (ch === HASH && i > at && text.charCodeAt(i - 1) === SPACE) return -1; // a comment starts first
      if (ch === COLON && (i + 1 >= end || text.charCodeAt(i + 1) === SPACE)) return i;
    }
    return -1;
  }

  private key(at: number, colon: number): string {
    const text = this.text;
    const first = text.charCodeAt(at);
    this.count();
    if (first === QUOTE || first === APOSTROPHE) return this.quoted(at, this.quotedEnd(at));
    if (isIndicator(first) && !this.plainIndicatorStart(at)) bail();
    let end = colon;
    while (end > at && text.charCodeAt(end - 1) === SPACE) end--;
    const cache = this.keyCache;
    const slot = ((end - at) * 31 + first * 7 + text.charCodeAt(end - 1)) & (KEY_SLOTS - 1);
    const seen = cache.sources[slot];
    if (seen !== undefined && seen.length === end - at && text.startsWith(seen, at)) return cache.keys[slot] as string;
    const source = text.slice(at, end);
    if (source.includes(' #')) bail();
    const value = resolvePlain(source);
    const key = typeof value === 'string' ? value : String(value);
    cache.sources[slot] = source;
    cache.keys[slot] = key;
    return key;
  }

  /** `-`, `?` and `:` may start a plain scalar when a non-space follows. */
  private plainIndicatorStart(at: number): boolean {
    const first = this.text.charCodeAt(at);
    if (first !== DASH && first !== 63 /* ? */ && first !== COLON) return false;
    const next = this.text.charCodeAt(at + 1);
    return at + 1 < this.lineEnd && next !== SPACE;
  }

  // ---- values on the line of their key or `-` ----

  /** The value starting at `at`; `parentIndent` is the column of its key or `-`. Moves past it. */
  private inlineValue(at: number, parentIndent: number): unknown {
    const text = this.text;
    const first = text.charCodeAt(at);
    this.count();
    if (first === PIPE) return this.literal(at, parentIndent);
    if (first === QUOTE || first === APOSTROPHE) {
      const close = this.quotedEnd(at);
      if (close === -1 || !this.restIsEmpty(close)) bail();
      const value = this.quoted(at, close);
      this.nextLine();
      this.plainFollowsCheck(parentIndent);
      return value;
    }
    if (first === 91 /* [ */ || first === 123 /* { */) {
      const flow = new FlowParser(text, at, this.lineEnd, this);
      const value = flow.value();
      if (!this.restIsEmpty(flow.position)) bail();
      this.nextLine();
      this.plainFollowsCheck(parentIndent);
      return value;
    }
    if (isIndicator(first) && !this.plainIndicatorStart(at)) bail();
    // A plain scalar: up to ` #` or the end of the line, trailing spaces dropped.
    let end = this.lineEnd;
    for (let i = at + 1; i < end; i++) {
      if (text.charCodeAt(i) === HASH && text.charCodeAt(i - 1) === SPACE) {
        end = i;
        break;
      }
    }
    while (end > at && text.charCodeAt(end - 1) === SPACE) end--;
    const cache = this.keyCache;
    const slot = ((end - at) * 31 + first * 7 + text.charCodeAt(end - 1)) & (KEY_SLOTS - 1);
    const seen = cache.valueSources[slot];
    let value: unknown;
    if (seen !== undefined && seen.length === end - at && text.startsWith(seen, at)) {
      value = cache.values[slot];
    } else {
      const source = text.slice(at, end);
      if (source.includes(': ') || source.endsWith(':')) bail();
      value = resolvePlain(source);
      cache.valueSources[slot] = source;
      cache.values[slot] = value;
    }
    this.nextLine();
    this.plainFollowsCheck(parentIndent);
    return value;
  }

  /** A line more indented than the parent after a one-line value would continue it (multi-line scalar): give up. */
  private plainFollowsCheck(parentIndent: number): void {
    if (this.toContent() && this.indent > parentIndent) bail();
  }

  enter(): void {
    if (++this.depth > this.maxDepth) bail();
  }

  leave(): void {
    this.depth--;
  }

  /** Index just past the closing quote of the quoted scalar at `at`, on the same line; -1 if it does not close there. */
  private quotedEnd(at: number): number {
    const text = this.text;
    const quote = text.charCodeAt(at);
    const end = this.lineEnd;
    for (let i = at + 1; i < end; i++) {
      if (text.charCodeAt(i) !== quote) continue;
      if (quote === APOSTROPHE && text.charCodeAt(i + 1) === APOSTROPHE) {
        i++;
        continue;
      }
      return i + 1;
    }
    return -1;
  }

  quoted(at: number, end: number): string {
    const text = this.text;
    const body = text.slice(at + 1, end - 1);
    if (text.charCodeAt(at) === QUOTE) {
      if (body.includes('\\')) bail();
      return body;
    }
    return body.includes("''") ? body.replaceAll("''", "'") : body;
  }

  /**
   * A literal block scalar (`|`, `|-`, `|+`) whose indicator is at `at`, read line by line as
   * js-yaml 4's readBlockScalar reads it (indentation detection, blank lines, chomping).
   */
  private literal(at: number, parentIndent: number): string {
    const text = this.text;
    let chomp = 0; // 0 clip, -1 strip, 1 keep
    let header = at + 1;
    const c = text.charCodeAt(header);
    if (c === DASH) {
      chomp = -1;
      header++;
    } else if (c === 43 /* + */) {
      chomp = 1;
      header++;
    }
    if (header < this.lineEnd && text.charCodeAt(header) !== SPACE) bail(); // an indentation digit, or more
    if (!this.restIsEmpty(header)) bail();
    this.nextLine();
    let textIndent = parentIndent + 1;
    let detected = false;
    let didRead = false;
    let empty = 0;
    let result = '';
    while (!this.atEnd()) {
      const consumed = detected ? Math.min(this.indent, textIndent) : this.indent;
      if (!detected && consumed > textIndent) textIndent = consumed;
      if (this.line + consumed >= this.lineEnd) {
        empty++;
        this.nextLine();
        continue;
      }
      if (consumed < textIndent) break;
      if (didRead || empty > 0) result += '\n'.repeat(didRead ? 1 + empty : empty);
      result += text.slice(this.line + consumed, this.lineEnd);
      didRead = true;
      detected = true;
      empty = 0;
      this.nextLine();
    }
    if (chomp === 1) result += '\n'.repeat(didRead ? 1 + empty : empty);
    else if (chomp === 0 && didRead) result += '\n';
    return result;
  }
}

/** A one-line flow collection (`[...]` or `{...}`) of plain and quoted scalars and flow collections. */
class FlowParser {
  position: number;
  constructor(
    private readonly text: string,
    start: number,
    private readonly end: number,
    private readonly block: BlockParser,
  ) {
    this.position = start;
  }

  value(): unknown {
    this.block.enter();
    const value = this.collection();
    this.block.leave();
    return value;
  }

  private collection(): unknown {
    const text = this.text;
    const open = text.charCodeAt(this.position);
    this.position++;
    this.block.count();
    if (open === 91 /* [ */) {
      const items: unknown[] = [];
      this.spaces();
      if (text.charCodeAt(this.position) === 93 /* ] */) {
        this.position++;
        return items;
      }
      for (;;) {
        items.push(this.item(false));
        this.spaces();
        const c = text.charCodeAt(this.position);
        this.position++;
        if (c === 93) return items;
        if (c !== 44 /* , */) bail();
        this.spaces();
        if (text.charCodeAt(this.position) === 93) bail(); // a trailing comma: let js-yaml judge
      }
    }
    const result: Record<string, unknown> = {};
    this.spaces();
    if (text.charCodeAt(this.position) === 125 /* } */) {
      this.position++;
      return result;
    }
    for (;;) {
      const key = this.item(true);
      if (typeof key === 'object' && key !== null) bail();
      const name = typeof key === 'string' ? key : String(key);
      this.spaces();
      if (text.charCodeAt(this.position) !== COLON) bail();
      this.position++;
      if (text.charCodeAt(this.position) !== SPACE) bail();
      this.spaces();
      if (Object.prototype.hasOwnProperty.call(result, name) || name === '__proto__') bail();
      result[name] = this.item(false);
      this.spaces();
      const c = text.charCodeAt(this.position);
      this.position++;
      if (c === 125) return result;
      if (c !== 44) bail();
      this.spaces();
      if (text.charCodeAt(this.position) === 125) bail();
    }
  }

  private spaces(): void {
    while (this.position < this.end && this.text.charCodeAt(this.position) === SPACE) this.position++;
    if (this.position >= this.end) bail(); // the collection does not close on this line
  }

  private item(isKey: boolean): unknown {
    const text = this.text;
    const c = text.charCodeAt(this.position);
    this.block.count();
    if (c === 91 || c === 123) {
      if (isKey) bail();
      return this.value();
    }
    if (c === QUOTE || c === APOSTROPHE) {
      let close = -1;
      for (let i = this.position + 1; i < this.end; i++) {
        if (text.charCodeAt(i) !== c) continue;
        if (c === APOSTROPHE && text.charCodeAt(i + 1) === APOSTROPHE) {
          i++;
          continue;
        }
        close = i;
        break;
      }
      if (close === -1) bail();
      const value = this.block.quoted(this.position, close + 1);
      this.position = close + 1;
      return value;
    }
    if (isIndicator(c)) {
      // `-`, `?` and `:` may start a flow plain scalar before a character that could continue it.
      const next = text.charCodeAt(this.position + 1);
      const startsPlain = (c === DASH || c === 63 || c === COLON) && this.position + 1 < this.end && !(next < 128 && FLOW_STOP[next] === 1);
      if (!startsPlain) bail();
    }
    // A flow plain scalar: up to `,`, `]`, `}`, or `: `.
    const start = this.position;
    let i = start;
    for (; i < this.end; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 44 || ch === 93 || ch === 125 || ch === 91 || ch === 123) break;
      if (ch === COLON) {
        const next = text.charCodeAt(i + 1);
        if (next === SPACE || next === 44 || next === 93 || next === 125) break;
      }
      if (ch === HASH && text.charCodeAt(i - 1) === SPACE) bail();
    }
    let end = i;
    while (end > start && text.charCodeAt(end - 1) === SPACE) end--;
    if (end === start) bail();
    this.position = i;
    return resolvePlain(text.slice(start, end));
  }
}
