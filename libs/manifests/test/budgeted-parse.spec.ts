// The parallel parse parses each part with the whole document limit left and keeps the result
// only when the part's budgetNeeded fits in what the parts ahead of it leave: so budgetNeeded
// must be a budget under which the result is the same, and it is the least one here.
import { CLI_LIMITS } from '../src/index.js';
import { parseBudgeted, parseManifestText } from '../src/parse-text.js';

const service = (name: string): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n`;

const inputs: [string, string, number][] = [
  ['plain documents', [service('a'), service('b'), service('c')].join('---\n'), 3],
  ['a block List after a document', `${service('a')}---\nkind: List\nitems:\n${'- {kind: Service}\n'.repeat(20)}`, 22],
  ['a flow List of scalars (counted as items while parsed)', `${service('a')}---\nkind: List\nitems: [${Array(20).fill('1').join(', ')}]\n`, 22],
  ['a root items: that is not a List, taken by js-yaml 4', `${service('a')}---\nkind: Thing\nnote: >\n  folded\nitems:\n${'- x\n'.repeat(20)}`, 22],
  ['an anchored List (the reference parser)', `${service('a')}---\nkind: List\nmetadata: &m {name: l}\nitems:\n${'- {}\n'.repeat(20)}`, 22],
  ['a broken List (its items count until the error)', `${service('a')}---\nkind: List\nitems:\n${'- {}\n'.repeat(20)} bad: indent\n`, 22],
  ['a JSON List', JSON.stringify({ kind: 'List', items: Array(20).fill({ kind: 'Service' }) }), 21],
  ['a directive (the whole input to the reference parser)', `%YAML 1.2\n---\n${service('a')}---\nkind: List\nitems:\n${'- {}\n'.repeat(20)}`, 22],
];

describe('parseBudgeted: budgetNeeded', () => {
  it.each(inputs)('%s: the least documents left that give the same result', (_name, text, budgetNeeded) => {
    const input = { name: 'input.yaml', text };
    const full = parseBudgeted(input, CLI_LIMITS);
    expect(full.budgetNeeded).toBe(budgetNeeded);
    expect(full.limitReached).toBe(false);
    expect(parseManifestText(input, CLI_LIMITS, { documentsLeft: budgetNeeded })).toEqual(full.parsed);
    const short = parseBudgeted(input, CLI_LIMITS, { documentsLeft: budgetNeeded - 1 });
    expect(short.parsed).not.toEqual(full.parsed);
    expect(short.parsed.errors.map((error) => error.code)).toContain('TOO_MANY_DOCUMENTS');
  });

  it('is Infinity when the document limit is reached, which drops the documents', () => {
    const reached = parseBudgeted({ name: 'input.yaml', text: [service('a'), service('b')].join('---\n') }, CLI_LIMITS, { documentsLeft: 1 });
    expect(reached).toEqual({
      parsed: expect.objectContaining({ documents: [], errors: [expect.objectContaining({ code: 'TOO_MANY_DOCUMENTS' })] }),
      budgetNeeded: Infinity,
      limitReached: true,
    });
  });

  it('a part of a multi-document file names the first line of a broken document even when it holds only that one', () => {
    const part = { name: 'input.yaml', text: '---\nkind: Service\nmetadata:\n  name: x\n spec: {}\n' };
    const alone = parseManifestText(part, CLI_LIMITS, { firstLine: 41 });
    const asPart = parseManifestText(part, CLI_LIMITS, { firstLine: 41, partOfMultiDocumentFile: true });
    expect(alone.errors[0]?.message).toBe('bad indentation of a mapping entry');
    expect(asPart.errors).toEqual([{ ...alone.errors[0], message: 'bad indentation of a mapping entry (in the document that starts at line 42)' }]);
  });
});
