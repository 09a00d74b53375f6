/**
 * Assembles the check report from the stages' results: findings (diagnostics, lints, guarantee
 * failures, connectivity changes), their fingerprints and whether each fails the check at
 * `--fail-on`, the summary and the verdict. Order is deterministic: severity, category, file, line.
 */
import { type Diagnostic, formatObjectRef } from "../common/index.js";
import { formatPeer } from "../model/index.js";
import {
  type ChangeEntry,
  type CheckReport,
  categoryOf,
  type FailOn,
  type Finding,
  type FindingCategory,
  fingerprint,
  type Graph,
  type GuaranteeEntry,
  RISK_CODES,
  RISK_WORDS,
  type Severity,
} from "../report/index.js";
import type { DefaultAllow } from "./check-changes.js";
import { type DisplayFile, toLocation } from "./check-locate.js";

export interface ReportParts {
  readonly version: string;
  readonly failOn: FailOn;
  readonly inputs: CheckReport["inputs"];
  /** Diagnostics of the head input, the guarantees file, the solver and the lints. */
  readonly diagnostics: readonly Diagnostic[];
  readonly baseErrors: number;
  readonly guarantees: readonly GuaranteeEntry[];
  readonly changes?: readonly ChangeEntry[] | undefined;
  readonly defaultAllow: readonly DefaultAllow[];
  readonly graph: Graph;
  readonly display: DisplayFile;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 0 };
const THRESHOLD: Record<FailOn, number> = { error: 3, warning: 2, "connectivity-change": 1 };
const CATEGORY_ORDER: readonly FindingCategory[] = ["input", "guarantee", "lint", "connectivity"];

/** How severe a finding is for `--fail-on`: every connectivity change counts at least as a change. */
function level(f: Omit<Finding, "failing" | "fingerprint">): number {
  return Math.max(SEVERITY_RANK[f.severity], f.origin === "change" ? 1 : 0);
}

type Draft = Omit<Finding, "failing">;

function fromDiagnostic(d: Diagnostic, display: DisplayFile): Draft {
  const object = d.object ?? d.source?.object;
  const location = d.source ? toLocation(d.source, display) : undefined;
  const subject = object ? formatObjectRef(object) : "";
  return {
    code: d.code,
    category: categoryOf(d.code),
    origin: "diagnostic",
    severity: d.severity,
    message: d.message,
    ...(location
      ? { location: object && !location.object ? { ...location, object: subject } : location }
      : {}),
    ...(d.hint ? { hint: d.hint } : {}),
    fingerprint: fingerprint(d.code, location?.file ?? "", subject, d.source?.path ?? "", d.message),
  };
}

function fromGuarantee(g: GuaranteeEntry): Draft | undefined {
  if (g.verdict === "holds") return undefined;
  const code = g.verdict === "fails" ? "NP6001" : "NP4025";
  const message =
    g.verdict === "fails"
      ? `guarantee ${g.name} does not hold: ${g.counterexample?.text[0] ?? "counterexample found"}`
      : `guarantee ${g.name} could not be decided: ${g.reason ?? "unknown"}`;
  return {
    code,
    category: "guarantee",
    origin: "guarantee",
    severity: "error",
    message,
    location: g.location,
    fingerprint: fingerprint(code, g.location.file, g.name),
  };
}

