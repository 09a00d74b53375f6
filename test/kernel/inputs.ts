/**
 * Inputs of the kernel tests as analyses: fixture directories (with addresses assigned to what has
 * none, before analysis) and the upstream e2e cases replayed step by step, as
 * test/conformance/k8s-e2e.test.ts replays them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dump, load, loadAll } from "js-yaml";
import { type AddressingOptions, assignAddresses, DEFAULT_ADDRESSING } from "../../src/emit/index.js";
import { type Analysis, analyze, buildCluster, type ModelOptions } from "../../src/model/index.js";
import { loadPaths, parseText } from "../../src/parser/index.js";

export const ROOT = join(import.meta.dirname, "..", "..");

export async function fixtureAnalysis(
  dir: string,
  addressing: AddressingOptions = DEFAULT_ADDRESSING,
): Promise<Analysis> {
  const parsed = await loadPaths([join(ROOT, dir)], {});
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`${dir}: ${errors.map((d) => d.message).join("; ")}`);
  const { cluster } = buildCluster(parsed.objects);
  return analyze(assignAddresses(cluster, addressing).cluster);
}

const E2E = join(ROOT, "test", "conformance", "k8s-e2e");
type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };
type Step =
  | { apply: Obj[] }
  | { update: Obj[] }
  | { delete: string[] }
  | { labelNamespace: { namespace: string; labels: Record<string, string> } }
  | { labelPod: { pod: string; labels: Record<string, string> } }
  | { probe: unknown };

/** The analysis at each probe step of an e2e case (`step` counts probes from 1). */
export function e2eSteps(
  file: string,
  options: Partial<ModelOptions> = { ipBlockPods: "include" },
): { step: number; analysis: Analysis }[] {
  const topology = loadAll(readFileSync(join(E2E, "topology.yaml"), "utf8")) as Obj[];
  const c = load(readFileSync(join(E2E, "cases", file), "utf8")) as { steps: Step[] };
  const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  let objects: Obj[] = structuredClone(topology);
  const out: { step: number; analysis: Analysis }[] = [];
  for (const step of c.steps) {
    if ("apply" in step) objects = [...objects, ...structuredClone(step.apply)];
    else if ("update" in step)
      for (const u of step.update) objects = objects.map((o) => (key(o) === key(u) ? structuredClone(u) : o));
    else if ("delete" in step)
      objects = objects.filter(
        (o) =>
          !(o.kind === "NetworkPolicy" && step.delete.includes(`${o.metadata.namespace}/${o.metadata.name}`)),
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
      const parsed = parseText(objects.map((o) => dump(o)).join("---\n"), file);
      const { cluster } = buildCluster(parsed.objects);
      out.push({ step: out.length + 1, analysis: analyze(cluster, options) });
    }
  }
  return out;
}
