/**
 * `netpolc verify` end to end, run as a user runs it (the built dist/): exit codes (0 every
 * guarantee holds, 1 one fails, 2 invalid input), the JSON report's shape, and the text report of
 * one fixture case as a golden file (UPDATE_GOLDEN=1 rewrites it).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCase } from "../solver/support/fixtures.js";
import { expectGolden } from "./golden.js";
import { ROOT, run } from "./run.js";

const GOLDEN = join(ROOT, "fixtures/guarantees-golden");
const work = mkdtempSync(join(tmpdir(), "netpolc-verify-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fixture case's command-line arguments, with paths relative to the repository root. */
function argsOf(name: string): { manifests: string[]; guarantees: string; options: string[] } {
  const c = readCase(name);
  const options = c.options.ipBlockPods ? ["--ipblock-pods", c.options.ipBlockPods] : [];
  return {
    manifests: c.manifests.map((p) => relative(ROOT, p)),
    guarantees: relative(ROOT, c.guaranteesFile),
    options,
  };
}

function guaranteesFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe("netpolc verify", () => {
  it("exits 0 when every guarantee holds", async () => {
    const g = guaranteesFile(
      "holds.ng",
      [
        "guarantee sealed: isolated both for namespace backend",
        "guarantee web-api: allow from workload frontend/web to workload backend/api on tcp/8080",
        "",
      ].join("\n"),
    );
    const r = await run(["verify", "fixtures/demo", "-g", g]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("✓ sealed: holds\n✓ web-api: holds\n");
    expect(r.code).toBe(0);
  });

  it("exits 1 when a guarantee fails, and prints the counterexample (golden)", async () => {
    const a = argsOf("hijack");
    const r = await run(["verify", ...a.manifests, "-g", a.guarantees]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${a.guarantees}:6:1`);
    expectGolden(join(GOLDEN, "hijack.txt"), r.stdout);
  });

  it("-o json: summary, one entry per guarantee with its counterexample, diagnostics, timings", async () => {
    const c = readCase("hijack");
    const a = argsOf("hijack");
    const r = await run(["verify", ...a.manifests, "-g", a.guarantees, "-o", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      summary: Record<string, number>;
      guarantees: {
        name: string;
        verdict: string;
        statement: string;
        source: string;
        ms: number;
        counterexample?: {
          src: { kind: string; namespace?: string; labels?: Record<string, string>; newNamespace?: boolean };
          dst?: { kind: string; namespace?: string; workload?: string };
          connection?: string;
          allowed?: boolean;
          explanation?: { allowed: string; egress: unknown; ingress: unknown };
        };
      }[];
      diagnostics: unknown[];
      timings: { z3StartupMs: number; encodeMs: number };
    };
    expect(Object.keys(report)).toEqual(["summary", "guarantees", "diagnostics", "timings"]);
    const verdicts = Object.values(c.expected).map((e) => e.verdict);
    expect(report.summary).toEqual({
      holds: verdicts.filter((v) => v === "holds").length,
      fails: verdicts.filter((v) => v === "fails").length,
      unknown: 0,
    });
    expect(Object.fromEntries(report.guarantees.map((g) => [g.name, g.verdict]))).toEqual(
      Object.fromEntries(Object.entries(c.expected).map(([k, v]) => [k, v.verdict])),
    );
    for (const g of report.guarantees) {
      expect(g.statement).toMatch(new RegExp(`^guarantee ${g.name}: `));
      expect(g.source).toMatch(/^fixtures\/guarantees\/hijack\/guarantees\.ng:\d+:1$/);
      expect(g.ms).toBeGreaterThanOrEqual(0);
      expect(g.counterexample !== undefined).toBe(g.verdict === "fails");
    }
    const hijack = report.guarantees.find((g) => g.name === "only-web-reaches-api")!.counterexample!;
    expect(hijack.src).toMatchObject({
      kind: "hypothetical-pod",
      namespace: "frontend",
      labels: { app: "frontend" },
      newNamespace: false,
    });
    expect(hijack.dst).toMatchObject({
      kind: "pod",
      namespace: "backend",
      workload: "backend/api[Deployment]",
    });
    expect(hijack).toMatchObject({ connection: "TCP 8080", allowed: true });
    expect(hijack.explanation).toMatchObject({ allowed: "TCP 8080" });
    const denied = report.guarantees.find((g) => g.name === "web-reaches-api-everywhere")!.counterexample!;
    expect(denied).toMatchObject({ connection: "TCP 8081", allowed: false, src: { kind: "pod" } });
    expect(report.diagnostics).toEqual([]);
    expect(report.timings.z3StartupMs).toBeGreaterThanOrEqual(0);
    expect(report.timings.encodeMs).toBeGreaterThanOrEqual(0);
  });

  it("passes --ipblock-pods to the model", async () => {
    const a = argsOf("ipblock-exclude");
    expect(a.options).toEqual(["--ipblock-pods", "exclude"]);
    const include = await run(["verify", ...a.manifests, "-g", a.guarantees, "-o", "json"]);
    const exclude = await run(["verify", ...a.manifests, "-g", a.guarantees, "-o", "json", ...a.options]);
    const verdict = (out: string, name: string) =>
      (JSON.parse(out) as { guarantees: { name: string; verdict: string }[] }).guarantees.find(
        (g) => g.name === name,
      )?.verdict;
    expect(verdict(include.stdout, "web-to-db")).toBe("holds");
    expect(verdict(exclude.stdout, "web-to-db")).toBe("fails");
    expect(verdict(include.stdout, "only-web-to-db")).toBe("fails");
    expect(verdict(exclude.stdout, "only-web-to-db")).toBe("holds");
  });

  it("exits 2 when the guarantees file cannot be read", async () => {
    const r = await run(["verify", "fixtures/demo", "-g", join(work, "missing.ng")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("NP1001");
    expect(r.stderr).toContain("missing.ng");
    expect(r.stdout).toBe("");
  });

  it("exits 2 on an invalid --timeout", async () => {
    const g = guaranteesFile("one.ng", "guarantee sealed: isolated both for namespace backend\n");
    const r = await run(["verify", "fixtures/demo", "-g", g, "--timeout", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("NP9001");
    expect(r.stdout).toBe("");
  });

  it("exits 2 on invalid manifests, still verifying the guarantees", async () => {
    const bad = join(work, "bad.yaml");
    writeFileSync(bad, "apiVersion: v1\nkind: Namespace\nmetadata: {name: [oops]\n");
    const g = guaranteesFile("any.ng", "guarantee open: isolated ingress for pods\n");
    const r = await run(["verify", bad, "-g", g]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+/);
    expect(r.stdout).toContain("open:");
  });

  it("requires -g", async () => {
    const r = await run(["verify", "fixtures/demo"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("--guarantees");
  });
});
