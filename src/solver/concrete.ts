/**
 * Violations among what exists: a claim checked by the connectivity engine over the input's own
 * pods and addresses, without z3.
 *
 * A claim quantifies over endpoints that exist or could exist (solver/verify.ts). Restricted to the
 * existing ones — the input's pods, grouped as the Verifier groups them (one entity per workload
 * within a class), and addresses, one per region that no policy and no set of the claim tells
 * apart — the violation is a finite search the engine answers directly. A violation found there is
 * one of the claim's (the same pair z3 could return, already replayed); finding none proves nothing
 * about pods that do not exist yet, so the caller then asks z3. The webhook uses this first: a change
 * that breaks a guarantee for pods that exist is denied in milliseconds, with no encoding at all.
 *
 * Sets mean what `setPredicate` (sets.ts) makes them mean for existing endpoints and addresses;
 * test/solver/concrete.test.ts holds the two to the same verdicts.
 */
import {
  AddressSpace,
  ALL_CONN,
  type Analysis,
  allOf,
  type Cluster,
  type ConnSet,
  connIntersect,
  connIsEmpty,
  connSubtract,
  connUnion,
  EMPTY_CONN,
  explainPair,
  getOrCreate,
  type IpRange,
  matches,
  type PortMatch,
  PROTOCOLS,
  range,
} from "../model/index.js";
import type { Claim, Domain, NamespaceExpr, PortSpec, SetExpr } from "../parser/index.js";
import { hasAddresses, meetSides, peerSide, peersSide } from "./change.js";
import { type DecodedConn, type DecodedEndpoint, existingPodEndpoint } from "./decode.js";
import { cidrRange, defaultDomain, primaries, resolveRef, selectorOf } from "./sets.js";
import {
  containsNamespace,
  containsPod,
  exactFootprint,
  footprintWithin,
  overlaps,
  perNamespace,
  policyReach,
  setFootprint,
} from "./slice.js";
import type { Counterexample } from "./verify.js";
import { podEntities } from "./world.js";

/** An existing endpoint: a group of pods (one class, one workload), or an address region. */
type Point =
  | { readonly kind: "entity"; readonly cls: number; readonly pods: readonly number[] }
  | { readonly kind: "address"; readonly atom: number; readonly range: IpRange };

export interface ConcreteOptions {
  /**
   * Endpoint pairs to examine at most (a pair of classes or address regions counts once); beyond
   * it the search gives up and returns undefined, as when it finds nothing.
   */
  readonly maxPairs?: number | undefined;
}

const DEFAULT_MAX_PAIRS = 2_000_000;

/** What the search among existing endpoints found. */
export type ExistingSearch =
  | { readonly violation: Counterexample }
  /** `exhaustive`: every pair was examined (false when the search gave up at `maxPairs`). */
  | { readonly violation: undefined; readonly exhaustive: boolean };

/** A violation of the claim between existing endpoints, as the engine sees the analysed input. */
export function searchExisting(a: Analysis, claim: Claim, options: ConcreteOptions = {}): ExistingSearch {
  const search = new Search(a, claim, options.maxPairs ?? DEFAULT_MAX_PAIRS);
  const violation = search.run();
  return violation ? { violation } : { violation: undefined, exhaustive: !search.gaveUp };
}

/** The violation `searchExisting` finds, or undefined (none, or the search gave up). */
export function existingViolation(
  a: Analysis,
  claim: Claim,
  options: ConcreteOptions = {},
): Counterexample | undefined {
  return searchExisting(a, claim, options).violation;
}

/**
 * Whether every endpoint the claim quantifies over exists: then `existingViolation` decides it
 * alone (no violation among existing endpoints: the claim holds). True for `reach` claims whose
 * two sets hold no pod that could be created (existing pods, workloads, addresses; a `pods` set in
 * the `existing` domain, which `allow` claims default to) and `isolated` claims whose subject does
 * not; never for `within` claims (their peers are every endpoint, new pods included).
 */
export function decidesAlone(a: Analysis, claim: Claim): boolean {
  const domain = defaultDomain(claim);
  if (claim.kind === "reach") return closed(a, claim.from, domain) && closed(a, claim.to, domain);
  if (claim.kind === "isolated") return closed(a, claim.subject, domain);
  return false;
}

