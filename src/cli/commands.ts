/**
 * The command implementations: options → pipeline → rendering → exit code.
 */

import type { Granularity } from "../model/index.js";
import {
  ALL_CONN,
  modelOptions as buildModelOptions,
  type Connection,
  type ConnSet,
  clusterPeers,
  connContains,
  connIsEmpty,
  diffConnections,
  EMPTY_ID,
  type ExposureEntry,
  explainPair,
  exposure,
  formatConn,
  formatPeer,
  inputFamilies,
  listConnections,
  listServiceConnections,
  type ModelOptions,
  type Protocol,
} from "../model/index.js";
import { explanationJson, explanationText } from "./explain-text.js";
import { type DiffFormat, type ListFormat, renderDiff, renderList } from "./formats.js";
import { EXIT, reportDiagnostics, writeOut } from "./io.js";
import { loadAndAnalyze } from "./pipeline.js";
import { resolvePeer } from "./resolve.js";
import { evalService, resolveService } from "./services.js";

interface CommonOptions {
  ipblockPods: "include" | "exclude";
  hostNetwork?: "node" | "distinguish";
  strict: boolean;
  quiet: boolean;
  verbose: boolean;
}

function modelOptions(o: CommonOptions): ModelOptions {
  return buildModelOptions({ ipBlockPods: o.ipblockPods, hostNetwork: o.hostNetwork });
}

async function load(paths: readonly string[], o: CommonOptions) {
  const loaded = await loadAndAnalyze(paths, { strict: o.strict }, modelOptions(o));
  const errors = reportDiagnostics(loaded.diagnostics, o);
  return { ...loaded, errors };
}

export async function runList(
  paths: string[],
  o: CommonOptions & {
    output: ListFormat;
    granularity: Granularity;
    focus?: string;
    focusDirection?: "ingress" | "egress";
    explain?: boolean;
    exposure?: boolean;
    services?: boolean;
  },
): Promise<void> {
  const { analysis, errors } = await load(paths, o);
  const connections = listConnections(analysis, {
    granularity: o.granularity,
    focus: o.focus,
    focusDirection: o.focusDirection,
  });
  const rows = o.services
    ? [...connections, ...listServiceConnections(analysis, { granularity: o.granularity, focus: o.focus })]
    : connections;
  const exposed = o.exposure ? exposure(analysis.cluster, analysis.options) : undefined;
  if (exposed && o.output === "json")
    writeOut(
      JSON.stringify(
        { connlist: JSON.parse(renderList(rows, "json")), exposure: exposureJson(exposed) },
        null,
        2,
      ),
    );
  else {
    if (o.explain) writeOut(renderExplainedList(analysis, rows, o.output));
    else writeOut(renderList(rows, o.output));
    if (exposed) writeOut(`\n${exposureText(exposed)}`);
  }
  process.exitCode = errors ? EXIT.invalid : EXIT.ok;
}

