import { CLI_INLINING_BUDGET, tuneInliningForShortRuns } from '../src/v8-flags.js';

describe("the CLI's inlining budget", () => {
  it('is set when node was given no inlining flag', () => {
    expect(tuneInliningForShortRuns(['--enable-source-maps'], '--max-old-space-size=4096')).toBe(
      `--max-inlined-bytecode-size-cumulative=${CLI_INLINING_BUDGET}`,
    );
  });

  it.each([
    [['--max-inlined-bytecode-size-cumulative=920'], ''],
    [['--no-turbo-inlining'], ''],
    [[], '--max-inlined-bytecode-size=460'],
    [[], '--enable-source-maps --turbo_inlining'],
  ])('is left to node when given on its command line (%j) or in NODE_OPTIONS (%j)', (execArgv, nodeOptions) => {
    expect(tuneInliningForShortRuns(execArgv, nodeOptions)).toBeUndefined();
  });
});
