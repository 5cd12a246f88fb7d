import { flatString } from '../src/engine/flat-string.js';

describe('flatString', () => {
  it('returns the string it is given, numeric-looking or not', () => {
    const pieces = ['1e3', '  42 ', 'Infinity', '', '0x1f', 'Deployment shop/web: container "app"', 'façade ✓ 🚀'];
    for (const piece of pieces) {
      const rope = `${piece}${piece.length > 2 ? ` and ${piece}` : ''}`;
      expect(flatString(rope)).toBe(rope);
    }
  });
});
