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
import { AddressSpace, type IpRange } from "./addresses.js";
import { BitSet } from "./bitset.js";
import { buildClasses, type ClassIndex, type PodClass } from "./classes.js";
import { ALL_ID, ConnTable, EMPTY_ID } from "./conn-table.js";
import { withIngressController } from "./ingress-controller.js";
import { getOrCreate } from "./maps.js";
import { ALL_CONN, allOf, type ConnSet, connUnion, EMPTY_CONN, range } from "./ports.js";
import { assertNever, matches } from "./selectors.js";
import {
  type Cluster,
  type ClusterPolicy,
  DEFAULT_MODEL_OPTIONS,
  type Direction,
  type ModelOptions,
  modelOptions,
  type Namespace,
  type NetworkPolicy,
  type Peer,
  type Pod,
  type PortMatch,
  type Rule,
  type TierRule,
} from "./types.js";

export interface Analysis {
  /** The input cluster (with the ingress controller's pod appended last, when there is one). */
  readonly cluster: Cluster;
  /** Index in cluster.pods of the ingress controller's pod, when Ingresses or Routes exist. */
  readonly ingressControllerPod: number | undefined;
  readonly options: ModelOptions;
  readonly space: AddressSpace;
  readonly index: ClassIndex;
  readonly conns: ConnTable;
  /** Number of classes (K); endpoint ids K.. are atoms. */
  readonly classCount: number;
  /** Interned id of the connection set allowed from endpoint `src` to endpoint `dst`. */
  connId(src: number, dst: number): number;
  conn(src: number, dst: number): ConnSet;
  /**
   * The connection ids from `src` to every class (`out[d]`, d < classCount): one row of the class
   * matrix in one pass, for whole-cluster reachability.
   */
  rowInto(src: number, out: Int32Array): void;
  /** Whether any policy of any tier affects the class in the direction. */
  isolated(classIndex: number, direction: Direction): boolean;
  /** The policies of each tier that affect the class in the direction, in evaluation order. */
  selection(classIndex: number, direction: Direction): PolicySelection;
  /** Whether a rule's peer matches an endpoint. */
  peerMatches(peer: Peer, endpoint: number): boolean;
  /** The connections a rule's ports allow towards an endpoint (the destination of the connection). */
  portsToward(ports: readonly PortMatch[], endpoint: number): ConnSet;
}

export interface PolicySelection {
  readonly admin: readonly ClusterPolicy[];
  readonly np: readonly NetworkPolicy[];
  readonly baseline: readonly ClusterPolicy[];
}

/** Every CIDR and except of every policy, and every Node address: the cuts of the address space. */
export function policyRanges(cluster: Cluster): IpRange[] {
  const out: IpRange[] = [];
  const rules = [...cluster.policies, ...cluster.clusterPolicies].flatMap((p): readonly Rule[] => [
    ...p.ingress,
    ...p.egress,
  ]);
  for (const r of rules)
    for (const peer of r.peers) if (peer.kind === "ipBlock") out.push(peer.cidr, ...peer.except);
  for (const n of cluster.nodes)
    for (const a of n.addresses) out.push({ family: a.family, lo: a.value, hi: a.value });
  return out;
}

/**
 * Pod classes depend on the pods, the namespaces and the address atoms only: inputs that share
 * those (one cluster with other policies, as the webhook evaluates changes) share their classes.
 */
const classMemo = new WeakMap<
  readonly Pod[],
  Map<string, { namespaces: readonly Namespace[]; index: ClassIndex }>
>();
function classesOf(cluster: Cluster, space: AddressSpace, policeHostNetwork: boolean): ClassIndex {
  const byKey = getOrCreate(classMemo, cluster.pods, () => new Map());
  const key = `${policeHostNetwork}|${space.atoms.map((a) => `${a.family}:${a.lo}`).join(",")}`;
  const hit = byKey.get(key);
  if (hit && hit.namespaces === cluster.namespaces) return hit.index;
  const index = buildClasses(cluster, space, policeHostNetwork);
  byKey.set(key, { namespaces: cluster.namespaces, index });
  return index;
}

