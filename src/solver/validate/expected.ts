/**
 * The model side: which first packets one node's filter must accept.
 *
 * A node polices its local pods only: the egress of a local source, the ingress of a local
 * destination. Addresses are judged as the model judges them — a pod address as its pod's class
 * (wherever the pod runs), any other address as its atom:
 *
 * | source            | destination       | the node must accept exactly                     |
 * |-------------------|-------------------|--------------------------------------------------|
 * | local pod (S)     | local pod (D)     | conn(S, D): egress of S and ingress of D          |
 * | local pod (S)     | remote pod/address | egress(S → D) only                              |
 * | remote pod/address | local pod (D)    | ingress(D ← S) only                              |
 * | remote / address  | remote / address  | everything (not this node's to police)           |
 * Per direction the halves come from `explainPair` (`egress.allowed`, `ingress.allowed`), or from
 * `conn` when the other endpoint is not isolated in the other direction (the other half is then
 * everything). Classes sharing their policies in a direction share one vector, as the engine's
 * groups (ingress also keyed by named ports, which resolve at the destination).
 *
 * The eBPF target splits the cell differently (docs/ebpf.md, "What the entries hold"): a source
 * that enforces egress checks the whole cell conn(S, D), so the destination's node only has to
 * let at least conn(S, D) through for such a source (any superset will do). Under this `cells`
 * contract, when some pod runs on another node, egress expects conn(S, D) per class, and ingress
 * from a placed pod of an egress-enforcing class (isolated, not hostNetwork, with an address) is a
 * *loose* cell: `must` accept conn(S, D), `may` accept anything. Each node's check, for every
 * node, then proves the composition exact. With every pod local both contracts coincide.
 *
 * Not in the domain: a packet to its own address (a pod reaching itself is always allowed, and
 * arrives marked by the hairpin translation), addresses shared by pods of different classes (the
 * model cannot say which pod a packet comes from), and packets to Service frontends (translated
 * before the filter sees them: services.ts checks those).
 */
import {
  type Analysis,
  type ConnSet,
  connContains,
  connKey,
  type Direction,
  explainPair,
  type IpFamily,
  PROTOCOLS,
} from "../../model/index.js";
import { mergeIntervals, WIDTH } from "./addr.js";
import type { F, Fm, V } from "./formula.js";
import type { Family, Interval } from "./ir.js";
import { type ConcretePacket, type Packet, PORT_BITS, PROTO_BITS, PROTO_CODES } from "./packet.js";

export type Contract = "halves" | "cells";

export interface Cell {
  readonly conn: ConnSet;
  /** The node must accept `conn` from/to these peers and may accept more (the `cells` contract). */
  readonly loose: boolean;
  /** Addresses of the cell's pod classes (every pod of them, any node). */
  readonly pods: readonly Interval[];
  /** The cell's atoms (addresses that are not pods). */
  readonly atoms: readonly Interval[];
}

export interface Group {
  readonly direction: Direction;
  readonly classes: readonly number[];
  /** Local pod addresses of the group's classes. */
  readonly members: readonly Interval[];
  readonly cells: readonly Cell[];
}

export interface PodAddress {
  readonly pod: number;
  readonly cls: number;
  readonly local: boolean;
}

export interface FamilyExpectation {
  readonly family: Family;
  /** Pod address → its pod (the first one listed) and class. */
  readonly pods: ReadonlyMap<bigint, PodAddress>;
  readonly podIntervals: readonly Interval[];
  /** Addresses held by pods of different classes: left out of the domain. */
  readonly ambiguous: readonly bigint[];
  readonly egress: readonly Group[];
  readonly ingress: readonly Group[];
  /** Local policed hostNetwork pods (`--host-network distinguish`): their traffic uses INPUT/OUTPUT. */
  readonly hostLocal: readonly Interval[];
  /** The contract in force: `cells` only when asked for and some pod runs elsewhere. */
  readonly contract: Contract;
  /** Under `cells`: sources whose ingress cells are loose. */
  readonly loose: readonly Interval[];
}

