/**
 * Fixed-size bit sets over class or atom indexes. Selectors are evaluated as bit-set algebra over an
 * inverted label index, so the cost of a selector is O(classes / 32), not O(pods).
 */
export class BitSet {
  readonly words: Uint32Array;
  constructor(
    readonly size: number,
    words?: Uint32Array,
  ) {
    this.words = words ?? new Uint32Array((size + 31) >>> 5);
  }

  static full(size: number): BitSet {
    const b = new BitSet(size);
    b.words.fill(0xffffffff);
    b.clearTail();
    return b;
  }

  static of(size: number, indexes: Iterable<number>): BitSet {
    const b = new BitSet(size);
    for (const i of indexes) b.add(i);
    return b;
  }

  private clearTail(): void {
    const rem = this.size & 31;
    if (rem !== 0 && this.words.length > 0) this.words[this.words.length - 1]! &= (1 << rem) - 1;
  }

  add(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }

  has(i: number): boolean {
    return (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  and(o: BitSet): BitSet {
    const w = new Uint32Array(this.words.length);
    for (let i = 0; i < w.length; i++) w[i] = this.words[i]! & o.words[i]!;
    return new BitSet(this.size, w);
  }

  or(o: BitSet): BitSet {
    const w = new Uint32Array(this.words.length);
    for (let i = 0; i < w.length; i++) w[i] = this.words[i]! | o.words[i]!;
    return new BitSet(this.size, w);
  }

  /** this &= o, in place. */
  andInPlace(o: BitSet): this {
    for (let i = 0; i < this.words.length; i++) this.words[i]! &= o.words[i]!;
    return this;
  }

  /** this |= o, in place. */
  orInPlace(o: BitSet): this {
    for (let i = 0; i < this.words.length; i++) this.words[i]! |= o.words[i]!;
    return this;
  }

  /** this &= ~o, in place. */
  andNotInPlace(o: BitSet): this {
    for (let i = 0; i < this.words.length; i++) this.words[i]! &= ~o.words[i]!;
    return this;
  }

  not(): BitSet {
    const w = new Uint32Array(this.words.length);
    for (let i = 0; i < w.length; i++) w[i] = ~this.words[i]!;
    const b = new BitSet(this.size, w);
    b.clearTail();
    return b;
  }

  isEmpty(): boolean {
    for (let i = 0; i < this.words.length; i++) if (this.words[i] !== 0) return false;
    return true;
  }

  /** Calls `fn` for each member in increasing order. */
  forEach(fn: (i: number) => void): void {
    const w = this.words;
    for (let k = 0; k < w.length; k++) {
      let x = w[k]!;
      while (x !== 0) {
        const t = x & -x;
        fn((k << 5) + 31 - Math.clz32(t));
        x ^= t;
      }
    }
  }

  toArray(): number[] {
    const out: number[] = [];
    this.forEach((i) => {
      out.push(i);
    });
    return out;
  }

  /** A hashable key of the members (for grouping identical sets). */
  key(): string {
    return Buffer.from(this.words.buffer, this.words.byteOffset, this.words.byteLength).toString("base64");
  }
}
