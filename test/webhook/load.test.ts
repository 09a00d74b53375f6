/**
 * The webhook under load, over real HTTPS in this process: the synthetic cluster of 1,000 workloads
 * (10,000 pods) and 1,000 NetworkPolicies, eight guarantees written for its topology, and 2,000
 * AdmissionReview requests at concurrency 20 on a keep-alive agent, after a warm-up of 500 (the mix:
 * bench/webhook-load.ts). No timing is asserted (the machine is shared); the figures are printed,
 * and `npm run bench:webhook` measures the same load against its targets.
 *
 * Asserted: every answer is HTTP 200, an AdmissionReview echoing its request's uid with a boolean
 * `allowed`; no transport error; changes that break a guarantee are denied with the guarantee
 * named, while most changes are allowed; memory is stable: RSS, sampled after each of 8 batches
 * (after a full garbage collection, so it measures what is retained), peaks in the second half at
 * most 1.25× its peak in the first (after a warm-up of 500).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  formatRows,
  isError,
  type LoadCluster,
  type LoadResult,
  type LoadServer,
  latencyRows,
  loadCluster,
  mb,
  planRequests,
  sendAll,
  serverRow,
  startLoadServer,
  verdictCounts,
} from "../../bench/webhook-load.js";
import { shutdownZ3 } from "../../src/solver/index.js";

const REQUESTS = Number(process.env.NETPOLC_LOAD_REQUESTS ?? 2_000);
const WARM_UP = 500;
const BATCHES = 8;

/** A full collection (gc exposed at run time, as src/solver/z3.ts does for z3's finalisers). */
function collectGarbage(): void {
  v8.setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}
const CONCURRENCY = 20;

describe("webhook under load (1,000 workloads, 1,000 policies)", () => {
  let dir: string;
  let cluster: LoadCluster;
  let load: LoadServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "netpolc-load-"));
    cluster = loadCluster();
    load = await startLoadServer(cluster, dir);
  }, 300_000);

  afterAll(async () => {
    await load?.server.close(5_000);
    rmSync(dir, { recursive: true, force: true });
    await shutdownZ3();
  });

  it(`answers ${REQUESTS} reviews at concurrency ${CONCURRENCY} correctly, with stable memory`, async () => {
    const plan = planRequests(cluster.raw, WARM_UP + REQUESTS, 7);
    const rssStart = process.memoryUsage().rss;
    const t0 = performance.now();
    const warm = await sendAll(plan.slice(0, WARM_UP), load.server.port, load.ca, CONCURRENCY);
    const rssWarm = process.memoryUsage().rss;
    const t1 = performance.now();
    // The measured run in batches, sampling RSS after each.
    const results: LoadResult[] = [];
    const samples: number[] = [];
    const batch = Math.ceil(REQUESTS / BATCHES);
    for (let i = WARM_UP; i < WARM_UP + REQUESTS; i += batch) {
      const end = Math.min(i + batch, WARM_UP + REQUESTS);
      results.push(...(await sendAll(plan.slice(i, end), load.server.port, load.ca, CONCURRENCY)));
      // Retained memory: garbage not yet collected says nothing of a leak (and how much of it
      // there is depends on the collector's pace, not on the webhook).
      collectGarbage();
      samples.push(process.memoryUsage().rss);
    }
    const rssEnd = samples.at(-1)!;
    const t2 = performance.now();
    console.log(
      [
        `webhook load: base verified in ${load.baseMs.toFixed(0)} ms; warm-up ${WARM_UP} in ${((t1 - t0) / 1000).toFixed(1)} s, ` +
          `${REQUESTS} requests in ${((t2 - t1) / 1000).toFixed(1)} s at concurrency ${CONCURRENCY}`,
        formatRows([...latencyRows(results), serverRow(results, load.admissions)]),
        `verdicts (warm-up and run): ${JSON.stringify(verdictCounts(load.admissions))}`,
        `RSS start ${mb(rssStart)}, after warm-up ${mb(rssWarm)}, end ${mb(rssEnd)}; per batch ${samples.map(mb).join(", ")}; load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(" ")}`,
      ].join("\n"),
    );

    const all = [...warm, ...results];
    expect(all.filter(isError).map((r) => `${r.uid}: ${r.status} ${r.error ?? ""}`)).toEqual([]);
    for (const r of all) {
      expect(r.status).toBe(200);
      expect(r.uidEchoed).toBe(true);
      expect(typeof r.allowed).toBe("boolean");
    }
    expect(load.problems.filter((l) => l.includes('"level":"error"'))).toEqual([]);
    // Denied for a broken guarantee, not only by the failure policy.
    expect(results.filter((r) => r.allowed === false && r.broke).length).toBeGreaterThan(0);
    expect(results.filter((r) => r.breaking && r.allowed === true).map((r) => r.uid)).toEqual([]);
    const harmless = results.filter((r) => !r.breaking);
    expect(harmless.filter((r) => r.allowed === true).length).toBeGreaterThanOrEqual(harmless.length * 0.9);
    // Stable memory: z3's wasm heap and the JavaScript heap reach their working size during the
    // warm-up and first batches, then stay; a leak keeps growing into the second half.
    const half = Math.floor(samples.length / 2);
    expect(Math.max(...samples.slice(half))).toBeLessThanOrEqual(Math.max(...samples.slice(0, half)) * 1.25);
  }, 3_600_000);
});
