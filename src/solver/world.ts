/**
 * The SMT encoding of one input ("world"): which connections its policies allow, as a formula over
 * symbolic endpoints and a symbolic connection.
 *
 * An endpoint is one of three kinds:
 * | kind | stands for                                                                          |
 * |------|-------------------------------------------------------------------------------------|
 * | 0    | an existing entity: a pod class of the input (`ent` picks it)                        |
 * | 1    | a hypothetical pod: any namespace (existing, or new), any labels, any named ports, any IP |
 * | 2    | an address outside the pods (IPv4 or IPv6)                                          |
 * Labels are small bit-vectors over the universe's values (0 = absent, last = any other value).
 * The endpoint's shared variables (kind, ent, namespace, IP, and the *free* labels/ports of a
 * hypothetical pod) are the same for every world; each world has its own *view* (the labels and
 * ports the endpoint has in that world), tied to the shared variables by implications: an existing
 * entity's view is its class's labels, a hypothetical pod's view is its free labels. Two worlds over
 * one set of endpoints compare configurations.
 *
 * Tiers, per direction, mirror the engine (engine.ts `tierVector`): Admin rules first-match
 * (accept / deny / pass), then the NetworkPolicy tier for subjects it isolates, else Baseline rules,
 * else allow. First-match chains use one auxiliary Boolean per rule ("no earlier rule matched"), so
 * formulas stay shallow however many rules there are.
 */
import type { Analysis } from "../model/engine.js";
import {
  type ClusterPolicy,
  type Direction,
  getOrCreate,
  type IpRange,
  type LabelSelector,
  matches,
  NAMESPACE_NAME_LABEL,
  type NetworkPolicy,
  type Peer,
  type PortMatch,
  type Protocol,
  type Rule,
  type TierRule,
} from "../model/index.js";
import type { KeyDomain, Universe } from "./universe.js";
import { and, type B, type BV, bitsFor, type Ctx, is, isnt, or } from "./z3.js";

export const PROTOCOL_CODES: readonly Protocol[] = ["TCP", "UDP", "SCTP"];
export const KIND = { existing: 0, hypothetical: 1, address: 2 } as const;

export interface SlotVars {
  readonly name: string;
  readonly protocol: Protocol;
  /** One entry per possible port of this name and protocol. */
  readonly present: readonly B[];
  readonly port: readonly BV[];
}

/** The shared variables of one symbolic endpoint. */
export interface Endpoint {
  readonly name: string;
  readonly kind: BV;
  readonly ent: BV;
  readonly ns: BV;
  readonly is6: B;
  readonly ip: BV;
  /** Labels, namespace labels and named ports of a hypothetical pod / new namespace. */
  readonly lab: ReadonlyMap<string, BV>;
  readonly nsLab: ReadonlyMap<string, BV>;
  readonly slots: readonly SlotVars[];
}

/** One direction's evaluation (see World.tiers). */
export interface TierFacts {
  readonly verdict: B;
  /** No Admin rule accepted or denied the connection. */
  readonly adminUndecided: B;
  /** A NetworkPolicy isolates the subject in this direction. */
  readonly npIsolated: B;
}

export interface Conn {
  readonly name: string;
  readonly proto: BV;
  readonly port: BV;
}

/** The endpoint as one world sees it. */
export interface View {
  /** The endpoint exists in this world (addresses always do). */
  readonly present: B;
  /** A pod that exists in this world. */
  readonly pod: B;
  /** A pod that policies may select (hostNetwork pods may not, see ModelOptions.hostNetwork). */
  readonly selectable: B;
  readonly lab: ReadonlyMap<string, BV>;
  readonly nsLab: ReadonlyMap<string, BV>;
  readonly slots: readonly SlotVars[];
}

/** Variables and constraints shared by the worlds of one query session. */
export class Space {
  readonly defs: B[] = [];
  readonly entBits: number;
  private counter = 0;

  constructor(
    readonly ctx: Ctx,
    readonly universe: Universe,
    readonly entityCount: number,
  ) {
    this.entBits = bitsFor(Math.max(1, entityCount - 1));
  }

