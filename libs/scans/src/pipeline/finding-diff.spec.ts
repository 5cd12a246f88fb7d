// The change set of a scan, without a database.
import { diffFindings, type PriorState } from './finding-diff.js';

const open = (fingerprint: string, lastScanId = 's0'): PriorState => ({ fingerprint, status: 'open', lastScanId });
const resolved = (fingerprint: string, lastScanId = 's0'): PriorState => ({ fingerprint, status: 'resolved', lastScanId });

describe('diffFindings', () => {
  it('opens every finding of a first scan', () => {
    expect(diffFindings([], ['a', 'b'])).toEqual({ opened: ['a', 'b'], reopened: [], stillOpen: [], resolved: [] });
  });

  it('tells still-open, reopened and resolved apart', () => {
    const diff = diffFindings([open('a'), resolved('b'), open('c', 's7'), resolved('d')], ['a', 'b', 'e']);
    expect(diff).toEqual({ opened: ['e'], reopened: ['b'], stillOpen: ['a'], resolved: [{ fingerprint: 'c', lastScanId: 's7' }] });
  });

  it('counts a fingerprint reported twice once', () => {
    expect(diffFindings([], ['a', 'a']).opened).toEqual(['a']);
  });

  it('resolves everything when a scan reports nothing, and leaves resolved states alone', () => {
    expect(diffFindings([open('a', 's1'), resolved('b')], [])).toEqual({
      opened: [],
      reopened: [],
      stillOpen: [],
      resolved: [{ fingerprint: 'a', lastScanId: 's1' }],
    });
  });
});
