/**
 * True when `value`, with every alias expanded, has more than `budget` nodes. Aliases share
 * objects, so a "billion laughs" document is small in memory but explodes for anything that
 * walks or serializes it; the walk stops as soon as the budget is spent.
 */
export function exceedsExpandedNodeBudget(value: unknown, budget: number): boolean {
  let remaining = budget;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (--remaining < 0) return true;
    if (Array.isArray(node)) {
      for (const child of node) stack.push(child);
    } else if (typeof node === 'object' && node !== null) {
      for (const child of Object.values(node)) stack.push(child);
    }
  }
  return false;
}
