/**
 * Webhook benchmark (`npm run bench` runs it last; alone: `npm run bench:webhook`, or
 * `node dist/bench/webhook.js [--requests 2000] [--concurrency 20] [--warm-up 200] [--deadline-ms 5000]`):
 * the admission webhook served over real HTTPS in this process (snapshot mode, enforce, failure
 * policy Fail) on the synthetic cluster of 1,000 workloads / 1,000 policies, answering a mix of
 * AdmissionReview requests from a keep-alive client at a fixed concurrency (bench/webhook-load.ts,
 * shared with test/webhook/load.test.ts). Prints latency by request class, the server's own
 * timing, verdicts, RSS and the load average; writes bench/out/webhook.json.
 * Targets (webhook issue): p99 < 100 ms for policy changes touching ≤ 50 workloads; no answer later
 * than the deadline.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { shutdownZ3 } from "../src/solver/index.js";
import {
  formatRows,
  type LatencyRow,
  LOAD_CLUSTER,
  latencyRows,
  loadCluster,
  mb,
  planRequests,
  sendAll,
  serverRow,
  startLoadServer,
  verdictCounts,
} from "./webhook-load.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "20" },
    "warm-up": { type: "string", default: "200" },
    "deadline-ms": { type: "string", default: "5000" },
    seed: { type: "string", default: "7" },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const warmUp = Number(values["warm-up"]);
const deadlineMs = Number(values["deadline-ms"]);

const load = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(" ");
const pass = (ok: boolean) => (ok ? "PASS" : "FAIL");

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const rssStart = process.memoryUsage().rss;
  // 1. The cluster, the guarantees' base verdicts, the server.
  const dir = mkdtempSync(join(tmpdir(), "netpolc-bench-webhook-"));
  const cluster = loadCluster();
  const server = await startLoadServer(cluster, dir, { deadlineMs });
  const plan = planRequests(cluster.raw, warmUp + requests, Number(values.seed));
  // 2. Warm-up, then the measured run.
  await sendAll(plan.slice(0, warmUp), server.server.port, server.ca, concurrency);
  const rssWarm = process.memoryUsage().rss;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const t0 = performance.now();
  const results = await sendAll(plan.slice(warmUp), server.server.port, server.ca, concurrency);
  const seconds = (performance.now() - t0) / 1000;
  delay.disable();
  const rssEnd = process.memoryUsage().rss;
  // What stays after a full collection (the end figure above includes garbage not yet collected).
  v8.setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  const rssRetained = process.memoryUsage().rss;
  const loadAfter = loadavg();
  await server.server.close(5_000);
  rmSync(dir, { recursive: true, force: true });
  await shutdownZ3();

  // 3. Report.
  const rows: LatencyRow[] = [...latencyRows(results), serverRow(results, server.admissions)];
  const policy = rows[0]!;
  const overDeadline = results.filter((r) => r.ms > deadlineMs).length;
  // The API server's webhook timeout (the requests say ?timeout=10s): the target is never to exceed it.
  const overTimeout = results.filter((r) => r.ms > 10_000).length;
  console.log(
    `webhook: ${LOAD_CLUSTER.workloads} workloads, ${LOAD_CLUSTER.policies} policies, ` +
      `${cluster.guarantees.guarantees.length} guarantees (base verified in ${server.baseMs.toFixed(0)} ms); ` +
      `${requests} requests at concurrency ${concurrency} after ${warmUp} warm-up, in ${seconds.toFixed(1)} s ` +
      `(${(requests / seconds).toFixed(1)}/s), deadline ${deadlineMs} ms`,
  );
  console.log(formatRows(rows));
  console.log(`  verdicts (warm-up and run): ${JSON.stringify(verdictCounts(server.admissions))}`);
  console.log(
    `  event loop delay (the server's one thread, busy elsewhere): p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`,
  );
  console.log(
    `  RSS start ${mb(rssStart)}, after warm-up ${mb(rssWarm)}, end ${mb(rssEnd)} (${mb(rssRetained)} after a full collection)`,
  );
  console.log(`  load average before ${load(loadBefore)}, after ${load(loadAfter)}`);
  console.log(
    `  targets: policy-change p99 < 100 ms ${pass(policy.p99 < 100)} (${policy.p99.toFixed(0)} ms); ` +
      `none over the 10 s webhook timeout ${pass(overTimeout === 0)} (${overTimeout} over; ` +
      `${overDeadline} over the ${deadlineMs} ms deadline, which counts from the server's arrival)`,
  );
  const out = join(import.meta.dirname, "..", "..", "bench", "out");
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, "webhook.json"),
    `${JSON.stringify(
      {
        cluster: LOAD_CLUSTER,
        requests,
        concurrency,
        warmUp,
        deadlineMs,
        seconds,
        baseMs: server.baseMs,
        rows,
        overDeadline,
        overTimeout,
        verdicts: verdictCounts(server.admissions),
        rss: { start: rssStart, warm: rssWarm, end: rssEnd, retained: rssRetained },
        loadavg: { before: loadBefore, after: loadAfter },
      },
      null,
      2,
    )}\n`,
  );
}

await main();
// The server is closed, but destroyed TLS sockets have been seen to keep their handles (and the
// process) alive for minutes after it (not diagnosed; `netpolc serve` exits the same way).
setTimeout(() => process.exit(), 1_000).unref();