export function analyze(
  input: Cluster,
  partialOptions: Partial<ModelOptions> = DEFAULT_MODEL_OPTIONS,
): Analysis {
  const options = modelOptions(partialOptions);
  // 0. The ingress controller, as a pod of its own, when Ingresses or Routes send it traffic.
  const { cluster, pod: ingressControllerPod } = withIngressController(input);
  // 1. Address atoms and pod classes.
  const space = new AddressSpace(policyRanges(cluster));
  const index = classesOf(cluster, space, options.hostNetwork === "distinguish");
  const K = index.classes.length;
  const A = space.atoms.length;
  const conns = new ConnTable();
  const compiler = new RuleCompiler(cluster, index, space, conns, options, K, A);

  // 2. Subjects of each policy, then groups per direction.
  const subjects: Subjects = {
    np: cluster.policies.map((p) => index.select({ kind: "same", namespace: p.namespace }, p.podSelector)),
    tiers: cluster.clusterPolicies.map((p) =>
      index.select({ kind: "selector", selector: p.subject.namespaces }, p.subject.pods),
    ),
  };
  const egress = buildDirection("egress", cluster, subjects, index, compiler, K + A);
  const ingress = buildDirection("ingress", cluster, subjects, index, compiler, K + A);

  // 3. Cells: one memoised intersection of a row and a column.
  const connId = (src: number, dst: number): number => {
    const e = src < K ? egress.vectorOf(src) : undefined;
    const i = dst < K ? ingress.vectorOf(dst) : undefined;
    return conns.intersect(e ? e[dst]! : ALL_ID, i ? i[src]! : ALL_ID);
  };
  return {
    cluster,
    ingressControllerPod,
    options,
    space,
    index,
    conns,
    classCount: K,
    connId,
    conn: (s, d) => conns.get(connId(s, d)),
    rowInto: (s, out) => {
      const e = s < K ? egress.vectorOf(s) : undefined;
      for (let d = 0; d < K; d++) {
        const i = ingress.vectorOf(d);
        out[d] = conns.intersect(e ? e[d]! : ALL_ID, i ? i[s]! : ALL_ID);
      }
    },
    isolated: (c, dir) => (dir === "egress" ? egress : ingress).vectorOf(c) !== undefined,
    selection: (c, dir) => {
      const s = (dir === "egress" ? egress : ingress).selectionOf(c);
      return {
        admin: s.admin.map((i) => cluster.clusterPolicies[i]!),
        np: s.np.map((i) => cluster.policies[i]!),
        baseline: s.baseline.map((i) => cluster.clusterPolicies[i]!),
      };
    },
    peerMatches: (peer, e) => {
      const m = compiler.peer(peer);
      return e < K ? m.classes.has(e) : m.atoms.includes(e - K);
    },
    portsToward: (ports, e) => conns.get(compiler.portsId(ports, e < K ? index.classes[e] : undefined)),
  };
}

interface Subjects {
  readonly np: readonly BitSet[];
  readonly tiers: readonly BitSet[];
}

interface DirectionTable {
  /** The class's vector, or undefined when no policy of any tier affects it in this direction. */
  vectorOf(classIndex: number): Int32Array | undefined;
  selectionOf(classIndex: number): Selection;
}

/** The policies affecting one class in one direction, by tier, in evaluation order. */
interface Selection {
  readonly admin: readonly number[];
  readonly np: readonly number[];
  readonly baseline: readonly number[];
}

function buildDirection(
  direction: Direction,
  cluster: Cluster,
  subjects: Subjects,
  index: ClassIndex,
  compiler: RuleCompiler,
  width: number,
): DirectionTable {
  const K = index.classes.length;
  const sel = Array.from({ length: K }, () => ({
    admin: [] as number[],
    np: [] as number[],
    baseline: [] as number[],
  }));
  cluster.policies.forEach((p, pi) => {
    if (p.isolates[direction])
      subjects.np[pi]!.forEach((c) => {
        sel[c]!.np.push(pi);
      });
  });
  // "CNPs with no ingress rules do not affect ingress traffic" (likewise egress).
  cluster.clusterPolicies.forEach((p, pi) => {
    if (p[direction].length > 0)
      subjects.tiers[pi]!.forEach((c) => {
        sel[c]![p.tier].push(pi);
      });
  });
  const groupOf = new Int32Array(K).fill(-1);
  const vectors: Int32Array[] = [];
  const groups = new Map<string, number>();
  for (let c = 0; c < K; c++) {
    const s = sel[c]!;
    if (s.admin.length + s.np.length + s.baseline.length === 0) continue;
    const rules = rulesOf(cluster, s, direction);
    // Ingress rules with named ports resolve against the destination (this class): the group key
    // includes its named ports then. Egress rules resolve against each destination, in the vector.
    const cls = index.classes[c]!;
    const named =
      direction === "ingress" &&
      [...rules.admin, ...rules.np, ...rules.baseline].some((r) => r.ports.some((m) => m.kind === "named"));
    const key = `${s.admin.join(",")}|${s.np.join(",")}|${s.baseline.join(",")}${named ? `#${cls.portsKey}` : ""}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = vectors.length;
      groups.set(key, g);
      vectors.push(compiler.tierVector(direction, rules, s.np.length > 0, cls, width));
    }
    groupOf[c] = g;
  }
  return {
    vectorOf: (c) => (groupOf[c]! < 0 ? undefined : vectors[groupOf[c]!]),
    selectionOf: (c) => sel[c]!,
  };
}

export interface TierRules {
  readonly admin: readonly TierRule[];
  readonly np: readonly Rule[];
  readonly baseline: readonly TierRule[];
}

function rulesOf(cluster: Cluster, s: Selection, direction: Direction): TierRules {
  const tier = (list: readonly number[]) => list.flatMap((pi) => cluster.clusterPolicies[pi]![direction]);
  return {
    admin: tier(s.admin),
    np: s.np.flatMap((pi) => cluster.policies[pi]![direction]),
    baseline: tier(s.baseline),
  };
}

