/**
 * Offsets → 1-based line and column. The table of line starts is built once per file; a lookup is a
 * binary search, so positions cost nothing until a diagnostic or a provenance record asks for one.
 * Columns count UTF-16 code units, as editors and LSP clients do.
 */

export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

export class LineIndex {
  private readonly starts: Int32Array;

  constructor(text: string) {
    let count = 1;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) count++;
    const starts = new Int32Array(count);
    let n = 1;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts[n++] = i + 1;
    this.starts = starts;
  }

  /** Line and column of `offset` (clamped to the text). */
  at(offset: number): LineColumn {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: Math.max(0, offset - (starts[lo] as number)) + 1 };
  }

  /** Offset where the (1-based) line starts. */
  lineStart(line: number): number {
    return this.starts[Math.min(Math.max(line, 1), this.starts.length) - 1] as number;
  }
}
