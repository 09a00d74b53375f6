/**
 * `netpolc verify PATH… --guarantees FILE [-o text|json] [--timeout MS]`: proves each guarantee for
 * every pod that exists or could exist, or prints a counterexample with its explanation.
 * Exit codes: 0 every guarantee holds; 1 some guarantee fails or could not be decided; 2 invalid
 * input or usage (guarantees that could be read are still verified and printed).
 */
import { readFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { type Diagnostic, diagnostic, formatObjectRef, formatPosition, hasErrors } from "../common/index.js";
import { formatConn, formatIp, modelOptions, range } from "../model/index.js";
import { parseGuarantees } from "../parser/guarantees/index.js";
import type { GuaranteeFile } from "../parser/index.js";
import {
  type DecodedEndpoint,
  formatEndpoint,
  type GuaranteeResult,
  shutdownZ3,
  verifyGuarantees,
} from "../solver/index.js";
import { explanationJson, explanationText } from "./explain-text.js";
import { EXIT, formatDiagnostic, reportDiagnostics, writeOut } from "./io.js";
import { loadAndAnalyze } from "./pipeline.js";
import { endpointJson, milliseconds } from "./solver-output.js";

interface VerifyCliOptions {
  guarantees: string;
  output: "text" | "json";
  timeout: string;
  ipblockPods: "include" | "exclude";
  hostNetwork?: "node" | "distinguish";
  strict: boolean;
  quiet: boolean;
  verbose: boolean;
}

export function registerVerify(program: Command, common: (c: Command) => Command): void {
  common(
    program
      .command("verify")
      .description(
        "prove guarantees (isolation, reachability) for existing and future pods, with counterexamples",
      )
      .argument("<paths...>", "manifest files or directories ('-' for stdin)")
      .requiredOption("-g, --guarantees <file>", "the guarantees file")
      .addOption(
        new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"),
      )
      .option("--timeout <ms>", "z3 time limit per guarantee, in milliseconds", "10000"),
  ).action(runVerify);
}

export async function runVerify(paths: string[], o: VerifyCliOptions): Promise<void> {
  const timeoutMs = milliseconds("--timeout", o.timeout);
  if (timeoutMs === undefined) return;
  const options = modelOptions({ ipBlockPods: o.ipblockPods, hostNetwork: o.hostNetwork });
  const loaded = await loadAndAnalyze(paths, { strict: o.strict }, options);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
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
  const parsed = text === undefined ? undefined : parseGuarantees(text, o.guarantees);
  if (parsed) diagnostics.push(...parsed.diagnostics);
  const files: GuaranteeFile[] = parsed ? [parsed.file] : [];
  try {
    const report = await verifyGuarantees(loaded.cluster, options, files, { timeoutMs }, loaded.analysis);
    diagnostics.push(...report.diagnostics);
    const errors = o.output === "json" ? hasErrors(diagnostics) : reportDiagnostics(diagnostics, o);
    if (o.output === "json")
      writeOut(JSON.stringify(toJson(report.results, diagnostics, report.timings), null, 2));
    else writeOut(report.results.map(resultText).join("\n"));
    const proved = report.results.every((r) => r.verdict === "holds");
    process.exitCode = errors ? EXIT.invalid : proved ? EXIT.ok : EXIT.finding;
  } finally {
    await shutdownZ3();
  }
}

const MARK = { holds: "✓", fails: "✗", unknown: "?" } as const;

function endpointName(e: DecodedEndpoint): string {
  return e.kind === "address" ? formatIp(e.ip.family, e.ip.value) : `${e.namespace}/${e.name}`;
}

function resultText(r: GuaranteeResult): string {
  const g = r.guarantee;
  const head = `${MARK[r.verdict]} ${g.name}: ${r.verdict}${r.verdict === "unknown" ? ` (${r.reason})` : ""}`;
  if (r.verdict !== "fails" || !r.counterexample) return head;
  const x = r.counterexample;
  const lines = [head, `    ${g.text}`, `    ${formatPosition(g.source)}`];
  if (!x.dst || !x.conn) {
    lines.push(`  counterexample: ${formatEndpoint(x.src)} is not isolated`);
    return lines.join("\n");
  }
  const conn = `${x.conn.protocol}/${x.conn.port}`;
  lines.push(
    `  counterexample: ${formatEndpoint(x.src)} → ${formatEndpoint(x.dst)} on ${conn} is ${x.allowed ? "allowed" : "denied"}`,
  );
  if (x.explanation)
    lines.push(
      ...explanationText(x.explanation, endpointName(x.src), endpointName(x.dst), {
        protocol: x.conn.protocol,
        port: x.conn.port,
      }).map((l) => `  ${l}`),
    );
  return lines.join("\n");
}

function toJson(
  results: readonly GuaranteeResult[],
  diagnostics: readonly Diagnostic[],
  timings: { z3StartupMs: number; encodeMs: number },
): unknown {
  return {
    summary: {
      holds: results.filter((r) => r.verdict === "holds").length,
      fails: results.filter((r) => r.verdict === "fails").length,
      unknown: results.filter((r) => r.verdict === "unknown").length,
    },
    guarantees: results.map((r) => ({
      name: r.guarantee.name,
      verdict: r.verdict,
      statement: r.guarantee.text,
      source: formatPosition(r.guarantee.source),
      ms: Math.round(r.ms),
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.counterexample
        ? {
            counterexample: {
              src: endpointJson(r.counterexample.src),
              ...(r.counterexample.dst ? { dst: endpointJson(r.counterexample.dst) } : {}),
              ...(r.counterexample.conn
                ? {
                    connection: formatConn(range(r.counterexample.conn.protocol, r.counterexample.conn.port)),
                    allowed: r.counterexample.allowed,
                  }
                : {}),
              ...(r.counterexample.explanation
                ? { explanation: explanationJson(r.counterexample.explanation) }
                : {}),
            },
          }
        : {}),
    })),
    diagnostics: diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      ...(d.source ? { source: formatPosition(d.source) } : {}),
      ...(d.object ? { object: formatObjectRef(d.object) } : {}),
      ...(d.hint ? { hint: d.hint } : {}),
      text: formatDiagnostic(d),
    })),
    timings: { z3StartupMs: Math.round(timings.z3StartupMs), encodeMs: Math.round(timings.encodeMs) },
  };
}
