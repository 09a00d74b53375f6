/**
 * Source positions of every node of a parsed document, stored compactly and resolved lazily.
 *
 * The table holds two offsets per node, in pre-order (a node, then its children in the order
 * `Object.keys` / array order enumerates them): `entryAt`, where the node is introduced (the key of a
 * mapping entry, the item of a sequence, the start of a root), and `valueAt`, where its value starts.
 * No path strings are built: `findSlot` walks the value and the table together, so a 20 MB file costs
 * two 32-bit integers per node (outside the garbage-collected heap) and a lookup costs the size of one
 * object. One table serves all documents parsed in one parser call; each object knows its root slot.
 */

export class PositionTable {
  private entries = new Int32Array(1024);
  private values = new Int32Array(1024);
  private size = 0;

  push(entryAt: number, valueAt: number): number {
    if (this.size === this.values.length) this.grow();
    this.entries[this.size] = entryAt;
    this.values[this.size] = valueAt;
    return this.size++;
  }

  get length(): number {
    return this.size;
  }

  entryAt(slot: number): number {
    return slot < this.size ? (this.entries[slot] as number) : 0;
  }

  valueAt(slot: number): number {
    return slot < this.size ? (this.values[slot] as number) : 0;
  }

  /** Overwrites a slot (used when reordering a mapping's children). */
  set(slot: number, entryAt: number, valueAt: number): void {
    this.entries[slot] = entryAt;
    this.values[slot] = valueAt;
  }

  /** Copies slots `[from, to)` out (for anchors and merge sources). */
  slice(from: number, to = this.size): SlotRange {
    return { entries: this.entries.slice(from, to), values: this.values.slice(from, to) };
  }

  truncate(length: number): void {
    this.size = Math.min(this.size, length);
  }

  private grow(): void {
    const entries = new Int32Array(this.entries.length * 2);
    const values = new Int32Array(this.values.length * 2);
    entries.set(this.entries);
    values.set(this.values);
    this.entries = entries;
    this.values = values;
  }
}

/** A copied run of slots. */
export interface SlotRange {
  readonly entries: Int32Array;
  readonly values: Int32Array;
}

export type PathSegment = string | number;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Number of table slots the subtree of `v` occupies. */
export function slotCount(v: unknown): number {
  if (Array.isArray(v)) {
    let n = 1;
    for (const item of v) n += slotCount(item);
    return n;
  }
  if (isPlainObject(v)) {
    let n = 1;
    for (const k of Object.keys(v)) n += slotCount(v[k]);
    return n;
  }
  return 1;
}

export interface Slot {
  /** Table index of the deepest node found. */
  readonly index: number;
  /** How many path segments were matched (less than `path.length` when falling back). */
  readonly matched: number;
}

/** Finds the node at `path` below the node `value` stored at table index `index`. */
export function findSlot(value: unknown, index: number, path: readonly PathSegment[]): Slot {
  let cur = value;
  let idx = index;
  let matched = 0;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === "number" && seg >= 0 && seg < cur.length) {
      idx += 1;
      for (let j = 0; j < seg; j++) idx += slotCount(cur[j]);
      cur = cur[seg];
    } else if (isPlainObject(cur) && typeof seg === "string" && Object.hasOwn(cur, seg)) {
      idx += 1;
      for (const k of Object.keys(cur)) {
        if (k === seg) break;
        idx += slotCount(cur[k]);
      }
      cur = cur[seg];
    } else break;
    matched++;
  }
  return { index: idx, matched };
}
