/**
 * The interactive REPL through a real pseudo-terminal (node-pty): a query typed and answered, Tab
 * completion of a workload name, history recalled with the up arrow (also from the history file of
 * an earlier session), multi-line input, ctrl-C cancelling a long solver query, ctrl-C and `.exit`.
 * node-pty is a native module built at install; if it cannot load, these tests are skipped — or
 * fail when NETPOLC_REQUIRE_KERNEL=1 (CI), so that they can never silently stop running there.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { generate } from "../../bench/generate.js";
import { loadPty, Terminal } from "./pty.js";

const pty = loadPty();
const required = process.env.NETPOLC_REQUIRE_KERNEL === "1";
const work = mkdtempSync(join(tmpdir(), "netpolc-repl-pty-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const open: Terminal[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.kill();
});

function repl(args: readonly string[], history = join(work, "history")): Terminal {
  if (typeof pty === "string") throw new Error(pty);
  const t = new Terminal(pty, ["repl", ...args, "--history", history]);
  open.push(t);
  return t;
}

const PROMPT = "netpolc> ";
const UP = "\u001b[A";

describe.skipIf(typeof pty === "string" && !required)("netpolc repl on a terminal", () => {
  it("node-pty loads", () => {
    expect(typeof pty === "string" ? pty : "loaded").toBe("loaded");
  });

  it("answers a typed query, and .exit leaves with status 0", async () => {
    const t = repl(["fixtures/demo"]);
    await t.waitFor(PROMPT);
    t.type("can frontend/web reach backend/api on tcp/8080?\r");
    await t.waitFor("yes: frontend/web[Deployment] => backend/api[Deployment] on TCP/8080");
    await t.waitFor(
      /allowed by NetworkPolicy backend\/api-allow-from-frontend ingress rule 0 \(fixtures\/demo\/policies\/backend\.yaml:17:7\)[\s\S]*netpolc> $/,
    );
    t.type(".exit\r");
    expect(await t.exit).toBe(0);
  });

  it("completes a workload name with Tab, and lists the candidates on a second Tab", async () => {
    const t = repl(["fixtures/demo"]);
    await t.waitFor(PROMPT);
    await t.keys("show workload payments/payments-a", "\t");
    await t.waitFor("show workload payments/payments-api");
    t.type("\r");
    await t.waitFor("payments/payments-api[Deployment]: 2 pods");
    const mark = t.mark;
    // readline completes only on a Tab that ends what it reads at once: type keys one by one.
    await t.keys("who can reach frontend/", "\t", "\t");
    await t.waitFor(/frontend\/smoke-test\s+frontend\/web/, 30_000, mark);
    await t.keys("w", "\t", "\r");
    await t.waitFor("peers can reach frontend/web[Deployment]", 30_000, mark);
    t.type(".exit\r");
    expect(await t.exit).toBe(0);
  });

  it("recalls history with the up arrow, within a session and from the history file", async () => {
    const history = join(work, "recall-history");
    const first = repl(["fixtures/demo"], history);
    await first.waitFor(PROMPT);
    first.type("who can reach backend/db\r");
    await first.waitFor("5 peers can reach backend/db[StatefulSet]");
    first.type("show policies for backend/db\r");
    await first.waitFor("policies of backend/db[StatefulSet], in evaluation order:");
    let mark = first.mark;
    await first.keys(UP, UP, "\r");
    await first.waitFor("5 peers can reach backend/db[StatefulSet]", 30_000, mark);
    first.type(".exit\r");
    expect(await first.exit).toBe(0);
    expect(readFileSync(history, "utf8")).toContain("show policies for backend/db\n");
    // A new session starts with the saved history.
    const second = repl(["fixtures/demo"], history);
    await second.waitFor(PROMPT);
    mark = second.mark;
    await second.keys(UP, UP, "\r");
    await second.waitFor("policies of backend/db[StatefulSet], in evaluation order:", 30_000, mark);
    second.type("\u0004");
    expect(await second.exit).toBe(0);
  });

  it("reads a query over several lines while a bracket is open", async () => {
    const t = repl(["fixtures/demo"]);
    await t.waitFor(PROMPT);
    t.type("check egress of workload payments/psp-connector within {\r");
    await t.waitFor("... ");
    t.type("  pods(k8s-app=kube-dns) in namespace kube-system on udp/53, tcp/53,\r");
    t.type("  external on tcp/443 }\r");
    // The first solver query starts z3 and encodes the cluster: slow on a loaded machine.
    await t.waitFor("✓ query: holds", 100_000);
    t.type(".exit\r");
    expect(await t.exit).toBe(0);
  }, 120_000);

  it("cancels a long solver query with ctrl-C and goes on answering", async () => {
    const input = join(work, "large.yaml");
    const g = generate({
      namespaces: 20,
      workloads: 1000,
      replicas: 1,
      policies: 1000,
      services: 0,
      seed: 1,
    });
    writeFileSync(input, g.text);
    const t = repl([input, "--timeout", "120000"]);
    await t.waitFor(PROMPT, 60_000);
    // An application namespace: proving its isolation takes z3 a while.
    const namespaces = [...g.text.matchAll(/^kind: Namespace\nmetadata:\n {2}name: (\S+)/gm)].map(
      (m) => m[1]!,
    );
    const ns = namespaces.find((n) => !["kube-system", "ingress-nginx", "monitoring"].includes(n))!;
    t.type(`check isolated ingress for namespace ${ns}\r`);
    await t.waitFor("solving the query…", 60_000);
    const mark = t.mark;
    const t0 = Date.now();
    t.type("\u0003");
    await t.waitFor(/interrupted[\s\S]*netpolc> $/, 10_000, mark);
    const cancelMs = Date.now() - t0;
    expect(cancelMs).toBeLessThan(3000);
    // The session is still there; the next check waits for the cancelled one, then answers.
    t.type(`check isolated ingress for namespace ${ns} or namespace kube-system\r`);
    await t.waitFor(/✗ query: fails\n {2}counterexample: kube-system\//, 60_000, mark);
    // ctrl-C on an empty prompt explains; a second one leaves.
    t.type("\u0003");
    await t.waitFor("(To exit, press ctrl-C again or type .exit)", 10_000, mark);
    t.type("\u0003");
    // The exit status is the last answer's: the guarantee failed.
    expect(await t.exit).toBe(1);
  }, 180_000);

  it("an error points at the offending token and the session continues", async () => {
    const t = repl(["fixtures/demo"]);
    await t.waitFor(PROMPT);
    t.type("can frontend/wbe reach backend/api\r");
    await t.waitFor(
      /\s{6}\^{12}\n1:5: error NP9002: no workload, pod or IP address "frontend\/wbe" in the input\n {2}hint: did you mean frontend\/web\?/,
    );
    t.type("can frontend/web reach backend/api\r");
    await t.waitFor("yes: frontend/web[Deployment] => backend/api[Deployment]");
    t.type(".exit\r");
    expect(await t.exit).toBe(0);
  });
});
