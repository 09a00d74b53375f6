/**
 * `netpolc lint PATH… [-o text|json]`: redundant and shadowed rules and policies (proved), selectors
 * that match nothing, workloads no policy isolates, DNS made unreachable, redundant excepts.
 * Exit codes: 0 no finding; 1 findings (warnings); 2 invalid input or usage.
 */
import { type Command, Option } from "commander";
import { type Diagnostic, formatObjectRef, formatPosition } from "../common/index.js";
import { modelOptions } from "../model/index.js";
import { lintCluster, shutdownZ3 } from "../solver/index.js";
import { EXIT, formatDiagnostic, reportDiagnostics, writeOut } from "./io.js";
import { loadAndAnalyze } from "./pipeline.js";
import { milliseconds } from "./solver-output.js";

interface LintCliOptions {
  output: "text" | "json";
  timeout: string;
  budget: string;
  ipblockPods: "include" | "exclude";
  hostNetwork?: "node" | "distinguish";
  strict: boolean;
  quiet: boolean;
  verbose: boolean;
}

export function registerLint(program: Command, common: (c: Command) => Command): void {
  common(
    program
      .command("lint")
      .description(
        "find redundant or shadowed policies and rules, unmatched selectors, unisolated workloads, DNS cut off",
      )
      .argument("<paths...>", "manifest files or directories ('-' for stdin)")
      .addOption(
        new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"),
      )
      .option("--timeout <ms>", "z3 time limit per check, in milliseconds", "10000")
      .option("--budget <ms>", "time limit for all proved lints together, in milliseconds", "60000"),
  ).action(runLint);
}

export async function runLint(paths: string[], o: LintCliOptions): Promise<void> {
  const timeoutMs = milliseconds("--timeout", o.timeout);
  const budgetMs = milliseconds("--budget", o.budget);
  if (timeoutMs === undefined || budgetMs === undefined) return;
  const options = modelOptions({ ipBlockPods: o.ipblockPods, hostNetwork: o.hostNetwork });
  const loaded = await loadAndAnalyze(paths, { strict: o.strict }, options);
  try {
    const findings = await lintCluster(loaded.cluster, options, { timeoutMs, budgetMs }, loaded.analysis);
    const errors = reportDiagnostics(loaded.diagnostics, o);
    if (o.output === "json") writeOut(JSON.stringify({ findings: findings.map(json) }, null, 2));
    else
      writeOut(
        findings
          .filter((f) => f.severity !== "info" || o.verbose)
          .map(formatDiagnostic)
          .join("\n"),
      );
    process.exitCode = errors
      ? EXIT.invalid
      : findings.some((f) => f.severity !== "info")
        ? EXIT.finding
        : EXIT.ok;
  } finally {
    await shutdownZ3();
  }
}

function json(d: Diagnostic): unknown {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.source ? { source: formatPosition(d.source) } : {}),
    ...((d.object ?? d.source?.object) ? { object: formatObjectRef((d.object ?? d.source?.object)!) } : {}),
    ...(d.hint ? { hint: d.hint } : {}),
  };
}
