/**
 * The whole pipeline wired in one place: files → parser → model → engine.
 */
import type { Diagnostic } from "../common/index.js";
import { type Analysis, analyze, buildCluster, type Cluster, type ModelOptions } from "../model/index.js";
import { loadPaths, type ParseOptions } from "../parser/index.js";

export interface LoadedInput {
  /** The cluster as built from the input (before the engine adds an ingress controller pod). */
  readonly cluster: Cluster;
  readonly analysis: Analysis;
  readonly diagnostics: readonly Diagnostic[];
}

export async function loadAndAnalyze(
  paths: readonly string[],
  parseOptions: ParseOptions,
  modelOptions: ModelOptions,
): Promise<LoadedInput> {
  // 1. Read and validate manifests.
  const parsed = await loadPaths(paths, parseOptions);
  // 2. Interpret them as a cluster.
  const built = buildCluster(parsed.objects);
  // 3. Compute connectivity over classes and atoms.
  const analysis = analyze(built.cluster, modelOptions);
  return { cluster: built.cluster, analysis, diagnostics: [...parsed.diagnostics, ...built.diagnostics] };
}