export function isLocal(a: Analysis, pod: number, node: string | undefined): boolean {
  return node === undefined || a.cluster.pods[pod]!.nodeName === node;
}

export function familyExpectation(
  a: Analysis,
  node: string | undefined,
  family: IpFamily,
  contract: Contract = "halves",
): FamilyExpectation {
  const K = a.classCount;
  // 1. Pod addresses.
  const pods = new Map<bigint, PodAddress>();
  const ambiguous = new Set<bigint>();
  const localByClass = new Map<number, Interval[]>();
  const allByClass = new Map<number, Interval[]>();
  const hostLocal: Interval[] = [];
  a.cluster.pods.forEach((p, i) => {
    const cls = a.index.classOfPod[i]!;
    for (const ip of p.ips) {
      if (ip.family !== family) continue;
      const prev = pods.get(ip.value);
      if (prev && prev.cls !== cls) ambiguous.add(ip.value);
      const local = isLocal(a, i, node);
      if (!prev) pods.set(ip.value, { pod: i, cls, local });
      push(allByClass, cls, [ip.value, ip.value]);
      if (local) push(localByClass, cls, [ip.value, ip.value]);
      if (local && p.hostNetwork && a.options.hostNetwork === "distinguish")
        hostLocal.push([ip.value, ip.value]);
    }
  });
  const classIntervals = new Map([...allByClass].map(([c, l]) => [c, mergeIntervals(l)] as const));
  const podIntervals = mergeIntervals([...pods.keys()].map((v) => [v, v] as const));
  // 2. Groups of local isolated classes and their cells.
  const remote = [...pods.values()].some((x) => !x.local);
  const cells = contract === "cells" && remote;
  const enforcesEgress = (c: number) => {
    const cls = a.index.classes[c]!;
    return !cls.hostNetwork && cls.atoms.length > 0 && a.isolated(c, "egress");
  };
  // Under `cells`: addresses of placed pods whose own node checks their whole cell at egress.
  const looseByClass = new Map<number, Interval[]>();
  if (cells)
    a.cluster.pods.forEach((p, i) => {
      const c = a.index.classOfPod[i]!;
      if (!p.nodeName || !enforcesEgress(c)) return;
      for (const ip of p.ips) if (ip.family === family) push(looseByClass, c, [ip.value, ip.value]);
    });
  const atomsOfFamily = a.space.atoms.map((r, i) => ({ r, i })).filter((x) => x.r.family === family);
  const groups = (direction: Direction): Group[] => {
    const byKey = new Map<string, number[]>();
    for (const c of localByClass.keys()) {
      if (!a.isolated(c, direction)) continue;
      const key = cells ? `class ${c}` : groupKey(a, c, direction);
      const list = byKey.get(key);
      if (list) list.push(c);
      else byKey.set(key, [c]);
    }
    return [...byKey.values()].map((classes) => {
      const c0 = classes[0]!;
      const half = cells && direction === "egress" ? (e: number) => a.conn(c0, e) : halfOf(a, c0, direction);
      const byConn = new Map<
        string,
        { conn: ConnSet; loose: boolean; pods: Interval[]; atoms: Interval[] }
      >();
      const add = (conn: ConnSet, loose: boolean, into: "pods" | "atoms", list: readonly Interval[]) => {
        const k = `${loose ? "loose " : ""}${connKey(conn)}`;
        let cell = byConn.get(k);
        if (!cell) {
          cell = { conn, loose, pods: [], atoms: [] };
          byConn.set(k, cell);
        }
        cell[into].push(...list);
      };
      for (const [c, list] of classIntervals) {
        const loose = direction === "ingress" ? mergeIntervals(looseByClass.get(c) ?? []) : [];
        const exact = loose.length > 0 ? subtract(list, loose) : list;
        if (exact.length > 0) add(half(c), false, "pods", exact);
        if (loose.length > 0) add(a.conn(c, c0), true, "pods", loose);
      }
      for (const { r, i } of atomsOfFamily) add(half(K + i), false, "atoms", [[r.lo, r.hi]]);
      const members = mergeIntervals(classes.flatMap((c) => localByClass.get(c)!));
      const list = [...byConn.values()]
        .filter((x) => x.loose || !isEmpty(x.conn))
        .map((x) => ({
          conn: x.conn,
          loose: x.loose,
          pods: mergeIntervals(x.pods),
          atoms: mergeIntervals(x.atoms),
        }));
      return { direction, classes, members, cells: list };
    });
  };
  return {
    family,
    pods,
    podIntervals,
    ambiguous: [...ambiguous].sort((x, y) => (x < y ? -1 : 1)),
    egress: groups("egress"),
    ingress: groups("ingress"),
    hostLocal: mergeIntervals(hostLocal),
    contract: cells ? "cells" : "halves",
    loose: mergeIntervals([...looseByClass.values()].flat()),
  };
}

