/**
 * The guarantees of `netpolc check`, proved here or in a worker thread. z3 serialises the calls of
 * one instance, and proving is the longest stage on large inputs, so with a second core the check
 * starts a worker at once: it reads the head and the guarantees file itself and has its own z3,
 * while this thread reads the base, lints and diffs. The worker answers with plain data (report
 * entries and diagnostics). Head files are named as given, so entries built there read the same.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { Diagnostic } from "../common/index.js";
import { type Analysis, type Cluster, type ModelOptions, modelOptions } from "../model/index.js";
import { parseGuarantees } from "../parser/guarantees/index.js";
import type { GuaranteeFile } from "../parser/index.js";
import type { GuaranteeEntry } from "../report/index.js";
import { shutdownZ3, verifyGuarantees } from "../solver/index.js";
import { guaranteeEntry } from "./check-guarantees.js";
import { loadAndAnalyze } from "./pipeline.js";

export interface GuaranteeOutcome {
  readonly entries: readonly GuaranteeEntry[];
  /** The solver's diagnostics (not the guarantees file's: the caller parses it too). */
  readonly diagnostics: readonly Diagnostic[];
  readonly ms: number;
}

/** What a worker needs to redo the head and the guarantees on its own. */
export interface VerifyJob {
  readonly paths: readonly string[];
  readonly strict: boolean;
  readonly ipBlockPods: "include" | "exclude";
  readonly hostNetwork?: "node" | "distinguish" | undefined;
  readonly guarantees: string;
  readonly timeoutMs: number;
}

const identity = (f: string) => f;

/** Proves the guarantees on an analysed head, in this thread. */
export async function verifyHere(
  cluster: Cluster,
  analysis: Analysis,
  options: ModelOptions,
  files: readonly GuaranteeFile[],
  timeoutMs: number,
): Promise<GuaranteeOutcome> {
  const t = performance.now();
  if (files.every((f) => f.guarantees.length === 0)) return { entries: [], diagnostics: [], ms: 0 };
  const report = await verifyGuarantees(cluster, options, files, { timeoutMs }, analysis);
  return {
    entries: report.results.map((r) => guaranteeEntry(r, identity)),
    // Undecided guarantees are the check's own findings (NP4025), not reported twice.
    diagnostics: report.diagnostics.filter((d) => d.code !== "NP4025"),
    ms: performance.now() - t,
  };
}

/**
 * Inputs below this size are proved in this thread: a worker's own start (modules, parse, z3) costs
 * more than it saves (README demo: 30 KB, about 1 s of CPU more with a worker, no faster).
 */
export const WORKER_MIN_BYTES = 512 * 1024;

/** Total size of the manifest files under the paths, counted up to `limit`. */
async function inputBytes(paths: readonly string[], limit: number): Promise<number> {
  let total = 0;
  const visit = async (path: string): Promise<void> => {
    if (total >= limit) return;
    const s = await stat(path).catch(() => undefined);
    if (s?.isFile()) total += s.size;
    else if (s?.isDirectory())
      for (const e of await readdir(path).catch(() => [] as string[]))
        if (/\.(ya?ml|json)$/i.test(e) || !e.includes(".")) await visit(join(path, e));
  };
  for (const p of paths) if (p !== "-") await visit(p);
  return total;
}

/**
 * Whether to prove in a worker: a second core, an input large enough, and not turned off
 * (`NETPOLC_CHECK_WORKER=0`; `=1` forces it).
 */
export async function workerWorthwhile(
  paths: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  if (env.NETPOLC_CHECK_WORKER === "0" || paths.includes("-") || availableParallelism() < 2) return false;
  return env.NETPOLC_CHECK_WORKER === "1" || (await inputBytes(paths, WORKER_MIN_BYTES)) >= WORKER_MIN_BYTES;
}

export interface WorkerRun {
  /** Settles when the worker has sent its outcome and exited. */
  readonly outcome: Promise<GuaranteeOutcome>;
  /** Stops the worker if it still runs (the check ended early). */
  readonly stop: () => Promise<void>;
}

/** Starts proving in a worker thread now. */
export function verifyInWorker(job: VerifyJob): WorkerRun {
  const worker = new Worker(new URL(import.meta.url), { workerData: { netpolcCheckVerify: job } });
  let exited = false;
  const outcome = new Promise<GuaranteeOutcome>((resolve, reject) => {
    let answer: GuaranteeOutcome | undefined;
    worker.on("message", (m: GuaranteeOutcome) => {
      answer = m;
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      exited = true;
      if (answer) resolve(answer);
      else reject(new Error(`the guarantees worker exited with code ${code}`));
    });
  });
  // Whoever stops early does not await the outcome: its rejection is expected then.
  outcome.catch(() => {});
  return {
    outcome,
    stop: async () => {
      if (!exited) await worker.terminate();
    },
  };
}

async function workerMain(job: VerifyJob): Promise<void> {
  const t = performance.now();
  try {
    const options = modelOptions({ ipBlockPods: job.ipBlockPods, hostNetwork: job.hostNetwork });
    const head = await loadAndAnalyze(job.paths, { strict: job.strict }, options);
    const text = await readFile(job.guarantees, "utf8").catch(() => undefined);
    const files = text === undefined ? [] : [parseGuarantees(text, job.guarantees).file];
    const outcome = await verifyHere(head.cluster, head.analysis, options, files, job.timeoutMs);
    parentPort!.postMessage({ ...outcome, ms: performance.now() - t });
  } finally {
    await shutdownZ3();
  }
}

if (!isMainThread && workerData?.netpolcCheckVerify)
  await workerMain(workerData.netpolcCheckVerify as VerifyJob);
