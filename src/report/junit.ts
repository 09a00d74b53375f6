/**
 * `-o junit`: JUnit XML (the Jenkins / Ant dialect that CI systems read). Suites: `input` (the
 * manifests and the guarantees file are valid), `guarantees` (one test case per guarantee: a
 * failure when it fails, an error when undecided), `lints` (one test case per lint code), and with a
 * base `connectivity` (one test case per risk, plus one for the other changes). A test case fails
 * only on findings at or above `--fail-on`, so the XML agrees with the exit code; the others are
 * listed in its system-out. No timings: the output is reproducible.
 */
import { CHECK_CODES, RISK_CODES, RULES } from "./rules.js";
import type { CheckReport, Finding, GuaranteeEntry } from "./types.js";
import { locationText } from "./words.js";
import { xmlAttr, xmlText } from "./xml.js";

interface TestCase {
  readonly name: string;
  readonly classname: string;
  readonly failures: readonly { message: string; type: string; text: string }[];
  readonly errors: readonly { message: string; type: string; text: string }[];
  readonly out: readonly string[];
}

function findingText(f: Finding): string {
  return `${f.location ? `${locationText(f.location)}: ` : ""}${f.severity} ${f.code}: ${f.message}${f.hint ? `\nhint: ${f.hint}` : ""}`;
}

function fromFindings(name: string, classname: string, findings: readonly Finding[]): TestCase {
  return {
    name,
    classname,
    failures: findings
      .filter((f) => f.failing)
      .map((f) => ({ message: f.message, type: f.code, text: findingText(f) })),
    errors: [],
    out: findings.filter((f) => !f.failing).map(findingText),
  };
}

function guaranteeCase(g: GuaranteeEntry): TestCase {
  const text = [
    g.statement,
    locationText(g.location),
    ...(g.counterexample ? ["counterexample:", ...g.counterexample.text] : []),
  ].join("\n");
  const entry = {
    message: `${g.name}: ${g.verdict}`,
    type: g.verdict === "fails" ? "NP6001" : "NP4025",
    text,
  };
  return {
    name: g.name,
    classname: "netpolc.guarantees",
    failures: g.verdict === "fails" ? [entry] : [],
    errors:
      g.verdict === "unknown"
        ? [{ ...entry, message: `${g.name}: undecided (${g.reason ?? "unknown"})` }]
        : [],
    out: [],
  };
}

function caseXml(c: TestCase): string {
  const inner = [
    ...c.errors.map(
      (e) =>
        `      <error message="${xmlAttr(e.message)}" type="${xmlAttr(e.type)}">${xmlText(e.text)}</error>`,
    ),
    ...c.failures.map(
      (e) =>
        `      <failure message="${xmlAttr(e.message)}" type="${xmlAttr(e.type)}">${xmlText(e.text)}</failure>`,
    ),
    ...(c.out.length > 0 ? [`      <system-out>${xmlText(c.out.join("\n"))}</system-out>`] : []),
  ];
  const open = `    <testcase name="${xmlAttr(c.name)}" classname="${xmlAttr(c.classname)}"`;
  return inner.length === 0 ? `${open}/>` : [`${open}>`, ...inner, "    </testcase>"].join("\n");
}

function suiteXml(
  name: string,
  cases: readonly TestCase[],
): { xml: string; tests: number; failures: number; errors: number } {
  const failures = cases.filter((c) => c.failures.length > 0).length;
  const errors = cases.filter((c) => c.errors.length > 0).length;
  const xml = [
    `  <testsuite name="${xmlAttr(name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0">`,
    ...cases.map(caseXml),
    "  </testsuite>",
  ].join("\n");
  return { xml, tests: cases.length, failures, errors };
}

export function renderJunit(r: CheckReport): string {
  const diagnostics = r.findings.filter((f) => f.origin === "diagnostic");
  const suites: { name: string; cases: TestCase[] }[] = [];
  // 1. Inputs.
  const input = [
    fromFindings(
      "manifests are valid",
      "netpolc.input",
      diagnostics.filter((f) => f.category === "input"),
    ),
  ];
  if (r.inputs.guarantees !== undefined)
    input.push(
      fromFindings(
        "guarantees file is valid",
        "netpolc.input",
        diagnostics.filter((f) => f.category === "guarantee"),
      ),
    );
  suites.push({ name: "input", cases: input });
  // 2. Guarantees, one case each.
  if (r.inputs.guarantees !== undefined)
    suites.push({ name: "guarantees", cases: r.guarantees.map(guaranteeCase) });
  // 3. Lints, one case per code.
  const lints = RULES.filter((rule) => rule.category === "lint").map((rule) =>
    fromFindings(
      `${rule.id} ${rule.description}`,
      "netpolc.lints",
      diagnostics.filter((f) => f.code === rule.id),
    ),
  );
  suites.push({ name: "lints", cases: lints });
  // 4. Connectivity, one case per risk, then the other changes and the base's errors.
  if (r.changes) {
    const others = r.findings.filter(
      (f) => f.origin === "change" || f.origin === "workload" || f.origin === "base",
    );
    const codes = [
      ...new Set([...Object.values(RISK_CODES), "NP6007", "NP6008"]),
    ] as (keyof typeof CHECK_CODES)[];
    suites.push({
      name: "connectivity",
      cases: codes.map((code) =>
        fromFindings(
          `${code} ${CHECK_CODES[code]}`,
          "netpolc.connectivity",
          others.filter((f) => f.code === code),
        ),
      ),
    });
  }
  const rendered = suites.map((s) => suiteXml(s.name, s.cases));
  const sum = (k: "tests" | "failures" | "errors") => rendered.reduce((n, s) => n + s[k], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="netpolc check" tests="${sum("tests")}" failures="${sum("failures")}" errors="${sum("errors")}">`,
    ...rendered.map((s) => s.xml),
    "</testsuites>",
    "",
  ].join("\n");
}
