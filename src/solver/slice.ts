/**
 * Footprints and slices: which pods a guarantee can be about, which policies can change its verdict,
 * and the smaller input that decides it exactly.
 *
 * A connection from s to d is decided by the policies that select d on ingress and those that
 * select s on egress (every tier: a rule only ever applies to its policy's subjects). So a guarantee
 * whose sources lie in footprint A and destinations in footprint B depends only on the policies whose
 * subjects can meet B (ingress) or A (egress), and on the pods of A ∪ B; every other policy and pod
 * can be dropped without changing its verdict — provided new pods keep today's pod network (the
 * caller passes the full input's `podNetworkOf`, see World.podAddresses).
 *
 * Footprints over-approximate: a set the analysis cannot bound (`not X`, `anything`) is every pod.
 * An over-approximation only costs speed (a bigger slice, a change re-checked needlessly), never
 * correctness. The webhook uses the same footprints to decide which guarantees a change touches.
 */
import {
  type Analysis,
  type Cluster,
  type ClusterPolicy,
  getOrCreate,
  type IpRange,
  type LabelSelector,
  type Labels,
  matches,
  NAMESPACE_NAME_LABEL,
  type Namespace,
  type NetworkPolicy,
  type Pod,
} from "../model/index.js";
import type { Claim, Domain, LabelRequirement, NamespaceExpr, SetExpr } from "../parser/index.js";
import { defaultDomain, resolveRef } from "./sets.js";

export interface Req {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  readonly values: readonly string[];
}

/**
 * Pods that may lie in a set: a conjunction of constraints on the namespace (names, labels) and the
 * pod's labels. `namespaces` absent: any namespace.
 */
interface Box {
  readonly namespaces?: ReadonlySet<string> | undefined;
  readonly nsReqs: readonly Req[];
  readonly podReqs: readonly Req[];
}

/** A union of boxes; `all` is every pod (also when nothing better is known). */
export type Footprint = { readonly all: true } | { readonly all: false; readonly boxes: readonly Box[] };

export const EVERY_POD: Footprint = Object.freeze({ all: true });
export const NO_POD: Footprint = Object.freeze({ all: false, boxes: [] });

/** What a guarantee depends on: the pods on each side and the policies that may apply to them. */
export interface Scope {
  /** Pods whose egress policies matter (sources). */
  readonly egress: Footprint;
  /** Pods whose ingress policies matter (destinations). */
  readonly ingress: Footprint;
  /** Pods the claim's sets can contain (every side, every `within` entry). */
  readonly pods: Footprint;
  /** Services the claim names (`service ns/name`, bare `ns/name`), as `ns/name`. */
  readonly services: ReadonlySet<string>;
}

/** A selector's requirements, matchLabels as `In` (a pod matches when it meets them all). */
export const labelRequirements = (s: LabelSelector): readonly Req[] => reqsOf(s);

/** Pods matching `pods` in one namespace, or in the namespaces a selector matches. */
export function namespacePodsFootprint(
  ns: { readonly namespace: string } | { readonly selector: LabelSelector },
  pods: LabelSelector,
): Footprint {
  return "namespace" in ns
    ? box({ namespaces: new Set([ns.namespace]), podReqs: reqsOf(pods) })
    : box({ nsReqs: reqsOf(ns.selector), podReqs: reqsOf(pods) });
}

const reqsOf = (s: LabelSelector): Req[] => [
  ...Object.entries(s.matchLabels ?? {}).map(([key, v]) => ({ key, operator: "In" as const, values: [v] })),
  ...(s.matchExpressions ?? []).map((r) => ({ key: r.key, operator: r.operator, values: r.values ?? [] })),
];

const fromRequirements = (rs: readonly LabelRequirement[]): Req[] =>
  rs.map((r) => ({ key: r.key, operator: r.operator, values: r.values }));

/** Whether some label set satisfies every requirement. */
function satisfiable(reqs: readonly Req[]): boolean {
  const byKey = new Map<string, Req[]>();
  for (const r of reqs) {
    const list = byKey.get(r.key);
    if (list) list.push(r);
    else byKey.set(r.key, [r]);
  }
  for (const list of byKey.values()) {
    let allowed: Set<string> | undefined; // undefined: any value
    let mustExist = false;
    let mustNotExist = false;
    const excluded = new Set<string>();
    for (const r of list) {
      switch (r.operator) {
        case "In":
          mustExist = true;
          allowed = allowed ? new Set(r.values.filter((v) => allowed!.has(v))) : new Set(r.values);
          break;
        case "NotIn":
          for (const v of r.values) excluded.add(v);
          break;
        case "Exists":
          mustExist = true;
          break;
        case "DoesNotExist":
          mustNotExist = true;
          break;
      }
    }
    if (mustExist && mustNotExist) return false;
    if (allowed && [...allowed].every((v) => excluded.has(v))) return false;
  }
  return true;
}

