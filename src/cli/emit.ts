/**
 * `netpolc emit PATH… --target iptables|nftables|ebpf [--node NAME | --all-nodes] [-o FILE|DIR]`:
 * dataplane configuration for one node, every node, or (default) all pods as if on one node.
 * Output: stdout when there is one file, else `-o DIR` (one file per node and kind).
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { assignAddresses, type Emission, type EmitOptions, emit, nodesOf, unplaced } from "../emit/index.js";
import { type Analysis, analyze, buildCluster, modelOptions } from "../model/index.js";
import { loadPaths } from "../parser/index.js";
import { EXIT, reportDiagnostics, writeOut } from "./io.js";

interface EmitCliOptions {
  target: "iptables" | "nftables" | "ebpf";
  node?: string;
  allNodes: boolean;
  output?: string;
  assignIps: boolean;
  verify: boolean;
  ipblockPods: "include" | "exclude";
  hostNetwork?: "node" | "distinguish";
  strict: boolean;
  quiet: boolean;
  verbose: boolean;
}

type Emitter = (a: Analysis, options: EmitOptions) => Emission;

export function registerEmit(program: Command, common: (c: Command) => Command): void {
  common(
    program
      .command("emit")
      .description("compile the policies and Services to iptables, nftables or eBPF configuration for a node")
      .argument("<paths...>", "manifest files or directories ('-' for stdin)")
      .addOption(
        new Option("--target <target>", "dataplane")
          .choices(["iptables", "nftables", "ebpf"])
          .makeOptionMandatory(),
      )
      .option("--node <name>", "rules for the pods whose spec.nodeName is NAME")
      .option("--all-nodes", "one ruleset per node (pods' nodeNames and Node objects)", false)
      .option("-o, --output <path>", "a file (one output file) or a directory (one file per node and kind)")
      .option(
        "--assign-ips",
        "give pods without IPs addresses from 10.200.0.0/16, and Services without clusterIP from 10.96.0.0/16, before analysis",
        false,
      )
      .option(
        "--verify",
        "prove (z3) that each emitted configuration accepts exactly what the model allows, or print a counterexample; exit 1 if not",
        false,
      ),
  ).action(runEmit);
}

async function emitterFor(target: EmitCliOptions["target"]): Promise<Emitter | undefined> {
  if (target !== "ebpf") return (a, o) => emit(a, target, o);
  // The eBPF emitter is its own module; it is used when this build has it.
  const mod = (await import("../emit/index.js")) as Record<string, unknown>;
  return typeof mod.emitEbpf === "function" ? (mod.emitEbpf as Emitter) : undefined;
}

export async function runEmit(paths: string[], o: EmitCliOptions): Promise<void> {
  const usage = (message: string) => {
    process.stderr.write(`error NP9001: ${message}\n`);
    process.exitCode = EXIT.invalid;
  };
  if (o.node !== undefined && o.allNodes) return usage("--node and --all-nodes exclude each other");
  const emitter = await emitterFor(o.target);
  if (!emitter) return usage(`target ${o.target} is not available in this build of netpolc`);

  // 1. Manifests → cluster (→ addresses) → analysis.
  const parsed = await loadPaths(paths, { strict: o.strict });
  const built = buildCluster(parsed.objects);
  const cluster = o.assignIps ? assignAddresses(built.cluster).cluster : built.cluster;
  const analysis = analyze(cluster, modelOptions({ ipBlockPods: o.ipblockPods, hostNetwork: o.hostNetwork }));
  const errors = reportDiagnostics([...parsed.diagnostics, ...built.diagnostics], o);

  // 2. One emission per node.
  const nodes: (string | undefined)[] = o.allNodes
    ? nodesOf(analysis.cluster).map((n) => (n === "" ? undefined : n))
    : [o.node];
  const warn = (text: string) => {
    if (!o.quiet) process.stderr.write(`warning: ${text}\n`);
  };
  if (o.allNodes && unplaced(analysis.cluster).length > 0)
    warn(`${unplaced(analysis.cluster).length} pod(s) have no spec.nodeName: no node's rules cover them`);
  if (o.node !== undefined && !nodesOf(analysis.cluster).includes(o.node))
    warn(`no pod or Node is named ${o.node}: the rules cover no pod`);
  const emissions = nodes.map((node) => emitter(analysis, { node }));
  for (const e of emissions) {
    const warnings = new Set(e.warnings ?? []);
    for (const w of warnings) warn(w);
    if (o.verbose) {
      const s = e.stats;
      process.stderr.write(
        `netpolc: ${e.target}${e.node ? ` node ${e.node}` : ""}: ${s.rules} rules, ${s.chains} chains, ${s.sets} sets (${s.setElements} elements), ${s.mapEntries} map entries, ${s.bytes} bytes\n`,
      );
    }
  }

  // 3. Output.
  const files = emissions.flatMap((e) => e.files);
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  if (o.output === undefined || o.output === "-") {
    if (files.length !== 1)
      return usage(`${files.length} files to write (${files.map((f) => f.name).join(", ")}): use -o DIR`);
    writeOut(files[0]!.content);
  } else if (files.length === 1 && !o.output.endsWith("/") && !isDir(o.output)) {
    writeFileSync(o.output, files[0]!.content);
  } else {
    mkdirSync(o.output, { recursive: true });
    for (const f of files) writeFileSync(join(o.output, f.name), f.content);
  }
  if (o.verify) {
    const { verifyEmissions } = await import("../solver/index.js");
    const out = o.output === undefined || o.output === "-" ? process.stderr : process.stdout;
    if (!(await verifyEmissions(analysis, emissions, (t) => out.write(t)))) {
      process.exitCode = errors ? EXIT.invalid : EXIT.finding;
      return;
    }
  }
  process.exitCode = errors ? EXIT.invalid : EXIT.ok;
}
