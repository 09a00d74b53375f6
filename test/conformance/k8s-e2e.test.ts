/**
 * The upstream Kubernetes NetworkPolicy e2e truth tables (test/conformance/k8s-e2e, see its README),
 * replayed step by step through the real pipeline (YAML text → parser → model → engine) with the
 * default semantics (ipBlock matches pod IPs).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dump, load, loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import { analyze, buildCluster, connContains, type Protocol } from "../../src/model/index.js";
import { parseText } from "../../src/parser/index.js";

const DIR = join(import.meta.dirname, "k8s-e2e");
type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };
type Step =
  | { apply: Obj[] }
  | { update: Obj[] }
  | { delete: string[] }
  | { labelNamespace: { namespace: string; labels: Record<string, string> } }
  | { labelPod: { pod: string; labels: Record<string, string> } }
  | { probe: { protocol: Protocol; port: number; columns: string[]; rows: Record<string, string> } };

const topology = loadAll(readFileSync(join(DIR, "topology.yaml"), "utf8")) as Obj[];
const cases = readdirSync(join(DIR, "cases"))
  .filter((f) => f.endsWith(".yaml"))
  .sort();

describe("k8s e2e NetworkPolicy truth tables", () => {
  it("has all 48 cases", () => expect(cases.length).toBe(48));

  for (const file of cases) {
    it(file, () => {
      const c = load(readFileSync(join(DIR, "cases", file), "utf8")) as { steps: Step[] };
      let objects: Obj[] = structuredClone(topology);
      const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
      let probes = 0;
      for (const step of c.steps) {
        if ("apply" in step) objects = [...objects, ...structuredClone(step.apply)];
        else if ("update" in step)
          for (const u of step.update)
            objects = objects.map((o) => (key(o) === key(u) ? structuredClone(u) : o));
        else if ("delete" in step)
          objects = objects.filter(
            (o) =>
              !(
                o.kind === "NetworkPolicy" &&
                step.delete.includes(`${o.metadata.namespace}/${o.metadata.name}`)
              ),
          );
        else if ("labelNamespace" in step)
          objects = objects.map((o) =>
            o.kind === "Namespace" && o.metadata.name === step.labelNamespace.namespace
              ? { ...o, metadata: { ...o.metadata, labels: step.labelNamespace.labels } }
              : o,
          );
        else if ("labelPod" in step)
          objects = objects.map((o) =>
            o.kind === "Pod" && `${o.metadata.namespace}/${o.metadata.name}` === step.labelPod.pod
              ? { ...o, metadata: { ...o.metadata, labels: step.labelPod.labels } }
              : o,
          );
        else {
          probes++;
          const text = objects.map((o) => dump(o)).join("---\n");
          const parsed = parseText(text, file);
          expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
          const { cluster } = buildCluster(parsed.objects);
          const a = analyze(cluster, { ipBlockPods: "include" });
          const podIndex = (name: string) =>
            cluster.pods.findIndex((p) => `${p.namespace}/${p.name}` === name);
          const { protocol, port, columns, rows } = step.probe;
          const mismatches: string[] = [];
          for (const [src, marks] of Object.entries(rows)) {
            marks.split(" ").forEach((mark, j) => {
              if (mark === "-") return;
              const s = a.index.classOfPod[podIndex(src)]!;
              const d = a.index.classOfPod[podIndex(columns[j]!)]!;
              const allowed = connContains(a.conn(s, d), protocol, port);
              if (allowed !== (mark === "."))
                mismatches.push(
                  `${src} -> ${columns[j]} ${protocol}/${port}: expected ${mark === "." ? "allowed" : "denied"}`,
                );
            });
          }
          expect(mismatches).toEqual([]);
        }
      }
      expect(probes).toBeGreaterThan(0);
    });
  }
});
