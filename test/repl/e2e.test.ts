/**
 * The upstream e2e truth tables (test/conformance/k8s-e2e) replayed through a REPL session: each
 * step becomes a `what if` (apply, update, delete, label pod, label namespace) and each probe cell
 * a `can SRC reach DST on PROTO/PORT` query whose verdict must match the table. After every
 * `what if`, the differential check: the session's `list` equals a fresh listing of the edited
 * manifests, and the `what if` delta equals `diff` of the two inputs.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump, load, loadAll } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { renderDiff, renderList } from "../../src/cli/formats.js";
import {
  analyze,
  buildCluster,
  clusterPeers,
  diffConnections,
  inputFamilies,
  listConnections,
  type Protocol,
} from "../../src/model/index.js";
import { parseText } from "../../src/parser/index.js";
import { loadSession, replOptions, type Session } from "../../src/repl/index.js";

const DIR = join(import.meta.dirname, "..", "conformance", "k8s-e2e");
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
const work = mkdtempSync(join(tmpdir(), "netpolc-repl-e2e-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const text = (objects: readonly Obj[]) => objects.map((o) => dump(o)).join("---\n");

/** `k=v …` and `k-` turning `before` into `after`. */
function labelChanges(before: Record<string, string>, after: Record<string, string>): string {
  const set = Object.entries(after)
    .filter(([k, v]) => before[k] !== v)
    .map(([k, v]) => `${k}=${v}`);
  const removed = Object.keys(before)
    .filter((k) => !(k in after))
    .map((k) => `${k}-`);
  return [...set, ...removed].join(" ");
}

/** Full listing and diff of manifests, as `netpolc list` / `netpolc diff` compute them. */
function fresh(objects: readonly Obj[], name: string) {
  const parsed = parseText(text(objects), name);
  return analyze(buildCluster(parsed.objects).cluster);
}

async function expectDifferential(
  s: Session,
  before: readonly Obj[],
  after: readonly Obj[],
  answerJson: unknown,
) {
  const a0 = fresh(before, "before.yaml");
  const a1 = fresh(after, "after.yaml");
  // The session's state lists like a fresh run on the edited files.
  expect(renderList(listConnections(s.state.analysis), "connlist")).toBe(
    renderList(listConnections(a1), "connlist"),
  );
  // The delta is `diff` of the two inputs.
  const families = [...new Set([...inputFamilies(a0), ...inputFamilies(a1)])];
  const expected = diffConnections(
    listConnections(a0, { families }),
    listConnections(a1, { families }),
    clusterPeers(a0, "workload").map((p) => p.ref),
    clusterPeers(a1, "workload").map((p) => p.ref),
  );
  expect((answerJson as { diff: unknown }).diff).toEqual(JSON.parse(renderDiff(expected, "json")));
}

describe("REPL on the e2e truth tables", () => {
  it("has all 48 cases", () => expect(cases.length).toBe(48));

  for (const file of cases) {
    it(file, async () => {
      const c = load(readFileSync(join(DIR, "cases", file), "utf8")) as { steps: Step[] };
      const input = join(work, `${file}.topology.yaml`);
      writeFileSync(input, text(topology));
      const { session } = await loadSession([input], replOptions());
      let objects: Obj[] = structuredClone(topology);
      let edits = 0;
      let probes = 0;
      const whatIf = async (query: string, next: Obj[]) => {
        const answer = await session.answer(query);
        expect(answer.verdict, `${query}: ${answer.lines.join("\n")}`).not.toBe("error");
        await expectDifferential(session, objects, next, answer.json);
        objects = next;
        edits++;
      };
      for (const [i, step] of c.steps.entries()) {
        if ("apply" in step || "update" in step) {
          const incoming = "apply" in step ? step.apply : step.update;
          const path = join(work, `${file}.step${i}.yaml`);
          writeFileSync(path, text(incoming));
          const replaced = new Set(incoming.map(key));
          await whatIf(`what if apply ${path}`, [
            ...objects.filter((o) => !replaced.has(key(o))),
            ...structuredClone(incoming),
          ]);
        } else if ("delete" in step) {
          for (const name of step.delete)
            await whatIf(
              `what if delete networkpolicy ${name}`,
              objects.filter(
                (o) => !(o.kind === "NetworkPolicy" && `${o.metadata.namespace}/${o.metadata.name}` === name),
              ),
            );
        } else if ("labelNamespace" in step) {
          const { namespace, labels } = step.labelNamespace;
          const ns = objects.find((o) => o.kind === "Namespace" && o.metadata.name === namespace)!;
          const next = objects.map((o) => (o === ns ? { ...o, metadata: { ...o.metadata, labels } } : o));
          await whatIf(
            `what if label namespace ${namespace} ${labelChanges(ns.metadata.labels ?? {}, labels)}`,
            next,
          );
        } else if ("labelPod" in step) {
          const { pod, labels } = step.labelPod;
          const p = objects.find(
            (o) => o.kind === "Pod" && `${o.metadata.namespace}/${o.metadata.name}` === pod,
          )!;
          const next = objects.map((o) => (o === p ? { ...o, metadata: { ...o.metadata, labels } } : o));
          await whatIf(`what if label pod ${pod} ${labelChanges(p.metadata.labels ?? {}, labels)}`, next);
        } else {
          probes++;
          const { protocol, port, columns, rows } = step.probe;
          const mismatches: string[] = [];
          for (const [src, marks] of Object.entries(rows))
            for (const [j, mark] of marks.split(" ").entries()) {
              if (mark === "-") continue;
              const q = `can ${src} reach ${columns[j]} on ${protocol.toLowerCase()}/${port}?`;
              const a = await session.answer(q);
              const expected = mark === "." ? "yes" : "no";
              if (a.verdict !== expected) mismatches.push(`${q} ${a.verdict}, expected ${expected}`);
            }
          expect(mismatches).toEqual([]);
        }
      }
      expect(probes).toBeGreaterThan(0);
      // Every what-if can be undone back to the input as loaded.
      const reset = await session.answer("reset");
      expect(reset.json.undone).toBe(edits);
      expect(session.depth).toBe(0);
    });
  }
});
