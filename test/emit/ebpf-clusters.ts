/**
 * Clusters for the eBPF tests: fixture directories, with addresses assigned (src/emit's
 * `assignAddresses`) to pods and Services that have none, before analysis, so that the model and
 * the emitted maps talk about the same addresses. The upstream e2e cases come from
 * test/kernel/inputs.ts.
 */
import { join } from "node:path";
import { type AddressingOptions, assignAddresses, DEFAULT_ADDRESSING } from "../../src/emit/index.js";
import { type Analysis, analyze, buildCluster, type Cluster } from "../../src/model/index.js";
import { loadPaths } from "../../src/parser/index.js";

export const ROOT = join(import.meta.dirname, "..", "..");

export async function loadCluster(paths: readonly string[]): Promise<Cluster> {
  const parsed = await loadPaths(paths.map((p) => join(ROOT, p)));
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join("\n"));
  return buildCluster(parsed.objects).cluster;
}

export function withAddresses(cluster: Cluster, addressing: AddressingOptions = DEFAULT_ADDRESSING): Cluster {
  return assignAddresses(cluster, addressing).cluster;
}

export async function demoAnalysis(addressing: AddressingOptions = DEFAULT_ADDRESSING): Promise<Analysis> {
  return analyze(withAddresses(await loadCluster(["fixtures/demo"]), addressing));
}
