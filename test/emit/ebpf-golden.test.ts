/**
 * Golden files of the eBPF target for the README demo (fixtures/demo-golden/emit/ebpf/): as the
 * manifests stand (template pods have no address, so only the two bare pods are endpoints), and
 * with addresses assigned to every pod and Service (ebpf-clusters.ts). `UPDATE_GOLDEN=1` rewrites.
 */
import { join } from "node:path";
import { describe, it } from "vitest";
import { emitEbpf } from "../../src/emit/ebpf/index.js";
import { analyze } from "../../src/model/index.js";
import { expectGolden } from "../cli/golden.js";
import { demoAnalysis, loadCluster, ROOT } from "./ebpf-clusters.js";

const DIR = join(ROOT, "fixtures", "demo-golden", "emit", "ebpf");

describe("eBPF golden files (fixtures/demo)", () => {
  it("as loaded", async () => {
    const e = emitEbpf(analyze(await loadCluster(["fixtures/demo"])), {});
    for (const f of e.files) expectGolden(join(DIR, f.name), f.content);
  });

  it("with addresses assigned", async () => {
    const e = emitEbpf(await demoAnalysis(), {});
    for (const f of e.files) expectGolden(join(DIR, "assigned", f.name), f.content);
  });
});
