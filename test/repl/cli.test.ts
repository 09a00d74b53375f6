/**
 * `netpolc repl` without a terminal, as CI runs it: `-e`, queries on standard input, `--json`, the
 * exit code of the last answer, colours only on a terminal, `--kubeconfig` refused.
 */
import { describe, expect, it } from "vitest";
import { run } from "../cli/run.js";

describe("netpolc repl, non-interactive", () => {
  it("-e answers each query; the exit code is the last answer's", async () => {
    const yes = await run(["repl", "fixtures/demo", "-e", "can frontend/web reach backend/api on tcp/8080?"]);
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(
      /^yes: frontend\/web\[Deployment\] => backend\/api\[Deployment\] on TCP\/8080\n/,
    );
    const no = await run([
      "repl",
      "fixtures/demo",
      "-e",
      "can frontend/web reach backend/api on tcp/8080",
      "-e",
      "can frontend/smoke-test reach backend/api",
    ]);
    expect(no.code).toBe(1);
    expect(no.stdout).toContain("\nno: frontend/smoke-test[Pod] => backend/api[Deployment]\n");
    const bad = await run(["repl", "fixtures/demo", "-e", "can frontend/wbe reach backend/api"]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain("hint: did you mean frontend/web?");
  });

  it("reads queries from standard input, one answer per query, multi-line and comments allowed", async () => {
    const input = [
      "# a comment",
      "who can reach backend/db",
      "",
      "check egress of workload payments/psp-connector within {",
      "  pods(k8s-app=kube-dns) in namespace kube-system on udp/53, tcp/53,",
      "  external on tcp/443",
      "}",
      "can frontend/web reach backend/api",
    ].join("\n");
    const r = await run(["repl", "fixtures/demo"], input);
    // z3's thread pool may report a worker it terminated at exit (src/solver's shutdownZ3): not ours.
    expect(r.stderr.replace(/^received "cleanupThread" command from terminated worker: \d+\n/gm, "")).toBe(
      "",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("5 peers can reach backend/db[StatefulSet]");
    expect(r.stdout).toContain("✓ query: holds");
    expect(
      r.stdout
        .trimEnd()
        .split("\n")
        .some((l) => l.startsWith("yes: frontend/web")),
    ).toBe(true);
  });

  it("--json: one object per line, with the verdict", async () => {
    const r = await run(
      ["repl", "fixtures/demo", "--json"],
      "can frontend/web reach backend/api on tcp/8080\nwhat if label pod backend/debug-shell tier=backend\nnope\n",
    );
    expect(r.code).toBe(2);
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.verdict)).toEqual(["yes", "no", "error"]);
    expect(lines[0]).toMatchObject({
      src: "frontend/web[Deployment]",
      dst: "backend/api[Deployment]",
      conn: "TCP 8080",
    });
    expect(lines[1].diff).toEqual([
      {
        "diff-type": "added",
        src: "backend/debug-shell[Pod]",
        dst: "backend/cache[Deployment]",
        ref1: "No Connections",
        ref2: "TCP 6379",
      },
    ]);
    expect(lines[2].error).toMatchObject({ code: "NP9001", message: "unknown command `nope`" });
    expect(lines[2].span).toEqual({ start: 0, end: 4 });
  });

  it("writes no colour codes when the output is no terminal, NO_COLOR or not", async () => {
    const r = await run(["repl", "fixtures/demo", "-e", "can frontend/wbe reach backend/api"]);
    expect(r.stdout).not.toContain("\u001b[");
  });

  it("refuses --kubeconfig clearly", async () => {
    const r = await run(["repl", "fixtures/demo", "--kubeconfig", "/dev/null", "-e", "list"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--kubeconfig is not supported in this build");
  });

  it("reports unreadable input and still answers on what could be read", async () => {
    const r = await run([
      "repl",
      "fixtures/demo",
      "fixtures/nope",
      "-e",
      "can frontend/web reach backend/api",
    ]);
    expect(r.stderr).toContain("NP1001");
    expect(r.stdout).toMatch(/^yes:/);
    expect(r.code).toBe(2);
  });
});
