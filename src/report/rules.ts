/**
 * The rules of the check report: every diagnostic code (src/common/diagnostics.ts) plus the codes
 * only `netpolc check` produces (NP6xxx), each with one line of doc. SARIF lists them all as rules,
 * in this order, so rule indexes are stable.
 */
import { DIAGNOSTIC_CODES } from "../common/index.js";
import type { FindingCategory, Risk, Severity } from "./types.js";

export const CHECK_CODES = {
  NP6001: "guarantee does not hold: the solver found a counterexample, replayed by the engine",
  NP6002: "new connections from addresses outside the cluster (or through an Ingress) to a workload",
  NP6003: "new connections from a workload to addresses outside the cluster",
  NP6004: "new connections between pods of two namespaces",
  NP6005: "new connections into a sensitive namespace from outside it",
  NP6006: "workload newly allows by default: no policy isolates it (it was isolated, or is new)",
  NP6007: "connectivity change between base and head",
  NP6008: "the base input has errors: the diff compares against the part that could be read",
} as const;

export type CheckCode = keyof typeof CHECK_CODES;

/** The code of the finding a change is reported under: its most severe risk, else NP6007. */
export const RISK_CODES: Readonly<Record<Risk, CheckCode>> = {
  "sensitive-namespace": "NP6005",
  "external-ingress": "NP6002",
  "default-allow": "NP6006",
  "cross-namespace": "NP6004",
  "external-egress": "NP6003",
};

export interface RuleInfo {
  readonly id: string;
  readonly description: string;
  readonly category: FindingCategory;
  /** The level a finding of this code usually has (SARIF `defaultConfiguration.level`). */
  readonly defaultSeverity: Severity;
}

export function categoryOf(code: string): FindingCategory {
  if (code === "NP6001") return "guarantee";
  switch (code.slice(0, 3)) {
    case "NP4":
      return "guarantee";
    case "NP5":
      return "lint";
    case "NP6":
      return "connectivity";
    default:
      return "input";
  }
}

/** Levels that differ from `warning`; a result's own level may still differ (a diagnostic's severity). */
const DEFAULT_LEVELS: Readonly<Record<string, Severity>> = {
  NP1001: "error",
  NP1002: "error",
  NP4001: "error",
  NP4024: "error",
  NP4025: "error",
  NP5009: "info",
  NP6001: "error",
  NP6007: "info",
};

function defaultSeverity(code: string): Severity {
  return DEFAULT_LEVELS[code] ?? "warning";
}

export const RULES: readonly RuleInfo[] = [
  ...Object.entries(DIAGNOSTIC_CODES),
  ...Object.entries(CHECK_CODES),
].map(([id, description]) => ({
  id,
  description,
  category: categoryOf(id),
  defaultSeverity: defaultSeverity(id),
}));

const RULE_INDEX = new Map(RULES.map((r, i) => [r.id, i]));

export function ruleIndex(code: string): number {
  const i = RULE_INDEX.get(code);
  if (i === undefined) throw new Error(`unknown rule ${code}`);
  return i;
}
