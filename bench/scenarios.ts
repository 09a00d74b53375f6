/**
 * The benchmark scenarios and the targets they are judged against.
 *
 * | series   | what it shows                                                              |
 * |----------|----------------------------------------------------------------------------|
 * | S        | 1,000 workloads / 10,000 pods / 1,000 policies, full workload listing     |
 * | tiers    | S-tiers: S + 50 Admin and 50 Baseline ClusterNetworkPolicies, explanations |
 * | services | S-services: S with 2,000 Services: endpoint resolution, Service queries   |
 * | L        | 10,000 workloads / 100,000 pods / 10,000 policies, all class-pair queries |
 * | scale    | workloads and policies ×1, ×2, ×4, ×8 of 125: how cost grows with size    |
 * | replicas | 1,000 workloads with 1, 10, 100 replicas: cost must not grow with pods     |
 */
import type { GenerateOptions } from "./generate.js";

export type Series = "S" | "tiers" | "services" | "L" | "scale" | "replicas";

export interface Scenario {
  readonly name: string;
  readonly series: Series;
  readonly size: GenerateOptions;
  /** Full listing at workload granularity, formatted to connlist lines. */
  readonly list: boolean;
  /** Every class pair through `connId` (class-level reachability). */
  readonly reach: boolean;
  /** `explainPair` over random class pairs (EXPLAIN_PAIRS of them). */
  readonly explain: boolean;
  /** `serviceEndpoints` for every Service, and `reachService` over SERVICE_QUERIES random pairs. */
  readonly services: boolean;
  /** Runs of the pipeline over the same text; each phase reports its fastest run. */
  readonly repeat: number;
}

export const SERIES: readonly Series[] = ["S", "tiers", "services", "L", "scale", "replicas"];

const size = (workloads: number, replicas: number, seed: number): GenerateOptions => ({
  namespaces: Math.max(4, Math.round(workloads / 20)),
  workloads,
  replicas,
  policies: workloads,
  services: Math.floor(workloads / 2),
  adminPolicies: 0,
  baselinePolicies: 0,
  seed,
});

export function scenarios(seed: number): Scenario[] {
  const at = (
    name: string,
    series: Series,
    workloads: number,
    replicas: number,
    list: boolean,
    repeat: number,
  ): Scenario => ({
    name,
    series,
    size: size(workloads, replicas, seed),
    list,
    reach: true,
    explain: false,
    services: false,
    repeat,
  });
  const s = at("S", "S", 1000, 10, true, 3);
  return [
    s,
    // S-tiers: the same cluster (same seed, same text) with cluster-wide guardrails on top.
    {
      ...s,
      name: "S-tiers",
      series: "tiers",
      size: { ...s.size, adminPolicies: 50, baselinePolicies: 50 },
      explain: true,
    },
    // S-services: the same cluster with 2,000 Services (one per exposing workload, then one per
    // container port); the engine's phases are S's, so listing and reachability are left to S.
    {
      ...s,
      name: "S-services",
      series: "services",
      size: { ...s.size, services: 2000 },
      list: false,
      reach: false,
      services: true,
    },
    // L: no full listing (10^8 workload pairs of output); class-pair reachability instead.
    at("L", "L", 10_000, 10, false, 1),
    ...[1, 2, 4, 8].map((m) => at(`scale-x${m}`, "scale", 125 * m, 10, true, 3)),
    ...[1, 10, 100].map((r) => at(`replicas-${r}`, "replicas", 1000, r, true, 3)),
  ];
}

/** Target thresholds (see the issue): compared with the measured figures and printed PASS/FAIL. */
export const TARGETS = {
  sAnalyzeMs: 1000,
  sAnalyzeListMs: 3000,
  lBuildReachMs: 10_000,
  lRssPeakMB: 4096,
  pointQueryMicros: 1000,
  /** S-tiers analyze + list (formatted) at most this many times S's, both measured in one run. */
  tiersVsSRatio: 2,
  explainPairMs: 10,
  /** S-services: `serviceEndpoints` for all 2,000 Services. */
  serviceEndpointsMs: 200,
  /** S-services: one `reachService` call, averaged over SERVICE_QUERIES random pairs. */
  serviceQueryMs: 1,
} as const;
