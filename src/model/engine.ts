/**
 * The connectivity engine: exact NetworkPolicy v1 semantics over pod classes and address atoms.
 *
 * A connection from S to D on (protocol, port) is allowed iff
 *   (S is not egress-isolated, or some egress rule of a policy selecting S matches D and the port)
 *   and (D is not ingress-isolated, or some ingress rule of a policy selecting D matches S and the port).
 * External addresses are never isolated (policy applies to pods only). Reply traffic is implicit.
 *
 * Layout: endpoints are numbered classes first (0..K-1), then atoms (K..K+A-1). Classes selected by
 * the same set of policies in a direction form a *group*; each group owns one vector of connection
 * ids over all endpoints (the egress row of its sources, or the ingress column of its destinations).
 * A cell is then one memoised intersection: conn(s, d) = row[group(s)][d] ∩ column[group(d)][s].
 * Cost grows with groups × endpoints and with rule sizes, not with replicas or with pairs.
 */
import { AddressSpace, fullRange, type IpRange } from "./addresses.js";
import { BitSet } from "./bitset.js";
import { buildClasses, type ClassIndex, type PodClass } from "./classes.js";
import { ALL_ID, ConnTable, EMPTY_ID } from "./conn-table.js";
import { ALL_CONN, allOf, type ConnSet, connUnion, EMPTY_CONN, range } from "./ports.js";
import { assertNever } from "./selectors.js";
import {
  type Cluster,
  DEFAULT_MODEL_OPTIONS,
  type Direction,
  type ModelOptions,
  modelOptions,
  type NetworkPolicy,
  type Peer,
  type PortMatch,
  type Rule,
} from "./types.js";

export interface Analysis {
  readonly cluster: Cluster;
  readonly options: ModelOptions;
  readonly space: AddressSpace;
  readonly index: ClassIndex;
  readonly conns: ConnTable;
  /** Number of classes (K); endpoint ids K.. are atoms. */
  readonly classCount: number;
  /** Interned id of the connection set allowed from endpoint `src` to endpoint `dst`. */
  connId(src: number, dst: number): number;
  conn(src: number, dst: number): ConnSet;
  /** Whether the class is isolated in the direction (selected by a policy of that type). */
  isolated(classIndex: number, direction: Direction): boolean;
}

/** Every CIDR and except of every policy: the cuts of the address space. */
export function policyRanges(cluster: Cluster): IpRange[] {
  const out: IpRange[] = [];
  for (const p of cluster.policies)
    for (const r of [...p.ingress, ...p.egress])
      for (const peer of r.peers) if (peer.kind === "ipBlock") out.push(peer.cidr, ...peer.except);
  return out;
}

export function analyze(cluster: Cluster, partialOptions: Partial<ModelOptions> = DEFAULT_MODEL_OPTIONS): Analysis {
  const options = modelOptions(partialOptions);
  // 1. Address atoms and pod classes.
  const space = new AddressSpace(policyRanges(cluster));
  const index = buildClasses(cluster, space, options.hostNetwork === "distinguish");
  const K = index.classes.length;
  const A = space.atoms.length;
  const conns = new ConnTable();
  const compiler = new RuleCompiler(index, space, conns, options, K, A);

  // 2. Subjects of each policy, then groups per direction.
  const subjects = cluster.policies.map((p) => index.select({ kind: "same", namespace: p.namespace }, p.podSelector));
  const egress = buildDirection("egress", cluster.policies, subjects, index, compiler, K + A, conns);
  const ingress = buildDirection("ingress", cluster.policies, subjects, index, compiler, K + A, conns);

  // 3. Cells: one memoised intersection of a row and a column.
  const connId = (src: number, dst: number): number => {
    const e = src < K ? egress.vectorOf(src) : undefined;
    const i = dst < K ? ingress.vectorOf(dst) : undefined;
    const eid = src < K ? (e ? e[dst]! : ALL_ID) : ALL_ID;
    const iid = dst < K ? (i ? i[src]! : ALL_ID) : ALL_ID;
    return conns.intersect(eid, iid);
  };
  return {
    cluster,
    options,
    space,
    index,
    conns,
    classCount: K,
    connId,
    conn: (s, d) => conns.get(connId(s, d)),
    isolated: (c, dir) => (dir === "egress" ? egress : ingress).vectorOf(c) !== undefined,
  };
}

interface DirectionTable {
  /** The class's vector, or undefined when the class is not isolated in this direction. */
  vectorOf(classIndex: number): Int32Array | undefined;
}

