/**
 * The report's graph: namespaces → workloads, external ranges, and the allowed edges with their
 * connections in base and head. Graphs that could not be read when drawn are cut, in this order:
 * workloads of the whole cluster; only the workloads of changed edges; namespaces (external ranges
 * merged into one node) with the number of workload pairs per edge; only changed namespace edges.
 */
import { type Connection, formatConn, formatPeer, type PeerRef } from "../model/index.js";
import type { Graph, GraphEdge, GraphNode, GraphStatus } from "../report/index.js";
import { peerEntry } from "./check-changes.js";

export const GRAPH_LIMITS = { nodes: 150, edges: 400 } as const;

export interface GraphInput {
  /** Base connections; undefined without a base. */
  readonly before?: readonly Connection[] | undefined;
  readonly after: readonly Connection[];
  /** Cluster peers of each side (a workload without any connection is still drawn). */
  readonly beforePeers?: readonly PeerRef[] | undefined;
  readonly afterPeers: readonly PeerRef[];
  readonly sensitive: ReadonlySet<string>;
  /** `src dst` names of risky changes. */
  readonly risky: ReadonlySet<string>;
}

interface RawEdge {
  src: string;
  dst: string;
  before?: string;
  after?: string;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function statusOf(before: string | undefined, after: string | undefined): GraphStatus {
  if (before === undefined) return "added";
  if (after === undefined) return "removed";
  return before === after ? "unchanged" : "changed";
}

export function buildGraph(g: GraphInput, limits = GRAPH_LIMITS): Graph {
  // 1. Peers and edges at workload level.
  const peers = new Map<string, { ref: PeerRef; before: boolean; after: boolean }>();
  const addPeer = (p: PeerRef, side: "before" | "after") => {
    const k = formatPeer(p);
    const e = peers.get(k) ?? { ref: p, before: false, after: false };
    e[side] = true;
    peers.set(k, e);
  };
  const edges = new Map<string, RawEdge>();
  const addRows = (rows: readonly Connection[], side: "before" | "after") => {
    for (const r of rows) {
      addPeer(r.src, side);
      addPeer(r.dst, side);
      const [src, dst] = [formatPeer(r.src), formatPeer(r.dst)];
      const e = edges.get(`${src} ${dst}`) ?? { src, dst };
      e[side] = formatConn(r.conn);
      edges.set(`${src} ${dst}`, e);
    }
  };
  for (const p of g.beforePeers ?? []) addPeer(p, "before");
  for (const p of g.afterPeers) addPeer(p, "after");
  addRows(g.before ?? [], "before");
  addRows(g.after, "after");
  // Without a base, everything is as it is.
  const hasBase = g.before !== undefined;
  const raw = [...edges.values()].map((e) => ({
    ...e,
    status: hasBase ? statusOf(e.before, e.after) : "unchanged",
  }));
  const nodeStatus = (p: { before: boolean; after: boolean }): GraphStatus =>
    !hasBase || (p.before && p.after) ? "unchanged" : p.after ? "added" : "removed";

  // 2. Workload level: everything, else only what changed.
  const fits = (n: number, e: number) => n <= limits.nodes && e <= limits.edges;
  if (fits(peers.size, raw.length)) return workloadGraph(peers, raw, nodeStatus, g, "all");
  const changed = raw.filter((e) => e.status !== "unchanged");
  const touched = new Set(changed.flatMap((e) => [e.src, e.dst]));
  if (changed.length > 0 && fits(touched.size, changed.length)) {
    const kept = new Map([...peers].filter(([k]) => touched.has(k)));
    return workloadGraph(
      kept,
      changed,
      nodeStatus,
      g,
      "changed",
      `${peers.size} peers and ${raw.length} edges are too many to draw: only the ${changed.length} edges that changed are shown`,
    );
  }
  // 3. Namespace level.
  return namespaceGraph(peers, raw, g, limits, hasBase);
}

function workloadGraph(
  peers: Map<string, { ref: PeerRef; before: boolean; after: boolean }>,
  raw: readonly (RawEdge & { status: GraphStatus })[],
  nodeStatus: (p: { before: boolean; after: boolean }) => GraphStatus,
  g: GraphInput,
  scope: Graph["scope"],
  note?: string,
): Graph {
  const names = [...peers.keys()].sort(cmp);
  const ids = new Map(names.map((n, i) => [n, `n${i}`]));
  const nodes: GraphNode[] = names.map((n) => {
    const p = peers.get(n)!;
    const e = peerEntry(p.ref);
    const label = e.namespace !== undefined ? n.slice(e.namespace.length + 1) : n;
    return {
      id: ids.get(n)!,
      label,
      kind: e.kind,
      ...(e.namespace !== undefined ? { namespace: e.namespace } : {}),
      status: nodeStatus(p),
      ...(e.namespace !== undefined && g.sensitive.has(e.namespace) ? { sensitive: true } : {}),
    };
  });
  const edges: GraphEdge[] = [...raw]
    .sort((a, b) => cmp(a.src, b.src) || cmp(a.dst, b.dst))
    .map((e, i) => ({
      id: `e${i}`,
      src: ids.get(e.src)!,
      dst: ids.get(e.dst)!,
      ...(e.before !== undefined ? { before: e.before } : {}),
      ...(e.after !== undefined ? { after: e.after } : {}),
      status: e.status,
      risky: g.risky.has(`${e.src} ${e.dst}`),
    }));
  return { level: "workload", scope, ...(note ? { note } : {}), nodes, edges };
}

const EXTERNAL = "(outside the cluster)";

function namespaceGraph(
  peers: Map<string, { ref: PeerRef; before: boolean; after: boolean }>,
  raw: readonly (RawEdge & { status: GraphStatus })[],
  g: GraphInput,
  limits: typeof GRAPH_LIMITS,
  hasBase: boolean,
): Graph {
  const nsOf = (name: string) => peerEntry(peers.get(name)!.ref).namespace ?? EXTERNAL;
  const agg = new Map<
    string,
    { src: string; dst: string; before: number; after: number; changed: boolean; risky: boolean }
  >();
  for (const e of raw) {
    const [s, d] = [nsOf(e.src), nsOf(e.dst)];
    const a = agg.get(`${s}\u0000${d}`) ?? {
      src: s,
      dst: d,
      before: 0,
      after: 0,
      changed: false,
      risky: false,
    };
    if (e.before !== undefined) a.before++;
    if (e.after !== undefined) a.after++;
    a.changed ||= e.status !== "unchanged";
    a.risky ||= g.risky.has(`${e.src} ${e.dst}`);
    agg.set(`${s}\u0000${d}`, a);
  }
  const nsSide = new Map<string, { before: boolean; after: boolean }>();
  for (const [name, p] of peers) {
    const ns = nsOf(name);
    const s = nsSide.get(ns) ?? { before: false, after: false };
    s.before ||= p.before;
    s.after ||= p.after;
    nsSide.set(ns, s);
  }
  let list = [...agg.values()];
  let scope: Graph["scope"] = "all";
  let note = `${peers.size} peers and ${raw.length} edges are too many to draw: namespaces are shown, each edge with the number of workload pairs it stands for`;
  if (nsSide.size > limits.nodes || list.length > limits.edges) {
    list = list.filter((e) => e.changed);
    scope = "changed";
    note += "; only namespace pairs with changes";
  }
  const kept = scope === "all" ? [...nsSide.keys()] : [...new Set(list.flatMap((e) => [e.src, e.dst]))];
  const names = kept.sort(cmp);
  const ids = new Map(names.map((n, i) => [n, `n${i}`]));
  const count = (n: number) => (n === 0 ? undefined : `${n} connection${n === 1 ? "" : "s"}`);
  const nodes: GraphNode[] = names.map((n) => {
    const s = nsSide.get(n)!;
    return {
      id: ids.get(n)!,
      label: n,
      kind: n === EXTERNAL ? "external" : "namespace",
      status: !hasBase || (s.before && s.after) ? "unchanged" : s.after ? "added" : "removed",
      ...(g.sensitive.has(n) ? { sensitive: true } : {}),
    };
  });
  const edges: GraphEdge[] = list
    .sort((a, b) => cmp(a.src, b.src) || cmp(a.dst, b.dst))
    .map((e, i) => {
      const [before, after] = [hasBase ? count(e.before) : undefined, count(e.after)];
      return {
        id: `e${i}`,
        src: ids.get(e.src)!,
        dst: ids.get(e.dst)!,
        ...(before !== undefined ? { before } : {}),
        ...(after !== undefined ? { after } : {}),
        status: !e.changed
          ? "unchanged"
          : before === undefined
            ? "added"
            : after === undefined
              ? "removed"
              : "changed",
        risky: e.risky,
      };
    });
  return { level: "namespace", scope, note, nodes, edges };
}
