/**
 * The report's graph as Graphviz DOT: one cluster per namespace (sensitive ones in red), external
 * ranges as yellow boxes, edges labelled with their connections and coloured by change (added green,
 * removed red and dashed, changed orange; risky ones thicker). Node and edge ids and classes carry
 * over to the SVG, where the HTML report's script finds them.
 */
import type { Graph, GraphEdge, GraphNode, GraphStatus } from "./types.js";

export const STATUS_COLORS: Readonly<Record<GraphStatus, string>> = {
  unchanged: "#8c959f",
  added: "#1a7f37",
  removed: "#cf222e",
  changed: "#bc4c00",
};

function q(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

function attrs(a: Record<string, string | number | undefined>): string {
  const parts = Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "number" ? v : q(v!)}`);
  return `[${parts.join(" ")}]`;
}

export function edgeLabel(e: GraphEdge): string {
  if (e.status === "changed") return `${e.after} (was ${e.before})`;
  return (e.after ?? e.before)!;
}

function nodeLine(n: GraphNode): string {
  const shape = n.kind === "external" ? "box" : n.kind === "ingress-controller" ? "hexagon" : "box";
  const fill = n.kind === "external" ? "#fff8c5" : n.kind === "namespace" ? "#ddf4ff" : "#ffffff";
  return `${n.id} ${attrs({
    id: n.id,
    class: `st-${n.status} kind-${n.kind}`,
    label: n.label,
    tooltip: n.namespace !== undefined ? `${n.namespace}/${n.label}` : n.label,
    shape,
    fillcolor: fill,
    color: n.status === "unchanged" ? undefined : STATUS_COLORS[n.status],
    style: n.status === "removed" ? "rounded,filled,dashed" : undefined,
    penwidth: n.status === "unchanged" ? undefined : 2,
  })}`;
}

function edgeLine(e: GraphEdge): string {
  return `${e.src} -> ${e.dst} ${attrs({
    id: e.id,
    class: `st-${e.status}${e.risky ? " risky" : ""}`,
    label: edgeLabel(e),
    tooltip: edgeLabel(e),
    color: STATUS_COLORS[e.status],
    fontcolor: e.status === "unchanged" ? "#57606a" : STATUS_COLORS[e.status],
    style: e.status === "removed" ? "dashed" : undefined,
    penwidth: e.risky ? 2.4 : e.status === "unchanged" ? 1 : 1.6,
  })}`;
}

export function renderDot(g: Graph, sensitive: ReadonlySet<string>): string {
  const lines = [
    "digraph netpolc {",
    '  graph [rankdir=LR fontname="Helvetica,Arial,sans-serif" fontsize=11 nodesep=0.2 ranksep=1.1 bgcolor="transparent"]',
    '  node [shape=box style="rounded,filled" fillcolor="#ffffff" color="#57606a" fontname="Helvetica,Arial,sans-serif" fontsize=10 height=0.3]',
    '  edge [fontname="Helvetica,Arial,sans-serif" fontsize=8 arrowsize=0.6]',
  ];
  const byNs = new Map<string, GraphNode[]>();
  const loose: GraphNode[] = [];
  for (const n of g.nodes)
    if (n.namespace !== undefined) byNs.set(n.namespace, [...(byNs.get(n.namespace) ?? []), n]);
    else loose.push(n);
  let i = 0;
  for (const [ns, nodes] of [...byNs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const hot = sensitive.has(ns);
    lines.push(
      `  subgraph cluster_${i} {`,
      `    graph ${attrs({ id: `ns${i++}`, class: `namespace${hot ? " sensitive" : ""}`, label: hot ? `${ns} (sensitive)` : ns, style: "rounded", color: hot ? "#cf222e" : "#afb8c1", fontcolor: hot ? "#cf222e" : "#24292f" })}`,
      ...nodes.map((n) => `    ${nodeLine(n)}`),
      "  }",
    );
  }
  for (const n of loose) lines.push(`  ${nodeLine(n)}`);
  for (const e of g.edges) lines.push(`  ${edgeLine(e)}`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
