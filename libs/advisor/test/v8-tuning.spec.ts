import { SCAN_INLINING_BUDGET, SCAN_INTERRUPT_BUDGET, tuneV8ForScans } from '../src/index.js';

const INLINING = `--max-inlined-bytecode-size-cumulative=${SCAN_INLINING_BUDGET}`;
const INTERRUPT = `--interrupt-budget=${SCAN_INTERRUPT_BUDGET}`;

describe("a scanning process's V8 budgets", () => {
  it('are both set for a one-scan process (the CLI) given neither flag', () => {
    expect(tuneV8ForScans('one-scan', ['--enable-source-maps'], '--max-old-space-size=4096')).toEqual([INLINING, INTERRUPT]);
  });

  it("leave the interrupt budget at V8's default in a many-scans process (the worker)", () => {
    expect(tuneV8ForScans('many-scans', ['--enable-source-maps'], '')).toEqual([INLINING]);
  });

  it.each([
    [['--max-inlined-bytecode-size-cumulative=920'], ''],
    [['--no-turbo-inlining'], ''],
    [[], '--max-inlined-bytecode-size=460'],
    [[], '--enable-source-maps --turbo_inlining'],
  ])('leave the inlining budget to node when given on its command line (%j) or in NODE_OPTIONS (%j)', (execArgv, nodeOptions) => {
    expect(tuneV8ForScans('one-scan', execArgv, nodeOptions)).toEqual([INTERRUPT]);
    expect(tuneV8ForScans('many-scans', execArgv, nodeOptions)).toEqual([]);
  });

  it.each([
    [['--interrupt-budget=132000'], ''],
    [[], '--interrupt_budget=1000'],
  ])('leave the interrupt budget to node when given on its command line (%j) or in NODE_OPTIONS (%j)', (execArgv, nodeOptions) => {
    expect(tuneV8ForScans('one-scan', execArgv, nodeOptions)).toEqual([INLINING]);
  });
});
