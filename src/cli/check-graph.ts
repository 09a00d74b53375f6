/**
 * The report's graph: namespaces → workloads, external ranges, and the allowed edges with their
 * connections in base and head. Graphs too large to read when drawn are cut, in this order:
 * 1. every workload and edge, when they fit (`GRAPH_LIMITS`);
 * 2. only the edges that changed (the connectivity diff's changes) and their workloads;
 * 3. namespaces (external ranges merged into one node), each edge with the number of workload pairs
 *    it stands for on each side, marked changed when a change falls in it; when those edges are
 *    too many too, only the changed ones (or, without a base, the largest).
 * Large listings are only counted per namespace pair (no per-edge strings), so a 1,000-workload
 * cluster costs one pass over its rows.
 */
import { type Connection, formatConn, formatPeer, type PeerRef } from "../model/index.js";
import type { ChangeEntry, Graph, GraphEdge, GraphNode, GraphStatus } from "../report/index.js";
import { peerEntry } from "./check-changes.js";

/** Workload graphs up to `nodes` and `edges`; namespace graphs up to `namespaceEdges` edges. */
export const GRAPH_LIMITS = { nodes: 150, edges: 400, namespaceEdges: 80 } as const;

export interface GraphInput {
  /** Base connections; undefined without a base. */
  readonly before?: readonly Connection[] | undefined;
  readonly after: readonly Connection[];
  /** Cluster peers of each side (a workload without any connection is still drawn). */
  readonly beforePeers?: readonly PeerRef[] | undefined;
  readonly afterPeers: readonly PeerRef[];
  /** The connectivity diff (with a base). */
  readonly changes?: readonly ChangeEntry[] | undefined;
  readonly sensitive: ReadonlySet<string>;
}

