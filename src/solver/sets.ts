/**
 * Guarantee sets as predicates over one symbolic endpoint, in one world; and the names a guarantee
 * file uses, checked against the input (unknown names are warnings with a suggestion).
 */
import { type Diagnostic, diagnostic, type SourcePosition } from "../common/index.js";
import { type Cluster, type LabelSelector, parseCidr, parseIp } from "../model/index.js";
import type {
  Claim,
  Domain,
  GuaranteeFile,
  LabelRequirement,
  NamespaceExpr,
  PortSpec,
  SetExpr,
} from "../parser/index.js";
import type { Mentions } from "./universe.js";
import { type Conn, type Endpoint, KIND, protoCode, type World } from "./world.js";
import { and, type B, is, or } from "./z3.js";

export function selectorOf(labels: readonly LabelRequirement[]): LabelSelector {
  return {
    matchExpressions: labels.map((r) => ({ key: r.key, operator: r.operator, values: [...r.values] })),
  };
}

/** The default domain of pod sets in a claim: `existing` for `allow`, `any` elsewhere. */
export function defaultDomain(claim: Claim): Domain {
  return claim.kind === "reach" && claim.verdict === "allow" ? "existing" : "any";
}

/** The set as a predicate over the endpoint. */
export function setPredicate(w: World, expr: SetExpr, e: Endpoint, domain: Domain): B {
  const c = w.space.ctx;
  const v = w.view(e);
  switch (expr.kind) {
    case "or":
      return c.Or(setPredicate(w, expr.left, e, domain), setPredicate(w, expr.right, e, domain));
    case "and":
      return c.And(setPredicate(w, expr.left, e, domain), setPredicate(w, expr.right, e, domain));
    case "except":
      return c.And(setPredicate(w, expr.left, e, domain), c.Not(setPredicate(w, expr.right, e, domain)));
    case "not":
      return c.And(v.present, c.Not(setPredicate(w, expr.operand, e, domain)));
    case "pods": {
      const parts: B[] = [v.pod];
      if ((expr.domain ?? domain) === "existing") parts.push(is(e.kind, KIND.existing));
      if (expr.labels) parts.push(w.podSelector(e, selectorOf(expr.labels)));
      if (expr.namespace) parts.push(namespacePredicate(w, expr.namespace, e));
      return and(c, parts);
    }
    case "workload":
    case "ref":
    case "service": {
      const target = resolveRef(w.analysis.cluster, expr);
      if (!target) return c.Bool.val(false);
      if (target.kind === "workload") return w.existingPods(e, target.pods);
      return serviceEndpoints(w, target.index, e, domain);
    }
    case "cidr": {
      const r = cidrRange(expr.text);
      return r ? c.And(is(e.kind, KIND.address), w.space.ipIn(e, r)) : c.Bool.val(false);
    }
    case "external":
      return is(e.kind, KIND.address);
    case "anything":
      return v.present;
  }
}

function namespacePredicate(w: World, n: NamespaceExpr, e: Endpoint): B {
  return n.kind === "name" ? w.inNamespace(e, n.name) : w.nsSelector(e, selectorOf(n.labels));
}

/** A Service's endpoints: pods its selector matches (existing or future), or its explicit addresses. */
function serviceEndpoints(w: World, index: number, e: Endpoint, domain: Domain): B {
  const c = w.space.ctx;
  const cluster = w.analysis.cluster;
  const svc = cluster.services[index]!;
  if (svc.selector)
    return and(c, [
      w.view(e).pod,
      w.inNamespace(e, svc.namespace),
      w.podSelector(e, { matchLabels: svc.selector }),
      ...(domain === "existing" ? [is(e.kind, KIND.existing)] : []),
    ]);
  const ips = cluster.endpoints
    .filter((x) => x.namespace === svc.namespace && x.service === svc.name)
    .flatMap((x) => x.addresses.map((a) => a.ip));
  const key = (ip: { family: number; value: bigint }) => `${ip.family}/${ip.value}`;
  const wanted = new Set(ips.map(key));
  const pods: number[] = [];
  cluster.pods.forEach((p, i) => {
    if (p.ips.some((ip) => wanted.has(key(ip)))) pods.push(i);
  });
  return c.Or(
    w.existingPods(e, pods),
    c.And(
      is(e.kind, KIND.address),
      or(
        c,
        ips.map((ip) => w.space.ipIn(e, { family: ip.family, lo: ip.value, hi: ip.value })),
      ),
    ),
  );
}

