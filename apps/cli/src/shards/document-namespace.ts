/**
 * Kinds the rules read across namespaces (a Node serves every namespace's Services, a Namespace's
 * labels and a webhook's namespace selector are read from any namespace's workloads) and lists,
 * whose items name their own namespaces: an input holding one is scanned whole.
 */
const ACROSS_NAMESPACES = new Set(['Node', 'Namespace', 'MutatingWebhookConfiguration']);

/** A plain scalar a namespace or kind can be written as, without quotes. */
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** One YAML document of a text (as `splitDocuments` cuts it) and the namespace its text names. */
export interface NamespacedDocument {
  start: number;
  end: number;
  /** The 1-based line of `start` in the text. */
  line: number;
  namespace: string;
}

/**
 * The documents of `text`, cut at its `---` markers as `splitDocuments` cuts them, each with its
 * namespace read from the text before any parse: the `namespace:` line of its top-level
 * `metadata:` block, else "default" (as the rules read a missing one). One pass over the line
 * starts.
 *
 * `undefined` when a document must not be scanned apart from the others: its kind is read
 * across namespaces or is a list, or the text is not plain block-style YAML where it matters (a
 * top-level flow collection, sequence, quoted key, anchor or tag; `%` directives, `...` markers;
 * a namespace that is not a plain name). A guess, not a parse: the shard that parses a document
 * checks every object's namespace against it, and the scan falls back to one thread when one
 * differs.
 */
export function namespacedDocuments(text: string, maxDocuments: number): NamespacedDocument[] | undefined {
  const documents: NamespacedDocument[] = [];
  let current: NamespacedDocument = { start: 0, end: text.length, line: 1, namespace: 'default' };
  let inMetadata = false;
  let childIndent = -1;
  let line = 1;
  for (let at = 0; at < text.length; line++) {
    let eol = text.indexOf('\n', at);
    if (eol === -1) eol = text.length;
    const first = text.charCodeAt(at);
    if (first === 32 /* space */) {
      // A metadata key's line: at the block's indent (the first key's), deeper lines skipped unread.
      if (inMetadata && (childIndent === -1 || text.charCodeAt(at + childIndent) !== 32)) {
        let indent = 1;
        while (text.charCodeAt(at + indent) === 32) indent++;
        if (!isBlank(text, at + indent, eol)) {
          if (childIndent === -1) childIndent = indent;
          if (indent !== childIndent || text.charCodeAt(at + indent) === 9 /* tab */) return undefined;
          if (text.startsWith('namespace:', at + indent)) {
            const value = scalarAt(text, at + indent + 'namespace:'.length, eol);
            if (value === undefined) return undefined;
            current.namespace = value === '' ? 'default' : value;
          }
        }
      }
    } else if (first === 45 /* - */ && isMarkerAt(text, at, '---')) {
      if (!isBlank(text, at + 3, eol)) return undefined; // content on the marker's line
      if (at > 0) {
        current.end = at;
        documents.push(current);
        if (documents.length >= maxDocuments) return undefined;
        current = { start: at, end: text.length, line, namespace: 'default' };
      }
      inMetadata = false;
    } else if (first === 37 /* % */ || (first === 46 /* . */ && isMarkerAt(text, at, '...'))) {
      return undefined;
    } else if (!isBlank(text, at, eol)) {
      if (!isKeyStart(first)) return undefined;
      inMetadata = false;
      if (text.startsWith('kind:', at)) {
        const kind = scalarAt(text, at + 'kind:'.length, eol);
        if (kind === undefined || ACROSS_NAMESPACES.has(kind) || kind.endsWith('List')) return undefined;
      } else if (text.startsWith('metadata:', at)) {
        if (!isBlank(text, at + 'metadata:'.length, eol)) return undefined; // `metadata: {...}`, an anchor, a tag
        inMetadata = true;
        childIndent = -1;
        current.namespace = 'default'; // a duplicate key: the last value wins
      }
    }
    at = eol + 1;
  }
  documents.push(current);
  return documents;
}

/** A plain key's first character: a letter, a digit or an underscore. */
function isKeyStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
}

function isMarkerAt(text: string, at: number, marker: string): boolean {
  if (!text.startsWith(marker, at)) return false;
  const next = text.charCodeAt(at + marker.length);
  return Number.isNaN(next) || next === 32 || next === 9 || next === 10 || next === 13;
}

/** Only spaces, tabs, a carriage return or a comment from `from` to `to`. */
function isBlank(text: string, from: number, to: number): boolean {
  for (let at = from; at < to; at++) {
    const code = text.charCodeAt(at);
    if (code === 35 /* # */) return at === from || text.charCodeAt(at - 1) === 32 || text.charCodeAt(at - 1) === 9;
    if (code !== 32 && code !== 9 && code !== 13) return false;
  }
  return true;
}

/**
 * The value after `key:` on its line (from `from`, just after the colon, to `to`): a plain or
 * simply quoted name, '' for none (or null), undefined for anything else.
 */
function scalarAt(text: string, from: number, to: number): string | undefined {
  let at = from;
  if (at < to && !isSpace(text.charCodeAt(at)) && text.charCodeAt(at) !== 13) return undefined; // `key:value` is not a key
  while (at < to && isSpace(text.charCodeAt(at))) at++;
  const quote = text.charCodeAt(at);
  const quoted = quote === 34 /* " */ || quote === 39; /* ' */
  if (quoted) at++;
  const start = at;
  while (at < to && isNameChar(text.charCodeAt(at))) at++;
  const end = at;
  if (quoted) {
    if (text.charCodeAt(at) !== quote || end === start) return undefined;
    at++;
  }
  if (!isBlank(text, at, to) || (at < to && !isSpace(text.charCodeAt(at)) && text.charCodeAt(at) !== 13)) return undefined;
  const value = text.slice(start, end);
  if (quoted) return PLAIN_NAME.test(value) ? value : undefined;
  if (value === '' || value === '~' || value === 'null' || value === 'Null' || value === 'NULL') return '';
  return PLAIN_NAME.test(value) ? value : undefined;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9;
}

function isNameChar(code: number): boolean {
  return isKeyStart(code) || code === 45 /* - */ || code === 46 /* . */ || code === 126; /* ~ */
}