/** Compiles rules' peers to endpoint sets and ports to connection ids, with caches. */
class RuleCompiler {
  private readonly peerCache = new Map<Peer, { classes: BitSet; atoms: readonly number[] }>();
  private readonly portCache = new Map<string, number>();
  private readonly allClasses: BitSet;
  private readonly allAtoms: number[];

  constructor(
    private readonly cluster: Cluster,
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

  /**
   * The vector of one group: for each endpoint, the connections the direction allows.
   * Admin rules first-match in order (accept / deny / pass); what they leave or pass goes to the
   * NetworkPolicy tier when a NetworkPolicy isolates the class, else to Baseline rules, and what
   * those leave is allowed by default.
   */
  tierVector(
    direction: Direction,
    rules: TierRules,
    npIsolated: boolean,
    cls: PodClass,
    width: number,
  ): Int32Array {
    const c = this.conns;
    const np = npIsolated
      ? direction === "egress"
        ? this.egressRow(rules.np, width)
        : this.ingressColumn(rules.np, cls, width)
      : undefined;
    if (rules.admin.length === 0 && rules.baseline.length === 0 && np) return np;
    const allowed = new Int32Array(width).fill(EMPTY_ID);
    // 1. Admin tier: `rest` is what no Accept or Deny decided (unmatched or passed).
    const rest = this.firstMatch(direction, rules.admin, cls, width, allowed);
    // 2. NetworkPolicy tier decides everything left for classes it isolates.
    if (np) {
      for (let e = 0; e < width; e++) allowed[e] = c.union(allowed[e]!, c.intersect(rest[e]!, np[e]!));
      return allowed;
    }
    // 3. Baseline tier, then default allow for what is still undecided.
    const left = this.firstMatch(direction, rules.baseline, cls, width, allowed, rest);
    for (let e = 0; e < width; e++) allowed[e] = c.union(allowed[e]!, left[e]!);
    return allowed;
  }

  /**
   * First-match evaluation of tier rules in order. Accepted connections are added to `allowed`;
   * returns per endpoint what was neither accepted nor denied (passed or unmatched).
   */
  private firstMatch(
    direction: Direction,
    rules: readonly TierRule[],
    cls: PodClass,
    width: number,
    allowed: Int32Array,
    start?: Int32Array,
  ): Int32Array {
    const c = this.conns;
    const undecided = start ? Int32Array.from(start) : new Int32Array(width).fill(ALL_ID);
    if (rules.length === 0) return undecided;
    const passed = new Int32Array(width).fill(EMPTY_ID);
    for (const r of rules) {
      const ingressPorts = direction === "ingress" ? this.portsId(r.ports, cls) : EMPTY_ID;
      const apply = (e: number, ports: number) => {
        const hit = c.intersect(undecided[e]!, ports);
        if (hit === EMPTY_ID) return;
        undecided[e] = c.subtract(undecided[e]!, hit);
        if (r.action === "accept") allowed[e] = c.union(allowed[e]!, hit);
        else if (r.action === "pass") passed[e] = c.union(passed[e]!, hit);
      };
      for (const peer of r.peers) {
        const m = this.peer(peer);
        m.classes.forEach((e) => {
          apply(e, direction === "ingress" ? ingressPorts : this.portsId(r.ports, this.index.classes[e]));
        });
        const external = direction === "ingress" ? ingressPorts : this.portsId(r.ports, undefined);
        for (const a of m.atoms) apply(this.K + a, external);
      }
    }
    for (let e = 0; e < width; e++) undecided[e] = c.union(undecided[e]!, passed[e]!);
    return undecided;
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
        m = this.addresses(this.space.atomsIn(p.cidr).filter((a) => !excluded.has(a)));
        break;
      }
      case "nodes": {
        const atoms = this.cluster.nodes
          .filter((n) => matches(p.selector, n.labels))
          .flatMap((n) => n.addresses.map((ip) => this.space.atomOf(ip)));
        m = this.addresses([...new Set(atoms)].sort((a, b) => a - b));
        break;
      }
      case "domainNames":
        m = { classes: new BitSet(this.K), atoms: [] };
        break;
      default:
        return assertNever(p);
    }
    this.peerCache.set(p, m);
    return m;
  }

  /** Atoms, plus the pods whose IPs lie in them when addresses match pods (`ipBlockPods`). */
  private addresses(atoms: readonly number[]): { classes: BitSet; atoms: readonly number[] } {
    const classes =
      this.options.ipBlockPods === "include" ? this.index.classesInAtoms(atoms) : new BitSet(this.K);
    return { classes, atoms };
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
          if (p.name === m.name && (m.anyProtocol || p.protocol === m.protocol))
            out = connUnion(out, range(p.protocol, p.port));
        break;
      default:
        return assertNever(m);
    }
  }
  return out;
}
