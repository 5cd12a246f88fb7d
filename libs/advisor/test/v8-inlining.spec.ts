import { SCAN_INLINING_BUDGET, tuneInliningForScans } from '../src/index.js';

describe("a scanning process's inlining budget", () => {
  it('is set when node was given no inlining flag', () => {
    expect(tuneInliningForScans(['--enable-source-maps'], '--max-old-space-size=4096')).toBe(`--max-inlined-bytecode-size-cumulative=${SCAN_INLINING_BUDGET}`);
  });

  it.each([
    [['--max-inlined-bytecode-size-cumulative=920'], ''],
    [['--no-turbo-inlining'], ''],
    [[], '--max-inlined-bytecode-size=460'],
    [[], '--enable-source-maps --turbo_inlining'],
  ])('is left to node when given on its command line (%j) or in NODE_OPTIONS (%j)', (execArgv, nodeOptions) => {
    expect(tuneInliningForScans(execArgv, nodeOptions)).toBeUndefined();
  });
});
