// Percentiles of latencies, for the benchmarks.

/** The p-th percentile (nearest rank) of `values`; NaN when there are none. */
export function percentile(values, p) {
  return percentileOfSorted(
    [...values].sort((a, b) => a - b),
    p,
  );
}

/** The p-th percentile (nearest rank) of values already sorted in ascending order; NaN when there are none. */
function percentileOfSorted(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const median = (values) => percentile(values, 50);

export const summary = (values) => ({ n: values.length, p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) });

/** Count, p50, p99 and max of many latencies, sorted once (bench/load: `count` is its results' field). */
export function latencySummary(values) {
  const sorted = Float64Array.from(values).sort();
  return { count: sorted.length, p50: percentileOfSorted(sorted, 50), p99: percentileOfSorted(sorted, 99), max: sorted[sorted.length - 1] };
}
