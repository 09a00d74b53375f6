/**
 * The verdict of a guarantee over existing endpoints, computed with the connectivity engine alone:
 * endpoints are the engine's pod classes and one probe address per piece of the address space cut
 * both at the engine's atoms and at the guarantee's CIDRs (so every piece is inside or outside
 * every set, and inside one engine atom). Set membership is evaluated on the classes' labels and
 * namespace; a workload is the classes of its pods (as in the solver: pods of one class are
 * indistinguishable). Conventions shared with the solver: a pod connecting to itself is not
 * counted (a class of one pod is not paired with itself); two addresses may always talk.
 */
import {
  AddressSpace,
  ALL_CONN,
  type Analysis,
  allOf,
  type ConnSet,
  connContains,
  connIntersect,
  connIsEmpty,
  connSubtract,
  connUnion,
  EMPTY_CONN,
  type IpAddress,
  type IpRange,
  type LabelSelector,
  matches,
  type PodClass,
  parseCidr,
  parseIp,
  range,
  rangeHas,
} from "../../../src/model/index.js";
import type { Claim, LabelRequirement, PortSpec, SetExpr } from "../../../src/parser/index.js";

/** An endpoint of the oracle: a pod class, or a probe address. */
export type OracleEndpoint = { kind: "class"; index: number } | { kind: "address"; ip: IpAddress };

export interface Violation {
  readonly src: OracleEndpoint;
  readonly dst?: OracleEndpoint | undefined;
}

export class Oracle {
  private readonly probes: OracleEndpoint[];

  constructor(
    readonly a: Analysis,
    cidrs: readonly string[],
  ) {
    const ranges = cidrs.map((t) => cidrRange(t)).filter((r) => r !== undefined);
    const joint = new AddressSpace([...a.space.atoms, ...ranges]);
    this.probes = joint.atoms.map((r) => ({ kind: "address", ip: { family: r.family, value: r.lo } }));
  }

  /** Engine endpoint id: a class index, or classCount + atom index. */
  engineId(e: OracleEndpoint): number {
    return e.kind === "class" ? e.index : this.a.classCount + this.a.space.atomOf(e.ip);
  }

  /** Every endpoint: classes, then probes. */
  endpoints(): OracleEndpoint[] {
    return [
      ...this.a.index.classes.map((c): OracleEndpoint => ({ kind: "class", index: c.index })),
      ...this.probes,
    ];
  }

  member(x: SetExpr, e: OracleEndpoint): boolean {
    switch (x.kind) {
      case "or":
        return this.member(x.left, e) || this.member(x.right, e);
      case "and":
        return this.member(x.left, e) && this.member(x.right, e);
      case "except":
        return this.member(x.left, e) && !this.member(x.right, e);
      case "pods": {
        if (e.kind !== "class") return false;
        if (x.domain !== "existing") throw new Error("oracle: pod sets must be `existing`");
        const c = this.cls(e);
        if (x.labels && !matches(selector(x.labels), c.labels)) return false;
        if (x.namespace?.kind === "name") return c.namespace === x.namespace.name;
        if (x.namespace?.kind === "labels") return matches(selector(x.namespace.labels), c.namespaceLabels);
        return true;
      }
      case "workload":
      case "ref":
      case "service": {
        if (e.kind !== "class") return false;
        if (x.kind !== "workload") throw new Error("oracle: only `workload`/`KIND` references");
        const w = this.a.cluster.workloads.find(
          (w) =>
            w.namespace === x.namespace &&
            w.name === x.name &&
            (!x.workloadKind || w.kind.toLowerCase() === x.workloadKind),
        );
        return w?.pods.some((p) => this.a.index.classOfPod[p] === e.index) ?? false;
      }
      case "cidr": {
        const r = cidrRange(x.text);
        return e.kind === "address" && r !== undefined && rangeHas(r, e.ip);
      }
      case "external":
        return e.kind === "address";
      default:
        throw new Error(`oracle: set ${x.kind} ranges over pods that do not exist`);
    }
  }

