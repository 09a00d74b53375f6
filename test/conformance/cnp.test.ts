/**
 * The ClusterNetworkPolicy conformance sub-tests of network-policy-api (test/conformance/cnp, see
 * its README), replayed step by step through the command line as a user runs it: at every probe
 * step the state is written to a directory, `netpolc list -o json --granularity pod` is checked
 * for every probe, and so is `netpolc eval --from … --to … --protocol … --port …`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump, load, loadAll } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { connContains, parseConn } from "../../src/model/index.js";
import { run } from "../cli/run.js";

const DIR = join(import.meta.dirname, "cnp");
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
type Probe = {
  from: string;
  to: string;
  protocol: "TCP" | "UDP" | "SCTP";
  port: number;
  expect: "allow" | "deny";
};
type Step = { apply: Obj[] } | { update: Obj[] } | { delete: Obj[] } | { probe: Probe[] };

const topology = (loadAll(readFileSync(join(DIR, "topology.yaml"), "utf8")) as (Obj | null)[]).filter(
  (o): o is Obj => !!o,
);
const cases = readdirSync(join(DIR, "cases"))
  .filter((f) => f.endsWith(".yaml"))
  .sort();
const work = mkdtempSync(join(tmpdir(), "netpolc-cnp-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
let totalProbes = 0;

describe("ClusterNetworkPolicy conformance (network-policy-api)", () => {
  it("has all 92 cases", () => expect(cases.length).toBe(92));

  for (const file of cases) {
    it(file, async () => {
      const c = load(readFileSync(join(DIR, "cases", file), "utf8")) as { steps: Step[] };
      let objects: Obj[] = [...topology];
      let n = 0;
      for (const step of c.steps) {
        if ("apply" in step) objects = [...objects, ...step.apply];
        else if ("update" in step)
          for (const u of step.update) objects = objects.map((o) => (key(o) === key(u) ? u : o));
        else if ("delete" in step)
          objects = objects.filter((o) => !step.delete.some((d) => key(d) === key(o)));
        else {
          const input = join(work, `${file}-${n++}.yaml`);
          writeFileSync(input, objects.map((o) => dump(o)).join("---\n"));
          const list = await run(["list", input, "-o", "json", "--granularity", "pod"]);
          expect(list.stderr).not.toMatch(/ error /);
          expect(list.code).toBe(0);
          const rows = JSON.parse(list.stdout) as { src: string; dst: string; conn: string }[];
          const conns = new Map(rows.map((r) => [`${r.src} ${r.dst}`, parseConn(r.conn)!]));
          const evals = await Promise.all(
            step.probe.map((p) =>
              run([
                "eval",
                input,
                "--from",
                p.from,
                "--to",
                p.to,
                "--protocol",
                p.protocol,
                "--port",
                String(p.port),
                "-o",
                "json",
              ]),
            ),
          );
          step.probe.forEach((p, i) => {
            totalProbes++;
            const conn = conns.get(`${p.from}[Pod] ${p.to}[Pod]`);
            const listed = conn !== undefined && connContains(conn, p.protocol, p.port);
            const what = `${p.from} -> ${p.to} ${p.protocol}/${p.port}`;
            expect(listed ? `${what} allow` : `${what} deny`).toBe(`${what} ${p.expect}`);
            const e = evals[i]!;
            expect(e.code, e.stderr).toBe(p.expect === "allow" ? 0 : 1);
            expect((JSON.parse(e.stdout) as { allowed: boolean }).allowed).toBe(p.expect === "allow");
          });
        }
      }
      expect(n).toBeGreaterThan(0);
    });
  }

  it("checked all 301 probes", () => expect(totalProbes).toBe(301));
});
