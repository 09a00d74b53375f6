/**
 * What `npm run bench` prints: one table row per scenario, the growth of each series relative to
 * its first scenario, and the targets with PASS/FAIL.
 */
import type { ScenarioResult } from "./execute.js";
import { formatCount, formatMB, formatMs } from "./measure.js";
import { type Scenario, TARGETS } from "./scenarios.js";

export type Outcome = { scenario: Scenario; result?: ScenarioResult; error?: string };

// --- table -------------------------------------------------------------------------------------

export const HEADER = [
  "scenario",
  "ns",
  "workloads",
  "pods",
  "policies",
  "classes",
  "atoms",
  "YAML",
  "parse",
  "build",
  "analyze",
  "point",
  "list+fmt",
  "conns",
  "reach",
  "explain",
  "live mem",
  "peak RSS",
];
const WIDTHS = [12, 5, 9, 8, 10, 7, 5, 8, 8, 8, 8, 9, 9, 7, 8, 9, 9, 9];

export function printRow(cells: readonly string[]): void {
  console.log(cells.map((c, i) => (i === 0 ? c.padEnd(WIDTHS[i]!) : c.padStart(WIDTHS[i] ?? 0))).join(" "));
}

function listMs(r: ScenarioResult): number | undefined {
  return r.phases.list && r.phases.format ? r.phases.list.ms + r.phases.format.ms : undefined;
}

/** Heap and ArrayBuffers still live after analysis: the model and the engine's tables. */
function liveMB(r: ScenarioResult): number | undefined {
  const a = r.phases.analyze;
  return a ? a.retainedMB + a.externalMB : undefined;
}

export function row(r: ScenarioResult): string[] {
  const c = r.counts;
  const p = r.phases;
  return [
    r.name,
    String(c.namespaces),
    formatCount(c.workloads),
    formatCount(c.pods),
    // NetworkPolicies, then "+N" Admin and Baseline tier policies when there are some.
    c.clusterPolicies > 0 ? `${formatCount(c.policies)}+${c.clusterPolicies}` : formatCount(c.policies),
    formatCount(c.classes),
    String(c.atoms),
    formatMB(c.yamlBytes / 1024 / 1024),
    formatMs(p.parse?.ms),
    formatMs(p.build?.ms),
    formatMs(p.analyze?.ms),
    `${r.pointQueryMicros.toFixed(2)} µs`,
    formatMs(listMs(r)),
    formatCount(r.listing?.connections),
    formatMs(p.reach?.ms),
    r.explainPairMs === undefined ? "-" : `${r.explainPairMs.toFixed(2)} ms`,
    formatMB(liveMB(r)),
    formatMB(Math.max(...Object.values(p).map((x) => x.rssPeakMB))),
  ];
}

/** The S-services figures, one line under the table row (undefined for other scenarios). */
export function servicesLine(r: ScenarioResult): string | undefined {
  const v = r.services;
  if (!v) return undefined;
  return (
    `  services: ${v.services} Services, ${v.ports} ports, ${formatCount(v.endpoints)} endpoints ` +
    `(${v.problems} selected pods not endpoints, ${v.emptyPorts} ports without any); ` +
    `endpoints of all ${formatMs(r.phases.endpoints?.ms)}, one Service query ${v.queryMs.toFixed(3)} ms ` +
    `(${v.queries} queries)`
  );
}

export function growth(outcomes: readonly Outcome[]): string[] {
  const lines: string[] = [];
  for (const series of ["scale", "replicas"] as const) {
    const rs = outcomes.filter((o) => o.scenario.series === series && o.result).map((o) => o.result!);
    if (rs.length < 2) continue;
    const base = rs[0]!;
    const ratio = (f: (r: ScenarioResult) => number | undefined) =>
      rs
        .map((r) => {
          const a = f(r);
          const b = f(base);
          return a === undefined || b === undefined || b === 0 ? "-" : `×${(a / b).toFixed(1)}`;
        })
        .join(" ");
    lines.push(
      `  ${series.padEnd(9)} pods ${ratio((r) => r.counts.pods)} | classes ${ratio((r) => r.counts.classes)} | build ${ratio((r) => r.phases.build?.ms)} | analyze ${ratio((r) => r.phases.analyze?.ms)} | list+fmt ${ratio(listMs)} | reach ${ratio((r) => r.phases.reach?.ms)} | live mem ${ratio(liveMB)}`,
    );
  }
  return lines.length > 0 ? ["Growth within each series (relative to its first scenario)", ...lines] : [];
}

