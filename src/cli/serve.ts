/**
 * `netpolc serve --guarantees FILE (--snapshot DIR | --kubeconfig F [--context C] | --in-cluster)
 *  --tls-cert F --tls-key F [--port 8443] [--mode enforce|warn|audit] [--failure-policy Fail|Ignore]
 *  [--deadline-ms MS]`: the validating admission webhook. Runs until SIGTERM or SIGINT, then shuts
 * down gracefully. Exit codes: 0 after a graceful shutdown; 2 invalid usage or input (unreadable
 * guarantees, certificate, snapshot or kubeconfig) — reported before the server starts.
 */
import { readFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { hasErrors } from "../common/index.js";
import { modelOptions } from "../model/index.js";
import { parseGuarantees } from "../parser/guarantees/index.js";
import { loadPaths } from "../parser/index.js";
import { shutdownZ3, z3 } from "../solver/index.js";
import {
  ClusterState,
  DEFAULT_MAX_BODY_BYTES,
  type FailurePolicy,
  jsonLogger,
  type Level,
  Metrics,
  type Mode,
  startServer,
  Webhook,
} from "../webhook/index.js";
import { EXIT, formatDiagnostic } from "./io.js";
import { milliseconds } from "./solver-output.js";

interface ServeOptions {
  guarantees: string;
  snapshot?: string;
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
  tlsCert: string;
  tlsKey: string;
  port: string;
  address?: string;
  mode: Mode;
  failurePolicy: FailurePolicy;
  deadlineMs: string;
  timeout?: string;
  maxBodyBytes: string;
  logLevel: Level;
  ipblockPods: "include" | "exclude";
  hostNetwork?: "node" | "distinguish";
}

export function registerServe(program: Command, common: (c: Command) => Command): void {
  common(
    program
      .command("serve")
      .description(
        "run the validating admission webhook: deny changes that break a guarantee, with a counterexample",
      )
      .requiredOption("-g, --guarantees <file>", "the guarantees file")
      .option("--snapshot <dir>", "cluster state from manifests (admitted changes are applied to it)")
      .option("--kubeconfig <file>", "cluster state from the API server of this kubeconfig (list and watch)")
      .option("--context <name>", "with --kubeconfig: the context to use")
      .option("--in-cluster", "cluster state from the API server, with the pod's service account", false)
      .requiredOption("--tls-cert <file>", "serving certificate (PEM); reloaded when the file changes")
      .requiredOption("--tls-key <file>", "serving key (PEM); reloaded when the file changes")
      .option("--port <port>", "HTTPS port", "8443")
      .option("--address <addr>", "address to listen on (default: every address)")
      .addOption(
        new Option(
          "--mode <mode>",
          "enforce: deny; warn: allow with warnings; audit: allow, log and annotate",
        )
          .choices(["enforce", "warn", "audit"])
          .default("enforce"),
      )
      .addOption(
        new Option(
          "--failure-policy <policy>",
          "when a change cannot be decided in time: Fail (deny) or Ignore (allow)",
        )
          .choices(["Fail", "Ignore"])
          .default("Fail"),
      )
      .option("--deadline-ms <ms>", "budget of one request, under the webhook's timeoutSeconds", "5000")
      .option("--timeout <ms>", "z3 time limit per guarantee check (default: what is left of the deadline)")
      .option("--max-body-bytes <n>", "largest request body accepted", String(DEFAULT_MAX_BODY_BYTES))
      .addOption(
        new Option("--log-level <level>", "log level")
          .choices(["debug", "info", "warn", "error"])
          .default("info"),
      ),
  ).action(runServe);
}

function usage(message: string): void {
  process.stderr.write(`netpolc serve: ${message}\n`);
  process.exitCode = EXIT.invalid;
}

export async function runServe(o: ServeOptions): Promise<void> {
  const sources = [o.snapshot !== undefined, o.kubeconfig !== undefined, o.inCluster === true].filter(
    Boolean,
  ).length;
  if (sources !== 1) return usage("give exactly one of --snapshot DIR, --kubeconfig FILE, --in-cluster");
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return usage(`--port ${o.port} is not a port number`);
  const deadlineMs = milliseconds("--deadline-ms", o.deadlineMs);
  if (deadlineMs === undefined) return;
  const timeoutMs = o.timeout === undefined ? undefined : milliseconds("--timeout", o.timeout);
  if (o.timeout !== undefined && timeoutMs === undefined) return;
  const maxBodyBytes = Number(o.maxBodyBytes);
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024)
    return usage(`--max-body-bytes ${o.maxBodyBytes}: give a whole number of bytes, at least 1024`);
  const log = jsonLogger(process.stdout, o.logLevel);

  // 1. Guarantees: every error is fatal here (a webhook must not run on half its guarantees).
  let text: string;
  try {
    text = await readFile(o.guarantees, "utf8");
  } catch (e) {
    return usage(`cannot read the guarantees file: ${(e as Error).message}`);
  }
  const parsed = parseGuarantees(text, o.guarantees);
  for (const d of parsed.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (hasErrors(parsed.diagnostics)) return usage("the guarantees file has errors (above)");
  if (parsed.file.guarantees.length === 0) return usage("the guarantees file has no guarantee");

  // 2. The state: a snapshot now, or watches that fill it.
  const state = new ClusterState();
  let stopLive: (() => Promise<void>) | undefined;
  let synced: Promise<void> = Promise.resolve();
  if (o.snapshot !== undefined) {
    const loaded = await loadPaths([o.snapshot]);
    for (const d of loaded.diagnostics)
      if (d.severity !== "info") log.warn("snapshot", { diagnostic: formatDiagnostic(d) });
    if (hasErrors(loaded.diagnostics) && loaded.objects.length === 0)
      return usage(`the snapshot ${o.snapshot} has no valid object (see the log)`);
    for (const obj of loaded.objects) state.set(obj);
  } else {
    const live = await import("../webhook/live.js");
    let kc: ReturnType<typeof live.loadKubeConfig>;
    try {
      kc = live.loadKubeConfig({
        kubeconfig: o.kubeconfig,
        context: o.context,
        inCluster: o.inCluster === true,
      });
    } catch (e) {
      return usage((e as Error).message);
    }
    const sync = live.startLiveSync(kc, state, (event) => {
      const { level, msg, ...rest } = event as { level?: string; msg?: string };
      const write =
        level === "error"
          ? log.error
          : level === "warn"
            ? log.warn
            : level === "debug"
              ? log.debug
              : log.info;
      write(String(msg ?? "watch"), rest);
    });
    synced = sync.synced;
    stopLive = () => sync.stop();
  }

  // 3. Serve at once (healthz, readyz = not ready); ready after the sync and the base verification.
  const metrics = new Metrics();
  const webhook = new Webhook(
    [parsed.file],
    {
      model: modelOptions({ ipBlockPods: o.ipblockPods, hostNetwork: o.hostNetwork }),
      timeoutMs,
      mode: o.mode,
      failurePolicy: o.failurePolicy,
      deadlineMs,
      source: o.snapshot !== undefined ? "snapshot" : "live",
    },
    state,
    log,
    metrics,
  );
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(webhook, metrics, log, {
      port,
      address: o.address,
      tlsCert: o.tlsCert,
      tlsKey: o.tlsKey,
      maxBodyBytes,
    });
  } catch (e) {
    await stopLive?.();
    return usage(`cannot serve: ${(e as Error).message}`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal, inFlight: webhook.busy });
    await server.close();
    await stopLive?.();
    await webhook.settled();
    await shutdownZ3();
    log.info("stopped");
    process.exitCode = EXIT.ok;
    // Everything is closed, but destroyed TLS sockets have been seen to keep their handles for
    // minutes (not diagnosed): exit once the last log line had time to drain.
    setTimeout(() => process.exit(EXIT.ok), 1_000).unref();
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  await z3();
  await synced;
  if (stopping) return;
  await webhook.start();
  log.info("ready", { mode: o.mode, failurePolicy: o.failurePolicy, deadlineMs, objects: state.size });
}
