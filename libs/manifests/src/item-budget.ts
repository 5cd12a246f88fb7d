/**
 * Counts the entries of a document's root `items:` sequence (a `kind: List`'s items, which cost
 * like documents) from js-yaml 4's listener events, while it parses: `open` returns true for
 * the entry that goes over the budget, so a List of a million `{}` is refused at that entry,
 * before the rest of it is built.
 *
 * js-yaml 4 opens a node before knowing what it is, and opens some nodes twice (a flow root,
 * a flow mapping as a block sequence entry), so the root mapping's key depth is learnt from the
 * first node that closes: the root mapping's first key. Keys and values then alternate at that
 * depth; the value after the key `items` is the sequence whose children (one depth below) are
 * counted. Any root `items:` sequence is counted, as the reference parser counts it.
 */
export class RootItemBudget {
  private depth = 0;
  /** Depth at which the root mapping's keys and values close; 0 until the first close. */
  private keyDepth = 0;
  /** Nodes closed at keyDepth: even means the next one is a key. */
  private closedAtKeyDepth = 0;
  private nextIsItems = false;
  /** Depth of the open `items` value; 0 when not inside it. */
  private itemsDepth = 0;
  private items = 0;

  constructor(private readonly maxItems: number) {}

  /** Root items counted so far (the item past the budget included). */
  get counted(): number {
    return this.items;
  }

  /** A node opens; true when it is the item past the budget. */
  open(): boolean {
    this.depth++;
    if (this.itemsDepth === 0) {
      if (this.nextIsItems && this.depth === this.keyDepth) {
        this.itemsDepth = this.depth;
        this.nextIsItems = false;
      }
      return false;
    }
    return this.depth === this.itemsDepth + 1 && ++this.items > this.maxItems;
  }

  /** The node opened last closes with `result`. */
  close(result: unknown): void {
    if (this.keyDepth === 0) this.keyDepth = this.depth;
    if (this.depth === this.keyDepth) {
      const wasKey = this.closedAtKeyDepth % 2 === 0;
      this.closedAtKeyDepth++;
      this.nextIsItems = wasKey && result === 'items';
      if (this.depth === this.itemsDepth) this.itemsDepth = 0;
    }
    this.depth--;
  }
}
