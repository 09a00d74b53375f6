/**
 * `who can reach B` and `what can A reach`: the rows of `list --focus` for one peer, built from the
 * engine's cells of that peer only (`list --focus` walks every pair; this walks one row and one
 * column), and the hypothetical peers of `--exposure`.
 */
import {
  type Analysis,
  type ClusterPeer,
  type Connection,
  type ConnSet,
  connEquals,
  connIsEmpty,
  connUnion,
  EMPTY_CONN,
  EMPTY_ID,
  formatPeer,
  type IpFamily,
  type IpRange,
  listConnections,
  type PeerRef,
} from "../model/index.js";
import { type Ports, within } from "./ports.js";
import type { State } from "./state.js";

export type FocusDirection = "ingress" | "egress";

/** Connections into (`ingress`) or out of (`egress`) the focused peer, in `list`'s order. */
export function focusRows(
  state: State,
  focus: ClusterPeer,
  direction: FocusDirection,
  ports?: Ports,
  families: readonly IpFamily[] = state.families,
  /** `outside`: only external ranges and the ingress controller (no workload rows). */
  scope: "all" | "outside" = "all",
): Connection[] {
  const a = state.analysis;
  const key = formatPeer(focus.ref);
  const out: Connection[] = [];
  // Without ports, cells are unions of interned ids (memoised by the engine's table); with ports,
  // each cell is cut to the ports as they resolve on its destination.
  const cell = (srcs: readonly number[], dsts: readonly number[]): ConnSet => {
    if (!ports) {
      let id = EMPTY_ID;
      for (const s of srcs) for (const d of dsts) id = a.conns.union(id, a.connId(s, d));
      return a.conns.get(id);
    }
    let conn = EMPTY_CONN;
    for (const s of srcs) for (const d of dsts) conn = connUnion(conn, within(a, a.conn(s, d), ports, d));
    return conn;
  };
  const push = (src: PeerRef, dst: PeerRef, conn: ConnSet) => {
    if (!connIsEmpty(conn)) out.push({ src, dst, conn });
  };
  const wanted = new Set(families);
  const atoms = a.space.atoms
    .map((r, i) => ({ r, id: a.classCount + i }))
    .filter((x) => wanted.has(x.r.family));
  if (direction === "ingress") {
    // As `list`: the ingress controller, external sources, then peers in order.
    if (a.ingressControllerPod !== undefined) out.push(...ingressControllerRows(a, focus, ports));
    runs(
      atoms,
      (atom) => cell([atom], focus.classes),
      (range, conn) => push(external(range), focus.ref, conn),
    );
    if (scope === "all")
      for (const src of state.peers)
        if (src !== focus && (src.ref.kind !== focus.ref.kind || formatPeer(src.ref) !== key))
          push(src.ref, focus.ref, cell(src.classes, focus.classes));
  } else {
    if (scope === "all")
      for (const dst of state.peers)
        if (dst !== focus && (dst.ref.kind !== focus.ref.kind || formatPeer(dst.ref) !== key))
          push(focus.ref, dst.ref, cell(focus.classes, dst.classes));
    runs(
      atoms,
      (atom) => cell(focus.classes, [atom]),
      (range, conn) => push(focus.ref, external(range), conn),
    );
  }
  return out;
}

function external(range: IpRange): PeerRef {
  return { kind: "external", range };
}

/** The ingress controller's row: rare (clusters with Ingresses or Routes), taken from `list` itself. */
function ingressControllerRows(a: Analysis, focus: ClusterPeer, ports: Ports): Connection[] {
  const ref = focus.ref;
  if (ref.kind !== "workload" && ref.kind !== "pod") return [];
  const rows = listConnections(a, {
    granularity: ref.kind === "pod" ? "pod" : "workload",
    focus: `${ref.namespace}/${ref.name}`,
    focusDirection: "ingress",
    families: [],
  }).filter((r) => r.src.kind === "ingress-controller" && formatPeer(r.dst) === formatPeer(ref));
  if (!ports) return rows;
  return rows
    .map((r) => {
      let conn = EMPTY_CONN;
      for (const d of focus.classes) conn = connUnion(conn, within(a, r.conn, ports, d));
      return { ...r, conn };
    })
    .filter((r) => !connIsEmpty(r.conn));
}

/** Maximal runs of adjacent atoms with equal connections. */
function runs(
  atoms: readonly { r: IpRange; id: number }[],
  connOf: (atom: number) => ConnSet,
  emit: (range: IpRange, conn: ConnSet) => void,
): void {
  let cur: { range: IpRange; conn: ConnSet } | undefined;
  for (const { r, id } of atoms) {
    const conn = connOf(id);
    if (cur && connEquals(cur.conn, conn) && cur.range.family === r.family && cur.range.hi + 1n === r.lo)
      cur = { range: { ...cur.range, hi: r.hi }, conn };
    else {
      if (cur) emit(cur.range, cur.conn);
      cur = { range: r, conn };
    }
  }
  if (cur) emit(cur.range, cur.conn);
}
