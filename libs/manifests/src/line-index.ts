/**
 * Turns ascending character offsets into 1-based line numbers with one forward pass over
 * the text, so locating every document of a large file costs one scan, not one per document.
 */
export class ForwardLineCounter {
  private offset = 0;
  private line = 1;

  constructor(private readonly text: string) {}

  lineAt(target: number): number {
    if (target < this.offset) {
      this.offset = 0;
      this.line = 1;
    }
    let next = this.text.indexOf('\n', this.offset);
    while (next !== -1 && next < target) {
      this.line++;
      this.offset = next + 1;
      next = this.text.indexOf('\n', this.offset);
    }
    return this.line;
  }
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let next = text.indexOf('\n'); next !== -1 && next < offset; next = text.indexOf('\n', next + 1)) {
    line++;
    lineStart = next + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
