/**
 * Formulas that fold constants: a value is a JavaScript boolean / bigint while it is known and a z3
 * term once it depends on the symbolic packet. Evaluating a ruleset on a packet whose destination
 * is known (a Service frontend) thus builds terms only for the rules that may still match, and on a
 * fully concrete packet it is a plain interpreter.
 *
 * Deep first-match chains would make deep terms; `cut` names a symbolic value by a fresh constant
 * and records its definition, so terms stay shallow (the auxiliary-variable idea of world.ts).
 */

import { and as andAll, type B, type BV, type Ctx, or as orAll } from "../z3.js";
import { intervalsHave } from "./addr.js";

export type F = boolean | B;
export type V = bigint | BV;

export class Fm {
  /** Definitions of the auxiliary constants, to be asserted with every query using them. */
  readonly defs: B[] = [];
  private fresh = 0;
  /** Terms that are constants already (cutting them again would only add a definition). */
  private readonly names = new WeakSet<object>();
  /** Every constant this builder created, in order (for copying a formula with fresh constants). */
  readonly created: { readonly v: B | BV; readonly bits: number | undefined }[] = [];

  constructor(
    readonly c: Ctx,
    readonly tag: string,
  ) {}

  not(x: F): F {
    return typeof x === "boolean" ? !x : this.c.Not(x);
  }

  and(...xs: F[]): F {
    const terms: B[] = [];
    for (const x of xs) {
      if (x === false) return false;
      if (x !== true) terms.push(x);
    }
    return terms.length === 0 ? true : andAll(this.c, terms);
  }

  or(...xs: F[]): F {
    const terms: B[] = [];
    for (const x of xs) {
      if (x === true) return true;
      if (x !== false) terms.push(x);
    }
    return terms.length === 0 ? false : orAll(this.c, terms);
  }

  implies(a: F, b: F): F {
    return this.or(this.not(a), b);
  }

  ite(cond: F, a: F, b: F): F {
    if (cond === true) return a;
    if (cond === false) return b;
    if (a === b) return a;
    if (a === true && b === false) return cond;
    if (a === false && b === true) return this.c.Not(cond);
    if (a === false) return this.and(this.c.Not(cond), b);
    if (b === false) return this.and(cond, a);
    if (a === true) return this.or(cond, b);
    if (b === true) return this.or(this.c.Not(cond), a);
    return this.c.If(cond, a, b) as B;
  }

  iteV(cond: F, a: V, b: V, bits: number): V {
    if (cond === true) return a;
    if (cond === false) return b;
    if (typeof a === "bigint" && typeof b === "bigint" && a === b) return a;
    return this.c.If(cond, this.bv(a, bits), this.bv(b, bits)) as BV;
  }

  /**
   * `x` and the definitions made since `from` (see `position`), with every constant created since
   * then replaced by a fresh one: an independent copy of that part of the formula.
   */
  copySince(x: F, from: { created: number; defs: number }, name: string): F {
    const vars = this.created.slice(from.created);
    const whole = this.and(x, ...this.defs.slice(from.defs));
    if (typeof whole === "boolean" || vars.length === 0) return whole;
    const pairs = vars.map(({ v, bits }): [B | BV, B | BV] => [
      v,
      bits === undefined
        ? this.c.Bool.const(`${name}.${this.fresh++}`)
        : this.c.BitVec.const(`${name}.${this.fresh++}`, bits),
    ]);
    return this.c.substitute(whole, ...pairs) as B;
  }

  position(): { created: number; defs: number } {
    return { created: this.created.length, defs: this.defs.length };
  }

  bv(x: V, bits: number): BV {
    return typeof x === "bigint" ? this.c.BitVec.val(x, bits) : x;
  }

  eqV(a: V, b: V, bits: number): F {
    if (typeof a === "bigint" && typeof b === "bigint") return a === b;
    return this.bv(a, bits).eq(this.bv(b, bits));
  }

  /** `lo <= x <= hi` for an unsigned value of `bits` bits. */
  inInterval(x: V, lo: bigint, hi: bigint, bits: number): F {
    const max = (1n << BigInt(bits)) - 1n;
    if (lo > hi) return false;
    if (typeof x === "bigint") return lo <= x && x <= hi;
    if (lo === 0n && hi >= max) return true;
    if (lo === hi) return x.eq(this.c.BitVec.val(lo, bits));
    // An aligned block: compare the prefix only.
    const size = hi - lo + 1n;
    if ((size & (size - 1n)) === 0n && (lo & (size - 1n)) === 0n) {
      const host = size.toString(2).length - 1;
      const prefix = this.c.Extract(bits - 1, host, x);
      return prefix.eq(this.c.BitVec.val(lo >> BigInt(host), bits - host));
    }
    if (lo === 0n) return x.ule(hi);
    if (hi >= max) return x.uge(lo);
    return this.c.And(x.uge(lo), x.ule(hi));
  }

  /** `x` in a union of sorted, disjoint intervals. */
  inSet(x: V, intervals: readonly (readonly [bigint, bigint])[], bits: number): F {
    if (typeof x === "bigint") return intervalsHave(intervals, x);
    return this.or(...intervals.map(([lo, hi]) => this.inInterval(x, lo, hi, bits)));
  }

  /** A fresh Boolean constant defined as `x` (x itself when it is a constant or already a name). */
  cut(x: F, what = "b"): F {
    if (typeof x === "boolean" || this.names.has(x)) return x;
    const v = this.boolConst(what);
    this.defs.push(v.eq(x));
    return v;
  }

  cutV(x: V, bits: number, what = "v"): V {
    if (typeof x === "bigint" || this.names.has(x)) return x;
    const v = this.bvConst(what, bits);
    this.defs.push(v.eq(x));
    return v;
  }

  boolConst(name: string): B {
    const v = this.c.Bool.const(`${this.tag}.${name}.${this.fresh++}`);
    this.names.add(v);
    this.created.push({ v, bits: undefined });
    return v;
  }

  bvConst(name: string, bits: number): BV {
    const v = this.c.BitVec.const(`${this.tag}.${name}.${this.fresh++}`, bits);
    this.names.add(v);
    this.created.push({ v, bits });
    return v;
  }
}
