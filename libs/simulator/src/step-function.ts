/**
 * A piecewise-constant count over time built from +1/-1 changes: how many backends the
 * path sends to, how many nodes the LB holds. Queries are binary searches, so the cost of a
 * simulation grows with its pods, never with pods x time steps.
 */
export class StepFunction {
  readonly times: number[] = [];
  readonly values: number[] = [];
  readonly base: number;

  /**
   * +1 at every time of `starts`, -1 at every time of `ends` (the intervals [start, end)): a
   * change at -Infinity counts from the start, one at Infinity (or NaN) never.
   */
  constructor(starts: readonly number[], ends: readonly number[]) {
    let base = 0;
    for (const t of starts) if (t === -Infinity) base++;
    for (const t of ends) if (t === -Infinity) base--;
    this.base = base;
    const upCount = sortFinite(starts, (scratchUps = roomFor(scratchUps, starts.length)));
    const downCount = sortFinite(ends, (scratchDowns = roomFor(scratchDowns, ends.length)));
    const ups = scratchUps;
    const downs = scratchDowns;
    let value = base;
    let i = 0;
    let j = 0;
    while (i < upCount || j < downCount) {
      const t = j >= downCount || (i < upCount && (ups[i] as number) <= (downs[j] as number)) ? (ups[i] as number) : (downs[j] as number);
      for (; i < upCount && ups[i] === t; i++) value++;
      for (; j < downCount && downs[j] === t; j++) value--;
      this.times.push(t);
      this.values.push(value);
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
    for (let i = this.firstIndexAfter(a); i < this.times.length && (this.times[i] as number) < b; i++) into.push(this.times[i] as number);
  }

  /** The first change time strictly after t; Infinity when there is none. */
  changeAfter(t: number): number {
    const i = this.firstIndexAfter(t);
    return i < this.times.length ? (this.times[i] as number) : Infinity;
  }

  private firstIndexAfter(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.times[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Above this many times a typed array's sort beats insertion. */
const INSERTION_SORT_MAX = 32;

// The constructor's sorted change times: used within one constructor call only, so shared.
let scratchUps: Float64Array = new Float64Array(64);
let scratchDowns: Float64Array = new Float64Array(64);

function roomFor(scratch: Float64Array, length: number): Float64Array {
  return scratch.length >= length ? scratch : new Float64Array(Math.max(length, 2 * scratch.length));
}

/** Writes the finite times into `out` in ascending order; returns how many. */
function sortFinite(times: readonly number[], out: Float64Array): number {
  let count = 0;
  for (const t of times) {
    if (!Number.isFinite(t)) continue;
    let k = count++;
    for (; k > 0 && (out[k - 1] as number) > t; k--) out[k] = out[k - 1] as number;
    out[k] = t;
    if (count === INSERTION_SORT_MAX) break;
  }
  if (count < INSERTION_SORT_MAX) return count;
  // Many times: copy the rest unsorted and let the typed array sort them all.
  count = 0;
  for (const t of times) if (Number.isFinite(t)) out[count++] = t;
  out.subarray(0, count).sort();
  return count;
}

/**
 * The end of the piece of [t, end) that starts at t when it is split at the change times of
 * f and g: the first change strictly after t, or `end`. Walking from a with it visits the
 * pieces of cutPoints(a, end, [f, g]) without building the list.
 */
export function nextCut(t: number, end: number, f: StepFunction, g?: StepFunction): number {
  const a = f.changeAfter(t);
  const b = g ? g.changeAfter(t) : Infinity;
  const next = a < b ? a : b;
  return next < end ? next : end;
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
