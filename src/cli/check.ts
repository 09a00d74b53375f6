/**
 * `netpolc check PATH… [--base DIR | --base-ref GITREF] [-g FILE] [--fail-on LEVEL] [-o FORMAT[=FILE]]…`:
 * the pre-merge check. Validates the manifests, runs the lints, proves the guarantees and, with a
 * base, reports the connectivity diff flagged by risk; renders one report in any of the formats.
 * Exit codes: 0 nothing at or above `--fail-on`; 1 findings at or above it; 2 invalid input or usage
 * (the report is still written for what could be read).
 */
import { readFile, writeFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { type Diagnostic, diagnostic, hasErrors } from "../common/index.js";
import { type Analysis, clusterPeers, listConnections, modelOptions } from "../model/index.js";
import { parseGuarantees } from "../parser/guarantees/index.js";
import type { GuaranteeFile } from "../parser/index.js";
import {
  type CheckReport,
  FAIL_ON_LEVELS,
  type FailOn,
  layoutSvg,
  renderDot,
  renderGithub,
  renderHtml,
  renderJson,
  renderJunit,
  renderMarkdown,
  renderSarif,
  renderText,
} from "../report/index.js";
import { lintCluster, shutdownZ3, z3 } from "../solver/index.js";
import { directoryBase, type MaterialisedBase, materialiseGitBase, UsageError } from "./check-base.js";
import { type ConnectivityDiff, connectivityDiff, sensitiveNamespaces } from "./check-changes.js";
import { buildGraph } from "./check-graph.js";
import { Locator } from "./check-locate.js";
import { progress } from "./check-progress.js";
import { buildReport } from "./check-report.js";
import {
  type GuaranteeOutcome,
  verifyHere,
  verifyInWorker,
  type WorkerRun,
  workerWorthwhile,
} from "./check-verify.js";
import { EXIT } from "./io.js";
import { loadAndAnalyze } from "./pipeline.js";

export const CHECK_FORMATS = ["text", "json", "sarif", "junit", "github", "markdown", "html"] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

interface CheckCliOptions {
  base: string[];
  baseRef?: string;
  guarantees?: string;
  failOn: FailOn;
  output: string[];
  outputFile?: string;
  sensitiveNamespace: string[];
  timeout: string;
  lintBudget: string;
  ipblockPods: "include" | "exclude";
  hostNetwork?: "node" | "distinguish";
  strict: boolean;
  quiet: boolean;
  verbose: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerCheck(program: Command, common: (c: Command) => Command): void {
  common(
    program
      .command("check")
      .description(
        "pre-merge check: validate, lint, prove guarantees and diff connectivity against a base; reports for CI and pull requests",
      )
      .argument("<paths...>", "manifest files or directories ('-' for stdin)")
      .option(
        "--base <path>",
        "the base input to diff against: a directory or file (repeatable)",
        collect,
        [],
      )
      .option(
        "--base-ref <gitref>",
        "diff against the same PATHs in this git commit (read with git, no checkout)",
      )
      .option("-g, --guarantees <file>", "a guarantees file to prove")
      .addOption(
        new Option("--fail-on <level>", "lowest level that fails the check (exit 1)")
          .choices([...FAIL_ON_LEVELS])
          .default("error"),
      )
      .option(
        "-o, --output <format[=file]>",
        `report format: ${CHECK_FORMATS.join("|")}; repeat for several, each '=FILE' to write to a file (default text)`,
        collect,
        [],
      )
      .option("--output-file <file>", "write the (single) report to this file instead of standard output")
      .option(
        "--sensitive-namespace <ns>",
        "flag new paths into this namespace (repeatable, or comma-separated); also namespaces labelled netpolc.io/sensitive=true",
        collect,
        [],
      )
      .option("--timeout <ms>", "z3 time limit per guarantee and per lint check, in milliseconds", "10000")
      .option(
        "--lint-budget <ms>",
        "time for the proved lints together, in milliseconds (default 0: only the engine's lints, fast and reproducible)",
        "0",
      ),
  ).action((paths: string[], o: CheckCliOptions) => runCheck(paths, o, program.version() ?? "0.0.0"));
}

interface OutputTarget {
  readonly format: CheckFormat;
  readonly file?: string | undefined;
}

/** `-o FORMAT[=FILE]` and `--output-file` → targets; at most one goes to standard output. */
export function parseOutputs(specs: readonly string[], outputFile: string | undefined): OutputTarget[] {
  const list = specs.length > 0 ? specs : ["text"];
  const targets = list.map((spec) => {
    const eq = spec.indexOf("=");
    const format = (eq < 0 ? spec : spec.slice(0, eq)) as CheckFormat;
    if (!CHECK_FORMATS.includes(format))
      throw new UsageError(`-o ${spec}: unknown format (choose from ${CHECK_FORMATS.join(", ")})`);
    const file = eq < 0 ? undefined : spec.slice(eq + 1);
    if (file === "") throw new UsageError(`-o ${spec}: empty file name`);
    return { format, file };
  });
  const toStdout = targets.filter((t) => t.file === undefined);
  if (outputFile !== undefined) {
    if (toStdout.length !== 1)
      throw new UsageError("--output-file needs exactly one -o format without '=FILE'");
    return targets.map((t) => (t.file === undefined ? { ...t, file: outputFile } : t));
  }
  if (toStdout.length > 1)
    throw new UsageError("only one -o format can go to standard output: give the others '=FILE'");
  return targets;
}

function positiveMs(name: string, value: string, allowZero: boolean): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || (!allowZero && n === 0))
    throw new UsageError(
      `${name} must be a ${allowZero ? "non-negative" : "positive"} integer (milliseconds), got "${value}"`,
    );
  return n;
}

