/**
 * Splits a YAML stream into its documents before parsing, so that a syntax error in one document
 * loses only that document. A document marker is `---` or `...` at column 0 followed by a space or
 * the end of the line; YAML forbids both inside scalars and flow collections at column 0, so cutting
 * there never changes the meaning of a well-formed stream.
 */

export interface Chunk {
  /** Offset of the chunk in the file text (a `---` marker stays in the chunk it opens). */
  readonly start: number;
  readonly end: number;
}

const MARKER = /^(---|\.\.\.)(?=[ \t\r\n]|$)/gm;

export function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  MARKER.lastIndex = start;
  for (let m = MARKER.exec(text); m !== null; m = MARKER.exec(text)) {
    if (m[1] === "---") {
      if (m.index > start) chunks.push({ start, end: m.index });
      start = m.index;
    } else {
      // `...` ends the current document; the marker line belongs to it.
      const eol = text.indexOf("\n", m.index);
      const end = eol < 0 ? text.length : eol + 1;
      chunks.push({ start, end });
      start = end;
      MARKER.lastIndex = end;
    }
  }
  if (start < text.length) chunks.push({ start, end: text.length });
  return chunks;
}

/**
 * Groups consecutive chunks into batches of about `size` characters. A batch is parsed as one stream
 * (much faster than one parser call per small document); only a batch with a syntax error is parsed
 * again chunk by chunk, so that the error loses one document.
 */
export function batchChunks(chunks: readonly Chunk[], size: number): Chunk[][] {
  const batches: Chunk[][] = [];
  let current: Chunk[] = [];
  let length = 0;
  for (const c of chunks) {
    if (current.length > 0 && length + (c.end - c.start) > size) {
      batches.push(current);
      current = [];
      length = 0;
    }
    current.push(c);
    length += c.end - c.start;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
