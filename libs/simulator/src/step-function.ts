/**
 * A piecewise-constant count over time built from +1/-1 changes: how many backends the
 * path sends to, how many nodes the LB holds. Queries are binary searches, so the cost of a
 * simulation grows with its pods, never with pods x time steps.
 */
export class StepFunction {
  readonly times: number[] = [];
  readonly values: number[] = [];
  readonly base: number;

  constructor(changes: Array<[number, number]>) {
    let base = 0;
    const finite: Array<[number, number]> = [];
    for (const [t, delta] of changes) {
      if (t === -Infinity) base += delta;
      else if (t !== Infinity) finite.push([t, delta]);
    }
    finite.sort((a, b) => a[0] - b[0]);
    this.base = base;
    let value = base;
    for (const [t, delta] of finite) {
      value += delta;
      const last = this.times.length - 1;
      if (last >= 0 && this.times[last] === t) this.values[last] = value;
      else {
        this.times.push(t);
        this.values.push(value);
      }
    }
  }

  /** The value on [t, next change). */
  at(t: number): number {
    let lo = 0;
    let hi = this.times.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.times[mid] as number) <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? this.base : (this.values[found] as number);
  }

  /** Change times strictly inside (a, b). */
  breaks(a: number, b: number, into: number[]): void {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.times[mid] as number) <= a) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.times.length && (this.times[i] as number) < b; i++) into.push(this.times[i] as number);
  }
}

/** Splits [a, b) at the change times of the given functions: sorted, distinct cut points including a and b. */
export function cutPoints(a: number, b: number, functions: StepFunction[]): number[] {
  const points: number[] = [];
  for (const f of functions) f.breaks(a, b, points);
  points.sort((x, y) => x - y);
  const cuts = [a];
  for (const p of points) if (p !== cuts[cuts.length - 1]) cuts.push(p);
  cuts.push(b);
  return cuts;
}