  endpoint(prefix: string): Endpoint {
    const c = this.ctx;
    const u = this.universe;
    const name = `${prefix}${this.counter++}`;
    const kind = c.BitVec.const(`${name}.kind`, 2);
    const ent = c.BitVec.const(`${name}.ent`, this.entBits);
    const ns = c.BitVec.const(`${name}.ns`, u.nsBits);
    const is6 = c.Bool.const(`${name}.is6`);
    const ip = c.BitVec.const(`${name}.ip`, 128);
    const domainVars = (keys: ReadonlyMap<string, KeyDomain>, tag: string) => {
      const out = new Map<string, BV>();
      for (const d of keys.values()) {
        const v = c.BitVec.const(`${name}.${tag}.${d.key}`, d.bits);
        out.set(d.key, v);
        this.defs.push(v.ule(d.other));
      }
      return out;
    };
    const lab = domainVars(u.podKeys, "lab");
    const nsLab = domainVars(u.nsKeys, "nslab");
    const slots = u.slots.map((s, i) => ({
      name: s.name,
      protocol: s.protocol,
      present: Array.from({ length: s.count }, (_, j) => c.Bool.const(`${name}.port${i}.${j}.present`)),
      port: Array.from({ length: s.count }, (_, j) => c.BitVec.const(`${name}.port${i}.${j}.number`, 16)),
    }));
    for (const s of slots) for (const p of s.port) this.defs.push(isnt(p, 0));
    this.defs.push(
      kind.ule(2),
      ns.ule(u.namespaces.length),
      c.Implies(is(kind, KIND.existing), ent.ule(Math.max(0, this.entityCount - 1))),
      c.Implies(c.Not(is6), is(c.Extract(127, 32, ip) as BV, 0)),
    );
    if (this.entityCount === 0) this.defs.push(isnt(kind, KIND.existing));
    return { name, kind, ent, ns, is6, ip, lab, nsLab, slots };
  }

  /**
   * Two endpoints in the same namespace see the same namespace labels (needed for names that no
   * input defines, whose labels are free).
   */
  sameNamespaceSameLabels(a: Endpoint, b: Endpoint): void {
    const c = this.ctx;
    const eq: B[] = [];
    for (const [k, x] of a.nsLab) eq.push(x.eq(b.nsLab.get(k)!));
    if (eq.length > 0)
      this.defs.push(
        c.Implies(c.And(a.ns.eq(b.ns), isnt(a.ns, this.universe.namespaces.length)), and(c, eq)),
      );
  }

  /**
   * A pod connecting to itself is not subject to NetworkPolicy (and netpol-analyzer lists no such
   * pair): two existing endpoints may be one entity only when that entity stands for several pods.
   */
  notSamePod(a: Endpoint, b: Endpoint, singlePod: readonly number[]): void {
    const c = this.ctx;
    if (singlePod.length === 0) return;
    this.defs.push(
      c.Not(
        and(c, [
          is(a.kind, KIND.existing),
          is(b.kind, KIND.existing),
          a.ent.eq(b.ent),
          or(
            c,
            singlePod.map((i) => is(a.ent, i)),
          ),
        ]),
      ),
    );
  }

  private readonly entityLits = new Map<Endpoint, B[]>();

  /** `ent = i`, one literal per endpoint and entity, shared by every formula. */
  entityIs(e: Endpoint, i: number): B {
    let lits = this.entityLits.get(e);
    if (!lits) {
      lits = [];
      this.entityLits.set(e, lits);
    }
    let x = lits[i];
    if (!x) {
      x = is(e.ent, i);
      lits[i] = x;
    }
    return x;
  }

  conn(prefix: string): Conn {
    const c = this.ctx;
    const name = `${prefix}${this.counter++}`;
    const proto = c.BitVec.const(`${name}.proto`, 2);
    const port = c.BitVec.const(`${name}.port`, 16);
    this.defs.push(proto.ule(2), isnt(port, 0));
    return { name, proto, port };
  }