function meetBoxes(a: Box, b: Box): Box | undefined {
  let namespaces = a.namespaces;
  if (b.namespaces)
    namespaces = namespaces ? new Set([...namespaces].filter((n) => b.namespaces!.has(n))) : b.namespaces;
  const nsReqs = [...a.nsReqs, ...b.nsReqs];
  // A namespace's name is also its label kubernetes.io/metadata.name: names must meet those requirements.
  if (namespaces) {
    const onName = nsReqs.filter((r) => r.key === NAMESPACE_NAME_LABEL);
    if (onName.length > 0)
      namespaces = new Set([...namespaces].filter((n) => holds(onName, { [NAMESPACE_NAME_LABEL]: n })));
  }
  if (namespaces && namespaces.size === 0) return undefined;
  const podReqs = [...a.podReqs, ...b.podReqs];
  if (!satisfiable(nsReqs) || !satisfiable(podReqs)) return undefined;
  return { namespaces, nsReqs, podReqs };
}

function meet(a: Footprint, b: Footprint): Footprint {
  if (a.all) return b;
  if (b.all) return a;
  const boxes: Box[] = [];
  for (const x of a.boxes)
    for (const y of b.boxes) {
      const m = meetBoxes(x, y);
      if (m) boxes.push(m);
    }
  return { all: false, boxes };
}

function join(a: Footprint, b: Footprint): Footprint {
  if (a.all || b.all) return EVERY_POD;
  return { all: false, boxes: [...a.boxes, ...b.boxes] };
}

const box = (b: Partial<Box>): Footprint => ({
  all: false,
  boxes: [{ namespaces: b.namespaces, nsReqs: b.nsReqs ?? [], podReqs: b.podReqs ?? [] }],
});

/** Whether two footprints may share a pod. */
export function overlaps(a: Footprint, b: Footprint): boolean {
  if (a.all) return b.all || b.boxes.length > 0;
  if (b.all) return a.boxes.length > 0;
  return a.boxes.some((x) => b.boxes.some((y) => mayMeet(x, y) && meetBoxes(x, y) !== undefined));
}

/** A cheap necessary condition of `meetBoxes`: named namespaces, when both name some, in common. */
function mayMeet(x: Box, y: Box): boolean {
  if (!x.namespaces || !y.namespaces) return true;
  const [small, large] =
    x.namespaces.size <= y.namespaces.size ? [x.namespaces, y.namespaces] : [y.namespaces, x.namespaces];
  for (const n of small) if (large.has(n)) return true;
  return false;
}

/** Whether a concrete pod (namespace with its labels, pod labels) may lie in the footprint. */
export function containsPod(
  f: Footprint,
  ns: Namespace | undefined,
  namespace: string,
  labels: Labels,
): boolean {
  if (f.all) return true;
  const nsLabels = ns?.labels;
  return f.boxes.some(
    (b) =>
      (!b.namespaces || b.namespaces.has(namespace)) &&
      (nsLabels === undefined || holds(b.nsReqs, nsLabels)) &&
      holds(b.podReqs, labels),
  );
}

/** Whether a namespace (any pod in it) may lie in the footprint. */
export function containsNamespace(f: Footprint, name: string, labels: Labels): boolean {
  if (f.all) return true;
  return f.boxes.some((b) => (!b.namespaces || b.namespaces.has(name)) && holds(b.nsReqs, labels));
}

const holds = (reqs: readonly Req[], labels: Labels) =>
  matches(
    { matchExpressions: reqs.map((r) => ({ key: r.key, operator: r.operator, values: [...r.values] })) },
    labels,
  );

/**
 * The pods a set may contain, in a cluster (workloads and Services resolve against it). `domain` is
 * the claim's default domain (sets.ts `defaultDomain`): `not X` and `A except X` are bounded by X's
 * complement when X's footprint is exact (`exactFootprint`), else `not X` is every pod.
 */