function buildDirection(
  direction: Direction,
  policies: readonly NetworkPolicy[],
  subjects: readonly BitSet[],
  index: ClassIndex,
  compiler: RuleCompiler,
  width: number,
  conns: ConnTable,
): DirectionTable {
  const K = index.classes.length;
  const selecting: number[][] = Array.from({ length: K }, () => []);
  policies.forEach((p, pi) => {
    if (p.isolates[direction]) subjects[pi]!.forEach((c) => selecting[c]!.push(pi));
  });
  const groupOf = new Int32Array(K).fill(-1);
  const vectors: Int32Array[] = [];
  const groups = new Map<string, number>();
  for (let c = 0; c < K; c++) {
    const list = selecting[c]!;
    if (list.length === 0) continue;
    const rules = list.flatMap((pi) => policies[pi]![direction]);
    // Ingress rules with named ports resolve against the destination (this class): the group key
    // includes its named ports then. Egress rules resolve against each destination, in the vector.
    const cls = index.classes[c]!;
    const named = direction === "ingress" && rules.some((r) => r.ports.some((m) => m.kind === "named"));
    const key = named ? `${list.join(",")}#${cls.portsKey}` : list.join(",");
    let g = groups.get(key);
    if (g === undefined) {
      g = vectors.length;
      groups.set(key, g);
      vectors.push(direction === "egress" ? compiler.egressRow(rules, width) : compiler.ingressColumn(rules, cls, width));
    }
    groupOf[c] = g;
  }
  void conns;
  return { vectorOf: (c) => (groupOf[c]! < 0 ? undefined : vectors[groupOf[c]!]) };
}

/** Compiles rules' peers to endpoint sets and ports to connection ids, with caches. */
class RuleCompiler {
  private readonly peerCache = new Map<Peer, { classes: BitSet; atoms: readonly number[] }>();
  private readonly portCache = new Map<string, number>();
  private readonly allClasses: BitSet;
  private readonly allAtoms: number[];

  constructor(
    private readonly index: ClassIndex,
    private readonly space: AddressSpace,
    private readonly conns: ConnTable,
    private readonly options: ModelOptions,
    private readonly K: number,
    A: number,
  ) {
    this.allClasses = BitSet.full(K);
    this.allAtoms = Array.from({ length: A }, (_, i) => i);
  }

  egressRow(rules: readonly Rule[], width: number): Int32Array {
    const v = new Int32Array(width).fill(EMPTY_ID);
    const c = this.conns;
    for (const r of rules) {
      const external = this.portsId(r.ports, undefined);
      for (const peer of r.peers) {
        const m = this.peer(peer);
        m.classes.forEach((d) => {
          v[d] = c.union(v[d]!, this.portsId(r.ports, this.index.classes[d]));
        });
        for (const a of m.atoms) v[this.K + a] = c.union(v[this.K + a]!, external);
      }
    }
    return v;
  }

  ingressColumn(rules: readonly Rule[], dst: PodClass, width: number): Int32Array {
    const v = new Int32Array(width).fill(EMPTY_ID);
    const c = this.conns;
    for (const r of rules) {
      const id = this.portsId(r.ports, dst);
      if (id === EMPTY_ID) continue;
      for (const peer of r.peers) {
        const m = this.peer(peer);
        m.classes.forEach((s) => {
          v[s] = c.union(v[s]!, id);
        });
        for (const a of m.atoms) v[this.K + a] = c.union(v[this.K + a]!, id);
      }
    }
    return v;
  }

  /** Endpoints a peer matches. */
  peer(p: Peer): { classes: BitSet; atoms: readonly number[] } {
    let m = this.peerCache.get(p);
    if (m) return m;
    switch (p.kind) {
      case "any":
        m = { classes: this.allClasses, atoms: this.allAtoms };
        break;
      case "pods":
        m = { classes: this.index.select(p.namespaces, p.pods), atoms: [] };
        break;
      case "ipBlock": {
        const excluded = new Set(p.except.flatMap((e) => this.space.atomsIn(e)));
        const atoms = this.space.atomsIn(p.cidr).filter((a) => !excluded.has(a));
        const classes =
          this.options.ipBlockPods === "include" ? this.index.classesInAtoms(atoms) : new BitSet(this.K);
        m = { classes, atoms };
        break;
      }
      default:
        return assertNever(p);
    }
    this.peerCache.set(p, m);
    return m;
  }

  /** The connection set a rule's ports allow towards a destination class (undefined: an address). */
  portsId(ports: readonly PortMatch[], dst: PodClass | undefined): number {
    const named = ports.some((m) => m.kind === "named");
    const key = `${JSON.stringify(ports)}@${named ? (dst ? dst.portsKey : "\u0000ext") : ""}`;
    let id = this.portCache.get(key);
    if (id === undefined) {
      id = this.conns.intern(resolvePorts(ports, dst));
      this.portCache.set(key, id);
    }
    return id;
  }
}

/**
 * A rule's ports as a connection set towards one destination. A named port resolves to the
 * destination's container ports of that name *and* the rule's protocol; towards an address, or a
 * pod without such a port, it matches nothing.
 */
export function resolvePorts(ports: readonly PortMatch[], dst: Pick<PodClass, "ports"> | undefined): ConnSet {
  let out = EMPTY_CONN;
  for (const m of ports) {
    switch (m.kind) {
      case "all":
        return ALL_CONN;
      case "protocol":
        out = connUnion(out, allOf(m.protocol));
        break;
      case "range":
        out = connUnion(out, range(m.protocol, m.from, m.to));
        break;
      case "named":
        for (const p of dst?.ports ?? [])
          if (p.name === m.name && p.protocol === m.protocol) out = connUnion(out, range(p.protocol, p.port));
        break;
      default:
        return assertNever(m);
    }
  }
  return out;
}

export { fullRange };