export type RefTarget = { kind: "workload"; pods: readonly number[] } | { kind: "service"; index: number };

export function resolveRef(
  cluster: Cluster,
  expr: {
    kind: "workload" | "ref" | "service";
    namespace: string;
    name: string;
    workloadKind?: string | undefined;
  },
): RefTarget | undefined {
  if (expr.kind !== "service") {
    const kind = expr.kind === "workload" ? expr.workloadKind : undefined;
    const w = cluster.workloads.find(
      (x) =>
        x.namespace === expr.namespace && x.name === expr.name && (!kind || x.kind.toLowerCase() === kind),
    );
    if (w) return { kind: "workload", pods: w.pods };
    if (expr.kind === "workload") return undefined;
  }
  const index = cluster.services.findIndex((s) => s.namespace === expr.namespace && s.name === expr.name);
  return index >= 0 ? { kind: "service", index } : undefined;
}

export function cidrRange(text: string) {
  if (text.includes("/")) return parseCidr(text);
  const ip = parseIp(text);
  return ip ? { family: ip.family, lo: ip.value, hi: ip.value } : undefined;
}

/** Whether the connection is in the `on` list (towards `dst`, for named ports); absent = all. */
export function portsPredicate(w: World, specs: readonly PortSpec[] | undefined, dst: Endpoint, k: Conn): B {
  const c = w.space.ctx;
  if (!specs) return c.Bool.val(true);
  return or(
    c,
    specs.map((s): B => {
      switch (s.kind) {
        case "all":
          return c.Bool.val(true);
        case "protocol":
          return is(k.proto, protoCode(s.protocol));
        case "range":
          return c.And(is(k.proto, protoCode(s.protocol)), k.port.uge(s.from), k.port.ule(s.to));
        case "named":
          return w.namedPort(s.name, s.protocol, dst, k);
        default:
          return c.Bool.val(false);
      }
    }),
  );
}

// --- traversal ---------------------------------------------------------------------------------

/** The primary sets (pods, references, addresses) of a set expression, in order. */
export function primaries(x: SetExpr): Exclude<SetExpr, { kind: "or" | "and" | "except" | "not" }>[] {
  switch (x.kind) {
    case "or":
    case "and":
    case "except":
      return [...primaries(x.left), ...primaries(x.right)];
    case "not":
      return primaries(x.operand);
    default:
      return [x];
  }
}

/** Every set expression and port list of a claim. */
export function claimParts(c: Claim): { sets: SetExpr[]; ports: (readonly PortSpec[] | undefined)[] } {
  if (c.kind === "reach") return { sets: [c.from, c.to], ports: [c.ports] };
  if (c.kind === "isolated") return { sets: [c.subject], ports: [] };
  return {
    sets: [c.subject, ...c.entries.map((e) => e.peers), ...(c.peers ? [c.peers] : [])],
    ports: c.entries.map((e) => e.ports),
  };
}

// --- what a guarantee file mentions, and its names checked against the input ---------------------

export function mentionsOf(files: readonly GuaranteeFile[]): Mentions {
  const podSelectors: LabelSelector[] = [];
  const nsSelectors: LabelSelector[] = [];
  const namespaces: string[] = [];
  const portNames: { name: string; protocol: "TCP" | "UDP" | "SCTP" }[] = [];
  for (const f of files)
    for (const g of f.guarantees) {
      const parts = claimParts(g.claim);
      for (const specs of parts.ports)
        for (const s of specs ?? [])
          if (s.kind === "named") portNames.push({ name: s.name, protocol: s.protocol });
      for (const x of parts.sets.flatMap(primaries)) {
        if (x.kind === "pods") {
          if (x.labels) podSelectors.push(selectorOf(x.labels));
          if (x.namespace?.kind === "name") namespaces.push(x.namespace.name);
          if (x.namespace?.kind === "labels") nsSelectors.push(selectorOf(x.namespace.labels));
        } else if (x.kind === "workload" || x.kind === "ref" || x.kind === "service")
          namespaces.push(x.namespace);
      }
    }
  return { podSelectors, nsSelectors, namespaces, portNames };
}

/** Sets the services selectors use too: a Service set's selector is a pod selector. */
export function serviceMentions(cluster: Cluster): LabelSelector[] {
  return cluster.services.filter((s) => s.selector).map((s) => ({ matchLabels: s.selector! }));
}

export type { SourcePosition };
export type NameCheck = (files: readonly GuaranteeFile[], cluster: Cluster) => Diagnostic[];
export { diagnostic };