function fromChange(c: ChangeEntry): Draft {
  const code = c.risks.length > 0 ? RISK_CODES[c.risks[0]!] : "NP6007";
  const what = [
    c.opened !== "No Connections" ? `opens ${c.opened}` : "",
    c.closed !== "No Connections" ? `closes ${c.closed}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  const risk = c.risks.length > 0 ? ` [${c.risks.map((r) => RISK_WORDS[r]).join("; ")}]` : "";
  const peer = c.peerChange ? ` (workload ${c.peerChange.peer} ${c.peerChange.change})` : "";
  return {
    code,
    category: "connectivity",
    origin: "change",
    severity: c.risks.length > 0 ? "warning" : "info",
    message: `${c.src.name} → ${c.dst.name}: ${what}${risk}${peer}`,
    ...(c.location ? { location: c.location } : {}),
    fingerprint: c.fingerprint,
  };
}

function fromDefaultAllow(w: DefaultAllow, display: DisplayFile): Draft {
  const name = formatPeer(w.workload);
  return {
    code: "NP6006",
    category: "connectivity",
    origin: "workload",
    severity: "warning",
    message: `${name} ${w.isNew ? "is new and" : "is no longer isolated:"} no policy selects it for ${w.direction}: ${w.direction === "ingress" ? "every source may connect to it" : "it may connect anywhere"}`,
    location: toLocation(w.source, display),
    fingerprint: fingerprint("NP6006", name, w.direction),
  };
}

function compareFindings(a: Finding, b: Finding): number {
  const key = (f: Finding): (string | number)[] => [
    -level(f),
    CATEGORY_ORDER.indexOf(f.category),
    f.location?.file ?? "\uffff",
    f.location?.line ?? 0,
    f.location?.column ?? 0,
    f.code,
    f.message,
  ];
  const [x, y] = [key(a), key(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}

/** Risky changes and workloads that newly allow by default. */
const risky = (f: Finding) => f.severity === "warning" && (f.origin === "change" || f.origin === "workload");

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function buildReport(p: ReportParts): CheckReport {
  // 1. Every finding, with whether it fails the check.
  const drafts: Draft[] = [
    ...p.diagnostics.map((d) => fromDiagnostic(d, p.display)),
    ...p.guarantees.flatMap((g) => fromGuarantee(g) ?? []),
    ...(p.baseErrors > 0
      ? [
          {
            code: "NP6008",
            category: "connectivity" as const,
            origin: "base" as const,
            severity: "warning" as const,
            message: `the base input has ${plural(p.baseErrors, "error", "errors")}: the diff compares against the part that could be read`,
            fingerprint: fingerprint("NP6008"),
          },
        ]
      : []),
    ...p.defaultAllow.map((w) => fromDefaultAllow(w, p.display)),
    ...(p.changes ?? []).map(fromChange),
  ];
  const findings = drafts
    .map((f) => ({ ...f, failing: level(f) >= THRESHOLD[p.failOn] }))
    .sort(compareFindings);
  // 2. Counts and the reasons for the verdict, most severe first.
  const count = (pred: (f: Finding) => boolean) => findings.filter(pred).length;
  const failing = findings.filter((f) => f.failing);
  const reasons = [
    [count((f) => f.failing && f.code === "NP6001"), "guarantee fails", "guarantees fail"],
    [
      count((f) => f.failing && f.origin === "guarantee" && f.code === "NP4025"),
      "guarantee undecided",
      "guarantees undecided",
    ],
    [count((f) => f.failing && f.severity === "error" && f.origin !== "guarantee"), "error", "errors"],
    [count((f) => f.failing && risky(f)), "risky connectivity change", "risky connectivity changes"],
    [count((f) => f.failing && !risky(f) && f.severity === "warning"), "warning", "warnings"],
    [
      count((f) => f.failing && f.origin === "change" && f.severity === "info"),
      // "other" only beside risky ones.
      ...(count((f) => f.failing && risky(f)) > 0
        ? ["other connectivity change", "other connectivity changes"]
        : ["connectivity change", "connectivity changes"]),
    ],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, one, many]) => plural(n as number, one as string, many as string));
  const changes = p.changes ?? [];
  return {
    schemaVersion: 1,
    tool: { name: "netpolc", version: p.version },
    failOn: p.failOn,
    inputs: p.inputs,
    summary: {
      verdict: failing.length > 0 ? "fail" : "pass",
      reasons,
      findings: {
        error: count((f) => f.severity === "error"),
        warning: count((f) => f.severity === "warning"),
        info: count((f) => f.severity === "info"),
      },
      guarantees: {
        holds: p.guarantees.filter((g) => g.verdict === "holds").length,
        fails: p.guarantees.filter((g) => g.verdict === "fails").length,
        unknown: p.guarantees.filter((g) => g.verdict === "unknown").length,
      },
      changes: {
        added: changes.filter((c) => c.type === "added").length,
        removed: changes.filter((c) => c.type === "removed").length,
        changed: changes.filter((c) => c.type === "changed").length,
        risky: changes.filter((c) => c.risks.length > 0).length,
      },
    },
    findings,
    guarantees: p.guarantees,
    ...(p.changes ? { changes: p.changes } : {}),
    graph: p.graph,
  };
}