/** Whether a set can hold no pod that does not exist (setPredicate's hypothetical pods). */
function closed(a: Analysis, x: SetExpr, domain: Domain): boolean {
  switch (x.kind) {
    case "or":
      return closed(a, x.left, domain) && closed(a, x.right, domain);
    case "and":
      return closed(a, x.left, domain) || closed(a, x.right, domain);
    case "except":
      return closed(a, x.left, domain);
    case "not":
    case "anything":
      return false;
    case "external":
    case "cidr":
      return true;
    case "pods":
      return (x.domain ?? domain) === "existing";
    case "workload":
    case "ref":
    case "service": {
      const target = resolveRef(a.cluster, x);
      // A selector-less Service's endpoints are addresses and the pods at them: all existing.
      if (!target || target.kind === "workload") return true;
      return a.cluster.services[target.index]!.selector === undefined || domain === "existing";
    }
  }
}

/**
 * Narrower claims worth searching before the whole one (their violations are the claim's): a `deny`
 * claim with its sources limited to addresses, or to one namespace whose pods no egress policy
 * restricts — where a change that opens a destination to everyone shows first — at most `max`
 * namespaces. Their slices hold a namespace's pods instead of every source's, so a violation there
 * is found at a fraction of the cost. Empty for other claims, or when cluster-tier policies have
 * egress rules.
 */
export function narrowClaims(cluster: Cluster, claim: Claim, max = 3): Claim[] {
  if (claim.kind !== "reach" || claim.verdict !== "deny") return [];
  if (cluster.clusterPolicies.some((p) => p.egress.length > 0)) return [];
  const from = setFootprint(claim.from, cluster, defaultDomain(claim));
  if (!from.all && from.boxes.length === 0) return [];
  const restricted = getOrCreate(
    egressRestricted,
    cluster.policies,
    () => new Set(cluster.policies.filter((p) => p.isolates.egress).map((p) => p.namespace)),
  );
  const populated = getOrCreate(
    populatedNamespaces,
    cluster.pods,
    () => new Set(cluster.pods.map((p) => p.namespace)),
  );
  const out: Claim[] = [];
  const source = claim.from.source;
  // Addresses first: their slice holds the destinations' side only.
  if (hasAddresses(claim.from))
    out.push({
      ...claim,
      from: { kind: "and", left: claim.from, right: { kind: "external", source }, source },
    });
  for (const n of cluster.namespaces) {
    if (out.length >= max + 1) break;
    if (restricted.has(n.name) || !populated.has(n.name) || !containsNamespace(from, n.name, n.labels))
      continue;
    const inNamespace: SetExpr = {
      kind: "pods",
      domain: "any",
      namespace: { kind: "name", name: n.name, source },
      source,
    };
    out.push({ ...claim, from: { kind: "and", left: claim.from, right: inNamespace, source } });
  }
  return out;
}

/** Namespaces where an egress policy isolates some pods, per policy list; namespaces with pods, per pod list. */
const egressRestricted = new WeakMap<object, ReadonlySet<string>>();
const populatedNamespaces = new WeakMap<object, ReadonlySet<string>>();

/**
 * Whether a `deny` claim holds because its destinations' ingress admits none of its sources, whatever
 * their egress: every destination exists (a closed `to` set of pods), NetworkPolicies alone isolate it
 * on ingress (no cluster-tier policy selects it), and no ingress rule of theirs that allows some of the
 * claim's connections has a peer that may hold one of its sources (footprints, slice.ts). Covers pods
 * that do not exist yet on the source side. Sound, not complete: false says nothing.
 */
export function shutByIngress(a: Analysis, claim: Claim): boolean {
  if (claim.kind !== "reach" || claim.verdict !== "deny") return false;
  const domain = defaultDomain(claim);
  if (!closed(a, claim.to, domain)) return false;
  const from = { pods: setFootprint(claim.from, a.cluster, domain), addresses: hasAddresses(claim.from) };
  const search = new Search(a, claim, 0);
  for (const d of search.points) {
    if (!search.member(claim.to, d)) continue;
    // An address has no ingress policies.
    if (d.kind === "address") return false;
    const sel = a.selection(d.cls, "ingress");
    if (sel.admin.length > 0 || sel.baseline.length > 0 || sel.np.length === 0) return false;
    const wanted = search.ports(claim.ports, d);
    for (const p of sel.np)
      for (const r of p.ingress) {
        if (connIsEmpty(connIntersect(a.portsToward(r.ports, d.cls), wanted))) continue;
        if (meetSides(peersSide([r]), from)) return false;
      }
  }
  return true;
}