export function setFootprint(expr: SetExpr, cluster: Cluster, domain: Domain = "existing"): Footprint {
  const fp = (e: SetExpr) => setFootprint(e, cluster, domain);
  switch (expr.kind) {
    case "or":
      return join(fp(expr.left), fp(expr.right));
    case "and":
      return meet(fp(expr.left), fp(expr.right));
    case "except": {
      const right = exactFootprint(expr.right, cluster, domain);
      const out = right && complement(right);
      return out ? meet(fp(expr.left), out) : fp(expr.left);
    }
    case "not": {
      const inner = exactFootprint(expr.operand, cluster, domain);
      return (inner && complement(inner)) ?? EVERY_POD;
    }
    case "anything":
      return EVERY_POD;
    case "cidr":
    case "external":
      // Address sets hold addresses only (pods are never in them).
      return NO_POD;
    case "pods": {
      const labels = expr.labels ? fromRequirements(expr.labels) : [];
      return meet(box({ podReqs: labels }), namespaceFootprint(expr.namespace));
    }
    case "workload":
    case "ref":
    case "service": {
      const target = resolveRef(cluster, expr);
      if (!target) return NO_POD;
      if (target.kind === "workload") return exactPods(target.pods.map((i) => cluster.pods[i]!));
      const svc = cluster.services[target.index]!;
      // A selector-less Service's endpoints are addresses (EndpointSlices / Endpoints): the pods
      // holding them are in the set.
      if (!svc.selector) return exactPods(endpointPods(cluster, svc.namespace, svc.name));
      return box({ namespaces: new Set([svc.namespace]), podReqs: reqsOf({ matchLabels: svc.selector }) });
    }
  }
}

/**
 * The pods of a set exactly — every pod the footprint admits, existing or not, is in the set — or
 * undefined when the set's footprint only over-approximates it (a workload: other pods may share
 * its labels; an `existing` set: pods created later share them too).
 */
export function exactFootprint(expr: SetExpr, cluster: Cluster, domain: Domain): Footprint | undefined {
  const exact = (e: SetExpr) => exactFootprint(e, cluster, domain);
  switch (expr.kind) {
    case "or": {
      const [l, r] = [exact(expr.left), exact(expr.right)];
      return l && r ? join(l, r) : undefined;
    }
    case "and": {
      const [l, r] = [exact(expr.left), exact(expr.right)];
      return l && r ? meet(l, r) : undefined;
    }
    case "except": {
      const [l, r] = [exact(expr.left), exact(expr.right)];
      const c = r && complement(r);
      return l && c ? meet(l, c) : undefined;
    }
    case "not": {
      const inner = exact(expr.operand);
      return inner && complement(inner);
    }
    case "anything":
      return EVERY_POD;
    case "cidr":
    case "external":
      return NO_POD;
    case "pods":
      return (expr.domain ?? domain) === "existing" ? undefined : setFootprint(expr, cluster, domain);
    case "workload":
    case "ref":
    case "service": {
      const target = resolveRef(cluster, expr);
      if (!target) return NO_POD;
      if (target.kind === "workload" || domain === "existing") return undefined;
      return cluster.services[target.index]!.selector ? setFootprint(expr, cluster, domain) : undefined;
    }
  }
}

/**
 * Whether every pod of `inner` lies in `outer` — sound when `outer` is exact (`exactFootprint`):
 * each box of `inner` must fit one box of `outer`, by namespace names (a name list, or a
 * `kubernetes.io/metadata.name In` requirement), namespace requirements (the same requirement, or
 * one every named namespace of the cluster meets) and pod requirements (the same, or an `In` of
 * fewer values). Incomplete on purpose: false when unsure.
 */
export function footprintWithin(inner: Footprint, outer: Footprint, cluster: Cluster): boolean {
  if (outer.all) return true;
  if (inner.all) return false;
  const nsLabels = new Map(cluster.namespaces.map((n) => [n.name, n.labels]));
  return inner.boxes.every((b) => outer.boxes.some((o) => boxWithin(b, o, nsLabels)));
}

function boxWithin(b: Box, o: Box, nsLabels: ReadonlyMap<string, Labels>): boolean {
  const names = namesOf(b);
  if (o.namespaces && !(names && [...names].every((n) => o.namespaces!.has(n)))) return false;
  for (const q of o.nsReqs) {
    if (b.nsReqs.some((r) => implies(r, q))) continue;
    // Every namespace the box allows exists, and meets the requirement.
    if (!names || ![...names].every((n) => nsLabels.has(n) && holds([q], nsLabels.get(n)!))) return false;
  }
  return o.podReqs.every((q) => b.podReqs.some((r) => implies(r, q)));
}

