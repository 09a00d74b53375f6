/**
 * The one z3 instance of the process. z3-solver is a wasm build with pthreads: `init()` loads a
 * large module (do it once, lazily), long-running calls are serialised by the library, and its
 * worker threads keep Node alive until they are terminated (`shutdownZ3`), which every front-end
 * that exits calls.
 */
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import type { BitVec, Bool, Context, init } from "z3-solver";

type Z3Api = Awaited<ReturnType<typeof init>>;
export type Ctx = Context<"netpolc">;
export type B = Bool<"netpolc">;
export type BV = BitVec<number, "netpolc">;

let api: Promise<Z3Api> | undefined;
let ctx: Ctx | undefined;
let startupMs = 0;

/*
 * z3-solver frees z3 objects from a FinalizationRegistry: whenever the JavaScript collector runs,
 * on the main thread — also while a `check` runs on one of z3's worker threads. z3's AST manager is
 * not thread-safe, so such a free corrupts the wasm heap (seen: "memory access out of bounds" in the
 * rewriter, out-of-memory aborts, hangs, after a few dozen checks). The library's registry is
 * created by `init()`; it is given one that holds its callbacks while a check is in flight and runs
 * them when none is.
 */
let checksInFlight = 0;
const heldFrees: (() => void)[] = [];

function runHeldFrees(): void {
  while (checksInFlight === 0 && heldFrees.length > 0) heldFrees.pop()!();
}

function holdingRegistry(Base: typeof FinalizationRegistry): typeof FinalizationRegistry {
  return class HoldingRegistry<T> extends Base<T> {
    constructor(cleanup: (held: T) => void) {
      super((held) => {
        if (checksInFlight > 0) heldFrees.push(() => cleanup(held));
        else cleanup(held);
      });
    }
  } as typeof FinalizationRegistry;
}

async function load(): Promise<Z3Api> {
  const m = await import("z3-solver");
  const saved = globalThis.FinalizationRegistry;
  globalThis.FinalizationRegistry = holdingRegistry(saved);
  try {
    return await m.init();
  } finally {
    globalThis.FinalizationRegistry = saved;
  }
}

/** Every solver's `check` counts as in flight from its call to its answer (see above). */
function trackChecks(c: Ctx): void {
  const proto = (c.Solver as unknown as { prototype: { check: (...args: unknown[]) => Promise<unknown> } })
    .prototype;
  const check = proto.check;
  proto.check = async function (this: unknown, ...args: unknown[]) {
    checksInFlight++;
    try {
      return await check.apply(this, args);
    } finally {
      checksInFlight--;
      runHeldFrees();
    }
  };
}

/** The shared context (created on first use). */
export async function z3(): Promise<Ctx> {
  if (!api) {
    const t0 = performance.now();
    // Loaded on first use: importing the module alone takes a quarter of a second.
    api = load();
    await api;
    startupMs = performance.now() - t0;
  }
  const loaded = await api;
  if (!ctx) {
    ctx = new loaded.Context("netpolc");
    trackChecks(ctx);
  }
  return ctx;
}

/**
 * Runs `work` when no other exclusive work runs. z3 must not be used from the main thread while a
 * check runs on a worker (its AST manager is shared and not thread-safe): long-lived front-ends that
 * serve concurrent requests (the webhook) run each request's z3 work through here.
 */
export function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.then(work, work);
  queue = run.then(reclaim, reclaim);
  return run;
}
let queue: Promise<void> = Promise.resolve();

/*
 * z3 objects are freed only when the JavaScript collector finalises their wrappers, and a wasm
 * memory never shrinks: a long-lived process whose collector is lazy (a large, quiet heap) lets
 * dead ASTs pile up until z3's 2 GiB heap is exhausted. After exclusive work, when z3's memory has
 * grown by GROWTH_BYTES since the last time, a full collection is forced so the finalisers free
 * what disposed Verifiers left, and later allocations reuse it.
 */
const GROWTH_BYTES = 64 * 1024 * 1024;
let reclaimedAt = 0;
let collect: (() => void) | undefined;

async function reclaim(): Promise<void> {
  if (!api) return;
  const em = (await api).em as unknown as { HEAPU8?: Uint8Array };
  const size = em.HEAPU8?.buffer.byteLength ?? 0;
  if (size - reclaimedAt < GROWTH_BYTES) return;
  reclaimedAt = size;
  collect ??= exposeGc();
  collect();
  // Let the finalisers run (they are queued as tasks) before the next z3 work.
  await new Promise((resolve) => setImmediate(resolve));
}

function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  v8.setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
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
  const pthread = (loaded.em as unknown as { PThread?: PThreads }).PThread;
  if (!pthread) return;
  // A check's worker thread posts "cleanupThread" to the main thread when it finishes. Give running
  // threads a moment to report back, so none is terminated between finishing and reporting.
  const deadline = Date.now() + 500;
  while (pthread.runningWorkers.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const workers = [...pthread.runningWorkers, ...pthread.unusedWorkers];
  pthread.terminateAllThreads();
  // emscripten replaces a terminated worker's handler with one that prints every late message to
  // stderr; a late "cleanupThread" from a thread that was already done is harmless, so drop it.
  for (const worker of workers) worker.onmessage = () => {};
}

/** The part of emscripten's pthread pool that shutdown touches. */
interface PThreads {
  runningWorkers: { onmessage: unknown }[];
  unusedWorkers: { onmessage: unknown }[];
  terminateAllThreads(): void;
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
