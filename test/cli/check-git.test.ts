/**
 * `netpolc check --base-ref` on real temporary git repositories, and the check as a pull-request job
 * runs it on the README demo: a commit that opens the payments API to the internet fails (exit 1),
 * a harmless commit passes (exit 0). The base is read from the commit without touching the work
 * tree, the index or HEAD.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckReport } from "../../src/report/index.js";
import { ROOT, runCheck } from "../report/support/run-check.js";

const root = mkdtempSync(join(tmpdir(), "netpolc-git-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function git(repo: string, ...args: string[]): string {
  return execFileSync(
    "git",
    [
      "-c",
      "user.name=netpolc test",
      "-c",
      "user.email=test@example.invalid",
      "-c",
      "init.defaultBranch=main",
      ...args,
    ],
    {
      cwd: repo,
      encoding: "utf8",
    },
  );
}

/** A repository whose first commit is the README demo and the pull-request guarantees. */
function demoRepo(name: string): string {
  const repo = join(root, name);
  mkdirSync(repo);
  cpSync(join(ROOT, "fixtures/demo"), join(repo, "k8s"), { recursive: true });
  cpSync(join(ROOT, "fixtures/check/pr-review/guarantees.ng"), join(repo, "guarantees.ng"));
  git(repo, "init", "-q");
  git(repo, "add", ".");
  git(repo, "commit", "-q", "-m", "the demo shop");
  return repo;
}

function commitFile(repo: string, path: string, text: string, message: string): void {
  mkdirSync(join(repo, path, ".."), { recursive: true });
  writeFileSync(join(repo, path), text);
  git(repo, "add", path);
  git(repo, "commit", "-q", "-m", message);
}

const OPEN_PAYMENTS = readFileSync(
  join(ROOT, "fixtures/check/pr-review/head/payments-internet.yaml"),
  "utf8",
);
const CATALOG_ADMIN = readFileSync(
  join(ROOT, "fixtures/check/pr-review/head/catalog-admin.yaml"),
  "utf8",
).split("\n---\n")[0]!;

describe("netpolc check as a pull-request job on the README demo", () => {
  let repo: string;
  beforeAll(() => {
    repo = demoRepo("pr");
    // The team marks the payments namespace sensitive (the label reviewed like any other change).
    const namespaces = join(repo, "k8s/namespaces.yaml");
    const text = readFileSync(namespaces, "utf8").replace(
      '    pci-scope: "true"\n',
      '    pci-scope: "true"\n    netpolc.io/sensitive: "true"\n',
    );
    commitFile(repo, "k8s/namespaces.yaml", text, "payments is sensitive");
  });
  // What the GitHub Action runs (action.yml): annotations on stdout, a summary and SARIF in files.
  const job = (dir: string) => [
    "k8s",
    "--base-ref",
    "main",
    "-g",
    "guarantees.ng",
    "-o",
    "github",
    "-o",
    `markdown=${join(dir, "summary.md")}`,
    "-o",
    `sarif=${join(dir, "netpolc.sarif")}`,
  ];

  it("a commit that opens payments to the internet fails with exit 1", async () => {
    git(repo, "checkout", "-q", "-b", "open-payments", "main");
    commitFile(repo, "k8s/policies/payments-open.yaml", OPEN_PAYMENTS, "let the world pay");
    const out = join(root, "out-open");
    mkdirSync(out);
    const r = await runCheck(job(out), repo);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^::error file=guarantees.ng,line=2,col=1,title=netpolc NP6001::guarantee payments-not-from-internet does not hold: \d+\.\d+\.\d+\.\d+ → payments\/payments-api-\d \(payments\/payments-api\[Deployment\]\) on TCP\/8443 is allowed/,
    );
    expect(lines).toContain(
      "::warning file=k8s/policies/payments-open.yaml,line=14,col=7,title=netpolc NP6005::0.0.0.0-255.255.255.255[External] → payments/payments-api[Deployment]: opens TCP 8443 [into a sensitive namespace; from outside the cluster]",
    );
    expect(lines.at(-1)).toBe("netpolc: check failed: 1 guarantee fails (--fail-on error)");
    const summary = readFileSync(join(out, "summary.md"), "utf8");
    expect(summary.split("\n")[0]).toBe("### ❌ netpolc check failed");
    expect(summary).toContain(
      "| + | `0.0.0.0-255.255.255.255[External]` | `payments/payments-api[Deployment]` | — | TCP 8443 | ⚠️ into a sensitive namespace; from outside the cluster |",
    );
    const sarif = JSON.parse(readFileSync(join(out, "netpolc.sarif"), "utf8"));
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toContain("NP6001");
  });

  it("a harmless commit passes with exit 0", async () => {
    git(repo, "checkout", "-q", "-b", "catalog-admin", "main");
    commitFile(
      repo,
      "k8s/policies/catalog-admin.yaml",
      CATALOG_ADMIN,
      "the API reaches the catalog's admin port",
    );
    const out = join(root, "out-harmless");
    mkdirSync(out);
    const r = await runCheck(job(out), repo);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("netpolc: check passed (--fail-on error)");
    const summary = readFileSync(join(out, "summary.md"), "utf8");
    expect(summary.split("\n")[0]).toBe("### ✅ netpolc check passed");
    expect(summary).toContain(
      "| ~ | `backend/api[Deployment]` | `backend/catalog[Deployment]` | TCP 8080 | TCP 8080,9000 |  | `k8s/policies/catalog-admin.yaml:14:7` |",
    );
  });
});

