/** What the composer produces: documents with positions, and the problems found while composing. */
import type { PathSegment, PositionTable, SlotRange } from "./positions.js";

export interface DuplicateKey {
  readonly path: readonly PathSegment[];
  readonly key: string;
  readonly offset: number;
  readonly firstOffset: number;
}

export interface Yaml11Scalar {
  /** Path of the value, or of the entry whose key this is when `isKey`. */
  readonly path: readonly PathSegment[];
  readonly isKey: boolean;
  readonly offset: number;
  readonly text: string;
  readonly value: unknown;
  readonly yaml11: unknown;
}

export interface ComposedDocument {
  /** `undefined` for an empty document. */
  readonly value: unknown;
  /** Offsets are absolute in the file text; shared by the documents of one parser call. */
  readonly table: PositionTable;
  /** Slot of the root node in `table`. */
  readonly slot: number;
  readonly duplicates: readonly DuplicateKey[];
  readonly yaml11: readonly Yaml11Scalar[];
  /** Whether any scalar in the document is null (lets the validator skip a walk). */
  readonly hasNull: boolean;
}

/** A syntax error: the chunk holding it yields no document. */
export class ComposeError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
  }
}

/** An anchored node: its value and the slots of its subtree (for aliases and merge keys). */
export interface Anchor {
  readonly value: unknown;
  readonly slots: SlotRange;
}
