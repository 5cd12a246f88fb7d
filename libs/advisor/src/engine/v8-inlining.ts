import v8 from 'node:v8';

/**
 * TurboFan's inlining budget for a process that runs scans (the CLI, the worker): what an
 * optimized function may inline in all (V8's default 920 bytes of bytecode; functions under 27
 * bytes are inlined whatever the budget).
 *
 * A scan runs each rule, the parser and the simulator over data of a thousand shapes for a few
 * seconds at most: V8 optimizes about 400 functions, several of them again after a deopt, and
 * large inlined bodies make each compile long (resolveParams 145 ms, simulate 60-100 ms, each
 * time). The compiler's threads then take as much CPU as the scan's own thread at 2,000 apps
 * (bench/manifest-scan/thread-cpu.mjs), a core that two-core CI machines do not have to spare.
 * With a budget of 150 the CLI's CPU drops by 9-16 % and its wall time by 8-12 % on apps 2,000
 * and 20,000 and helm 200 (bench/manifest-scan, same output); the worker's advisor phase on a
 * 10 MB upload by about 15 % (756 -> 635-657 ms, bench/upload-scan).
 */
export const SCAN_INLINING_BUDGET = 150;

const INLINING_FLAG = /^--(no-)?(turbo[-_]inlining|max[-_]inlined[-_]bytecode[-_]size)/;

/**
 * Sets the scan's inlining budget for this process, unless node was given an inlining flag of
 * its own (on its command line or in NODE_OPTIONS). Call at start, before any scan runs: V8 reads
 * the flag for each compile. Returns the flag set, if any.
 */
export function tuneInliningForScans(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env['NODE_OPTIONS'] ?? '',
): string | undefined {
  if ([...execArgv, ...nodeOptions.split(/\s+/)].some((option) => INLINING_FLAG.test(option))) return undefined;
  const flag = `--max-inlined-bytecode-size-cumulative=${SCAN_INLINING_BUDGET}`;
  v8.setFlagsFromString(flag);
  return flag;
}
