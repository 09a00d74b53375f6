/**
 * `netpolc compare A B [--existing-only] [-o text|json]`: the semantic relation between the allowed
 * connections of two inputs, over every pod that exists or could exist and every address, with a
 * witness connection for each non-equivalence.
 * Exit codes: 0 equivalent; 1 not equivalent (or undecided); 2 invalid input or usage.
 */
import { type Command, Option } from "commander";
import { formatConn, modelOptions, range } from "../model/index.js";
import { compareInputs, formatEndpoint, shutdownZ3, type Witness } from "../solver/index.js";
import { EXIT, reportDiagnostics, writeOut } from "./io.js";
import { loadAndAnalyze } from "./pipeline.js";
import { endpointJson, milliseconds } from "./solver-output.js";

interface CompareCliOptions {
  existingOnly: boolean;
  output: "text" | "json";
  timeout: string;
  ipblockPods: "include" | "exclude";
  hostNetwork?: "node" | "distinguish";
  strict: boolean;
  quiet: boolean;
  verbose: boolean;
}

export function registerCompare(program: Command, common: (c: Command) => Command): void {
  common(
    program
      .command("compare")
      .description(
        "compare two configurations semantically: equivalent, contains, contained, disjoint or incomparable",
      )
      .argument("<a>", "input A (file or directory)")
      .argument("<b>", "input B (file or directory)")
      .option(
        "--existing-only",
        "compare only on the pods of either input and addresses (no hypothetical pods)",
        false,
      )
      .addOption(
        new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"),
      )
      .option("--timeout <ms>", "z3 time limit per query, in milliseconds", "30000"),
  ).action(runCompare);
}

const RELATION_TEXT = {
  equivalent: "A and B allow exactly the same connections",
  contains: "A contains B: A allows everything B allows, and more",
  contained: "B contains A: B allows everything A allows, and more",
  disjoint: "A and B are disjoint: no connection is allowed by both",
  incomparable: "A and B are incomparable: each allows connections the other denies",
} as const;

export async function runCompare(pathA: string, pathB: string, o: CompareCliOptions): Promise<void> {
  const timeoutMs = milliseconds("--timeout", o.timeout);
  if (timeoutMs === undefined) return;
  const options = modelOptions({ ipBlockPods: o.ipblockPods, hostNetwork: o.hostNetwork });
  const a = await loadAndAnalyze([pathA], { strict: o.strict }, options);
  const b = await loadAndAnalyze([pathB], { strict: o.strict }, options);
  const errors = reportDiagnostics([...a.diagnostics, ...b.diagnostics], o);
  try {
    const r = await compareInputs(a.cluster, b.cluster, options, {
      existingOnly: o.existingOnly,
      timeoutMs,
    });
    if (o.output === "json")
      writeOut(
        JSON.stringify(
          {
            relation: r.relation ?? "unknown",
            ...(r.unknownReason ? { reason: r.unknownReason } : {}),
            witnesses: r.witnesses.map(witnessJson),
          },
          null,
          2,
        ),
      );
    else {
      const lines = [r.relation ? RELATION_TEXT[r.relation] : `undecided: ${r.unknownReason}`];
      for (const w of r.witnesses)
        lines.push(
          `  allowed by ${w.allowedBy} only: ${formatEndpoint(w.src)} → ${formatEndpoint(w.dst)} on ${w.conn.protocol}/${w.conn.port}`,
        );
      writeOut(lines.join("\n"));
    }
    process.exitCode = errors ? EXIT.invalid : r.relation === "equivalent" ? EXIT.ok : EXIT.finding;
  } finally {
    await shutdownZ3();
  }
}

function witnessJson(w: Witness): unknown {
  return {
    src: endpointJson(w.src),
    dst: endpointJson(w.dst),
    connection: formatConn(range(w.conn.protocol, w.conn.port)),
    allowedBy: w.allowedBy,
  };
}
