/**
 * The one z3 instance of the process. z3-solver is a wasm build with pthreads: `init()` loads a
 * large module (do it once, lazily), long-running calls are serialised by the library, and its
 * worker threads keep Node alive until they are terminated (`shutdownZ3`), which every front-end
 * that exits calls.
 */
import { init } from "z3-solver";

type Z3Api = Awaited<ReturnType<typeof init>>;
export type Z3Context = InstanceType<Z3Api["Context"]> & { readonly name: "netpolc" };
export type Z3 = Z3Context;

let api: Promise<Z3Api> | undefined;
let ctx: Z3Context | undefined;
let startupMs = 0;

/** The shared context (created on first use). */
export async function z3(): Promise<Z3Context> {
  if (!api) {
    const t0 = performance.now();
    api = init();
    await api;
    startupMs = performance.now() - t0;
  }
  const loaded = await api;
  ctx ??= new loaded.Context("netpolc") as Z3Context;
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