export async function runEval(
  paths: string[],
  o: CommonOptions & {
    from: string;
    to: string;
    port?: string;
    protocol?: string;
    output: "text" | "json";
    explain?: boolean;
  },
): Promise<void> {
  const { analysis: a, errors } = await load(paths, o);
  const src = resolvePeer(a, o.from);
  let port: number | undefined;
  if (o.port !== undefined) {
    port = Number(o.port);
    if (!/^\d+$/.test(o.port) || port < 1 || port > 65535) {
      process.stderr.write(`error NP9001: --port must be a number from 1 to 65535, got "${o.port}"\n`);
      process.exitCode = EXIT.invalid;
      return;
    }
  }
  // A Service destination: the answer follows the translation to each endpoint.
  const svc = resolveService(a, o.to);
  if (svc && !("code" in src)) {
    const r = evalService(
      a,
      src.endpoints,
      src.pod,
      formatPeer(src.ref),
      svc,
      svc.port ?? port,
      svc.protocol ?? (o.protocol ? (o.protocol.toUpperCase() as Protocol) : undefined),
    );
    writeOut(o.output === "json" ? JSON.stringify(r.json, null, 2) : r.text);
    process.exitCode = errors
      ? EXIT.invalid
      : r.verdict === "allowed" || r.verdict === "external"
        ? EXIT.ok
        : EXIT.finding;
    return;
  }
  const dst = resolvePeer(a, o.to);
  const bad = [src, dst].filter((r) => "code" in r);
  if (bad.length > 0 || "code" in src || "code" in dst) {
    reportDiagnostics(bad as never);
    process.exitCode = EXIT.invalid;
    return;
  }
  // A pod may always reach itself (NetworkPolicy never applies to a pod's own traffic).
  let id = EMPTY_ID;
  const self = src.pod !== undefined && src.pod === dst.pod;
  for (const s of src.endpoints) for (const d of dst.endpoints) id = a.conns.union(id, a.connId(s, d));
  const conn: ConnSet = self ? ALL_CONN : a.conns.get(id);
  const protocol = (o.protocol ?? "tcp").toUpperCase() as Protocol;
  const allowed = port !== undefined ? connContains(conn, protocol, port) : !connIsEmpty(conn);
  const query = port !== undefined ? `${protocol}/${port}` : undefined;
  const explanations =
    o.explain && !self ? src.endpoints.flatMap((s) => dst.endpoints.map((d) => explainPair(a, s, d))) : [];
  if (o.output === "json") {
    writeOut(
      JSON.stringify(
        {
          src: formatPeer(src.ref),
          dst: formatPeer(dst.ref),
          ...(query ? { query } : {}),
          allowed,
          conn: formatConn(conn),
          ...(o.explain ? { explanation: explanations.map(explanationJson) } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    const verdict = allowed ? "allowed" : "denied";
    const lines = [
      `${verdict}${query ? ` ${query}` : ""}: ${formatPeer(src.ref)} => ${formatPeer(dst.ref)}`,
      `allowed connections: ${formatConn(conn)}${self ? " (a pod may always reach itself)" : ""}`,
    ];
    const focus = port !== undefined ? { protocol, port } : undefined;
    for (const e of explanations)
      lines.push(...explanationText(e, formatPeer(src.ref), formatPeer(dst.ref), focus));
    writeOut(lines.join("\n"));
  }
  process.exitCode = errors ? EXIT.invalid : allowed ? EXIT.ok : EXIT.finding;
}

export async function runDiff(
  oldPath: string,
  newPath: string,
  o: CommonOptions & { output: DiffFormat; granularity: Granularity },
): Promise<void> {
  const before = await load([oldPath], o);
  const after = await load([newPath], o);
  // External ranges of both sides in the same families.
  const families = [...new Set([...inputFamilies(before.analysis), ...inputFamilies(after.analysis)])];
  const list = (a: typeof before.analysis): Connection[] =>
    listConnections(a, { granularity: o.granularity, families });
  const peers = (a: typeof before.analysis) => clusterPeers(a, o.granularity).map((p) => p.ref);
  const diffs = diffConnections(
    list(before.analysis),
    list(after.analysis),
    peers(before.analysis),
    peers(after.analysis),
  );
  writeOut(renderDiff(diffs, o.output));
  process.exitCode = before.errors || after.errors ? EXIT.invalid : diffs.length > 0 ? EXIT.finding : EXIT.ok;
}

/** A listing with each row followed by its explanation (connlist text) or carrying it (json). */
function renderExplainedList(
  a: Parameters<typeof explainPair>[0],
  rows: readonly Connection[],
  format: ListFormat,
): string {
  const endpointsOf = (p: Connection["src"]): number[] => {
    if (p.kind === "external")
      return [a.classCount + a.space.atomOf({ family: p.range.family, value: p.range.lo })];
    if (p.kind === "pod")
      return [
        a.index.classOfPod[
          a.cluster.pods.findIndex((x) => x.namespace === p.namespace && x.name === p.name)
        ]!,
      ];
    if (p.kind === "ingress-controller") return [a.index.classOfPod[a.ingressControllerPod!]!];
    // Service rows are answered endpoint by endpoint by `eval --to`; they carry no explanation here.
    if (p.kind === "service") return [];
    const w = a.cluster.workloads.find(
      (x) => x.namespace === p.namespace && x.name === p.name && x.kind === p.workloadKind,
    )!;
    return [...new Set(w.pods.map((i) => a.index.classOfPod[i]!))];
  };
  const explained = rows.map((r) => ({
    r,
    e: endpointsOf(r.src).flatMap((s) => endpointsOf(r.dst).map((d) => explainPair(a, s, d))),
  }));
  if (format === "json")
    return JSON.stringify(
      explained.map(({ r, e }) => ({
        src: formatPeer(r.src),
        dst: formatPeer(r.dst),
        conn: formatConn(r.conn),
        explanation: e.map(explanationJson),
      })),
      null,
      2,
    );
  return explained
    .map(({ r, e }) =>
      [
        `${formatPeer(r.src)} => ${formatPeer(r.dst)} : ${formatConn(r.conn)}`,
        ...e.flatMap((x) => explanationText(x, formatPeer(r.src), formatPeer(r.dst))),
      ].join("\n"),
    )
    .join("\n");
}

function exposureText(entries: readonly ExposureEntry[]): string {
  const section = (direction: "egress" | "ingress") =>
    entries
      .filter((e) => e.direction === direction)
      .map(
        (e) =>
          `${formatPeer(e.workload)} \t${direction === "egress" ? "=>" : "<="} \t${e.peer.display} : ${formatConn(e.conn)}`,
      );
  return [
    "Exposure Analysis Result:",
    "Egress Exposure:",
    ...section("egress"),
    "",
    "Ingress Exposure:",
    ...section("ingress"),
  ].join("\n");
}

function exposureJson(entries: readonly ExposureEntry[]): unknown {
  return entries.map((e) => ({
    workload: formatPeer(e.workload),
    direction: e.direction,
    peer: e.peer.display,
    namespace:
      e.peer.namespace.kind === "existing"
        ? { name: e.peer.namespace.name }
        : { labels: e.peer.namespace.labels },
    podLabels: e.peer.podLabels,
    conn: formatConn(e.conn),
  }));
}
