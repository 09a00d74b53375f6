#!/usr/bin/env node
/**
 * netpolc command line. Exit codes: 0 ok; 1 the analysis found something (eval: denied, diff:
 * differences); 2 invalid input or usage (output is still produced for the valid part of the input).
 */
import { Command, CommanderError, Option } from "commander";
import { runDiff, runEval, runList } from "./commands.js";
import { EXIT } from "./io.js";

const program = new Command("netpolc")
  .description("Compile and verify Kubernetes network policy: exact who-can-talk-to-whom, before you merge.")
  .version("0.1.0")
  .showHelpAfterError()
  .exitOverride();

const common = (c: Command) =>
  c
    .addOption(
      new Option("--ipblock-pods <mode>", "whether ipBlock peers also match pod IPs")
        .choices(["include", "exclude"])
        .default("include"),
    )
    .addOption(
      new Option(
        "--host-network <mode>",
        "hostNetwork pods: 'node' (selectors never match them) or 'distinguish' (policed like pods); default node, distinguish with --ipblock-pods exclude",
      ).choices(["node", "distinguish"]),
    )
    .option("--strict", "treat warnings as errors (objects with warnings are dropped)", false)
    .option("-q, --quiet", "print only error diagnostics", false)
    .option("-v, --verbose", "also print informational diagnostics", false);

common(
  program
    .command("list")
    .description("list the allowed connections of the cluster described by the manifests")
    .argument("<paths...>", "manifest files or directories ('-' for stdin)")
    .addOption(
      new Option("-o, --output <format>", "output format")
        .choices(["connlist", "json", "csv", "md", "dot"])
        .default("connlist"),
    )
    .addOption(
      new Option("--granularity <level>", "peers are workloads or pods")
        .choices(["workload", "pod"])
        .default("workload"),
    )
    .option("--focus <workload>", "only connections of this workload (ns/name or name)")
    .addOption(
      new Option("--focus-direction <dir>", "with --focus: only ingress or egress").choices([
        "ingress",
        "egress",
      ]),
    )
    .option(
      "--explain",
      "explain each connection: which tier, policy and rule allowed it (connlist and json)",
      false,
    )
    .option(
      "--exposure",
      "also report what pods and namespaces not in the input could reach, or be reached by, each workload",
      false,
    )
    .option(
      "--services",
      "also list Service rows (ns/name[Service]): the Service ports each peer reaches on every endpoint",
      false,
    ),
).action(runList);

common(
  program
    .command("eval")
    .description("tell whether SRC may connect to DST, and on which protocols and ports")
    .argument("<paths...>", "manifest files or directories ('-' for stdin)")
    .requiredOption("--from <src>", "source: ns/name (workload or pod), name, or IP address")
    .requiredOption(
      "--to <dst>",
      "destination: ns/name (workload or pod), name, IP address, or a Service (svc/ns/name, name.ns.svc.cluster.local, ClusterIP[:port[/udp]], nodeIP:nodePort)",
    )
    .option("--port <port>", "destination port (1-65535)")
    .addOption(
      new Option(
        "--protocol <proto>",
        "protocol (default tcp; for a Service without --port: every port)",
      ).choices(["tcp", "udp", "sctp", "TCP", "UDP", "SCTP"]),
    )
    .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"))
    .option(
      "--explain",
      "explain the verdict: which tier, policy and rule allowed, denied or passed each part",
      false,
    ),
).action(runEval);

common(
  program
    .command("diff")
    .description("semantic connectivity diff between two inputs (directories or files)")
    .argument("<old>", "the old input (ref1)")
    .argument("<new>", "the new input (ref2)")
    .addOption(
      new Option("-o, --output <format>", "output format")
        .choices(["connlist", "json", "md"])
        .default("connlist"),
    )
    .addOption(
      new Option("--granularity <level>", "peers are workloads or pods")
        .choices(["workload", "pod"])
        .default("workload"),
    ),
).action(runDiff);

// The other commands load their modules only when used (or for help and unknown commands): the
// solver, the guarantee parser and the report renderers would otherwise add to every start-up.
const LAZY = {
  emit: async () => (await import("./emit.js")).registerEmit(program, common),
  verify: async () => (await import("./verify.js")).registerVerify(program, common),
  compare: async () => (await import("./compare.js")).registerCompare(program, common),
  lint: async () => (await import("./lint.js")).registerLint(program, common),
  check: async () => (await import("./check.js")).registerCheck(program, common),
  repl: async () => (await import("./repl.js")).registerRepl(program, common),
  serve: async () => (await import("./serve.js")).registerServe(program, common),
} as const;
const asked = process.argv.slice(2).find((a) => !a.startsWith("-"));
const eager = ["list", "eval", "diff"];
for (const [name, register] of Object.entries(LAZY))
  if (
    asked === name ||
    (asked === undefined && !process.argv.some((a) => a === "-V" || a === "--version")) ||
    (asked !== undefined && !eager.includes(asked) && !(asked in LAZY))
  )
    await register();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // help and version are successful exits; anything else is a usage error.
    process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
  } else {
    process.stderr.write(
      `netpolc: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exitCode = 70;
  }
}
