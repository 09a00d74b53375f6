import { expect } from "vitest";
import { type AddressingOptions, assignAddresses } from "../../../src/emit/index.js";
import { type Analysis, analyze, buildCluster, type ModelOptions } from "../../../src/model/index.js";
import { loadPaths } from "../../../src/parser/index.js";

/** The analysis of manifests with addresses assigned as `netpolc emit --assign-ips` does. */
export async function analysisOf(
  paths: readonly string[],
  addressing: AddressingOptions,
  options: Partial<ModelOptions> = {},
): Promise<Analysis> {
  const parsed = await loadPaths([...paths], {});
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return analyze(assignAddresses(buildCluster(parsed.objects).cluster, addressing).cluster, options);
}