/**
 * A footprint split by namespace name (each part holds the boxes that may lie there, limited to
 * it); undefined when a box is not limited to named namespaces.
 */
export function perNamespace(f: Footprint): Map<string, Footprint> | undefined {
  if (f.all) return undefined;
  const out = new Map<string, Footprint>();
  for (const b of f.boxes) {
    const names = namesOf(b);
    if (!names) return undefined;
    for (const n of names) {
      const part = { ...b, namespaces: new Set([n]) };
      const had = out.get(n);
      out.set(n, { all: false, boxes: had && !had.all ? [...had.boxes, part] : [part] });
    }
  }
  return out;
}

/** The namespace names a box is limited to, if any. */
function namesOf(b: Box): ReadonlySet<string> | undefined {
  let names = b.namespaces;
  for (const r of b.nsReqs)
    if (r.key === NAMESPACE_NAME_LABEL && r.operator === "In") {
      const these = new Set(r.values);
      names = names ? new Set([...names].filter((n) => these.has(n))) : these;
    }
  return names;
}

/** Whether requirement `r` implies `q` (labels meeting r meet q). */
function implies(r: Req, q: Req): boolean {
  if (r.key !== q.key) return false;
  if (r.operator === q.operator && sameValues(r.values, q.values)) return true;
  if (r.operator === "In" && q.operator === "In") return r.values.every((v) => q.values.includes(v));
  if (r.operator === "In" && q.operator === "Exists") return true;
  if (r.operator === "In" && q.operator === "NotIn") return r.values.every((v) => !q.values.includes(v));
  return false;
}

const sameValues = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v) => b.includes(v));

/** Above this many boxes a complement is not worth it (the caller falls back to every pod). */
const MAX_COMPLEMENT_BOXES = 64;

/**
 * Every pod outside an exact footprint: the complement of a box is the union of its constraints,
 * each negated (a namespace name list becomes `kubernetes.io/metadata.name NotIn`), and of a union
 * the meet of its boxes' complements. Undefined when it would grow too large.
 */
function complement(f: Footprint): Footprint | undefined {
  if (f.all) return NO_POD;
  let out: Footprint = EVERY_POD;
  for (const b of f.boxes) {
    const parts: Box[] = [];
    if (b.namespaces)
      parts.push({
        namespaces: undefined,
        nsReqs: [{ key: NAMESPACE_NAME_LABEL, operator: "NotIn", values: [...b.namespaces] }],
        podReqs: [],
      });
    for (const r of b.nsReqs) parts.push({ namespaces: undefined, nsReqs: [negate(r)], podReqs: [] });
    for (const r of b.podReqs) parts.push({ namespaces: undefined, nsReqs: [], podReqs: [negate(r)] });
    out = meet(out, { all: false, boxes: parts });
    if (!out.all && out.boxes.length > MAX_COMPLEMENT_BOXES) return undefined;
  }
  return out;
}

const NEGATED: Readonly<Record<Req["operator"], Req["operator"]>> = {
  In: "NotIn",
  NotIn: "In",
  Exists: "DoesNotExist",
  DoesNotExist: "Exists",
};

const negate = (r: Req): Req => ({ key: r.key, operator: NEGATED[r.operator], values: r.values });

/** Pods with exactly these namespaces and labels (and any pod sharing them). */
function exactPods(pods: readonly Pod[]): Footprint {
  return {
    all: false,
    boxes: pods.map((p) => ({
      namespaces: new Set([p.namespace]),
      nsReqs: [],
      podReqs: Object.entries(p.labels).map(([key, v]) => ({ key, operator: "In" as const, values: [v] })),
    })),
  };
}

/** The pods holding an address of a selector-less Service's EndpointSlices / Endpoints. */
function endpointPods(cluster: Cluster, namespace: string, service: string): Pod[] {
  return cluster.pods.filter((p) => holdsEndpoint(cluster, namespace, service, p));
}

/** Whether a pod holds an address of a selector-less Service's EndpointSlices / Endpoints. */
export function holdsEndpoint(cluster: Cluster, namespace: string, service: string, pod: Pod): boolean {
  return cluster.endpoints.some(
    (e) =>
      e.namespace === namespace &&
      e.service === service &&
      e.addresses.some((a) => pod.ips.some((ip) => ip.family === a.ip.family && ip.value === a.ip.value)),
  );
}