/**
 * Whether a `within` claim holds because of its subjects' own policies, whatever the other side
 * does: every subject pod (existing or not) lies in named namespaces where a NetworkPolicy isolates
 * it in the claim's direction, no cluster-tier policy may select it there, and every rule of every
 * NetworkPolicy that may select a subject admits only listed connections — each peer (pods only)
 * within one entry's set (exact footprints, `footprintWithin`) on ports within that entry's. Peers
 * outside the claim's `peers` (restricted claims) do not count. Sound, not complete.
 */
export function withinByPolicies(a: Analysis, claim: Claim): boolean {
  if (claim.kind !== "within") return false;
  const c = a.cluster;
  const dir = claim.direction;
  const domain = defaultDomain(claim);
  const subject = setFootprint(claim.subject, c, domain);
  const byNs = perNamespace(subject);
  if (!byNs) return false;
  if (c.clusterPolicies.some((p) => p[dir].length > 0 && overlaps(policyReach(p).subjects, subject)))
    return false;
  // A subject policies cannot select (a hostNetwork pod, unless those are policed) is not isolated.
  const nsOf = new Map(c.namespaces.map((n) => [n.name, n]));
  for (const cls of a.index.classes)
    if (
      !a.index.selectable.has(cls.index) &&
      containsPod(subject, nsOf.get(cls.namespace), cls.namespace, cls.labels)
    )
      return false;
  for (const [ns, part] of byNs)
    if (
      !c.policies.some(
        (p) => p.namespace === ns && p.isolates[dir] && footprintWithin(part, policyReach(p).subjects, c),
      )
    )
      return false;
  const limit = claim.peers
    ? { pods: setFootprint(claim.peers, c, domain), addresses: hasAddresses(claim.peers) }
    : undefined;
  const entries = claim.entries.map((e) => ({ pods: exactFootprint(e.peers, c, domain), ports: e.ports }));
  for (const p of c.policies) {
    if (!p.isolates[dir] || !overlaps(policyReach(p).subjects, subject)) continue;
    for (const r of p[dir]) {
      if (r.peers.length === 0) return false;
      for (const peer of r.peers) {
        const side = peerSide(peer);
        if (limit && !meetSides(side, limit)) continue;
        if (peer.kind !== "pods") return false;
        const listed = entries.some(
          (e) =>
            e.pods !== undefined && footprintWithin(side.pods, e.pods, c) && portsWithin(r.ports, e.ports),
        );
        if (!listed) return false;
      }
    }
  }
  return true;
}

/** Whether every connection a rule's ports allow (towards any pod) is in an entry's `on` list. */
function portsWithin(rule: readonly PortMatch[], entry: readonly PortSpec[] | undefined): boolean {
  if (!entry || entry.some((e) => e.kind === "all")) return true;
  const ms = rule.length === 0 ? [{ kind: "all" } as const] : rule;
  return ms.every((m) => {
    switch (m.kind) {
      case "all":
        return false;
      case "protocol":
        return entry.some((e) => e.kind === "protocol" && e.protocol === m.protocol);
      case "range":
        return entry.some(
          (e) =>
            (e.kind === "protocol" && e.protocol === m.protocol) ||
            (e.kind === "range" && e.protocol === m.protocol && e.from <= m.from && m.to <= e.to),
        );
      case "named":
        return (
          !m.anyProtocol &&
          entry.some(
            (e) =>
              (e.kind === "protocol" && e.protocol === m.protocol) ||
              (e.kind === "named" && e.protocol === m.protocol && e.name === m.name),
          )
        );
      default:
        return false;
    }
  });
}

class Search {
  readonly points: readonly Point[];
  private readonly domain: Domain;
  private budget: number;
  gaveUp = false;

  constructor(
    private readonly a: Analysis,
    private readonly claim: Claim,
    maxPairs: number,
  ) {
    this.domain = defaultDomain(claim);
    this.budget = maxPairs;
    this.points = [...entities(a), ...addresses(a, claim)];
  }