  /** `x ∈ range` for an endpoint's address. */
  ipIn(e: Endpoint, r: IpRange): B {
    const c = this.ctx;
    const fam = r.family === 6 ? e.is6 : c.Not(e.is6);
    // As prefixes: an equality on the top bits is far cheaper for z3 than a 128-bit comparison
    // (no carry chains when bit-blasted), and prefixes share their extracted bits.
    const blocks = prefixBlocks(r);
    return c.And(
      fam,
      or(
        c,
        blocks.map((b) => this.prefix(e, r.family, b.value, b.length)),
      ),
    );
  }

  private readonly extracts = new Map<string, BV>();

  /** The address's top `length` bits (of its family's width) equal `value`'s. */
  private prefix(e: Endpoint, family: 4 | 6, value: bigint, length: number): B {
    if (length === 0) return this.ctx.Bool.val(true);
    const width = family === 6 ? 128 : 32;
    const key = `${e.name}/${width}/${length}`;
    let bits = this.extracts.get(key);
    if (!bits) {
      bits = this.ctx.Extract(width - 1, width - length, e.ip) as BV;
      this.extracts.set(key, bits);
    }
    return is(bits, value >> BigInt(width - length));
  }
}

/** A range as the fewest aligned prefix blocks (a CIDR is one block). */
export function prefixBlocks(r: IpRange): { value: bigint; length: number }[] {
  const width = r.family === 6 ? 128 : 32;
  const out: { value: bigint; length: number }[] = [];
  let lo = r.lo;
  while (lo <= r.hi) {
    // The largest block aligned at lo that stays within hi.
    let size = 0;
    while (size < width && ((lo >> BigInt(size)) & 1n) === 0n && lo + (1n << BigInt(size + 1)) - 1n <= r.hi)
      size++;
    out.push({ value: lo, length: width - size });
    lo += 1n << BigInt(size);
  }
  return out;
}

/** One input's policies over the space's endpoints. */
export class World {
  private readonly c: Ctx;
  private readonly views = new Map<Endpoint, View>();
  private readonly memo = new Map<string, B>();
  private aux = 0;
  /** Entity index → class index of this world (-1: absent here). */
  private readonly entityClass: Int32Array;

  constructor(
    readonly space: Space,
    readonly analysis: Analysis,
    entityClass: Int32Array | undefined,
    readonly label: string,
    switchable = false,
    /** Pods of each entity (when entities are finer than classes, e.g. one per workload and class). */
    private readonly entityPods?: readonly (readonly number[])[],
  ) {
    this.c = space.ctx;
    if (switchable) {
      const c = analysis.cluster;
      const n =
        c.policies.length +
        c.clusterPolicies.length +
        [...c.policies, ...c.clusterPolicies].reduce((m, p) => m + p.ingress.length + p.egress.length, 0);
      this.disabled = this.c.BitVec.const(`disabled@${label}`, bitsFor(n + 1));
    }
    this.entityClass = entityClass ?? Int32Array.from({ length: analysis.classCount }, (_, i) => i);
  }

  get defs(): B[] {
    return this.space.defs;
  }