describe("--base-ref on a repository with two commits", () => {
  let repo: string;
  beforeAll(() => {
    repo = demoRepo("two");
    // The second commit edits a file (web now serves 8443 too) and adds another.
    const frontend = join(repo, "k8s/policies/frontend.yaml");
    writeFileSync(
      frontend,
      readFileSync(frontend, "utf8").replace(
        "        - port: http\n",
        "        - port: http\n        - protocol: TCP\n          port: 8443\n",
      ),
    );
    commitFile(repo, "k8s/policies/catalog-admin.yaml", CATALOG_ADMIN, "second");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "--amend", "--no-edit");
  });

  const json = async (args: string[], cwd: string) => {
    const r = await runCheck([...args, "-o", "json", "--lint-budget", "0"], cwd);
    expect(r.stderr).toBe("");
    return { code: r.code, report: JSON.parse(r.stdout) as CheckReport };
  };
  const changes = (r: CheckReport) =>
    r.changes!.map((c) => `${c.type} ${c.src.name} → ${c.dst.name}: ${c.before} → ${c.after}`);

  it("diffs the work tree against the commit, and leaves the work tree, index and HEAD alone", async () => {
    // An uncommitted edit too: the head is the work tree as it is.
    writeFileSync(
      join(repo, "k8s/scratch.yaml"),
      CATALOG_ADMIN.replace("catalog-allow-admin-from-api", "scratch").replace("9000", "9001"),
    );
    const status = git(repo, "status", "--porcelain");
    const head = git(repo, "rev-parse", "HEAD");
    const temps = readdirSync(tmpdir()).filter((f) => f.startsWith("netpolc-base-")).length;
    try {
      const { code, report } = await json(["k8s", "--base-ref", "HEAD~1"], repo);
      expect(code).toBe(0);
      expect(report.inputs.base).toEqual({ kind: "git-ref", name: "HEAD~1" });
      expect(changes(report)).toEqual([
        "changed 0.0.0.0-255.255.255.255[External] → frontend/web[Deployment]: TCP 8080 → TCP 8080,8443",
        "changed backend/api[Deployment] → backend/catalog[Deployment]: TCP 8080 → TCP 8080,9000-9001",
        "changed kube-system/coredns[Deployment] → frontend/web[Deployment]: TCP 8080 → TCP 8080,8443",
      ]);
      // Located in the work tree's files, at the edited and the new rule.
      expect(report.changes!.map((c) => `${c.location?.file}:${c.location?.line}`)).toEqual([
        "k8s/policies/frontend.yaml:16",
        "k8s/policies/catalog-admin.yaml:14",
        "k8s/policies/frontend.yaml:16",
      ]);
      expect(git(repo, "status", "--porcelain")).toBe(status);
      expect(git(repo, "rev-parse", "HEAD")).toBe(head);
      expect(readdirSync(tmpdir()).filter((f) => f.startsWith("netpolc-base-")).length).toBe(temps);
    } finally {
      rmSync(join(repo, "k8s/scratch.yaml"));
    }
  });

  it("the same commit as base: no change", async () => {
    const { code, report } = await json(["k8s", "--base-ref", "HEAD"], repo);
    expect(code).toBe(0);
    expect(report.changes).toEqual([]);
  });

  it("from a subdirectory, PATHs are relative to it", async () => {
    const { report } = await json([".", "--base-ref", "HEAD~1"], join(repo, "k8s"));
    expect(changes(report)).toContain(
      "changed backend/api[Deployment] → backend/catalog[Deployment]: TCP 8080 → TCP 8080,9000",
    );
    expect(report.changes![0]!.location?.file).toBe("policies/frontend.yaml");
  });

  it("a PATH the commit does not have: everything in it is added", async () => {
    mkdirSync(join(repo, "extra"));
    try {
      cpSync(
        join(ROOT, "fixtures/check/pr-review/head/experiments.yaml"),
        join(repo, "extra/experiments.yaml"),
      );
      const { report } = await json(["k8s", "extra", "--base-ref", "HEAD"], repo);
      expect(report.changes!.length).toBeGreaterThan(0);
      expect(
        report.changes!.every(
          (c) => c.type === "added" && c.peerChange?.peer === "experiments/canary[Deployment]",
        ),
      ).toBe(true);
    } finally {
      rmSync(join(repo, "extra"), { recursive: true });
    }
  });

  it.each([
    ["an unknown ref", ["k8s", "--base-ref", "no-such-branch"], "--base-ref no-such-branch: no such commit"],
    ["a PATH outside the repository", [ROOT, "--base-ref", "HEAD"], "is outside the git repository"],
    ["standard input", ["-", "--base-ref", "HEAD"], "--base-ref cannot be used with standard input"],
  ] as const)("usage error exits 2: %s", async (_name, args, message) => {
    const r = await runCheck(args, repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("outside any git repository: exit 2", async () => {
    const plain = join(root, "plain");
    mkdirSync(plain);
    cpSync(join(ROOT, "fixtures/check/minimal"), join(plain, "k8s"), { recursive: true });
    const r = await runCheck(["k8s", "--base-ref", "HEAD"], plain);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not a git repository");
  });
});
