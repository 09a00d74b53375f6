/**
 * `netpolc check` end to end, run as CI runs it (the built dist/): the report of the pr-review case
 * in every format against its golden file (UPDATE_GOLDEN=1 rewrites them), exit codes per
 * `--fail-on`, and usage errors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GOLDEN_DIR, GOLDEN_FILES, PR_REVIEW, runCheck } from "../report/support/run-check.js";
import { expectGolden } from "./golden.js";

const work = mkdtempSync(join(tmpdir(), "netpolc-check-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const HOLDING = "fixtures/check/pr-review/guarantees.ng";

describe("netpolc check: the pr-review case in every format", () => {
  it("writes each format to its file, nothing to stdout, exit 1 (a guarantee fails)", async () => {
    const outputs = Object.entries(GOLDEN_FILES).flatMap(([format, file]) => [
      "-o",
      `${format}=${join(work, file)}`,
    ]);
    const r = await runCheck([...PR_REVIEW, ...outputs]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
    for (const file of Object.values(GOLDEN_FILES))
      expectGolden(join(GOLDEN_DIR, file), readFileSync(join(work, file), "utf8"));
  });

  it("text is the default, on stdout; --output-file sends the one format to a file", async () => {
    const r = await runCheck([...PR_REVIEW]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(readFileSync(join(GOLDEN_DIR, GOLDEN_FILES.text), "utf8"));
    const file = join(work, "out.md");
    const m = await runCheck([...PR_REVIEW, "-o", "markdown", "--output-file", file]);
    expect(m.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe(readFileSync(join(GOLDEN_DIR, GOLDEN_FILES.markdown), "utf8"));
  });
});

describe("netpolc check: guarantees in a worker thread", () => {
  it.each([
    ["forced on", "1"],
    ["off", "0"],
  ])("%s, the report is the same", async (_name, worker) => {
    const r = await runCheck([...PR_REVIEW], undefined, {
      NETPOLC_CHECK_WORKER: worker,
      NETPOLC_TIMINGS: "1",
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(readFileSync(join(GOLDEN_DIR, GOLDEN_FILES.text), "utf8"));
    expect(r.stderr.includes("timing: guarantees worker")).toBe(worker === "1");
  });
});

describe("netpolc check: exit codes", () => {
  const demo = ["fixtures/demo", "-g", HOLDING, "--lint-budget", "0"];
  const minimal = ["fixtures/check/minimal", "--lint-budget", "60000"];
  const changed = [
    "fixtures/check/minimal",
    "fixtures/check/minimal-change",
    "--base",
    "fixtures/check/minimal",
    "--lint-budget",
    "60000",
  ];
  it.each([
    [
      "clean: guarantees hold, lint warnings under --fail-on error",
      [...demo],
      0,
      "✓ check passed (--fail-on error)",
    ],
    [
      "--fail-on warning: the demo's lint warnings fail",
      [...demo, "--fail-on", "warning"],
      1,
      "✗ check failed: 2 warnings (--fail-on warning)",
    ],
    [
      "--fail-on connectivity-change, base = head: no change passes",
      [...minimal, "--base", "fixtures/check/minimal", "--fail-on", "connectivity-change"],
      0,
      "Connectivity: no change from fixtures/check/minimal",
    ],
    [
      "--fail-on connectivity-change: a harmless change fails",
      [...changed, "--fail-on", "connectivity-change"],
      1,
      "✗ check failed: 1 connectivity change (--fail-on connectivity-change)",
    ],
    [
      "--fail-on warning: the same change passes",
      [...changed, "--fail-on", "warning"],
      0,
      "~ shop/web[Deployment] → shop/api[Deployment]: TCP 8080 → TCP 8080,9090",
    ],
  ] as const)("%s", async (_name, args, code, text) => {
    const r = await runCheck(args);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(text);
    expect(r.code).toBe(code);
  });

  it("invalid input exits 2 and still reports what could be read", async () => {
    const bad = join(work, "bad.yaml");
    writeFileSync(bad, "apiVersion: v1\nkind: Namespace\nmetadata: [unclosed\n");
    const r = await runCheck(["fixtures/demo", bad, "--lint-budget", "0", "-o", "json"]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as {
      findings: { code: string; severity: string; location?: { file: string } }[];
    };
    expect(report.findings.find((f) => f.code === "NP1002")).toMatchObject({
      severity: "error",
      location: { file: bad },
    });
  });

  it.each([
    [
      "--base with --base-ref",
      ["fixtures/demo", "--base", "fixtures/demo", "--base-ref", "HEAD"],
      "--base and --base-ref exclude each other",
    ],
    ["an unknown format", ["fixtures/demo", "-o", "xml"], "-o xml: unknown format"],
    [
      "two formats on stdout",
      ["fixtures/demo", "-o", "json", "-o", "sarif"],
      "only one -o format can go to standard output",
    ],
    [
      "a missing base",
      ["fixtures/demo", "--base", "fixtures/no-such-dir"],
      "--base fixtures/no-such-dir: no such file or directory",
    ],
    [
      "a bad --lint-budget",
      ["fixtures/demo", "--lint-budget", "soon"],
      "--lint-budget must be a non-negative integer",
    ],
    ["a bad --fail-on", ["fixtures/demo", "--fail-on", "info"], "argument 'info' is invalid"],
    [
      "an output file that cannot be written",
      ["fixtures/check/minimal", "-o", "json=/nonexistent-dir/r.json"],
      "cannot write the json report to /nonexistent-dir/r.json",
    ],
  ] as const)("usage error exits 2: %s", async (_name, args, message) => {
    const r = await runCheck(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
  });
});