  /** The endpoint's view in this world; its defining constraints go to `space.defs`. */
  view(e: Endpoint): View {
    let v = this.views.get(e);
    if (v) return v;
    const c = this.c;
    const u = this.space.universe;
    const tag = `${e.name}@${this.label}`;
    const present = c.Bool.const(`${tag}.present`);
    const selectable = c.Bool.const(`${tag}.selectable`);
    const lab = new Map<string, BV>();
    for (const d of u.podKeys.values()) lab.set(d.key, c.BitVec.const(`${tag}.lab.${d.key}`, d.bits));
    const nsLab = new Map<string, BV>();
    for (const d of u.nsKeys.values()) nsLab.set(d.key, c.BitVec.const(`${tag}.nslab.${d.key}`, d.bits));
    const slots = u.slots.map((s, i) => ({
      name: s.name,
      protocol: s.protocol,
      present: Array.from({ length: s.count }, (_, j) => c.Bool.const(`${tag}.port${i}.${j}.present`)),
      port: Array.from({ length: s.count }, (_, j) => c.BitVec.const(`${tag}.port${i}.${j}.number`, 16)),
    }));
    const defs = this.space.defs;
    const isKind = (k: number) => is(e.kind, k);
    // Hypothetical pods: the free variables.
    const same: B[] = [present, selectable];
    for (const [k, x] of lab) same.push(x.eq(e.lab.get(k)!));
    slots.forEach((s, i) => {
      s.present.forEach((p, j) => {
        same.push(p.eq(e.slots[i]!.present[j]!), s.port[j]!.eq(e.slots[i]!.port[j]!));
      });
    });
    defs.push(c.Implies(isKind(KIND.hypothetical), and(c, same)));
    defs.push(c.Implies(isKind(KIND.address), present));
    // Existing entities: their class's labels, ports and namespace. Entities are grouped by each
    // fact ("these entities have app=web"), so the formula has one literal per entity and one
    // implication per distinct fact, not one per entity and key.
    const { classes } = this.analysis.index;
    const selectableSet = this.analysis.index.selectable;
    const groups = new Map<string, { fact: () => B; ents: number[] }>();
    const group = (key: string, fact: () => B, i: number) => {
      let g = groups.get(key);
      if (!g) {
        g = { fact, ents: [] };
        groups.set(key, g);
      }
      g.ents.push(i);
    };
    for (let i = 0; i < this.entityClass.length; i++) {
      const ci = this.entityClass[i]!;
      if (ci < 0) {
        group("absent", () => c.Not(present), i);
        continue;
      }
      const cls = classes[ci]!;
      group("present", () => present, i);
      const sel = selectableSet.has(ci);
      group(`selectable=${sel}`, () => (sel ? selectable : c.Not(selectable)), i);
      const nsIndex = u.namespaceIndex.get(cls.namespace)!;
      group(`ns=${nsIndex}`, () => is(e.ns, nsIndex), i);
      for (const [k, x] of lab) {
        const v = valueIndex(u.podKeys.get(k)!, cls.labels[k]);
        group(`lab:${k}=${v}`, () => is(x, v), i);
      }
      slots.forEach((s, si) => {
        const ports = cls.ports.filter((p) => p.name === s.name && p.protocol === s.protocol);
        s.present.forEach((p, j) => {
          const port = ports[j];
          if (port) group(`slot${si}.${j}=${port.port}`, () => c.And(p, is(s.port[j]!, port.port)), i);
          else group(`slot${si}.${j}=none`, () => c.Not(p), i);
        });
      });
    }
    const isExisting = isKind(KIND.existing);
    for (const g of groups.values())
      defs.push(
        c.Implies(
          c.And(
            isExisting,
            or(
              c,
              g.ents.map((i) => this.space.entityIs(e, i)),
            ),
          ),
          g.fact(),
        ),
      );
    // Namespace labels: an existing namespace's, or the free ones of a namespace not in this world.
    const existing = new Map(this.analysis.cluster.namespaces.map((n) => [n.name, n.labels]));
    u.namespaces.forEach((name, j) => {
      const labels = existing.get(name);
      const facts: B[] = [];
      for (const [k, x] of nsLab)
        facts.push(labels ? is(x, valueIndex(u.nsKeys.get(k)!, labels[k])) : x.eq(e.nsLab.get(k)!));
      if (facts.length > 0) defs.push(c.Implies(is(e.ns, j), and(c, facts)));
    });
    const other: B[] = [];
    for (const [k, x] of nsLab) other.push(x.eq(e.nsLab.get(k)!));
    if (other.length > 0) defs.push(c.Implies(is(e.ns, u.namespaces.length), and(c, other)));
    const pod = c.And(present, c.Not(isKind(KIND.address)));
    v = { present, pod, selectable, lab, nsLab, slots };
    this.views.set(e, v);
    return v;
  }

  // --- selectors -------------------------------------------------------------------------------

  /** A pod selector over the endpoint's labels in this world. */
  podSelector(e: Endpoint, s: LabelSelector): B {
    const v = this.view(e);
    return this.selector(s, (k) => v.lab.get(k), this.space.universe.podKeys, e);
  }

  /** A namespace selector over the endpoint's namespace (name and labels) in this world. */
  nsSelector(e: Endpoint, s: LabelSelector): B {
    const v = this.view(e);
    return this.selector(s, (k) => v.nsLab.get(k), this.space.universe.nsKeys, e, true);
  }

