/**
 * The guarantee language's abstract syntax: what the chevrotain grammar (grammar.ts) produces and
 * the solver (src/solver) consumes. The same set, port and claim forms serve REPL queries.
 *
 * ```
 * # payments is sealed
 * guarantee payments-ingress-sealed:
 *   deny from not namespace(team=payments) to pods(app=payments-db) in namespace payments
 * guarantee frontend-to-api: allow from pods(app=frontend) to pods(app=api) on tcp/8080
 * guarantee default-deny: isolated ingress for all pods in namespace prod
 * guarantee no-egress-internet: deny from namespace prod to external except 10.0.0.0/8 on tcp/443
 * guarantee only-dns: egress of pods(app=batch) within { kube-system/kube-dns on udp/53, tcp/53 }
 * ```
 *
 * Every node carries the position of its first token (`source`), so every diagnostic about a
 * guarantee points to file:line:column.
 */
import type { SourcePosition } from "../../common/index.js";

export type Protocol = "TCP" | "UDP" | "SCTP";

/** A file of guarantees, in order. */
export interface GuaranteeFile {
  readonly file: string;
  readonly guarantees: readonly Guarantee[];
}

export interface Guarantee {
  /** `guarantee NAME:` — unique within a file. */
  readonly name: string;
  readonly claim: Claim;
  /** The statement's text as written (from `guarantee` to the end of the claim), for reports. */
  readonly text: string;
  readonly source: SourcePosition;
}

/**
 * What a guarantee claims.
 * | form                                          | holds iff                                                        |
 * |-----------------------------------------------|------------------------------------------------------------------|
 * | `allow from A to B [on P]`                    | every a in A can open every connection in P (default: all) to every b in B |
 * | `deny from A to B [on P]`                     | no a in A can open any connection in P to any b in B             |
 * | `isolated ingress|egress|both for A`          | every pod in A is isolated in that direction (selected by a policy of some tier) |
 * | `egress of A within { B [on P], … }`          | every connection a pod in A can open goes to one of the entries |
 * | `ingress of A within { B [on P], … }`         | every connection a pod in A accepts comes from one of the entries |
 */
export type Claim =
  | {
      readonly kind: "reach";
      readonly verdict: "allow" | "deny";
      readonly from: SetExpr;
      readonly to: SetExpr;
      /** Absent: every protocol and port. */
      readonly ports?: readonly PortSpec[] | undefined;
      readonly source: SourcePosition;
    }
  | {
      readonly kind: "isolated";
      readonly direction: "ingress" | "egress" | "both";
      readonly subject: SetExpr;
      readonly source: SourcePosition;
    }
  | {
      readonly kind: "within";
      readonly direction: "ingress" | "egress";
      readonly subject: SetExpr;
      readonly entries: readonly WithinEntry[];
      /**
       * Only connections with a peer (the other end) in this set count. No syntax: the solver's
       * restricted re-checks build it (solver/change.ts).
       */
      readonly peers?: SetExpr | undefined;
      readonly source: SourcePosition;
    };

export interface WithinEntry {
  readonly peers: SetExpr;
  /** Absent: every protocol and port. */
  readonly ports?: readonly PortSpec[] | undefined;
  readonly source: SourcePosition;
}

/**
 * Which pods a pod set ranges over:
 * - `any`: every pod that could exist — existing ones and hypothetical ones (new pods, in existing or
 *   new namespaces, with any labels);
 * - `existing`: only the pods in the input (and new replicas of its workloads, which are identical);
 * - absent: the claim's default (see the solver: `existing` in `allow` claims, `any` elsewhere).
 */
export type Domain = "any" | "existing";

/**
 * A set of endpoints: pods (existing or hypothetical) and addresses outside the cluster.
 * Precedence, loosest first: `or`; `and`, `except`; prefix `not`; postfix `in NAMESPACES`.
 * `A in namespace N` is `A and (pods in namespace N)`.
 */
export type SetExpr =
  | {
      readonly kind: "or" | "and" | "except";
      readonly left: SetExpr;
      readonly right: SetExpr;
      readonly source: SourcePosition;
    }
  /** Complement within every endpoint (every pod that could exist and every address). */
  | { readonly kind: "not"; readonly operand: SetExpr; readonly source: SourcePosition }
  /**
   * Pods by labels and namespace: `pods(app=x)`, `pods`, `all pods`, `any pod`, `namespace prod`,
   * `namespace(team=x)`, `any namespace`, `pods(app=x) in namespace(team=y)`.
   * Absent `labels`: any labels. Absent `namespace`: any namespace.
   */
  | {
      readonly kind: "pods";
      readonly domain?: Domain | undefined;
      readonly labels?: readonly LabelRequirement[] | undefined;
      readonly namespace?: NamespaceExpr | undefined;
      readonly source: SourcePosition;
    }
  /** `workload ns/name` or `Kind ns/name` (e.g. `deployment prod/api`): the workload's pods. */
  | {
      readonly kind: "workload";
      readonly namespace: string;
      readonly name: string;
      /** Lower-case workload kind when written (`deployment`, `statefulset`, …, `pod`). */
      readonly workloadKind?: string | undefined;
      readonly source: SourcePosition;
    }
  /** `service ns/name`: the Service's endpoint pods (ports are the pods' ports). */
  | {
      readonly kind: "service";
      readonly namespace: string;
      readonly name: string;
      readonly source: SourcePosition;
    }
  /** A bare `ns/name`: a workload when one has that name, else a Service (resolved by the solver). */
  | {
      readonly kind: "ref";
      readonly namespace: string;
      readonly name: string;
      readonly source: SourcePosition;
    }
  /** An address range `10.0.0.0/8`, `fd00::/8`, or one address `192.0.2.1` (a /32 or /128). */
  | { readonly kind: "cidr"; readonly text: string; readonly source: SourcePosition }
  /** Every address that is not a pod's: the outside world. */
  | { readonly kind: "external"; readonly source: SourcePosition }
  /** Every endpoint: `anything` (also written `anywhere`). */
  | { readonly kind: "anything"; readonly source: SourcePosition };

export type NamespaceExpr =
  | { readonly kind: "name"; readonly name: string; readonly source: SourcePosition }
  | {
      readonly kind: "labels";
      readonly labels: readonly LabelRequirement[];
      readonly source: SourcePosition;
    };

/**
 * One requirement of a label constraint, kubectl's selector syntax:
 * `k=v` (also `k==v`), `k!=v`, `k in (a, b)`, `k notin (a, b)`, `k` (exists), `!k` (does not exist).
 * Note `k!=v` matches pods without `k`, as in Kubernetes.
 */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  /** `k=v` is `In [v]`; `k!=v` is `NotIn [v]`. */
  readonly values: readonly string[];
  readonly source: SourcePosition;
}

/**
 * One entry of an `on` list: `tcp/8080`, `tcp/8000-8080`, `udp`, `tcp/http` (the destination pod's
 * container port named `http`), `any` / `all` (every protocol and port).
 */
export type PortSpec =
  | { readonly kind: "all"; readonly source: SourcePosition }
  | { readonly kind: "protocol"; readonly protocol: Protocol; readonly source: SourcePosition }
  | {
      readonly kind: "range";
      readonly protocol: Protocol;
      readonly from: number;
      readonly to: number;
      readonly source: SourcePosition;
    }
  | {
      readonly kind: "named";
      readonly protocol: Protocol;
      readonly name: string;
      readonly source: SourcePosition;
    };
