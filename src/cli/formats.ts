/**
 * Output formats of connectivity listings and diffs. Pure text builders with deterministic order.
 */
import {
  type Connection,
  type ConnectionDiff,
  formatConn,
  formatPeer,
  type PeerRef,
} from "../model/index.js";

export const LIST_FORMATS = ["connlist", "json", "csv", "md", "dot"] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];
export const DIFF_FORMATS = ["connlist", "json", "md"] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export function renderList(rows: readonly Connection[], format: ListFormat): string {
  switch (format) {
    case "connlist":
      return rows
        .map((r) => `${formatPeer(r.src)} => ${formatPeer(r.dst)} : ${formatConn(r.conn)}`)
        .join("\n");
    case "json":
      return JSON.stringify(
        rows.map((r) => ({ src: formatPeer(r.src), dst: formatPeer(r.dst), conn: formatConn(r.conn) })),
        null,
        2,
      );
    case "csv":
      return [
        "src,dst,conn",
        ...rows.map((r) => [formatPeer(r.src), formatPeer(r.dst), formatConn(r.conn)].map(csv).join(",")),
      ].join("\n");
    case "md":
      return [
        "| src | dst | conn |",
        "|-----|-----|------|",
        ...rows.map((r) => `| ${formatPeer(r.src)} | ${formatPeer(r.dst)} | ${formatConn(r.conn)} |`),
      ].join("\n");
    case "dot":
      return renderDot(rows);
  }
}

function csv(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function dotId(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Graphviz: one cluster per namespace, external ranges as boxes, edges labelled with connections. */
function renderDot(rows: readonly Connection[]): string {
  const nodes = new Map<string, PeerRef>();
  for (const r of rows) {
    nodes.set(formatPeer(r.src), r.src);
    nodes.set(formatPeer(r.dst), r.dst);
  }
  const byNs = new Map<string, string[]>();
  const external: string[] = [];
  for (const [name, p] of [...nodes].sort(([a], [b]) => a.localeCompare(b))) {
    if (p.kind === "external" || p.kind === "ingress-controller") external.push(name);
    else byNs.set(p.namespace, [...(byNs.get(p.namespace) ?? []), name]);
  }
  const lines = ["digraph {", "\trankdir=LR", "\tnode [shape=ellipse fontsize=10]"];
  let i = 0;
  for (const [ns, names] of byNs) {
    lines.push(`\tsubgraph cluster_${i++} {`, `\t\tlabel=${dotId(ns)}`);
    for (const n of names) lines.push(`\t\t${dotId(n)} [label=${dotId(n.slice(ns.length + 1))}]`);
    lines.push("\t}");
  }
  for (const n of external) lines.push(`\t${dotId(n)} [shape=box color=red2]`);
  for (const r of rows)
    lines.push(
      `\t${dotId(formatPeer(r.src))} -> ${dotId(formatPeer(r.dst))} [label=${dotId(formatConn(r.conn))}]`,
    );
  lines.push("}");
  return lines.join("\n");
}

function diffLine(d: ConnectionDiff): string {
  const info = d.peerChange
    ? `, workloads-diff-info: workload ${formatPeer(d.peerChange.peer)} ${d.peerChange.change}`
    : "";
  return `diff-type: ${d.type}, source: ${formatPeer(d.src)}, destination: ${formatPeer(d.dst)}, ref1: ${formatConn(d.old)}, ref2: ${formatConn(d.new)}${info}`;
}

export function renderDiff(diffs: readonly ConnectionDiff[], format: DiffFormat): string {
  switch (format) {
    case "connlist":
      return diffs.length === 0
        ? "No connectivity differences"
        : ["Connectivity diff:", ...diffs.map(diffLine)].join("\n");
    case "json":
      return JSON.stringify(
        diffs.map((d) => ({
          "diff-type": d.type,
          src: formatPeer(d.src),
          dst: formatPeer(d.dst),
          ref1: formatConn(d.old),
          ref2: formatConn(d.new),
          ...(d.peerChange
            ? { "workloads-diff-info": `workload ${formatPeer(d.peerChange.peer)} ${d.peerChange.change}` }
            : {}),
        })),
        null,
        2,
      );
    case "md":
      return [
        "| diff-type | source | destination | ref1 | ref2 | workloads-diff-info |",
        "|-----------|--------|-------------|------|------|---------------------|",
        ...diffs.map(
          (d) =>
            `| ${d.type} | ${formatPeer(d.src)} | ${formatPeer(d.dst)} | ${formatConn(d.old)} | ${formatConn(d.new)} | ${d.peerChange ? `workload ${formatPeer(d.peerChange.peer)} ${d.peerChange.change}` : ""} |`,
        ),
      ].join("\n");
  }
}