  run(): Counterexample | undefined {
    const c = this.claim;
    switch (c.kind) {
      case "reach": {
        const from = this.points.filter((p) => this.member(c.from, p));
        const to = this.points.filter((p) => this.member(c.to, p));
        return this.pairs(from, to, (_src, dst, allowed) => {
          const wanted = this.ports(c.ports, dst);
          return c.verdict === "deny" ? connIntersect(allowed, wanted) : connSubtract(wanted, allowed);
        });
      }
      case "isolated": {
        const dirs = c.direction === "both" ? (["ingress", "egress"] as const) : [c.direction];
        for (const p of this.points) {
          if (p.kind !== "entity" || !this.member(c.subject, p)) continue;
          if (dirs.some((d) => !this.a.isolated(p.cls, d))) return { src: this.endpoint(p), replayed: true };
        }
        return undefined;
      }
      case "within": {
        const subjects = this.points.filter((p) => p.kind === "entity" && this.member(c.subject, p));
        const peers = this.points.filter((p) => !c.peers || this.member(c.peers, p));
        const unlisted = (dst: Point, peer: Point, allowed: ConnSet) => {
          let listed = EMPTY_CONN;
          for (const e of c.entries)
            if (this.member(e.peers, peer)) listed = connUnion(listed, this.ports(e.ports, dst));
          return connSubtract(allowed, listed);
        };
        return c.direction === "egress"
          ? this.pairs(subjects, peers, (_src, dst, allowed) => unlisted(dst, dst, allowed))
          : this.pairs(peers, subjects, (src, dst, allowed) => unlisted(dst, src, allowed));
      }
    }
  }

  /**
   * The first pair (src, dst) whose `violating` connections are not empty. Pairs are examined per
   * engine endpoint (class or atom) and, within one, per membership signature only where the
   * verdict can differ between points (`within` entries depend on the peer itself).
   */
  private pairs(
    from: readonly Point[],
    to: readonly Point[],
    violating: (src: Point, dst: Point, allowed: ConnSet) => ConnSet,
  ): Counterexample | undefined {
    const byEngine = (ps: readonly Point[]) => {
      const m = new Map<number, Point[]>();
      for (const p of ps) {
        const e = this.engineId(p);
        const list = m.get(e);
        if (list) list.push(p);
        else m.set(e, [p]);
      }
      return m;
    };
    const srcs = byEngine(from);
    const dsts = byEngine(to);
    for (const [se, sps] of srcs)
      for (const [de, dps] of dsts) {
        if (--this.budget < 0) {
          this.gaveUp = true;
          return undefined;
        }
        const allowed = this.a.conn(se, de);
        pair: for (const s of sps)
          for (const d of dps) {
            // A pod does not connect to itself through the policies: one pod is not a pair.
            if (s === d && s.kind === "entity" && s.pods.length < 2) continue;
            const bad = violating(s, d, allowed);
            if (!connIsEmpty(bad)) return this.counterexample(s, d, se, de, bad);
            // Points of one engine endpoint differ only in which sets hold them: for reach claims
            // (ports depend on the class alone) one pair of them decides; `within` entries depend
            // on the peer itself, so there every pair counts.
            if (this.claim.kind === "reach") break pair;
          }
      }
    return undefined;
  }

  private counterexample(s: Point, d: Point, se: number, de: number, bad: ConnSet): Counterexample {
    const conn = firstConn(bad);
    return {
      src: this.endpoint(s),
      dst: this.endpoint(d),
      conn,
      allowed: !(this.claim.kind === "reach" && this.claim.verdict === "allow"),
      explanation: explainPair(this.a, se, de),
      replayed: true,
    };
  }

  private engineId(p: Point): number {
    return p.kind === "entity" ? p.cls : this.a.classCount + p.atom;
  }

  private endpoint(p: Point): DecodedEndpoint {
    if (p.kind === "address") return { kind: "address", ip: { family: p.range.family, value: p.range.lo } };
    return existingPodEndpoint(this.a, p.pods[0]!);
  }

  /** The connections an `on` list names towards `dst` (absent: every connection). */
  ports(specs: readonly PortSpec[] | undefined, dst: Point): ConnSet {
    if (!specs) return ALL_CONN;
    let out = EMPTY_CONN;
    for (const s of specs) {
      switch (s.kind) {
        case "all":
          return ALL_CONN;
        case "protocol":
          out = connUnion(out, allOf(s.protocol));
          break;
        case "range":
          out = connUnion(out, range(s.protocol, Math.max(1, s.from), s.to));
          break;
        case "named":
          if (dst.kind === "entity")
            for (const p of this.a.index.classes[dst.cls]!.ports)
              if (p.name === s.name && p.protocol === s.protocol)
                out = connUnion(out, range(p.protocol, p.port));
          break;
      }
    }
    return out;
  }