function push(m: Map<number, Interval[]>, k: number, v: Interval): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Sorted merged intervals minus single addresses (sorted). */
function subtract(list: readonly Interval[], points: readonly Interval[]): Interval[] {
  const drop = new Set(points.map(([lo]) => lo));
  const out: Interval[] = [];
  for (const [lo, hi] of list) {
    let start = lo;
    for (const [p] of points) {
      if (p < lo || p > hi) continue;
      if (p > start) out.push([start, p - 1n]);
      start = p + 1n;
    }
    if (start <= hi) out.push([start, hi]);
  }
  return out.filter(([lo, hi]) => lo <= hi && !(lo === hi && drop.has(lo)));
}

function isEmpty(c: ConnSet): boolean {
  return PROTOCOLS.every((p) => c[p].length === 0);
}

/** The policies (and, for ingress, named ports) that decide a class's half: equal keys, equal halves. */
function groupKey(a: Analysis, c: number, direction: Direction): string {
  const s = a.selection(c, direction);
  const ids = (list: readonly object[]) => list.map((p) => policyId(a, p)).join(",");
  const ports = direction === "ingress" ? `#${a.index.classes[c]!.portsKey}` : "";
  return `${ids(s.admin)}|${ids(s.np)}|${ids(s.baseline)}${ports}`;
}

const policyIds = new WeakMap<Analysis, Map<object, number>>();
function policyId(a: Analysis, p: object): number {
  let m = policyIds.get(a);
  if (!m) {
    m = new Map();
    for (const [i, x] of [...a.cluster.policies, ...a.cluster.clusterPolicies].entries()) m.set(x, i);
    policyIds.set(a, m);
  }
  return m.get(p)!;
}

/**
 * One direction's half for subject class `c` towards (egress) or from (ingress) endpoint `e`:
 * `conn` when `e` does not police the other direction, else the explanation's half.
 */
export function halfOf(a: Analysis, c: number, direction: Direction): (e: number) => ConnSet {
  const K = a.classCount;
  if (direction === "egress")
    return (e) => (e < K && a.isolated(e, "ingress") ? explainPair(a, c, e).egress.allowed : a.conn(c, e));
  return (e) => (e < K && a.isolated(e, "egress") ? explainPair(a, e, c).ingress.allowed : a.conn(e, c));
}

// --- formulas ---------------------------------------------------------------------------------

export function connFormula(fm: Fm, conn: ConnSet, proto: V, port: V): F {
  return fm.or(
    ...PROTOCOLS.map((p, code) => {
      const iv = conn[p];
      if (iv.length === 0) return false;
      const ports: F[] = [];
      for (let i = 0; i < iv.length; i += 2)
        ports.push(fm.inInterval(port, BigInt(iv[i]!), BigInt(iv[i + 1]!), PORT_BITS));
      return fm.and(fm.eqV(proto, BigInt(code), PROTO_BITS), fm.or(...ports));
    }),
  );
}

/**
 * What the model has the node accept (the packet assumed in the domain): `must` be accepted, and
 * `may` be (equal except for loose cells).
 */