function namespaceFootprint(n: NamespaceExpr | undefined): Footprint {
  if (!n) return EVERY_POD;
  return n.kind === "name"
    ? box({ namespaces: new Set([n.name]) })
    : box({ nsReqs: fromRequirements(n.labels) });
}

function servicesOf(expr: SetExpr, out: Set<string>): void {
  switch (expr.kind) {
    case "or":
    case "and":
    case "except":
      servicesOf(expr.left, out);
      servicesOf(expr.right, out);
      return;
    case "not":
      servicesOf(expr.operand, out);
      return;
    case "service":
    case "ref":
      out.add(`${expr.namespace}/${expr.name}`);
      return;
    default:
      return;
  }
}

/** What a claim depends on, in a cluster. */
export function scopeOf(claim: Claim, cluster: Cluster): Scope {
  const domain = defaultDomain(claim);
  const fp = (e: SetExpr) => setFootprint(e, cluster, domain);
  const services = new Set<string>();
  switch (claim.kind) {
    case "reach": {
      servicesOf(claim.from, services);
      servicesOf(claim.to, services);
      const from = fp(claim.from);
      const to = fp(claim.to);
      return { egress: from, ingress: to, pods: join(from, to), services };
    }
    case "isolated": {
      servicesOf(claim.subject, services);
      const subject = fp(claim.subject);
      return {
        egress: claim.direction === "ingress" ? NO_POD : subject,
        ingress: claim.direction === "egress" ? NO_POD : subject,
        pods: subject,
        services,
      };
    }
    case "within": {
      // Every connection of the subject counts, whoever is on the other side: the peer is any pod.
      // (or, when the claim is restricted to `peers`, any pod of those).
      servicesOf(claim.subject, services);
      for (const e of claim.entries) servicesOf(e.peers, services);
      if (claim.peers) servicesOf(claim.peers, services);
      const subject = fp(claim.subject);
      const peers = claim.peers ? fp(claim.peers) : EVERY_POD;
      const pods = join(subject, peers);
      return claim.direction === "egress"
        ? { egress: subject, ingress: peers, pods, services }
        : { egress: peers, ingress: subject, pods, services };
    }
  }
}

/** The pods a policy applies to, and in which directions. */
export interface PolicyReach {
  readonly subjects: Footprint;
  readonly ingress: boolean;
  readonly egress: boolean;
}

export function policyReach(p: NetworkPolicy | ClusterPolicy): PolicyReach {
  return getOrCreate(reaches, p, () => computeReach(p));
}

/** Policies are immutable: each one's reach is computed once. */
const reaches = new WeakMap<NetworkPolicy | ClusterPolicy, PolicyReach>();

function computeReach(p: NetworkPolicy | ClusterPolicy): PolicyReach {
  if (p.tier === "networkpolicy")
    return {
      subjects: box({ namespaces: new Set([p.namespace]), podReqs: reqsOf(p.podSelector) }),
      ingress: p.isolates.ingress,
      egress: p.isolates.egress,
    };
  return {
    subjects: box({ nsReqs: reqsOf(p.subject.namespaces), podReqs: reqsOf(p.subject.pods) }),
    ingress: p.ingress.length > 0,
    egress: p.egress.length > 0,
  };
}

/** Whether a policy can change connections within a scope. */
export function policyTouches(r: PolicyReach, s: Scope): boolean {
  return (r.ingress && overlaps(r.subjects, s.ingress)) || (r.egress && overlaps(r.subjects, s.egress));
}

/**
 * Where new pods' IPs may lie: the address ranges of the atoms that hold today's pod IPs. Computed
 * on the whole input and passed to the Verifier of a slice, so new pods keep the same addresses.
 */
export function podNetworkOf(a: Analysis): IpRange[] {
  const atoms = new Set<number>();
  for (const cls of a.index.classes) for (const x of cls.atoms) atoms.add(x);
  return [...atoms].sort((x, y) => x - y).map((x) => a.space.atoms[x]!);
}

/** Pods by namespace and distinct label set (indexes into the list), memoised per pod list. */
const groupsOf = new WeakMap<readonly Pod[], ReadonlyMap<string, readonly LabelGroup[]>>();
interface LabelGroup {
  readonly labels: Labels;
  readonly pods: number[];
}
function labelGroups(pods: readonly Pod[]): ReadonlyMap<string, readonly LabelGroup[]> {
  return getOrCreate(groupsOf, pods, () => {
    const byNs = new Map<string, Map<Labels, LabelGroup>>();
    pods.forEach((p, i) => {
      // Replicas of one template share their labels object (equal sets that are not one object
      // make groups of their own: only asked twice).
      const m = getOrCreate(byNs, p.namespace, () => new Map<Labels, LabelGroup>());
      getOrCreate(m, p.labels, () => ({ labels: p.labels, pods: [] })).pods.push(i);
    });
    return new Map([...byNs].map(([ns, m]) => [ns, [...m.values()]]));
  });
}