// --- targets -----------------------------------------------------------------------------------

export interface TargetResult {
  readonly label: string;
  readonly value: string;
  readonly status: "PASS" | "FAIL" | "not run";
}

export function evaluate(outcomes: readonly Outcome[]): TargetResult[] {
  const get = (name: string) => outcomes.find((o) => o.scenario.name === name)?.result;
  const check = (
    label: string,
    measured: number | undefined,
    limit: number,
    show: (v: number) => string,
    inclusive = false,
  ): TargetResult =>
    measured === undefined
      ? { label, value: "-", status: "not run" }
      : {
          label,
          value: show(measured),
          status: measured < limit || (inclusive && measured === limit) ? "PASS" : "FAIL",
        };
  const s = get("S");
  const t = get("S-tiers");
  const sv = get("S-services");
  const l = get("L");
  const sum = (...xs: (number | undefined)[]) =>
    xs.some((x) => x === undefined) ? undefined : xs.reduce<number>((a, b) => a + b!, 0);
  const analyzeList = (r: ScenarioResult | undefined) => r && sum(r.phases.analyze?.ms, listMs(r));
  const sAnalyzeList = analyzeList(s);
  const tAnalyzeList = analyzeList(t);
  const worstPoint = outcomes.filter((o) => o.result).map((o) => o.result!);
  const worst = worstPoint.length > 0 ? Math.max(...worstPoint.map((r) => r.pointQueryMicros)) : undefined;
  return [
    check("S  analyze < 1 s", s?.phases.analyze?.ms, TARGETS.sAnalyzeMs, formatMs),
    check("S  analyze + list (formatted) < 3 s", sAnalyzeList, TARGETS.sAnalyzeListMs, formatMs),
    // Needs S in the same run (`--only S,S-tiers`): load on a shared machine moves both alike.
    check(
      "S-tiers analyze + list within 2× of S's (same run)",
      sAnalyzeList && tAnalyzeList !== undefined ? tAnalyzeList / sAnalyzeList : undefined,
      TARGETS.tiersVsSRatio,
      (v) => `×${v.toFixed(2)}`,
      true,
    ),
    check(
      "S-tiers explain one pair < 10 ms",
      t?.explainPairMs,
      TARGETS.explainPairMs,
      (v) => `${v.toFixed(2)} ms`,
    ),
    check(
      "S-services endpoints of all 2,000 Services < 200 ms",
      sv?.services && sv.phases.endpoints?.ms,
      TARGETS.serviceEndpointsMs,
      formatMs,
    ),
    check(
      "S-services one Service query (reachService) < 1 ms",
      sv?.services?.queryMs,
      TARGETS.serviceQueryMs,
      (v) => `${v.toFixed(2)} ms`,
    ),
    check(
      "L  build + analyze + all class-pair reachability < 10 s",
      l && sum(l.phases.build?.ms, l.phases.analyze?.ms, l.phases.reach?.ms),
      TARGETS.lBuildReachMs,
      formatMs,
    ),
    check(
      "L  peak RSS < 4 GB",
      l && Math.max(...Object.values(l.phases).map((x) => x.rssPeakMB)),
      TARGETS.lRssPeakMB,
      formatMB,
    ),
    check(
      "*  point query < 1 ms (worst scenario run)",
      worst,
      TARGETS.pointQueryMicros,
      (v) => `${v.toFixed(2)} µs`,
    ),
  ];
}
