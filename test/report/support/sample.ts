/** Small check reports built by hand, with the awkward strings renderers must survive. */
import { buildReport, type ReportParts } from "../../../src/cli/check-report.js";
import type { DiagnosticCode } from "../../../src/common/index.js";
import type { ChangeEntry, CheckReport, FailOn, Graph, GuaranteeEntry } from "../../../src/report/index.js";

export const AWKWARD = `quote " apostrophe ' <tag> & amp % percent, comma: colon | pipe \`tick\` line\nbreak \u0007bell`;

export const GRAPH: Graph = {
  level: "workload",
  scope: "all",
  nodes: [
    { id: "n0", label: "0.0.0.0-255.255.255.255[External]", kind: "external", status: "unchanged" },
    {
      id: "n1",
      label: "api[Deployment]",
      kind: "workload",
      namespace: "shop",
      status: "unchanged",
      sensitive: true,
    },
    { id: "n2", label: "web[Deployment]", kind: "workload", namespace: "shop", status: "added" },
  ],
  edges: [
    { id: "e0", src: "n0", dst: "n1", after: "TCP 443", status: "added", risky: true },
    {
      id: "e1",
      src: "n2",
      dst: "n1",
      before: "TCP 80",
      after: "TCP 80,8080",
      status: "changed",
      risky: false,
    },
  ],
};

export function change(over: Partial<ChangeEntry> = {}): ChangeEntry {
  return {
    type: "added",
    src: { name: "0.0.0.0-255.255.255.255[External]", kind: "external" },
    dst: { name: "shop/api[Deployment]", kind: "workload", namespace: "shop" },
    before: "No Connections",
    after: "TCP 443",
    opened: "TCP 443",
    closed: "No Connections",
    risks: ["sensitive-namespace", "external-ingress"],
    location: { file: "policies/api.yaml", line: 12, column: 7, object: "NetworkPolicy shop/api-open" },
    fingerprint: "0123456789abcdef0123456789abcdef",
    ...over,
  };
}

export function guarantee(over: Partial<GuaranteeEntry> = {}): GuaranteeEntry {
  return {
    name: "api-sealed",
    statement: "guarantee api-sealed: deny from external to namespace shop",
    verdict: "fails",
    location: { file: "guarantees.ng", line: 1, column: 1 },
    counterexample: {
      src: "10.0.0.0",
      dst: "shop/api-0",
      connection: "TCP/443",
      allowed: true,
      text: ["10.0.0.0 → shop/api-0 on TCP/443 is allowed", `ingress: ${AWKWARD}`],
    },
    ...over,
  };
}

const identity = (f: string) => f;

export function report(over: Partial<ReportParts> = {}, failOn: FailOn = "error"): CheckReport {
  const diag = (
    code: DiagnosticCode,
    severity: "error" | "warning" | "info",
    line: number,
    message = AWKWARD,
  ) => ({
    code,
    severity,
    message,
    source: {
      file: "policies/api.yaml",
      line,
      column: 1,
      object: { kind: "NetworkPolicy", namespace: "shop", name: "api-open" },
    },
  });
  return buildReport({
    version: "0.1.0",
    failOn,
    inputs: {
      head: ["policies"],
      base: { kind: "git-ref", name: "origin/main" },
      guarantees: "guarantees.ng",
      sensitiveNamespaces: ["shop"],
    },
    diagnostics: [
      diag("NP5003", "warning", 3),
      diag("NP5009", "info", 4, "lints skipped"),
      diag("NP1008", "warning", 5),
    ],
    baseErrors: 0,
    guarantees: [guarantee(), guarantee({ name: "web-api", verdict: "holds", counterexample: undefined })],
    changes: [
      change(),
      change({
        type: "changed",
        risks: [],
        src: { name: "shop/web[Deployment]", kind: "workload", namespace: "shop" },
        before: "TCP 80",
        after: "TCP 80,8080",
        opened: "TCP 8080",
        fingerprint: "fedcba9876543210fedcba9876543210",
      }),
    ],
    defaultAllow: [],
    graph: GRAPH,
    display: identity,
    ...over,
  });
}
