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

/**
 * The bytecode a function runs between two of V8's tiering decisions (Node 20's V8: 66 KB):
 * eight times as much before a function is compiled by Sparkplug or TurboFan, in a process
 * that runs one scan and exits (the CLI).
 *
 * Most of a scan's functions run over a few thousand objects once (a rule, a remediation, the
 * verdict of one Service shape): at the default budget V8 optimizes many of them just before
 * they stop being called (191 TurboFan compiles at apps 2,000, 32 with this budget). The
 * functions that stay hot (the parser, the simulator's loop) reach any budget within
 * milliseconds. With 528 KB the CLI's CPU drops by about 20 % on apps 2,000, 5 % on apps 20,000
 * and 9 % on helm 200 (bench/manifest-scan, same output). A worker runs scan after scan on
 * threads that stay warm, where the default budget re-optimizes faster after a deopt: there the
 * advisor and verdicts of a 2,000-app scan took 222-228 ms at best with the default against
 * 278-283 ms with this one, so the worker keeps the default.
 */
export const SCAN_INTERRUPT_BUDGET = 528 * 1024;

const INLINING_FLAG = /^--(no-)?(turbo[-_]inlining|max[-_]inlined[-_]bytecode[-_]size)/;
const INTERRUPT_BUDGET_FLAG = /^--interrupt[-_]budget/;

/** A process that runs one scan and exits (the CLI), or scan after scan (the worker). */
export type ScanProcess = 'one-scan' | 'many-scans';

/**
 * Sets the scan's inlining budget, and for a one-scan process the interrupt budget, each unless
 * node was given a flag of its own for it (on its command line or in NODE_OPTIONS). Call at
 * start, before any scan runs: V8 reads the flags for each compile and each tiering decision.
 * Returns the flags set.
 */
export function tuneV8ForScans(
  scanProcess: ScanProcess,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env['NODE_OPTIONS'] ?? '',
): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  const flags: string[] = [];
  if (!given.some((option) => INLINING_FLAG.test(option))) flags.push(`--max-inlined-bytecode-size-cumulative=${SCAN_INLINING_BUDGET}`);
  if (scanProcess === 'one-scan' && !given.some((option) => INTERRUPT_BUDGET_FLAG.test(option))) flags.push(`--interrupt-budget=${SCAN_INTERRUPT_BUDGET}`);
  for (const flag of flags) v8.setFlagsFromString(flag);
  return flags;
}