  /** The connections of an `on` list towards `dst` (named ports are dst's container ports). */
  portSet(specs: readonly PortSpec[] | undefined, dst: OracleEndpoint): ConnSet {
    if (!specs) return ALL_CONN;
    let out: ConnSet = EMPTY_CONN;
    const add = (c: ConnSet) => {
      out = connUnion(out, c);
    };
    for (const s of specs)
      switch (s.kind) {
        case "all":
          add(ALL_CONN);
          break;
        case "protocol":
          add(allOf(s.protocol));
          break;
        case "range":
          add(range(s.protocol, s.from, s.to));
          break;
        case "named":
          if (dst.kind === "class")
            for (const p of this.cls(dst).ports)
              if (p.name === s.name && p.protocol === s.protocol) add(range(p.protocol, p.port));
          break;
      }
    return out;
  }

  /** The engine's connections from `s` to `d`; undefined for a one-pod class and itself. */
  conn(s: OracleEndpoint, d: OracleEndpoint): ConnSet | undefined {
    if (s.kind === "class" && d.kind === "class" && s.index === d.index && this.cls(s).pods.length === 1)
      return undefined;
    return this.a.conn(this.engineId(s), this.engineId(d));
  }

  /** Whether the class is isolated in every direction the claim names. */
  isolated(e: OracleEndpoint, direction: "ingress" | "egress" | "both"): boolean {
    if (e.kind !== "class") return true;
    const dirs = direction === "both" ? (["ingress", "egress"] as const) : [direction];
    return dirs.every((d) => this.a.isolated(e.index, d));
  }

  /** Whether one of the claim's sets is empty (the claim then holds whatever the policies). */
  vacuous(claim: Claim): boolean {
    const all = this.endpoints();
    const empty = (x: SetExpr) => !all.some((e) => this.member(x, e));
    if (claim.kind === "reach") return empty(claim.from) || empty(claim.to);
    return empty(claim.subject);
  }

  /** The first violation of the claim (undefined: it holds). */
  violation(claim: Claim): Violation | undefined {
    const all = this.endpoints();
    switch (claim.kind) {
      case "isolated":
        for (const e of all)
          if (e.kind === "class" && this.member(claim.subject, e) && !this.isolated(e, claim.direction))
            return { src: e };
        return undefined;
      case "reach": {
        const from = all.filter((e) => this.member(claim.from, e));
        const to = all.filter((e) => this.member(claim.to, e));
        for (const s of from)
          for (const d of to) {
            const conn = this.conn(s, d);
            if (!conn) continue;
            const wanted = this.portSet(claim.ports, d);
            const bad =
              claim.verdict === "deny"
                ? !connIsEmpty(connIntersect(conn, wanted))
                : !connIsEmpty(connSubtract(wanted, conn));
            if (bad) return { src: s, dst: d };
          }
        return undefined;
      }
      default:
        throw new Error("oracle: within claims range over pods that do not exist");
    }
  }

  /**
   * Whether a counterexample really violates the claim: both ends in their sets, and the connection
   * allowed (deny) or denied (allow) by the engine, or the pod not isolated.
   */
  confirms(
    claim: Claim,
    src: OracleEndpoint,
    dst: OracleEndpoint | undefined,
    k: { protocol: "TCP" | "UDP" | "SCTP"; port: number } | undefined,
  ): string | undefined {
    if (claim.kind === "isolated") {
      if (!this.member(claim.subject, src)) return "the pod is not in the subject set";
      return this.isolated(src, claim.direction) ? "the pod is isolated" : undefined;
    }
    if (claim.kind !== "reach" || !dst || !k) return "malformed counterexample";
    if (!this.member(claim.from, src)) return "the source is not in the source set";
    if (!this.member(claim.to, dst)) return "the destination is not in the destination set";
    if (!connContains(this.portSet(claim.ports, dst), k.protocol, k.port))
      return "the connection is not in the `on` list";
    const conn = this.conn(src, dst);
    if (!conn) return "a pod and itself";
    const allowed = connContains(conn, k.protocol, k.port);
    if (claim.verdict === "deny" && !allowed) return "the engine denies the connection";
    if (claim.verdict === "allow" && allowed) return "the engine allows the connection";
    return undefined;
  }

  private cls(e: OracleEndpoint & { kind: "class" }): PodClass {
    return this.a.index.classes[e.index]!;
  }
}

function cidrRange(text: string): IpRange | undefined {
  if (text.includes("/")) return parseCidr(text);
  const ip = parseIp(text);
  return ip && { family: ip.family, lo: ip.value, hi: ip.value };
}

function selector(labels: readonly LabelRequirement[]): LabelSelector {
  return {
    matchExpressions: labels.map((r) => ({ key: r.key, operator: r.operator, values: [...r.values] })),
  };
}
