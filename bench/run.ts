/**
 * `npm run bench`: runs the scenarios (each in its own child process, so that peak RSS is the
 * scenario's own), prints a table, the growth of each series and the targets with PASS/FAIL, and
 * writes bench/out/results.json.
 *
 *   node --expose-gc dist/bench/run.js [--only S,tiers,services,L,scale,replicas,<scenario>] [--seed N] [--repeat N]
 *     [--timeout SECONDS]
 *
 * --repeat overrides each scenario's number of runs (the fastest run of each phase is reported).
 *
 * Each scenario runs in a fresh process after a small warm-up run of the whole pipeline.
 * Exit status: 0 when every scenario ran (targets are reported, not enforced), 1 otherwise.
 */
import { fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { EMIT_SCENARIO, emitLines, runEmitBench } from "./emit.js";
import { EMIT_EBPF_SCENARIO, emitEbpfLines, runEmitEbpfBench } from "./emit-ebpf.js";
import { execute, type ScenarioResult } from "./execute.js";
import { hasGc } from "./measure.js";
import { evaluate, growth, HEADER, type Outcome, printRow, row, servicesLine } from "./report.js";
import { type Scenario, SERIES, scenarios } from "./scenarios.js";

const ROOT = join(import.meta.dirname, "..", "..");
const USAGE =
  "usage: node --expose-gc dist/bench/run.js [--only S,tiers,services,L,scale,replicas,<scenario>] [--seed N] [--repeat N] [--timeout SECONDS]";
const OUT = join(ROOT, "bench", "out", "results.json");

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        only: { type: "string" },
        seed: { type: "string", default: "1" },
        timeout: { type: "string", default: "150" },
        repeat: { type: "string" },
        child: { type: "string" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(1);
  }
})();
const seed = Number(values.seed);
const all = scenarios(seed);

function runChild(name: string): void {
  const s = all.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario ${name}`);
  // A small warm-up run first, so that every scenario is measured with the same code compiled
  // (without it the smallest scenarios mostly measure the JIT and the growth ratios are noise).
  const few = (n: number) => Math.min(n, 8);
  execute({
    ...s,
    name: "warm-up",
    size: {
      ...s.size,
      ...{ namespaces: 6, workloads: 60, policies: 60, services: 20, replicas: 2 },
      ...{ adminPolicies: few(s.size.adminPolicies), baselinePolicies: few(s.size.baselinePolicies) },
    },
  });
  const result = execute(s, values.repeat ? Number(values.repeat) : s.repeat);
  process.send!(result, () => process.disconnect());
}

async function main(): Promise<void> {
  // 1. Which scenarios.
  const wanted = values.only
    ?.split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  const unknown = (wanted ?? []).filter(
    (w) =>
      w !== EMIT_EBPF_SCENARIO && w !== EMIT_SCENARIO && !all.some((s) => s.series === w || s.name === w),
  );
  if (unknown.length > 0) {
    console.error(
      `unknown scenario or series: ${unknown.join(", ")} (series: ${SERIES.join(", ")}; scenarios: ${all.map((s) => s.name).join(", ")})`,
    );
    process.exitCode = 1;
    return;
  }
  const problems = [
    ...(Number.isInteger(seed) && seed >= 0
      ? []
      : [`--seed must be a non-negative integer (got ${values.seed})`]),
    ...(values.repeat === undefined || (Number.isInteger(Number(values.repeat)) && Number(values.repeat) >= 1)
      ? []
      : [`--repeat must be a positive integer (got ${values.repeat})`]),
    ...(Number(values.timeout) > 0
      ? []
      : [`--timeout must be a positive number of seconds (got ${values.timeout})`]),
  ];
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    process.exitCode = 1;
    return;
  }
  const selected = all.filter((s) => !wanted || wanted.includes(s.series) || wanted.includes(s.name));
  const timeoutMs = Number(values.timeout) * 1000;
  console.log(
    `netpolc bench — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), seed ${seed}`,
  );
  console.log(
    `load average before: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")} (timings are wall-clock; other load inflates them)`,
  );
  console.log("each scenario: a fresh process, a warm-up run, then the fastest of N runs per phase");
  if (!hasGc()) console.log("(run with --expose-gc for retained-heap figures)");
  console.log("");
  const loadBefore = loadavg();

  // 2. Run them one by one, printing each row as it arrives.
  printRow(HEADER);
  const outcomes: Outcome[] = [];
  for (const s of selected) {
    const o = await runInChild(s, timeoutMs);
    outcomes.push(o);
    printRow(o.result ? row(o.result) : [s.name, `ERROR: ${o.error}`]);
    const services = o.result && servicesLine(o.result);
    if (services) console.log(services);
    if (o.result && o.result.diagnostics.errors > 0)
      console.log(
        `  ! ${o.result.diagnostics.errors} parser errors, first: ${o.result.diagnostics.firstError}`,
      );
  }

  const emit = !wanted || wanted.includes(EMIT_SCENARIO) ? runEmitBench(seed) : undefined;
  if (emit) for (const line of emitLines(emit)) console.log(line);
  const emitEbpf = !wanted || wanted.includes(EMIT_EBPF_SCENARIO) ? runEmitEbpfBench(seed) : undefined;
  if (emitEbpf) for (const line of emitEbpfLines(emitEbpf)) console.log(line);

  // 3. Growth of each series, targets.
  console.log("");
  for (const line of growth(outcomes)) console.log(line);
  console.log("");
  const targets = evaluate(outcomes);
  console.log(
    `load average after: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  console.log("Targets");
  for (const t of targets) console.log(`  ${t.label.padEnd(58)} ${t.value.padStart(10)}   ${t.status}`);

  // 4. Results file.
  mkdirSync(join(ROOT, "bench", "out"), { recursive: true });
  const json = {
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    seed,
    loadAverage: { before: loadBefore, after: loadavg() },
    scenarios: outcomes.map((o) => o.result ?? { name: o.scenario.name, error: o.error }),
    emit,
    emitEbpf,
    targets,
  };
  writeFileSync(OUT, toJson(json));
  console.log(`\nwrote ${OUT}`);
  if (outcomes.some((o) => o.error)) process.exitCode = 1;
}

/**
 * Indented JSON with arrays of numbers and strings on one line, as the repository's formatter
 * (biome, which also checks bench/**) writes them, so a results file never fails `npm run lint`.
 */
function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_, items: string) => `[${items.split(/,\n\s*/).join(", ")}]`)}\n`;
}

function runInChild(s: Scenario, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = fork(
      fileURLToPath(import.meta.url),
      ["--child", s.name, "--seed", String(seed), ...(values.repeat ? ["--repeat", values.repeat] : [])],
      {
        execArgv: ["--expose-gc", "--max-old-space-size=8192"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      },
    );
    let result: ScenarioResult | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("message", (m) => {
      result = m as ScenarioResult;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (result) resolve({ scenario: s, result });
      else
        resolve({
          scenario: s,
          error: timedOut
            ? `timed out after ${timeoutMs / 1000} s`
            : `child exited (${signal ?? `code ${code}`})`,
        });
    });
  });
}

// --- entry (last, after every declaration) -------------------------------------------------

if (values.child) runChild(values.child);
else if (values.help) console.log(USAGE);
else await main();
