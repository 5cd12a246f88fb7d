import v8 from 'node:v8';

/** The old generation may grow to this much more than a full collection kept before the next one. */
export const HEAP_GROWING_PERCENT = 300;

/**
 * How far the API's old generation grows between full (mark-compact) collections. V8 sizes it
 * after each one by how fast it grew: the API's now grows under 1 MB/s at 200 GraphQL pages a
 * second, so V8 began the next collection 8-10 MB later, every 10 s, each marking the whole live
 * heap again (90 MB: 30-45 ms of the event loop, every request in flight waiting). Four times
 * the live heap (what V8 chose itself while the old generation grew 14 MB/s, and well inside the
 * deploy's 1 GiB) puts them minutes apart. A `--heap-growing-percent` given to node is kept.
 * Returns the flag set, if any.
 *
 * V8's memory reducer, which collects in full some seconds after traffic pauses (the collection
 * then lands in the traffic that follows), is turned off on node's command line wherever the API
 * is started (`--no-memory-reducer`: V8 reads it when the heap is set up, so it cannot be set here).
 * So is `--max-semi-space-size=32`: a young generation twice V8's default size is scavenged half
 * as often, and each scavenge pauses every request in flight (bench/load, sixth round).
 */
export function configureHeapGrowth(execArgv: readonly string[] = process.execArgv): string | undefined {
  if (execArgv.some((argument) => /^--heap[-_]growing[-_]percent\b/.test(argument))) return undefined;
  const flag = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
  v8.setFlagsFromString(flag);
  return flag;
}
