// What chat messages lead with, without a database.
import type { VerdictKey } from '#rollsafe/store';
import { diffVerdicts } from './verdict-diff.js';

const v = (name: string, verdict: VerdictKey['verdict'], droppedTrafficSeconds = 0): VerdictKey => ({
  namespace: 'shop',
  name,
  verdict,
  droppedTrafficSeconds,
});

describe('diffVerdicts', () => {
  it("counts every dropping Service of a target's first scan as started", () => {
    expect(diffVerdicts(undefined, [v('web', 'drops', 8), v('api', 'safe')])).toEqual({
      startedDropping: [{ namespace: 'shop', name: 'web', verdict: 'drops', droppedTrafficSeconds: 8 }],
      stoppedDropping: [],
    });
  });

  it('tells started, stopped (fixed, now unknown, or gone) and unchanged apart', () => {
    const previous = [v('web', 'drops', 8), v('api', 'drops', 5), v('cart', 'drops', 3), v('old', 'drops', 2), v('db', 'safe')];
    const current = [v('web', 'drops', 12), v('api', 'safe'), v('cart', 'unknown'), v('db', 'drops', 4), v('new', 'drops', 1)];
    expect(diffVerdicts(previous, current)).toEqual({
      startedDropping: [
        { namespace: 'shop', name: 'db', verdict: 'drops', droppedTrafficSeconds: 4 },
        { namespace: 'shop', name: 'new', verdict: 'drops', droppedTrafficSeconds: 1 },
      ],
      stoppedDropping: [
        { namespace: 'shop', name: 'api', verdict: 'safe', droppedTrafficSeconds: 0 },
        { namespace: 'shop', name: 'cart', verdict: 'unknown', droppedTrafficSeconds: 0 },
        { namespace: 'shop', name: 'old', verdict: 'gone', droppedTrafficSeconds: 2 },
      ],
    });
  });
});
