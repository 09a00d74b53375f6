/**
 * The GitHub Action (action.yml) as a runner executes it: the `netpolc check` step's script, run by
 * bash with the runner's environment (GITHUB_* files, RUNNER_TEMP) in a shallow clone of a pull
 * request's merge commit — the base is found (HEAD^1, fetched since the clone is shallow), the
 * annotations go to stdout, the summary to GITHUB_STEP_SUMMARY, SARIF and JUnit to their files,
 * and the step's status is the check's.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../report/support/run-check.js";

interface Action {
  inputs: Record<string, { default?: string; required?: boolean }>;
  runs: { using: string; steps: { id?: string; run?: string; env?: Record<string, string> }[] };
}

const action = load(readFileSync(join(ROOT, "action.yml"), "utf8")) as Action;
const step = action.runs.steps.find((s) => s.id === "check")!;
const root = mkdtempSync(join(tmpdir(), "netpolc-action-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=ci", "-c", "user.email=ci@example.invalid", "-c", "init.defaultBranch=main", ...args],
    {
      cwd,
      encoding: "utf8",
    },
  );
}

/** A repository with the demo on main, a pull-request branch, and their merge commit checked out shallowly. */
function pullRequest(name: string, file: string, text: string): string {
  const origin = join(root, `${name}-origin`);
  mkdirSync(origin);
  cpSync(join(ROOT, "fixtures/demo"), join(origin, "k8s"), { recursive: true });
  cpSync(join(ROOT, "fixtures/check/pr-review/guarantees.ng"), join(origin, "guarantees.ng"));
  git(origin, "init", "-q");
  git(origin, "add", ".");
  git(origin, "commit", "-q", "-m", "base");
  git(origin, "checkout", "-q", "-b", "pr");
  writeFileSync(join(origin, file), text);
  git(origin, "add", ".");
  git(origin, "commit", "-q", "-m", "the change");
  git(origin, "checkout", "-q", "main");
  git(origin, "merge", "-q", "--no-ff", "-m", "merge pr", "pr");
  const clone = join(root, name);
  git(root, "clone", "-q", "--depth=1", `file://${origin}`, clone);
  return clone;
}

function runStep(cwd: string, inputs: Record<string, string>) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.env ?? {})) {
    const input = /^\$\{\{ inputs\.([a-z-]+) \}\}$/.exec(v)![1]!;
    env[k] = inputs[input] ?? action.inputs[input]!.default ?? "";
  }
  const temp = mkdtempSync(join(root, "runner-"));
  const files = { GITHUB_STEP_SUMMARY: join(temp, "summary"), GITHUB_OUTPUT: join(temp, "output") };
  for (const f of Object.values(files)) writeFileSync(f, "");
  const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      ...env,
      ...files,
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_EVENT_NAME: "pull_request",
      RUNNER_TEMP: temp,
    },
  });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, "utf8"),
    outputs: readFileSync(files.GITHUB_OUTPUT, "utf8"),
  };
}

describe("action.yml", () => {
  it("is a composite action whose inputs the check step uses", () => {
    expect(action.runs.using).toBe("composite");
    expect(action.inputs.paths!.required).toBe(true);
    expect(Object.keys(action.inputs).filter((k) => k !== "comment" && k !== "github-token")).toEqual(
      Object.values(step.env ?? {}).map((v) => /inputs\.([a-z-]+)/.exec(v)![1]),
    );
  });

  it("a pull request opening payments to the internet: annotations, summary, SARIF, JUnit, exit 1", () => {
    const payments = readFileSync(join(ROOT, "fixtures/check/pr-review/head/payments-internet.yaml"), "utf8");
    const clone = pullRequest("open", "k8s/policies/payments-open.yaml", payments);
    const r = runStep(clone, {
      paths: "k8s",
      guarantees: "guarantees.ng",
      "sensitive-namespaces": "payments, kube-system",
      "lint-budget": "0",
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "::error file=guarantees.ng,line=2,col=1,title=netpolc NP6001::guarantee payments-not-from-internet does not hold",
    );
    expect(r.stdout).toContain(
      "::warning file=k8s/policies/payments-open.yaml,line=14,col=7,title=netpolc NP6005::0.0.0.0-255.255.255.255[External] → payments/payments-api[Deployment]: opens TCP 8443 [into a sensitive namespace; from outside the cluster]",
    );
    expect(r.summary.split("\n")[0]).toBe("### ❌ netpolc check failed");
    expect(r.summary).toContain("base `HEAD^1`");
    expect(r.outputs).toContain("exit-code=1\n");
    expect(JSON.parse(readFileSync(join(clone, "netpolc.sarif"), "utf8")).version).toBe("2.1.0");
    expect(readFileSync(join(clone, "netpolc-junit.xml"), "utf8")).toContain(
      '<testsuite name="guarantees" tests="3" failures="1"',
    );
  });

  it("a harmless pull request: exit 0, and the html report when asked", () => {
    const admin = readFileSync(join(ROOT, "fixtures/check/pr-review/head/catalog-admin.yaml"), "utf8").split(
      "\n---\n",
    )[0]!;
    const clone = pullRequest("harmless", "k8s/policies/catalog-admin.yaml", admin);
    const r = runStep(clone, {
      paths: "k8s",
      guarantees: "guarantees.ng",
      "lint-budget": "0",
      "html-file": "report.html",
      "junit-file": "",
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("netpolc: check passed (--fail-on error)");
    expect(r.summary).toContain("### ✅ netpolc check passed");
    expect(r.outputs).toContain("exit-code=0\n");
    expect(readFileSync(join(clone, "report.html"), "utf8")).toContain("<svg");
    expect(existsSync(join(clone, "netpolc-junit.xml"))).toBe(false);
  });
});
