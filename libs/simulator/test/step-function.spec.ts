import { StepFunction, cutPoints, nextCut } from '../src/step-function.js';

/** How many intervals [start, end) hold at t, counted one by one. */
function countAt(starts: number[], ends: number[], t: number): number {
  let n = 0;
  for (let i = 0; i < starts.length; i++) if ((starts[i] as number) <= t && t < (ends[i] as number)) n++;
  return n;
}

describe('StepFunction', () => {
  test('counts the intervals holding at each time, from the start (-Infinity) and forever (Infinity)', () => {
    const starts = [-Infinity, 0, 0, 2.5, 4, 4];
    const ends = [3, 4, Infinity, 4, 6, 4];
    const f = new StepFunction(starts, ends);
    expect(f.base).toBe(1);
    // Distinct change times in order; at 4 three end and two start.
    expect(f.times).toEqual([0, 2.5, 3, 4, 6]);
    expect(f.values).toEqual([3, 4, 3, 2, 1]);
    for (const t of [-5, 0, 1, 2.5, 3, 3.9, 4, 5, 6, 100]) expect(f.at(t)).toBe(countAt(starts, ends, t));
  });

  test('equals counting one by one on random intervals; cut points are its distinct change times', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let round = 0; round < 200; round++) {
      const starts: number[] = [];
      const ends: number[] = [];
      for (let i = 0; i < Math.floor(random() * 8); i++) {
        const start = random() < 0.2 ? -Infinity : Math.floor(random() * 20);
        starts.push(start);
        ends.push(random() < 0.2 ? Infinity : Math.max(start, 0) + Math.floor(random() * 10));
      }
      const f = new StepFunction(starts, ends);
      for (let t = -1; t <= 31; t += 0.5) expect(f.at(t)).toBe(countAt(starts, ends, t));
      const changes = [...new Set([...starts, ...ends].filter((t) => Number.isFinite(t)))].sort((a, b) => a - b);
      expect(f.times).toEqual(changes);
      expect(cutPoints(0, 30, [f])).toEqual([0, ...changes.filter((t) => t > 0 && t < 30), 30]);
    }
  });

  test('nextCut walks the pieces of cutPoints, over one function or two, also when the span is empty', () => {
    let seed = 11;
    const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const randomFunction = (): StepFunction => {
      const starts = Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 30) - 5);
      return new StepFunction(
        starts,
        starts.map((t) => t + Math.floor(random() * 10)),
      );
    };
    const walk = (a: number, b: number, f: StepFunction, g?: StepFunction): number[] => {
      const cuts = [a];
      for (let from = a; ;) {
        from = nextCut(from, b, f, g);
        cuts.push(from);
        if (!(from < b)) return cuts;
      }
    };
    for (let round = 0; round < 200; round++) {
      const f = randomFunction();
      const g = randomFunction();
      const a = Math.floor(random() * 30) - 10;
      const b = random() < 0.1 ? a - 1 : a + Math.floor(random() * 30);
      expect(walk(a, b, f)).toEqual(cutPoints(a, b, [f]));
      expect(walk(a, b, f, g)).toEqual(cutPoints(a, b, [f, g]));
    }
  });
});