  inNamespace(e: Endpoint, name: string): B {
    const j = this.space.universe.namespaceIndex.get(name);
    return j === undefined ? this.c.Bool.val(false) : is(e.ns, j);
  }

  private selector(
    s: LabelSelector,
    varOf: (k: string) => BV | undefined,
    keys: ReadonlyMap<string, KeyDomain>,
    e: Endpoint,
    namespace = false,
  ): B {
    const c = this.c;
    const reqs: { key: string; operator: string; values: readonly string[] }[] = [
      ...Object.entries(s.matchLabels ?? {}).map(([key, v]) => ({ key, operator: "In", values: [v] })),
      ...(s.matchExpressions ?? []).map((r) => ({
        key: r.key,
        operator: r.operator,
        values: r.values ?? [],
      })),
    ];
    const parts: B[] = [];
    for (const r of reqs) {
      if (namespace && r.key === NAMESPACE_NAME_LABEL) {
        const idx = r.values
          .map((v) => this.space.universe.namespaceIndex.get(v))
          .filter((j) => j !== undefined);
        const isOne = or(
          c,
          idx.map((j) => is(e.ns, j)),
        );
        if (r.operator === "In") parts.push(isOne);
        else if (r.operator === "NotIn") parts.push(c.Not(isOne));
        else if (r.operator === "DoesNotExist") parts.push(c.Bool.val(false));
        continue;
      }
      const x = varOf(r.key);
      const d = keys.get(r.key);
      if (!x || !d) throw new Error(`internal: label key ${r.key} missing from the universe`);
      const isOne = or(
        c,
        r.values.map((v) => is(x, d.index.get(v)!)),
      );
      switch (r.operator) {
        case "In":
          parts.push(isOne);
          break;
        case "NotIn":
          parts.push(c.Not(isOne));
          break;
        case "Exists":
          parts.push(isnt(x, 0));
          break;
        case "DoesNotExist":
          parts.push(is(x, 0));
          break;
      }
    }
    return and(c, parts);
  }

  // --- policies --------------------------------------------------------------------------------

  private selectsNp(p: NetworkPolicy, e: Endpoint): B {
    const v = this.view(e);
    return this.memoize(`np-subject#${this.policyId(p)}#${e.name}`, () =>
      this.c.And(v.pod, v.selectable, this.inNamespace(e, p.namespace), this.podSelector(e, p.podSelector)),
    );
  }

  private selectsTier(p: ClusterPolicy, e: Endpoint): B {
    const v = this.view(e);
    return this.memoize(`cp-subject#${this.policyId(p)}#${e.name}`, () =>
      this.c.And(
        v.pod,
        v.selectable,
        this.nsSelector(e, p.subject.namespaces),
        this.podSelector(e, p.subject.pods),
      ),
    );
  }