/**
 * Whether some pod of the cluster may lie in the footprint: asked once per namespace and distinct
 * label set, in the namespaces the footprint may reach.
 */
export function holdsSomePod(cluster: Cluster, f: Footprint): boolean {
  const nsByName = new Map(cluster.namespaces.map((n) => [n.name, n]));
  for (const [ns, groups] of labelGroups(cluster.pods)) {
    if (!f.all && f.boxes.every((b) => b.namespaces !== undefined && !b.namespaces.has(ns))) continue;
    if (groups.some((g) => containsPod(f, nsByName.get(ns), ns, g.labels))) return true;
  }
  return false;
}

/**
 * The input reduced to what decides a claim: the policies that may apply to its sides, the pods its
 * sets may contain (and every hostNetwork pod, which stands for its node), every namespace, Service,
 * Node, endpoint and route. Verdicts on the slice equal verdicts on the input when the Verifier is
 * given the input's pod network.
 */
export function sliceCluster(cluster: Cluster, scope: Scope): Cluster {
  const { pods, workloads } = slicePods(cluster, scope.pods);
  return {
    ...cluster,
    pods,
    workloads,
    policies: cluster.policies.filter((p) => policyTouches(policyReach(p), scope)),
    clusterPolicies: cluster.clusterPolicies.filter((p) => policyTouches(policyReach(p), scope)),
  };
}

interface SlicedPods {
  readonly pods: readonly Pod[];
  readonly workloads: Cluster["workloads"];
}

/**
 * The pods of a footprint and their workloads, memoised per pod list and footprint: slices of one
 * cluster (the webhook's changes keep its pods) share their pod lists, and so their pod classes.
 */
const slicedPods = new WeakMap<
  readonly Pod[],
  Map<string, SlicedPods & { namespaces: Cluster["namespaces"]; from: Cluster["workloads"] }>
>();
function slicePods(cluster: Cluster, f: Footprint): SlicedPods {
  const memo = getOrCreate(slicedPods, cluster.pods, () => new Map());
  const key = footprintKey(f);
  const hit = memo.get(key);
  if (hit && hit.namespaces === cluster.namespaces && hit.from === cluster.workloads) return hit;
  const out = computeSlicedPods(cluster, f);
  // Footprints of restricted claims vary with each change: keep the most recent ones only.
  if (memo.size >= MAX_SLICES_PER_CLUSTER) memo.delete(memo.keys().next().value!);
  memo.set(key, { ...out, namespaces: cluster.namespaces, from: cluster.workloads });
  return out;
}

const MAX_SLICES_PER_CLUSTER = 32;

function footprintKey(f: Footprint): string {
  if (f.all) return "*";
  return JSON.stringify(
    f.boxes.map((b) => [b.namespaces ? [...b.namespaces].sort() : null, b.nsReqs, b.podReqs]),
  );
}

function computeSlicedPods(cluster: Cluster, f: Footprint): SlicedPods {
  const scope = { pods: f };
  const nsByName = new Map(cluster.namespaces.map((n) => [n.name, n]));
  let pods: Pod[];
  if (scope.pods.all) pods = [...cluster.pods];
  else {
    // Asked once per distinct namespace and label set (replicas share them).
    const keep = new Uint8Array(cluster.pods.length);
    for (const [ns, groups] of labelGroups(cluster.pods))
      for (const g of groups)
        if (containsPod(scope.pods, nsByName.get(ns), ns, g.labels)) for (const i of g.pods) keep[i] = 1;
    pods = cluster.pods.filter((p, i) => p.hostNetwork || keep[i] === 1);
  }
  // Workload pod indexes are recomputed for the kept pods (in the same order).
  const index = new Map<Pod, number>();
  pods.forEach((p, i) => {
    index.set(p, i);
  });
  const workloads = cluster.workloads
    .map((w) => ({
      ...w,
      pods: w.pods.map((i) => index.get(cluster.pods[i]!)).filter((i): i is number => i !== undefined),
    }))
    .filter((w) => w.pods.length > 0);
  return { pods, workloads };
}
