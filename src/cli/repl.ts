/**
 * `netpolc repl PATH… [-e QUERY]… [--json]`: load the manifests once, then answer queries —
 * interactively on a terminal, else from `-e` or standard input (one answer per query; the exit
 * code is the last answer's: 0 yes, 1 no, 2 error). See docs/repl.md.
 */
import { type Command, Option } from "commander";
import { modelOptions } from "../model/index.js";
import {
  colorWanted,
  defaultHistoryFile,
  interactive,
  loadSession,
  replOptions,
  runBatch,
  splitQueries,
} from "../repl/index.js";
import { shutdownZ3 } from "../solver/index.js";
import { EXIT, reportDiagnostics } from "./io.js";

interface ReplCliOptions {
  eval: string[];
  json: boolean;
  timeout: string;
  history?: string;
  kubeconfig?: string;
  ipblockPods: "include" | "exclude";
  hostNetwork?: "node" | "distinguish";
  strict: boolean;
  quiet: boolean;
  verbose: boolean;
}

export function registerRepl(program: Command, common: (c: Command) => Command): void {
  common(
    program
      .command("repl")
      .description("ask questions interactively: can A reach B, who can reach B, why not, what if, check")
      .argument("[paths...]", "manifest files or directories")
      .option(
        "-e, --eval <query>",
        "answer this query and exit (repeatable)",
        (v: string, acc: string[]) => [...acc, v],
        [],
      )
      .option("--json", "answers as JSON, one object per line (non-interactive use)", false)
      .option("--timeout <ms>", "z3 time limit per check, in milliseconds", "10000")
      .option("--history <file>", "history file (default $NETPOLC_HISTORY or ~/.netpolc_history)")
      .addOption(new Option("--kubeconfig <file>", "read a live cluster (not supported in this build)")),
  ).action(runRepl);
}

export async function runRepl(paths: string[], o: ReplCliOptions): Promise<void> {
  const usage = (message: string) => {
    process.stderr.write(`error NP9001: ${message}\n`);
    process.exitCode = EXIT.invalid;
  };
  if (o.kubeconfig !== undefined)
    return usage(
      "--kubeconfig is not supported in this build: export the cluster with `kubectl get namespaces,pods,deployments,statefulsets,daemonsets,services,networkpolicies -A -o yaml > cluster.yaml` and pass the file",
    );
  if (paths.length === 0) return usage("missing manifest paths: netpolc repl PATH…");
  const timeoutMs = Number(o.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    return usage(`--timeout must be a positive integer (milliseconds), got "${o.timeout}"`);
  const interactiveUse = o.eval.length === 0 && process.stdin.isTTY === true && !o.json;
  const options = replOptions({
    model: modelOptions({ ipBlockPods: o.ipblockPods, hostNetwork: o.hostNetwork }),
    strict: o.strict,
    timeoutMs,
    json: o.json,
    color: colorWanted(process.stdout.isTTY === true),
    historyFile: interactiveUse ? (o.history ?? defaultHistoryFile()) : undefined,
  });
  try {
    const t0 = performance.now();
    const { session, diagnostics } = await loadSession(paths, options);
    const errors = reportDiagnostics(diagnostics, o);
    const write = (text: string) => process.stdout.write(text);
    if (o.eval.length > 0) process.exitCode = await runBatch(session, o.eval, write);
    else if (interactiveUse) {
      const c = session.state.cluster;
      const banner = `netpolc repl: ${c.workloads.length} workloads, ${c.pods.length} pods, ${c.policies.length + c.clusterPolicies.length} policies loaded in ${Math.round(performance.now() - t0)} ms. .help lists the queries.`;
      process.exitCode = await interactive(session, { input: process.stdin, output: process.stdout }, banner);
    } else {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      process.exitCode = await runBatch(session, splitQueries(Buffer.concat(chunks).toString("utf8")), write);
    }
    if (errors && process.exitCode === EXIT.ok) process.exitCode = EXIT.invalid;
  } finally {
    await shutdownZ3();
  }
}