  private readonly ids = new Map<object, number>();
  private policyId(p: object): number {
    let id = this.ids.get(p);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(p, id);
    }
    return id;
  }

  /** Whether a rule's peer matches the endpoint. */
  peer(peer: Peer, e: Endpoint): B {
    return this.memoize(`peer#${this.policyId(peer)}#${e.name}`, () => {
      const c = this.c;
      const v = this.view(e);
      switch (peer.kind) {
        case "any":
          return v.present;
        case "pods": {
          const ns =
            peer.namespaces.kind === "same"
              ? this.inNamespace(e, peer.namespaces.namespace)
              : this.nsSelector(e, peer.namespaces.selector);
          return c.And(v.pod, v.selectable, ns, this.podSelector(e, peer.pods));
        }
        case "ipBlock": {
          const inside = c.And(
            this.space.ipIn(e, peer.cidr),
            c.Not(
              or(
                c,
                peer.except.map((x) => this.space.ipIn(e, x)),
              ),
            ),
          );
          return this.addresses(peer, e, inside);
        }
        case "nodes": {
          const addrs = this.analysis.cluster.nodes
            .filter((n) => matches(peer.selector, n.labels))
            .flatMap((n) => n.addresses);
          const inside = or(
            c,
            addrs.map((a) => this.space.ipIn(e, { family: a.family, lo: a.value, hi: a.value })),
          );
          return this.addresses(peer, e, inside);
        }
        case "domainNames":
          return c.Bool.val(false);
      }
    });
  }

  /**
   * An address-based peer: addresses in it; under `ipBlockPods: include` also pods whose IP is in
   * it — existing classes exactly as the engine decides, hypothetical pods by their IP.
   */
  private addresses(peer: Peer, e: Endpoint, inside: B): B {
    const c = this.c;
    const parts: B[] = [c.And(is(e.kind, KIND.address), inside)];
    if (this.analysis.options.ipBlockPods === "include") {
      const podIps = this.podAddresses(e);
      if (podIps) parts.push(c.And(is(e.kind, KIND.hypothetical), inside, podIps));
      const ents: number[] = [];
      for (let i = 0; i < this.entityClass.length; i++) {
        const ci = this.entityClass[i]!;
        if (ci >= 0 && this.analysis.peerMatches(peer, ci)) ents.push(i);
      }
      if (ents.length > 0)
        parts.push(
          c.And(
            is(e.kind, KIND.existing),
            or(
              c,
              ents.map((i) => this.space.entityIs(e, i)),
            ),
          ),
        );
    }
    return or(c, parts);
  }

  /**
   * Where a new pod's IP may lie: in the address atoms that hold today's pod IPs (the pod network).
   * Undefined when no pod of the input has an IP: new pods then have none either, like workload
   * replicas, and no ipBlock matches them.
   */
  podAddresses(e: Endpoint): B | undefined {
    if (this.podAtoms === undefined) {
      if (this.podNetwork) this.podAtoms = [...this.podNetwork];
      else {
        const atoms = new Set<number>();
        for (const cls of this.analysis.index.classes) for (const a of cls.atoms) atoms.add(a);
        this.podAtoms = [...atoms].sort((x, y) => x - y).map((a) => this.analysis.space.atoms[a]!);
      }
    }
    if (this.podAtoms.length === 0) return undefined;
    const ranges = this.podAtoms;
    return this.memoize(`pod-addresses#${e.name}`, () =>
      or(
        this.c,
        ranges.map((r) => this.space.ipIn(e, r)),
      ),
    );
  }

  private podAtoms: IpRange[] | undefined;
  /**
   * Where new pods' IPs may lie, when the caller knows better than this world's input: a slice of
   * a larger input (solver/slice.ts) passes the whole input's pod network. Set before encoding.
   */
  podNetwork: readonly IpRange[] | undefined;

  /** Whether a rule's ports admit the connection towards the destination. */
  ports(ports: readonly PortMatch[], dst: Endpoint, k: Conn): B {
    const c = this.c;
    const parts: B[] = [];
    for (const m of ports) {
      switch (m.kind) {
        case "all":
          return c.Bool.val(true);
        case "protocol":
          parts.push(is(k.proto, protoCode(m.protocol)));
          break;
        case "range":
          parts.push(c.And(is(k.proto, protoCode(m.protocol)), k.port.uge(m.from), k.port.ule(m.to)));
          break;
        case "named":
          parts.push(this.namedPort(m.name, m.anyProtocol ? undefined : m.protocol, dst, k));
          break;
      }
    }
    return or(c, parts);
  }

  /** The connection goes to a container port of the destination with this name (and protocol). */
  namedPort(name: string, protocol: Protocol | undefined, dst: Endpoint, k: Conn): B {
    const c = this.c;
    const v = this.view(dst);
    const parts: B[] = [];
    for (const s of v.slots) {
      if (s.name !== name || (protocol && s.protocol !== protocol)) continue;
      s.present.forEach((p, j) => {
        parts.push(c.And(p, is(k.proto, protoCode(s.protocol)), k.port.eq(s.port[j]!)));
      });
    }
    return c.And(v.pod, or(c, parts));
  }

  // --- verdicts --------------------------------------------------------------------------------

  /** The connection from `src` to `dst` is allowed (both directions, every tier). */
  allowed(src: Endpoint, dst: Endpoint, k: Conn): B {
    return this.memoize(`allowed#${src.name}#${dst.name}#${k.name}`, () => {
      const c = this.c;
      const s = this.view(src);
      const d = this.view(dst);
      return c.And(
        s.present,
        d.present,
        c.Implies(s.pod, this.direction("egress", src, dst, k)),
        c.Implies(d.pod, this.direction("ingress", dst, src, k)),
      );
    });
  }

  /** Whether the direction's policies allow the connection; `subject` is the policed pod. */
  direction(direction: Direction, subject: Endpoint, peer: Endpoint, k: Conn): B {
    return this.tiers(direction, subject, peer, k).verdict;
  }

  /**
   * The direction's evaluation, with the intermediate facts lints need: `adminUndecided` (no Admin
   * rule accepted or denied: the NetworkPolicy tier or Baseline decides), `npIsolated`.
   */
  tiers(direction: Direction, subject: Endpoint, peer: Endpoint, k: Conn): TierFacts {
    const key = `tiers#${direction}#${subject.name}#${peer.name}#${k.name}`;
    const hit = this.facts.get(key);
    if (hit) return hit;
    const c = this.c;
    const cluster = this.analysis.cluster;
    const tierRules = (tier: "admin" | "baseline") =>
      cluster.clusterPolicies
        .filter((p) => p.tier === tier)
        .flatMap((p) =>
          p[direction].map((r) => ({ rule: r, match: this.ruleFires(p, r, subject, peer, k) })),
        );
    const nps = cluster.policies.filter((p) => p.isolates[direction]);
    const npIsolated = or(
      c,
      nps.map((p) => c.And(this.enabled(p), this.selectsNp(p, subject))),
    );
    const npAllowed = or(
      c,
      nps.flatMap((p) => p[direction].map((r) => this.ruleFires(p, r, subject, peer, k))),
    );
    const baseline = this.firstMatch(tierRules("baseline"));
    const rest = c.If(npIsolated, npAllowed, c.Or(baseline.accepted, baseline.undecided));
    const admin = this.firstMatch(tierRules("admin"));
    const facts: TierFacts = {
      verdict: c.Or(admin.accepted, c.And(admin.undecided, rest)),
      adminUndecided: admin.undecided,
      npIsolated,
    };
    this.facts.set(key, facts);
    return facts;
  }

  private readonly facts = new Map<string, TierFacts>();

  /**
   * A rule matches the connection: its policy selects the subject (and, with switches, neither the
   * policy nor the rule is the one switched off), a peer matches, and a port.
   */
  ruleFires(p: NetworkPolicy | ClusterPolicy, r: Rule, subject: Endpoint, peer: Endpoint, k: Conn): B {
    const c = this.c;
    const dst = r.direction === "egress" ? peer : subject;
    const selects = p.tier === "networkpolicy" ? this.selectsNp(p, subject) : this.selectsTier(p, subject);
    return c.And(
      this.enabled(p),
      this.enabled(r),
      selects,
      this.rulePeers(r, peer),
      this.ports(r.ports, dst, k),
    );
  }

  /**
   * Switches (lints): with `switchable`, one variable `disabled` names at most one policy or rule
   * that is removed; `enabled(x)` is true for every other one. Without switches, always true.
   */
  private switchIds = new Map<object, number>();
  readonly disabled: BV | undefined;

  enabled(x: object): B {
    if (!this.disabled) return this.c.Bool.val(true);
    return isnt(this.disabled, this.switchId(x));
  }

  /** The id that switches `x` off (`disabled = id`). */
  switchId(x: object): number {
    let id = this.switchIds.get(x);
    if (id === undefined) {
      id = this.switchIds.size + 1;
      this.switchIds.set(x, id);
    }
    return id;
  }

  private rulePeers(r: { readonly peers: readonly Peer[] }, e: Endpoint): B {
    return or(
      this.c,
      r.peers.map((p) => this.peer(p, e)),
    );
  }

  /**
   * First-match evaluation: the first matching rule decides (accept → accepted, deny → refused,
   * pass → undecided); no match → undecided. `reached_i` ("no earlier rule matched") are auxiliary
   * Booleans, so the formula stays shallow however many rules there are.
   */
  private firstMatch(rules: readonly { rule: TierRule; match: B }[]): { accepted: B; undecided: B } {
    const c = this.c;
    if (rules.length === 0) return { accepted: c.Bool.val(false), undecided: c.Bool.val(true) };
    const accepted: B[] = [];
    const passed: B[] = [];
    let reached: B = c.Bool.val(true);
    for (const { rule, match } of rules) {
      const hit = c.And(reached, match);
      if (rule.action === "accept") accepted.push(hit);
      else if (rule.action === "pass") passed.push(hit);
      const nextReached = c.Bool.const(`reached${this.aux++}@${this.label}`);
      this.space.defs.push(nextReached.eq(c.And(reached, c.Not(match))));
      reached = nextReached;
    }
    return { accepted: or(c, accepted), undecided: c.Or(reached, or(c, passed)) };
  }

  /** Whether any policy of any tier affects the pod in the direction (engine's `isolated`). */
  isolated(e: Endpoint, direction: Direction): B {
    const c = this.c;
    const cluster = this.analysis.cluster;
    return or(c, [
      ...cluster.policies
        .filter((p) => p.isolates[direction])
        .map((p) => c.And(this.enabled(p), this.selectsNp(p, e))),
      ...cluster.clusterPolicies
        .filter((p) => p[direction].length > 0)
        .map((p) => c.And(this.enabled(p), this.selectsTier(p, e))),
    ]);
  }

  /**
   * The endpoint is an existing entity holding one of these pods (indexes into the analysed
   * cluster's pods). With `entityPods` entities are exact groups of pods; without, whole classes.
   */
  existingPods(e: Endpoint, pods: readonly number[]): B {
    if (!this.entityPods)
      return this.existingIn(e, new Set(pods.map((p) => this.analysis.index.classOfPod[p]!)));
    const wanted = new Set(pods);
    const ents: B[] = [];
    this.entityPods.forEach((list, i) => {
      if (list.some((p) => wanted.has(p))) ents.push(this.space.entityIs(e, i));
    });
    return this.c.And(is(e.kind, KIND.existing), or(this.c, ents));
  }

  /** A pod that an existing entity stands for (the first of its group, or of its class). */
  representativePod(entity: number): number {
    return (
      this.entityPods?.[entity]?.[0] ?? this.analysis.index.classes[this.classOfEntity(entity)]!.pods[0]!
    );
  }

  /** The endpoint is an existing entity whose class in this world is one of `classes`. */
  existingIn(e: Endpoint, classes: ReadonlySet<number>): B {
    const c = this.c;
    const ents: B[] = [];
    for (let i = 0; i < this.entityClass.length; i++)
      if (classes.has(this.entityClass[i]!)) ents.push(this.space.entityIs(e, i));
    return c.And(is(e.kind, KIND.existing), or(c, ents));
  }

  /** The class of an existing entity in this world (-1: absent). */
  classOfEntity(entity: number): number {
    return this.entityClass[entity] ?? -1;
  }

  private memoize(key: string, make: () => B): B {
    let x = this.memo.get(key);
    if (!x) {
      x = make();
      this.memo.set(key, x);
    }
    return x;
  }
}

/**
 * The input's pods as entities: the pods of one workload within one class (a workload named in a
 * guarantee is then exactly its pods, and a bare pod is an entity of its own). Indexes into the
 * analysed cluster's pods, in order of first pod.
 */
export function podEntities(a: Analysis): number[][] {
  const groups = new Map<string, number[]>();
  a.cluster.pods.forEach((p, i) => {
    const key = `${a.index.classOfPod[i]}\u0000${p.workload.namespace}/${p.workload.name}/${p.workload.kind}`;
    getOrCreate(groups, key, () => []).push(i);
  });
  return [...groups.values()];
}

export function protoCode(p: Protocol): number {
  return PROTOCOL_CODES.indexOf(p);
}

export function valueIndex(d: KeyDomain, v: string | undefined): number {
  if (v === undefined) return 0;
  return d.index.get(v) ?? d.other;
}
