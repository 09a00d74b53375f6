/**
 * The check report: the one value `netpolc check` computes and every format renders. Plain JSON data
 * (the `json` format is this object as is; docs/report-schema.md and schemas/check-report.schema.json
 * describe it), immutable, in deterministic order, with no timings, so renderings are golden-testable.
 */

export type Severity = "error" | "warning" | "info";

/**
 * `--fail-on`: the lowest level of finding that fails the check (exit 1).
 * | level                 | fails on                                                        |
 * |-----------------------|-----------------------------------------------------------------|
 * | `error`               | error findings: guarantees that fail or are undecided, errors  |
 * | `warning`             | the above and warnings: lints, risky connectivity changes       |
 * | `connectivity-change` | the above and any connectivity change at all                    |
 */
export type FailOn = "error" | "warning" | "connectivity-change";
export const FAIL_ON_LEVELS: readonly FailOn[] = ["error", "warning", "connectivity-change"];

/** A point in an input file with the object it belongs to (`Kind ns/name`) and the JSON path. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly object?: string | undefined;
  readonly path?: string | undefined;
}

export type FindingCategory = "input" | "lint" | "guarantee" | "connectivity";

/**
 * What a finding reports: a diagnostic (input, guarantees file, solver, lint), a guarantee's
 * verdict, a connectivity change (`changes[i]`, same fingerprint), a workload that newly allows by
 * default, or errors of the base input.
 */
export type FindingOrigin = "diagnostic" | "guarantee" | "change" | "workload" | "base";

/** Anything that may fail the check, with a stable code and fingerprint. */
export interface Finding {
  /** A diagnostic code (src/common/diagnostics.ts) or a check code (rules.ts). */
  readonly code: string;
  readonly category: FindingCategory;
  readonly origin: FindingOrigin;
  readonly severity: Severity;
  readonly message: string;
  readonly location?: Location | undefined;
  readonly hint?: string | undefined;
  /** Stable across runs and unrelated edits (no line numbers): SARIF fingerprints, deduplication. */
  readonly fingerprint: string;
  /** Whether the finding is at or above `--fail-on` (it then fails the check). */
  readonly failing: boolean;
}

export type Verdict = "holds" | "fails" | "unknown";

/** A concrete connection that breaks a guarantee, replayed and explained by the engine. */
export interface CounterexampleEntry {
  /** `ns/name` or an address; hypothetical pods are described in `text`. */
  readonly src: string;
  readonly dst?: string | undefined;
  /** `TCP/8443`. */
  readonly connection?: string | undefined;
  readonly allowed?: boolean | undefined;
  /** Human-readable lines: the endpoints (labels of hypothetical pods) and the explanation. */
  readonly text: readonly string[];
}

export interface GuaranteeEntry {
  readonly name: string;
  readonly statement: string;
  readonly verdict: Verdict;
  readonly location: Location;
  readonly reason?: string | undefined;
  readonly counterexample?: CounterexampleEntry | undefined;
}

/**
 * Risk flags of a connectivity change; only widenings (connections that become allowed) carry them.
 * | risk                  | the change opens                                                   |
 * |-----------------------|--------------------------------------------------------------------|
 * | `external-ingress`    | connections from addresses outside the cluster (or an Ingress)      |
 * | `external-egress`     | connections to addresses outside the cluster                        |
 * | `cross-namespace`     | connections between pods of two namespaces                          |
 * | `sensitive-namespace` | connections into a sensitive namespace from outside it              |
 * | `default-allow`       | connections of a workload that no policy isolates any more (or yet) |
 */
export type Risk =
  | "external-ingress"
  | "external-egress"
  | "cross-namespace"
  | "sensitive-namespace"
  | "default-allow";
export const RISKS: readonly Risk[] = [
  "sensitive-namespace",
  "external-ingress",
  "default-allow",
  "cross-namespace",
  "external-egress",
];

export type PeerKind = "workload" | "pod" | "external" | "ingress-controller";

export interface PeerEntry {
  /** `ns/name[Kind]`, `ns/name[Pod]`, `FIRST-LAST[External]` or `{ingress-controller}`. */
  readonly name: string;
  readonly kind: PeerKind;
  readonly namespace?: string | undefined;
}

export type ChangeType = "added" | "removed" | "changed";

/** One pair of peers whose allowed connections differ between base and head. */
export interface ChangeEntry {
  readonly type: ChangeType;
  readonly src: PeerEntry;
  readonly dst: PeerEntry;
  /** Allowed connections in base and in head (`No Connections` when none). */
  readonly before: string;
  readonly after: string;
  /** What head allows that base did not, and the reverse. */
  readonly opened: string;
  readonly closed: string;
  readonly risks: readonly Risk[];
  /** A peer that exists on one side only. */
  readonly peerChange?: { readonly peer: string; readonly change: "added" | "removed" } | undefined;
  /** The policy rule (or object) of head most responsible for the change; absent for removed peers. */
  readonly location?: Location | undefined;
  readonly fingerprint: string;
}

export type GraphStatus = "unchanged" | "added" | "removed" | "changed";

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly kind: PeerKind | "namespace";
  readonly namespace?: string | undefined;
  readonly status: GraphStatus;
  readonly sensitive?: boolean | undefined;
}

export interface GraphEdge {
  readonly id: string;
  readonly src: string;
  readonly dst: string;
  /** Connections in base and head; undefined when the edge does not exist on that side. */
  readonly before?: string | undefined;
  readonly after?: string | undefined;
  readonly status: GraphStatus;
  readonly risky: boolean;
}

/**
 * The graph of the HTML report: namespaces → workloads with allowed edges and ports, before and
 * after. `level` says what a node is; when the cluster is too large to draw, `scope` says what was
 * kept (only the peers that changed, or namespaces instead of workloads).
 */
export interface Graph {
  readonly level: "workload" | "namespace";
  readonly scope: "all" | "changed";
  readonly note?: string | undefined;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export interface Summary {
  readonly verdict: "pass" | "fail";
  /** One phrase per reason the check fails (empty when it passes), most severe first. */
  readonly reasons: readonly string[];
  readonly findings: { readonly error: number; readonly warning: number; readonly info: number };
  readonly guarantees: { readonly holds: number; readonly fails: number; readonly unknown: number };
  readonly changes: {
    readonly added: number;
    readonly removed: number;
    readonly changed: number;
    readonly risky: number;
  };
}

export interface CheckReport {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: "netpolc"; readonly version: string };
  readonly failOn: FailOn;
  readonly inputs: {
    readonly head: readonly string[];
    /** `paths`: `--base` files or directories (names joined by spaces); `git-ref`: `--base-ref`. */
    readonly base?: { readonly kind: "paths" | "git-ref"; readonly name: string } | undefined;
    readonly guarantees?: string | undefined;
    readonly sensitiveNamespaces: readonly string[];
  };
  readonly summary: Summary;
  readonly findings: readonly Finding[];
  readonly guarantees: readonly GuaranteeEntry[];
  /** Absent without a base. */
  readonly changes?: readonly ChangeEntry[] | undefined;
  readonly graph: Graph;
}
