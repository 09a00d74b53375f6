/** Runs the built CLI (dist/) in any directory, as a CI job would: `netpolc check …`. */
import { spawn } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..", "..");
export const BIN = join(ROOT, "dist", "src", "cli", "main.js");

export interface CheckRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCheck(
  args: readonly string[],
  cwd = ROOT,
  env: NodeJS.ProcessEnv = {},
): Promise<CheckRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "check", ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", ...env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    child.stdin.end();
  });
}

/** The pr-review fixture case (fixtures/check/pr-review/README.md), paths relative to the root. */
export const PR_REVIEW = [
  "fixtures/demo",
  "fixtures/check/pr-review/head",
  "--base",
  "fixtures/demo",
  "--base",
  "fixtures/check/pr-review/base",
  "-g",
  "fixtures/check/pr-review/guarantees.ng",
  "--sensitive-namespace",
  "payments",
  "--lint-budget",
  "0",
] as const;

export const GOLDEN_FILES = {
  text: "report.txt",
  json: "report.json",
  sarif: "report.sarif",
  junit: "report.junit.xml",
  github: "report.github.txt",
  markdown: "report.md",
  html: "report.html",
} as const;

export const GOLDEN_DIR = join(ROOT, "fixtures", "check", "pr-review", "golden");
