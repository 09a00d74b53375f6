/**
 * The one z3 instance of the process. z3-solver is a wasm build with pthreads: `init()` loads a
 * large module (do it once, lazily), long-running calls are serialised by the library, and its
 * worker threads keep Node alive until they are terminated (`shutdownZ3`), which every front-end
 * that exits calls.
 */
import type { BitVec, Bool, Context, init } from "z3-solver";

type Z3Api = Awaited<ReturnType<typeof init>>;
export type Ctx = Context<"netpolc">;
export type B = Bool<"netpolc">;
export type BV = BitVec<number, "netpolc">;

let api: Promise<Z3Api> | undefined;
let ctx: Ctx | undefined;
let startupMs = 0;

/** The shared context (created on first use). */
export async function z3(): Promise<Ctx> {
  if (!api) {
    const t0 = performance.now();
    // Loaded on first use: importing the module alone takes a quarter of a second.
    api = import("z3-solver").then((m) => m.init());
    await api;
    startupMs = performance.now() - t0;
  }
  const loaded = await api;
  ctx ??= new loaded.Context("netpolc");
  return ctx;
}

/** Milliseconds the first `z3()` call spent loading the wasm module (0 before it ran). */
export function z3StartupMs(): number {
  return startupMs;
}

export type CheckResult = "sat" | "unsat" | "unknown";

/**
 * Terminates z3's worker threads so the process can exit. Safe to call when z3 never started;
 * after it, `z3()` must not be called again in this process.
 */
export async function shutdownZ3(): Promise<void> {
  if (!api) return;
  const loaded = await api;
  const pthread = (loaded.em as unknown as { PThread?: { terminateAllThreads(): void } }).PThread;
  pthread?.terminateAllThreads();
}

/** n-ary And/Or that accept zero or one operand and very long lists. */
export function and(c: Ctx, xs: readonly B[]): B {
  if (xs.length === 0) return c.Bool.val(true);
  if (xs.length === 1) return xs[0]!;
  if (xs.length > 4096)
    return and(
      c,
      chunks(xs).map((part) => and(c, part)),
    );
  return c.And(...xs);
}

export function or(c: Ctx, xs: readonly B[]): B {
  if (xs.length === 0) return c.Bool.val(false);
  if (xs.length === 1) return xs[0]!;
  if (xs.length > 4096)
    return or(
      c,
      chunks(xs).map((part) => or(c, part)),
    );
  return c.Or(...xs);
}

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += 4096) out.push(xs.slice(i, i + 4096));
  return out;
}

/** Bits needed for values 0..max. */
export function bitsFor(max: number): number {
  let b = 1;
  while (2 ** b <= max) b++;
  return b;
}

/** `x = n` for a bit-vector and a number (z3's `eq` does not coerce numbers to bit-vectors). */
export function is(x: BV, n: number | bigint): B {
  return x.eq(x.ctx.BitVec.val(n, x.size()));
}

export function isnt(x: BV, n: number | bigint): B {
  return x.neq(x.ctx.BitVec.val(n, x.size()));
}
