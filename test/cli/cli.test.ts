/**
 * The command line end to end, run as a user runs it (the built dist/), on the README demo.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "../../bench/generate.js";
import { analyze, buildCluster, listConnections } from "../../src/model/index.js";
import { parseText } from "../../src/parser/index.js";
import { expectGolden } from "./golden.js";
import { ROOT, run } from "./run.js";

const DEMO = "fixtures/demo";
const GOLDEN = join(ROOT, "fixtures/demo-golden");
const work = mkdtempSync(join(tmpdir(), "netpolc-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("netpolc list", () => {
  for (const format of ["connlist", "json", "csv", "md", "dot"]) {
    it(`-o ${format} on the demo matches its golden file`, async () => {
      const r = await run(["list", DEMO, "-o", format]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expectGolden(join(GOLDEN, `list.${format}.golden`), r.stdout);
    });
  }

  it("gives the connectivity the demo's README describes", async () => {
    const readme = readFileSync(join(ROOT, DEMO, "README.md"), "utf8");
    const block = /## Expected connections[\s\S]*?```\n([\s\S]*?)```/.exec(readme)![1]!.trim().split("\n");
    const apps = ["frontend", "backend", "payments", "monitoring"];
    const r = await run(["list", DEMO]);
    const lines = r.stdout.trim().split("\n");
    const dns = lines.filter((l) => l.endsWith("=> kube-system/coredns[Deployment] : TCP 53,UDP 53"));
    expect(dns).toHaveLength(14);
    expect(dns.every((l) => apps.some((ns) => l.startsWith(`${ns}/`)))).toBe(true);
    expect(lines.filter((l) => !dns.includes(l)).sort()).toEqual([...block].sort());
  });

  it("--granularity pod lists every replica", async () => {
    const r = await run(["list", DEMO, "--granularity", "pod"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("frontend/web-2[Pod] => backend/api-1[Pod] : TCP 8080");
    expect(r.stdout).not.toMatch(/web-0\[Pod\] => frontend\/web-0\[Pod\]/);
  });

  it("--focus restricts to one workload and direction", async () => {
    const r = await run(["list", DEMO, "--focus", "payments/payments-api", "--focus-direction", "ingress"]);
    expect(r.stdout.trim().split("\n")).toEqual([
      "backend/checkout[Deployment] => payments/payments-api[Deployment] : TCP 8443",
    ]);
  });

  it("reads standard input", async () => {
    const text = readFileSync(join(ROOT, DEMO, "payments.yaml"), "utf8");
    const r = await run(["list", "-"], text);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "payments/payments-api[Deployment] => payments/psp-connector[Deployment] : All Connections",
    );
  });

  it("writes every line of a large listing into a pipe", async () => {
    const input = join(work, "large.yaml");
    const g = generate({ namespaces: 10, workloads: 300, replicas: 2, policies: 200, services: 0, seed: 7 });
    writeFileSync(input, g.text);
    const parsed = parseText(g.text, input);
    const expected = listConnections(analyze(buildCluster(parsed.objects).cluster)).length;
    const r = await run(["list", input]);
    expect(r.code).toBe(0);
    expect(expected).toBeGreaterThan(5_000);
    expect(r.stdout.endsWith("\n")).toBe(true);
    expect(r.stdout.trim().split("\n")).toHaveLength(expected);
  });

  it("stops quietly when the reader closes the pipe early (| head)", async () => {
    const { spawn } = await import("node:child_process");
    const { BIN } = await import("./run.js");
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, "list", "test/conformance/netpol-analyzer/cases/ipblockstest_4"], { cwd: ROOT });
      let stderr = "";
      child.stderr.on("data", (b: Buffer) => {
        stderr += b.toString();
      });
      child.stdout.once("data", () => child.stdout.destroy());
      child.on("close", (code) => resolve({ code, stderr }));
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("reports bad input with positions, analyses the rest, and exits 2", async () => {
    const input = join(work, "bad.yaml");
    writeFileSync(
      input,
      [
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\nspec: {containers: [{name: c}]}",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: broken, namespace: x}\nspec:\n  podSelector:\n    matchExpressions: [{key: app, operator: Equals, values: [a]}]",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x}\nspec: {containers: [{name: c}]}",
      ].join("\n---\n"),
    );
    const r = await run(["list", input]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:11:35: error NP2005: .*Equals/);
    expect(r.stderr).toContain("NetworkPolicy x/broken");
    expect(r.stdout).toContain("x/a[Pod] => x/b[Pod] : All Connections");
  });

  it("rejects unknown options with exit 2", async () => {
    const r = await run(["list", DEMO, "-o", "yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/yaml/);
  });
});

describe("netpolc eval", () => {
  it("allowed: exit 0, with the connection set", async () => {
    const r = await run([
      "eval",
      DEMO,
      "--from",
      "backend/checkout",
      "--to",
      "payments/payments-api",
      "--port",
      "8443",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^allowed TCP\/8443: backend\/checkout\[Deployment\] => payments\/payments-api\[Deployment\]/,
    );
    expect(r.stdout).toContain("allowed connections: TCP 8443");
  });

  it("denied: exit 1", async () => {
    const r = await run([
      "eval",
      DEMO,
      "--from",
      "frontend/smoke-test",
      "--to",
      "backend/api",
      "--port",
      "8080",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^denied TCP\/8080/);
  });

  it("resolves IP addresses: a pod's IP and an external address", async () => {
    const pod = await run([
      "eval",
      DEMO,
      "--from",
      "10.244.1.23",
      "--to",
      "frontend/web",
      "--port",
      "8080",
      "-o",
      "json",
    ]);
    expect(JSON.parse(pod.stdout)).toMatchObject({ src: "frontend/smoke-test[Pod]", allowed: true });
    const ext = await run([
      "eval",
      DEMO,
      "--from",
      "payments/psp-connector",
      "--to",
      "8.8.8.8",
      "--port",
      "443",
    ]);
    expect(ext.code).toBe(0);
    const lan = await run([
      "eval",
      DEMO,
      "--from",
      "payments/psp-connector",
      "--to",
      "10.1.2.3",
      "--port",
      "443",
    ]);
    expect(lan.code).toBe(1);
  });

  it("--explain names the policy, rule and file:line per direction", async () => {
    const r = await run([
      "eval",
      DEMO,
      "--from",
      "backend/checkout",
      "--to",
      "payments/payments-api",
      "--port",
      "8443",
      "--explain",
    ]);
    expect(r.stdout).toMatch(
      /TCP 8443: allowed by NetworkPolicy backend\/checkout-egress-to-payments egress rule 0 \(fixtures\/demo\/policies\/backend\.yaml:\d+:\d+\)/,
    );
    expect(r.stdout).toMatch(/ingress \(policies of payments\/payments-api\[Deployment\]\):/);
  });

  it("unknown names: exit 2 with a suggestion", async () => {
    const r = await run(["eval", DEMO, "--from", "backend/checkot", "--to", "payments/payments-api"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean backend/checkout?");
  });

  it("invalid port: exit 2", async () => {
    const r = await run([
      "eval",
      DEMO,
      "--from",
      "backend/checkout",
      "--to",
      "payments/payments-api",
      "--port",
      "70000",
    ]);
    expect(r.code).toBe(2);
  });
});

describe("netpolc diff", () => {
  it("no differences: exit 0", async () => {
    const r = await run(["diff", DEMO, DEMO]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("No connectivity differences");
  });

  it("a change: exit 1 and the changed pairs", async () => {
    const head = join(work, "head");
    const { cpSync } = await import("node:fs");
    cpSync(join(ROOT, DEMO), head, { recursive: true });
    const p = join(head, "policies", "payments.yaml");
    writeFileSync(p, readFileSync(p, "utf8").replace("port: 8443", "port: 8444"));
    const r = await run(["diff", DEMO, head]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Connectivity diff:");
    expect(r.stdout).toContain(
      "diff-type: removed, source: backend/checkout[Deployment], destination: payments/payments-api[Deployment], ref1: TCP 8443, ref2: No Connections",
    );
  });
});