export function allowedFormula(fm: Fm, fe: FamilyExpectation, p: Packet): { must: F; may: F } {
  const bits = WIDTH[fe.family];
  const isPod = (x: V) => fm.inSet(x, fe.podIntervals, bits);
  const srcNotPod = fm.cut(fm.not(isPod(p.src)), "srcNotPod");
  const dstNotPod = fm.cut(fm.not(isPod(p.dst)), "dstNotPod");
  const side = (g: Group, upper: boolean): F => {
    const egress = g.direction === "egress";
    const [self, peer, peerNotPod] = egress ? [p.src, p.dst, dstNotPod] : [p.dst, p.src, srcNotPod];
    const cells = g.cells.map((cell) =>
      fm.and(
        fm.or(fm.inSet(peer, cell.pods, bits), fm.and(peerNotPod, fm.inSet(peer, cell.atoms, bits))),
        cell.loose && upper ? true : connFormula(fm, cell.conn, p.proto, p.dport),
      ),
    );
    return fm.implies(fm.inSet(self, g.members, bits), fm.or(...cells));
  };
  const groups = [...fe.egress, ...fe.ingress];
  const must = fm.cut(fm.and(...groups.map((g) => side(g, false))), "must");
  const loose = groups.some((g) => g.cells.some((c) => c.loose));
  return { must, may: loose ? fm.cut(fm.and(...groups.map((g) => side(g, true))), "may") : must };
}

/** The packets validation checks (see the module comment), frontends excepted. */
export function domainFormula(fm: Fm, fe: FamilyExpectation, p: Packet): F {
  const bits = WIDTH[fe.family];
  const notAmbiguous = (x: V) => fm.not(fm.or(...fe.ambiguous.map((v) => fm.eqV(x, v, bits))));
  return fm.and(fm.not(fm.eqV(p.src, p.dst, bits)), notAmbiguous(p.src), notAmbiguous(p.dst));
}

// --- concrete ---------------------------------------------------------------------------------

export interface Judged {
  /** Engine endpoint: a class (< K) or K + atom. */
  readonly endpoint: number;
  readonly pod?: PodAddress | undefined;
}

export function judge(a: Analysis, fe: FamilyExpectation, ip: bigint): Judged {
  const pod = fe.pods.get(ip);
  if (pod) return { endpoint: pod.cls, pod };
  return { endpoint: a.classCount + a.space.atomOf({ family: fe.family, value: ip }) };
}

/**
 * The same answer as `allowedFormula`, computed directly: `explainPair` per pair (no grouping), and
 * under the `cells` contract `conn` for the parts the eBPF split moves.
 */
export function allowedConcrete(
  a: Analysis,
  fe: FamilyExpectation,
  p: ConcretePacket,
): { must: boolean; may: boolean; egress: boolean; ingress: boolean } {
  const s = judge(a, fe, p.src);
  const d = judge(a, fe, p.dst);
  const x = explainPair(a, s.endpoint, d.endpoint);
  const has = (c: ConnSet) => connContains(c, p.proto, p.dport);
  const egressChecked = !!s.pod?.local && a.isolated(s.endpoint, "egress");
  const ingressChecked = !!d.pod?.local && a.isolated(d.endpoint, "ingress");
  const egress = !egressChecked || has(x.egress.allowed);
  const ingress = !ingressChecked || has(x.ingress.allowed);
  if (fe.contract === "halves") return { must: egress && ingress, may: egress && ingress, egress, ingress };
  // The `cells` contract: egress checks the whole cell; ingress from an egress-enforcing placed pod is loose.
  const cell = has(x.allowed);
  const eg = !egressChecked || cell;
  const srcLoose = ingressChecked && fe.loose.some(([lo, hi]) => lo <= p.src && p.src <= hi);
  const must = eg && (srcLoose ? cell : ingress);
  const may = eg && (srcLoose ? true : ingress);
  return { must, may, egress: eg, ingress: srcLoose ? cell : ingress };
}

export { PROTO_CODES };
