// Issue 11: a `kind: List`'s items cost like documents, counted while parsing, so a List of a
// million `{}` is refused at the item that goes over the document limit, naming the file and
// the line (the API answers 413), rather than by the per-document node limit (422).
import { DEFAULT_LIMITS, parseManifests } from '../src/index.js';
import { loadFast } from '../src/fast-yaml.js';
import { RootItemBudget } from '../src/item-budget.js';

const MILLION = 1_000_000;

/** Whether js-yaml 4, fed through RootItemBudget(maxItems), finds more than maxItems root items. */
function overBudget(text: string, maxItems: number): boolean {
  const budget = new RootItemBudget(maxItems);
  let over = false;
  loadFast(text, (event, state) => {
    if (event === 'close') budget.close(state.result);
    else if (budget.open()) over = true;
  });
  return over;
}

describe('RootItemBudget', () => {
  it.each([
    ['block', 'kind: List\nitems:\n- {}\n- a: 1\n  b: [1, 2]\n- [x, y]\n'],
    ['indented block', 'kind: List\nitems:\n  - {}\n  - a: 1\n    b: [1, 2]\n  - [x, y]\n'],
    ['flow', 'kind: List\nitems: [{}, {a: 1, b: [1, 2]}, [x, y]]\n'],
    ['JSON', '{"kind": "List", "items": [{}, {"a": 1, "b": [1, 2]}, ["x", "y"]]}'],
    ['items first', 'items:\n- {}\n- {a: {items: [1, 2, 3, 4]}}\n- x\nkind: List\n'],
    ['after a null value', 'metadata:\nkind: List\nitems:\n- {}\n- {}\n- {}\n'],
  ])('counts the three items of a %s List, and no other node', (_style, text) => {
    expect(overBudget(text, 3)).toBe(false);
    expect(overBudget(text, 2)).toBe(true);
  });

  it('counts only the root mapping\'s items: nested items and an "items" value are not Lists', () => {
    const text = 'kind: Thing\nname: items\nspec:\n  items: [1, 2, 3, 4, 5]\nlabels: [a, b, c, d]\n';
    expect(overBudget(text, 0)).toBe(false);
  });
});

describe('parseManifests: the items of a kind: List count against the document limit', () => {
  const limit = DEFAULT_LIMITS.maxDocuments;

  it.each([
    ['JSON', `{"apiVersion": "v1", "kind": "List", "items": [${Array(MILLION).fill('{}').join(',')}]}`, 1],
    ['flow YAML', `apiVersion: v1\nkind: List\nitems: [${Array(MILLION).fill('{}').join(', ')}]\n`, 3],
    // The item past the budget: the List itself counts one, so item number `limit` is one too many.
    ['block', `apiVersion: v1\nkind: List\nitems:\n${'- {}\n'.repeat(MILLION)}`, 3 + limit],
  ])('refuses a %s List of a million {} with TOO_MANY_DOCUMENTS, naming the limit, the file and the line', (_style, text, line) => {
    const { errors, snapshot, documentCount } = parseManifests([{ name: 'upload', text }], DEFAULT_LIMITS);
    expect(errors).toEqual([{ code: 'TOO_MANY_DOCUMENTS', file: 'upload', line, message: `too many YAML documents: the limit is ${limit} in one scan` }]);
    expect(documentCount).toBe(0);
    expect(snapshot.services).toEqual([]);
  });

  it("refuses an anchored List of a million {} (the reference parser's input) the same way, before the reference parser builds its events", () => {
    const text = `apiVersion: v1\nkind: List\nmetadata: &m {name: l}\nitems:\n${'- {}\n'.repeat(MILLION)}`;
    const { errors } = parseManifests([{ name: 'anchored.yaml', text }], DEFAULT_LIMITS);
    expect(errors).toEqual([
      { code: 'TOO_MANY_DOCUMENTS', file: 'anchored.yaml', line: 4 + limit, message: `too many YAML documents: the limit is ${limit} in one scan` },
    ]);
  });

  it('still reads anchored and aliased documents within the limits through the reference parser', () => {
    const text = `apiVersion: v1\nkind: List\nitems:\n- &svc {kind: Service, metadata: {name: a}}\n- {kind: Service, metadata: {name: b}, spec: *svc}\n`;
    const { errors, documentCount, snapshot } = parseManifests([{ name: 'aliases.yaml', text }], DEFAULT_LIMITS);
    expect(errors).toEqual([]);
    expect(documentCount).toBe(3);
    expect(snapshot.services.map((s) => [s.metadata?.name, snapshot.locations.get(s)?.line])).toEqual([
      ['a', 4],
      ['b', 5],
    ]);
  });

  it('refuses a List under the node limit but over the document limit at its first line', () => {
    const text = `# a List\napiVersion: v1\nkind: List\nitems:\n${'- {}\n'.repeat(limit + 5)}`;
    const { errors } = parseManifests([{ name: 'small.yaml', text }], DEFAULT_LIMITS);
    expect(errors).toEqual([
      { code: 'TOO_MANY_DOCUMENTS', file: 'small.yaml', line: 2, message: `too many YAML documents: the limit is ${limit} in one scan` },
    ]);
  });

  it('counts the documents before the List too', () => {
    const documents = '---\nkind: Service\nmetadata: {name: s}\n'.repeat(10);
    const list = `---\nkind: List\nitems: [${Array(MILLION).fill('{}').join(',')}]\n`;
    const { errors } = parseManifests([{ name: 'mixed.yaml', text: documents + list }], { ...DEFAULT_LIMITS, maxDocuments: 100 });
    expect(errors).toEqual([{ code: 'TOO_MANY_DOCUMENTS', file: 'mixed.yaml', line: 33, message: 'too many YAML documents: the limit is 100 in one scan' }]);
  });

  it('accepts a List whose items and itself make exactly the limit', () => {
    const items = Array.from({ length: 99 }, (_, i) => `- {kind: Service, metadata: {name: s${i}}}`).join('\n');
    const { errors, documentCount, snapshot } = parseManifests([{ name: 'list.yaml', text: `kind: List\nitems:\n${items}\n` }], { maxDocuments: 100 });
    expect(errors).toEqual([]);
    expect(documentCount).toBe(100);
    expect(snapshot.services).toHaveLength(99);
  });

  it('refuses a million empty documents, splitting no further than the limit', () => {
    const { errors, documentCount } = parseManifests([{ name: 'empty.yaml', text: '---\n'.repeat(MILLION) }], DEFAULT_LIMITS);
    expect(errors).toEqual([{ code: 'TOO_MANY_DOCUMENTS', file: 'empty.yaml', message: `too many YAML documents: the limit is ${limit} in one scan` }]);
    expect(documentCount).toBe(0);
  });
});
