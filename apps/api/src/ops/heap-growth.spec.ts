// The API sets how far its old generation grows between full collections, unless node was
// started with a growth of its own.
import { HEAP_GROWING_PERCENT, configureHeapGrowth } from './heap-growth.js';

describe('configureHeapGrowth', () => {
  it('sets the growth when node was given none', () => {
    expect(configureHeapGrowth(['--enable-source-maps'])).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  });

  it("keeps the operator's own", () => {
    expect(configureHeapGrowth(['--heap-growing-percent=50'])).toBeUndefined();
    expect(configureHeapGrowth(['--heap_growing_percent=50'])).toBeUndefined();
  });
});