interface Side {
  before: boolean;
  after: boolean;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const CHANGE_STATUS: Record<ChangeEntry["type"], GraphStatus> = {
  added: "added",
  removed: "removed",
  changed: "changed",
};

export function buildGraph(g: GraphInput, limits = GRAPH_LIMITS): Graph {
  const hasBase = g.before !== undefined;
  // 1. Peers of both sides (external ranges and the ingress controller appear only in rows).
  const peers = new Map<string, { ref: PeerRef } & Side>();
  const addPeer = (p: PeerRef, side: keyof Side) => {
    const k = formatPeer(p);
    const e = peers.get(k) ?? { ref: p, before: false, after: false };
    e[side] = true;
    peers.set(k, e);
  };
  for (const p of g.beforePeers ?? []) addPeer(p, "before");
  for (const p of g.afterPeers) addPeer(p, "after");
  const rowCount = (g.before?.length ?? 0) + g.after.length;
  const fits = (nodes: number, edges: number) => nodes <= limits.nodes && edges <= limits.edges;
  const nodeStatus = (p: Side): GraphStatus =>
    !hasBase || (p.before && p.after) ? "unchanged" : p.after ? "added" : "removed";

  // 2. Small enough: everything.
  if (fits(peers.size, rowCount)) {
    for (const [rows, side] of [
      [g.before ?? [], "before"],
      [g.after, "after"],
    ] as const)
      for (const r of rows) {
        addPeer(r.src, side);
        addPeer(r.dst, side);
      }
    const edges = new Map<string, { src: string; dst: string; before?: string; after?: string }>();
    for (const [rows, side] of [
      [g.before ?? [], "before"],
      [g.after, "after"],
    ] as const)
      for (const r of rows) {
        const [src, dst] = [formatPeer(r.src), formatPeer(r.dst)];
        const e = edges.get(`${src} ${dst}`) ?? { src, dst };
        e[side] = formatConn(r.conn);
        edges.set(`${src} ${dst}`, e);
      }
    const raw = [...edges.values()].map((e) => ({
      ...e,
      status: hasBase ? statusOf(e.before, e.after) : ("unchanged" as const),
    }));
    if (fits(peers.size, raw.length)) return workloadGraph(peers, raw, nodeStatus, g, "all");
  }
  // 3. Only what changed.
  const changes = g.changes ?? [];
  const touched = new Set(changes.flatMap((c) => [c.src.name, c.dst.name]));
  if (changes.length > 0 && fits(touched.size, changes.length)) {
    const outside = outsidePeers(g);
    for (const c of changes)
      for (const p of [c.src, c.dst])
        if (!peers.has(p.name)) {
          const ref = outside.get(p.name);
          if (!ref) throw new Error(`netpolc bug: peer ${p.name} of a change is in no listing`);
          peers.set(p.name, { ref, before: c.type !== "added", after: c.type !== "removed" });
        }
    const kept = new Map([...peers].filter(([k]) => touched.has(k)));
    const raw = changes.map((c) => ({
      src: c.src.name,
      dst: c.dst.name,
      ...(c.type !== "added" ? { before: c.before } : {}),
      ...(c.type !== "removed" ? { after: c.after } : {}),
      status: CHANGE_STATUS[c.type],
    }));
    const note = `${peers.size} peers and about ${Math.max(g.after.length, g.before?.length ?? 0)} edges are too many to draw: only the ${changes.length} edges that changed are shown`;
    return workloadGraph(kept, raw, nodeStatus, g, "changed", note);
  }
  // 4. Namespaces.
  return namespaceGraph(peers, g, hasBase, limits);
}

function statusOf(before: string | undefined, after: string | undefined): GraphStatus {
  if (before === undefined) return "added";
  if (after === undefined) return "removed";
  return before === after ? "unchanged" : "changed";
}

/** Peers that no cluster listing names (external ranges, the ingress controller), by name. */
function outsidePeers(g: GraphInput): Map<string, PeerRef> {
  const out = new Map<string, PeerRef>();
  for (const rows of [g.after, g.before ?? []])
    for (const r of rows)
      for (const p of [r.src, r.dst])
        if (p.kind === "external" || p.kind === "ingress-controller") out.set(formatPeer(p), p);
  return out;
}

function workloadGraph(
  peers: Map<string, { ref: PeerRef } & Side>,
  raw: readonly { src: string; dst: string; before?: string; after?: string; status: GraphStatus }[],
  nodeStatus: (p: Side) => GraphStatus,
  g: GraphInput,
  scope: Graph["scope"],
  note?: string,
): Graph {
  const risky = new Set(
    (g.changes ?? []).filter((c) => c.risks.length > 0).map((c) => `${c.src.name} ${c.dst.name}`),
  );
  const names = [...peers.keys()].sort(cmp);
  const ids = new Map(names.map((n, i) => [n, `n${i}`]));
  const nodes: GraphNode[] = names.map((n) => {
    const p = peers.get(n)!;
    const e = peerEntry(p.ref);
    return {
      id: ids.get(n)!,
      label: e.namespace !== undefined ? n.slice(e.namespace.length + 1) : n,
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
      risky: risky.has(`${e.src} ${e.dst}`),
    }));
  return { level: "workload", scope, ...(note ? { note } : {}), nodes, edges };
}

const EXTERNAL = "(outside the cluster)";

function namespaceOf(p: PeerRef): string {
  return p.kind === "workload" || p.kind === "pod" || p.kind === "service" ? p.namespace : EXTERNAL;
}

function namespaceGraph(
  peers: Map<string, { ref: PeerRef } & Side>,
  g: GraphInput,
  hasBase: boolean,
  limits: typeof GRAPH_LIMITS,
): Graph {
  // 1. Workload pairs per namespace pair, counted on each side.
  const agg = new Map<
    string,
    { src: string; dst: string; before: number; after: number; changed: boolean; risky: boolean }
  >();
  const pair = (s: string, d: string) => {
    const k = `${s}\u0000${d}`;
    const known = agg.get(k);
    if (known) return known;
    const a = { src: s, dst: d, before: 0, after: 0, changed: false, risky: false };
    agg.set(k, a);
    return a;
  };
  for (const r of g.before ?? []) pair(namespaceOf(r.src), namespaceOf(r.dst)).before++;
  for (const r of g.after) pair(namespaceOf(r.src), namespaceOf(r.dst)).after++;
  for (const c of g.changes ?? []) {
    const a = pair(c.src.namespace ?? EXTERNAL, c.dst.namespace ?? EXTERNAL);
    a.changed = true;
    a.risky ||= c.risks.length > 0;
  }
  // 2. Namespaces of both sides.
  const sides = new Map<string, Side>();
  const mark = (ns: string, side: keyof Side) => {
    const s = sides.get(ns) ?? { before: false, after: false };
    s[side] = true;
    sides.set(ns, s);
  };
  for (const p of peers.values()) {
    if (p.before) mark(namespaceOf(p.ref), "before");
    if (p.after) mark(namespaceOf(p.ref), "after");
  }
  for (const a of agg.values())
    for (const ns of [a.src, a.dst]) {
      if (a.before > 0) mark(ns, "before");
      if (a.after > 0) mark(ns, "after");
    }
  // 3. Too many edges: the changed ones, or the largest; only the namespaces they join.
  let pairs = [...agg.values()];
  let scope: Graph["scope"] = "all";
  let cut = "";
  if (pairs.length > limits.namespaceEdges) {
    const changed = pairs.filter((e) => e.changed);
    if (hasBase) {
      pairs = changed;
      scope = "changed";
      cut = `; only the ${changed.length} namespace pairs with changes (of ${agg.size})`;
    } else {
      pairs = [...pairs]
        .sort((a, b) => b.after - a.after || cmp(a.src, b.src) || cmp(a.dst, b.dst))
        .slice(0, limits.namespaceEdges);
      cut = `; only the ${limits.namespaceEdges} namespace pairs with the most connections (of ${agg.size})`;
    }
  }
  const joined = new Set(pairs.flatMap((e) => [e.src, e.dst]));
  const names = [...sides.keys()].filter((n) => cut === "" || joined.has(n)).sort(cmp);
  const ids = new Map(names.map((n, i) => [n, `n${i}`]));
  const count = (n: number) => (n === 0 ? undefined : `${n} connection${n === 1 ? "" : "s"}`);
  const nodes: GraphNode[] = names.map((n) => {
    const s = sides.get(n)!;
    return {
      id: ids.get(n)!,
      label: n,
      kind: n === EXTERNAL ? "external" : "namespace",
      status: !hasBase || (s.before && s.after) ? "unchanged" : s.after ? "added" : "removed",
      ...(g.sensitive.has(n) ? { sensitive: true } : {}),
    };
  });
  const edges: GraphEdge[] = pairs
    .sort((a, b) => cmp(a.src, b.src) || cmp(a.dst, b.dst))
    .map((e, i) => {
      const [before, after] = [hasBase ? count(e.before) : undefined, count(e.after)];
      const status: GraphStatus = !e.changed
        ? "unchanged"
        : before === undefined
          ? "added"
          : after === undefined
            ? "removed"
            : "changed";
      return {
        id: `e${i}`,
        src: ids.get(e.src)!,
        dst: ids.get(e.dst)!,
        ...(before !== undefined ? { before } : {}),
        ...(after !== undefined ? { after } : {}),
        status,
        risky: e.risky,
      };
    });
  const note = `${peers.size} peers are too many to draw: namespaces are shown, each edge with the number of workload pairs it stands for${cut}`;
  return { level: "namespace", scope, note, nodes, edges };
}
