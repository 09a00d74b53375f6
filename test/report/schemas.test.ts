/**
 * The machine-readable formats against their schemas: SARIF against the SARIF 2.1.0 JSON schema, the
 * JUnit XML against Jenkins' JUnit schema (libxml2's validator, compiled to wasm), the JSON report
 * against its own schema. Both the golden files of the pr-review case and a hand-made report full of
 * awkward characters.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { Log } from "sarif";
import { describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import { RULES, renderJson, renderJunit, renderSarif } from "../../src/report/index.js";
import { GOLDEN_DIR, GOLDEN_FILES, ROOT } from "./support/run-check.js";
import { report } from "./support/sample.js";

const here = import.meta.dirname;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const sarifSchema = ajv.compile(JSON.parse(readFileSync(join(here, "schemas", "sarif-2.1.0.json"), "utf8")));
const reportSchema = ajv.compile(
  JSON.parse(readFileSync(join(ROOT, "src", "report", "schemas", "check-report.schema.json"), "utf8")),
);
const junitXsd = readFileSync(join(here, "schemas", "junit-4.xsd"), "utf8");

const golden = (k: keyof typeof GOLDEN_FILES) => readFileSync(join(GOLDEN_DIR, GOLDEN_FILES[k]), "utf8");

async function junitErrors(xml: string): Promise<string[]> {
  const r = await validateXML({
    xml: [{ fileName: "report.xml", contents: xml }],
    schema: [{ fileName: "junit-4.xsd", contents: junitXsd }],
  });
  return r.errors.map((e) => e.rawMessage);
}

describe("SARIF 2.1.0", () => {
  it.each([
    ["the pr-review golden", () => golden("sarif")],
    ["a report with awkward strings", () => renderSarif(report())],
  ])("%s validates against the vendored schema", (_name, text) => {
    const log = JSON.parse(text());
    expect(sarifSchema(log), JSON.stringify(sarifSchema.errors, null, 2)).toBe(true);
  });

  it("the validator rejects what the schema forbids (control)", () => {
    const log = JSON.parse(golden("sarif"));
    log.version = "2.0.0";
    log.runs[0].results[0].level = "fatal";
    expect(sarifSchema(log)).toBe(false);
  });

  it("one rule per code; results point at their rule, at a file:line of the input, with unique fingerprints", () => {
    const log = JSON.parse(golden("sarif")) as Log;
    const run = log.runs[0]!;
    const rules = run.tool.driver.rules!;
    expect(rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    const results = run.results!;
    expect(results.length).toBeGreaterThan(10);
    for (const r of results) {
      expect(rules[r.ruleIndex!]!.id).toBe(r.ruleId);
      const loc = r.locations?.[0]?.physicalLocation;
      if (r.ruleId === "NP5009") continue; // a summary of skipped lints has no place
      expect(loc?.artifactLocation?.uri).toMatch(/^fixtures\/(demo|check)\//);
      expect(
        readFileSync(join(ROOT, loc!.artifactLocation!.uri!), "utf8").split("\n").length,
      ).toBeGreaterThanOrEqual(loc!.region!.startLine!);
    }
    const prints = results.map((r) => r.partialFingerprints!["netpolc/v1"]);
    expect(new Set(prints).size).toBe(prints.length);
    // The guarantee that fails, at its line in the guarantees file.
    expect(results.find((r) => r.ruleId === "NP6001")).toMatchObject({
      level: "error",
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: "fixtures/check/pr-review/guarantees.ng" },
            region: { startLine: 2 },
          },
        },
      ],
    });
    // The risky change, at the rule that opens it.
    expect(results.find((r) => r.ruleId === "NP6005")).toMatchObject({
      level: "warning",
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: "fixtures/check/pr-review/head/payments-internet.yaml" },
            region: { startLine: 14 },
          },
        },
      ],
    });
  });
});

describe("JUnit XML", () => {
  it.each([
    ["the pr-review golden", () => golden("junit")],
    ["a report with awkward strings", () => renderJunit(report())],
    ["a report at --fail-on connectivity-change", () => renderJunit(report({}, "connectivity-change"))],
  ])("%s validates against junit-4.xsd", async (_name, xml) => {
    expect(await junitErrors(xml())).toEqual([]);
  });

  it("the validator rejects what the schema forbids (control)", async () => {
    expect(
      await junitErrors(golden("junit").replace('<testcase name="web-reaches-api"', "<testcase")),
    ).not.toEqual([]);
  });

  it("one test case per guarantee and per lint code", () => {
    const xml = golden("junit");
    const cases = (suite: string) => {
      const body = xml.slice(
        xml.indexOf(`<testsuite name="${suite}"`),
        xml.indexOf("</testsuite>", xml.indexOf(`<testsuite name="${suite}"`)),
      );
      return [...body.matchAll(/<testcase name="([^"]*)"/g)].map((m) => m[1]);
    };
    expect(cases("guarantees")).toEqual([
      "payments-not-from-internet",
      "web-reaches-api",
      "db-not-internet-facing",
    ]);
    expect(cases("lints").map((n) => n!.slice(0, 6))).toEqual(
      RULES.filter((r) => r.category === "lint").map((r) => r.id),
    );
  });
});

describe("JSON report", () => {
  it.each([
    ["the pr-review golden", () => golden("json")],
    ["a report with awkward strings", () => renderJson(report())],
  ])("%s validates against schemas/check-report.schema.json", (_name, text) => {
    expect(reportSchema(JSON.parse(text())), JSON.stringify(reportSchema.errors, null, 2)).toBe(true);
  });
});