export async function runCheck(paths: string[], o: CheckCliOptions, version: string): Promise<void> {
  const show = progress(o);
  let base: MaterialisedBase | undefined;
  let worker: WorkerRun | undefined;
  try {
    // 1. Options.
    if (o.base.length > 0 && o.baseRef !== undefined)
      throw new UsageError("--base and --base-ref exclude each other");
    const targets = parseOutputs(o.output, o.outputFile);
    const timeoutMs = positiveMs("--timeout", o.timeout, false);
    const lintBudgetMs = positiveMs("--lint-budget", o.lintBudget, true);
    const named = o.sensitiveNamespace
      .flatMap((s) => s.split(","))
      .map((s) => s.trim())
      .filter(Boolean);
    const options = modelOptions({ ipBlockPods: o.ipblockPods, hostNetwork: o.hostNetwork });
    // The guarantees go to a worker thread at once when a second core can take them.
    if (o.guarantees !== undefined && (await workerWorthwhile(paths)))
      worker = verifyInWorker({
        paths,
        strict: o.strict,
        ipBlockPods: o.ipblockPods,
        hostNetwork: o.hostNetwork,
        guarantees: o.guarantees,
        timeoutMs,
      });
    // The base's files first: a missing directory or commit is a usage error, found before parsing.
    const baseName = o.baseRef ?? o.base.join(" ");
    if (baseName !== "")
      base =
        o.baseRef === undefined ? await directoryBase(o.base) : await materialiseGitBase(o.baseRef, paths);
    // z3 loads (its wasm compiles on V8's background threads) while the manifests are parsed.
    const z3Ready = z3();
    z3Ready.catch(() => {});
    // 2. Head: parse, validate, model, connectivity.
    show.stage("reading the manifests");
    const head = await loadAndAnalyze(paths, { strict: o.strict }, options);
    const diagnostics: Diagnostic[] = [...head.diagnostics];
    // 3. The guarantees file.
    let files: GuaranteeFile[] = [];
    if (o.guarantees !== undefined) {
      let text: string | undefined;
      try {
        text = await readFile(o.guarantees, "utf8");
      } catch (e) {
        diagnostics.push(
          diagnostic("NP1001", "error", `cannot read the guarantees file: ${(e as Error).message}`, {
            source: { file: o.guarantees, line: 1, column: 1 },
          }),
        );
      }
      if (text !== undefined) {
        const parsed = parseGuarantees(text, o.guarantees);
        diagnostics.push(...parsed.diagnostics);
        files = [parsed.file];
      }
    }
    // 4. The base, when given.
    let baseAnalysis: Analysis | undefined;
    let baseErrors = 0;
    if (base) {
      show.stage(`reading the base ${baseName}`);
      const loaded = await loadAndAnalyze(base.paths, { strict: o.strict }, options);
      baseAnalysis = loaded.analysis;
      baseErrors = loaded.diagnostics.filter((d) => d.severity === "error").length;
      await base.cleanup();
    }
    const display = base?.display ?? ((f: string) => f);
    // 5. Lints (proved ones within their budget).
    show.stage("starting z3");
    await z3Ready;
    show.stage("linting");
    diagnostics.push(
      ...(await lintCluster(head.cluster, options, { timeoutMs, budgetMs: lintBudgetMs }, head.analysis)),
    );
    // 6. Guarantees (undecided ones are the check's own findings, NP4025).
    let guarantees: GuaranteeOutcome = { entries: [], diagnostics: [], ms: 0 };
    if (files.some((f) => f.guarantees.length > 0)) {
      const n = files[0]!.guarantees.length;
      show.stage(
        worker ? `proving ${n} guarantees (in a worker since the start)` : `proving ${n} guarantees`,
      );
      guarantees = worker
        ? await worker.outcome
        : await verifyHere(head.cluster, head.analysis, options, files, timeoutMs);
    }
    diagnostics.push(...guarantees.diagnostics);
    if (worker) show.note("guarantees worker, from its start", guarantees.ms);
    // 7. The connectivity diff against the base.
    show.stage("comparing connectivity");
    const locator = new Locator(head.analysis, baseAnalysis, display);
    const diff: ConnectivityDiff | undefined = baseAnalysis
      ? connectivityDiff(baseAnalysis, head.analysis, named, locator)
      : undefined;
    const sensitive = diff?.sensitive ?? sensitiveNamespaces([head.cluster], named);
    // 8. The report.
    const graph = buildGraph({
      before: diff?.before,
      after: diff?.after ?? listConnections(head.analysis, { granularity: "workload" }),
      beforePeers: baseAnalysis ? clusterPeers(baseAnalysis, "workload").map((p) => p.ref) : undefined,
      afterPeers: clusterPeers(head.analysis, "workload").map((p) => p.ref),
      sensitive: new Set(sensitive),
      changes: diff?.changes,
    });
    const report = buildReport({
      version,
      failOn: o.failOn,
      inputs: {
        head: paths,
        ...(baseName !== ""
          ? {
              base: {
                kind: o.baseRef === undefined ? ("paths" as const) : ("git-ref" as const),
                name: baseName,
              },
            }
          : {}),
        ...(o.guarantees !== undefined ? { guarantees: o.guarantees } : {}),
        sensitiveNamespaces: sensitive,
      },
      diagnostics,
      baseErrors,
      guarantees: guarantees.entries,
      ...(diff ? { changes: diff.changes } : {}),
      defaultAllow: diff?.defaultAllow ?? [],
      graph,
      display,
    });
    // 9. Render and write.
    show.stage("writing the report");
    for (const t of targets) {
      const text = await render(report, t.format, {
        color: t.file === undefined && process.stdout.isTTY && !process.env.NO_COLOR,
      });
      if (t.file === undefined) process.stdout.write(text);
      else
        await writeFile(t.file, text).catch((e: Error) => {
          throw new UsageError(`cannot write the ${t.format} report to ${t.file}: ${e.message}`);
        });
    }
    // 10. Exit code: invalid input first, then the verdict.
    const invalid = hasErrors(diagnostics.filter((d) => !d.code.startsWith("NP5")));
    process.exitCode = invalid ? EXIT.invalid : report.summary.verdict === "fail" ? EXIT.finding : EXIT.ok;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    show.done();
    process.stderr.write(`error NP9001: ${e.message}\n`);
    process.exitCode = EXIT.invalid;
  } finally {
    show.done();
    await base?.cleanup();
    await worker?.stop();
    await shutdownZ3();
  }
}

async function render(r: CheckReport, format: CheckFormat, o: { color: boolean }): Promise<string> {
  switch (format) {
    case "text":
      return renderText(r, o);
    case "json":
      return renderJson(r);
    case "sarif":
      return renderSarif(r);
    case "junit":
      return renderJunit(r);
    case "github":
      return renderGithub(r);
    case "markdown":
      return renderMarkdown(r);
    case "html":
      return renderHtml(r, await layoutSvg(renderDot(r.graph, new Set(r.inputs.sensitiveNamespaces))));
  }
}