  /** Whether an existing endpoint is in the set (sets.ts `setPredicate`, for what exists). */
  member(x: SetExpr, p: Point, domain: Domain = this.domain): boolean {
    switch (x.kind) {
      case "or":
        return this.member(x.left, p, domain) || this.member(x.right, p, domain);
      case "and":
        return this.member(x.left, p, domain) && this.member(x.right, p, domain);
      case "except":
        return this.member(x.left, p, domain) && !this.member(x.right, p, domain);
      case "not":
        return !this.member(x.operand, p, domain);
      case "anything":
        return true;
      case "external":
        return p.kind === "address";
      case "cidr": {
        const r = cidrRange(x.text);
        return p.kind === "address" && r !== undefined && inRange(p.range, r);
      }
      case "pods": {
        if (p.kind !== "entity") return false;
        const cls = this.a.index.classes[p.cls]!;
        if (x.labels && !matches(selectorOf(x.labels), cls.labels)) return false;
        return !x.namespace || this.inNamespace(x.namespace, cls.namespace, cls.namespaceLabels);
      }
      case "workload":
      case "ref":
      case "service": {
        const target = resolveRef(this.a.cluster, x);
        if (!target) return false;
        if (target.kind === "workload")
          return p.kind === "entity" && p.pods.some((i) => target.pods.includes(i));
        const svc = this.a.cluster.services[target.index]!;
        if (svc.selector) {
          if (p.kind !== "entity") return false;
          const cls = this.a.index.classes[p.cls]!;
          return cls.namespace === svc.namespace && matches({ matchLabels: svc.selector }, cls.labels);
        }
        const ips = this.a.cluster.endpoints
          .filter((e) => e.namespace === svc.namespace && e.service === svc.name)
          .flatMap((e) => e.addresses.map((ad) => ad.ip));
        if (p.kind === "address")
          return ips.some((ip) => inRange(p.range, { family: ip.family, lo: ip.value, hi: ip.value }));
        return p.pods.some((i) =>
          this.a.cluster.pods[i]!.ips.some((pi) =>
            ips.some((ip) => ip.family === pi.family && ip.value === pi.value),
          ),
        );
      }
    }
  }

  private inNamespace(n: NamespaceExpr, name: string, labels: Readonly<Record<string, string>>): boolean {
    return n.kind === "name" ? n.name === name : matches(selectorOf(n.labels), labels);
  }
}

/** The input's pods as the Verifier groups them: per class, per owning workload. */
function entities(a: Analysis): Point[] {
  return podEntities(a).map((pods) => ({ kind: "entity", cls: a.index.classOfPod[pods[0]!]!, pods }));
}

/**
 * Address regions: the engine's atoms cut further at every range the claim names (CIDRs, a
 * selector-less Service's endpoint addresses), so each region lies wholly inside or outside each
 * set. Ids follow the entities'.
 */
function addresses(a: Analysis, claim: Claim): Point[] {
  const cuts: IpRange[] = [...a.space.atoms];
  for (const x of claimSets(claim).flatMap(primaries)) {
    if (x.kind === "cidr") {
      const r = cidrRange(x.text);
      if (r) cuts.push(r);
    } else if (x.kind === "service" || x.kind === "ref") {
      const target = resolveRef(a.cluster, x);
      if (target?.kind !== "service") continue;
      const svc = a.cluster.services[target.index]!;
      for (const e of a.cluster.endpoints)
        if (e.namespace === svc.namespace && e.service === svc.name)
          for (const ad of e.addresses) cuts.push({ family: ad.ip.family, lo: ad.ip.value, hi: ad.ip.value });
    }
  }
  const refined = new AddressSpace(cuts);
  return refined.atoms.map((r) => ({
    kind: "address",
    atom: a.space.atomOf({ family: r.family, value: r.lo }),
    range: r,
  }));
}

function claimSets(c: Claim): SetExpr[] {
  if (c.kind === "reach") return [c.from, c.to];
  if (c.kind === "isolated") return [c.subject];
  return [c.subject, ...c.entries.map((e) => e.peers), ...(c.peers ? [c.peers] : [])];
}

/** Whether region `r` lies inside `outer` (regions never straddle a cut). */
function inRange(r: IpRange, outer: IpRange): boolean {
  return r.family === outer.family && r.lo >= outer.lo && r.hi <= outer.hi;
}

/** The smallest connection of a non-empty set (TCP before UDP before SCTP, lowest port). */
function firstConn(s: ConnSet): DecodedConn {
  for (const protocol of PROTOCOLS) {
    const iv = s[protocol];
    if (iv.length > 0) return { protocol, port: iv[0]! };
  }
  throw new Error("firstConn of an empty connection set");
}
