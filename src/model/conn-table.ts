/**
 * Interned connection sets. The engine handles millions of (source, destination) cells but only a
 * few distinct connection sets, so cells hold small integer ids and set algebra is memoised per pair
 * of ids. One table per analysis (no global state).
 */
import {
  ALL_CONN,
  type ConnSet,
  connIntersect,
  connKey,
  connSubtract,
  connUnion,
  EMPTY_CONN,
} from "./ports.js";

export const EMPTY_ID = 0;
export const ALL_ID = 1;

export class ConnTable {
  private readonly sets: ConnSet[] = [];
  private readonly ids = new Map<string, number>();
  private readonly unions = new Map<number, number>();
  private readonly intersections = new Map<number, number>();
  private readonly differences = new Map<number, number>();

  constructor() {
    this.intern(EMPTY_CONN);
    this.intern(ALL_CONN);
  }

  intern(c: ConnSet): number {
    const key = connKey(c);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(c);
      this.ids.set(key, id);
    }
    return id;
  }

  get(id: number): ConnSet {
    return this.sets[id]!;
  }

  get size(): number {
    return this.sets.length;
  }

  union(a: number, b: number): number {
    if (a === b || b === EMPTY_ID || a === ALL_ID) return a;
    if (a === EMPTY_ID || b === ALL_ID) return b;
    const key = a < b ? a * 0x100000 + b : b * 0x100000 + a;
    let r = this.unions.get(key);
    if (r === undefined) {
      r = this.intern(connUnion(this.sets[a]!, this.sets[b]!));
      this.unions.set(key, r);
    }
    return r;
  }

  intersect(a: number, b: number): number {
    if (a === b || b === ALL_ID || a === EMPTY_ID) return a;
    if (a === ALL_ID || b === EMPTY_ID) return b;
    const key = a < b ? a * 0x100000 + b : b * 0x100000 + a;
    let r = this.intersections.get(key);
    if (r === undefined) {
      r = this.intern(connIntersect(this.sets[a]!, this.sets[b]!));
      this.intersections.set(key, r);
    }
    return r;
  }

  /** a minus b. */
  subtract(a: number, b: number): number {
    if (a === EMPTY_ID || b === EMPTY_ID) return a;
    if (a === b || b === ALL_ID) return EMPTY_ID;
    const key = a * 0x100000 + b;
    let r = this.differences.get(key);
    if (r === undefined) {
      r = this.intern(connSubtract(this.sets[a]!, this.sets[b]!));
      this.differences.set(key, r);
    }
    return r;
  }
}
