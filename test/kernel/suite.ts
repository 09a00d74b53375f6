/**
 * One kernel test suite over a list of steps (analyses over the same pods): one topology for all,
 * and per target and step, the emitted rules loaded in the node namespace and every probe compared
 * with the model.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { emit, type TextTarget } from "../../src/emit/index.js";
import type { Analysis, IpFamily } from "../../src/model/index.js";
import { missingSctp } from "./env.js";
import {
  type Check,
  externalSamples,
  matrixChecks,
  podSpecs,
  runChecks,
  samplePorts,
  serviceChecks,
  testPods,
} from "./expect.js";
import { cleanStale, type PortSpec, type Proto, Topology } from "./harness.js";

export const TARGETS: readonly TextTarget[] = ["iptables", "nftables"];

export interface SuiteOptions {
  readonly id: string;
  readonly steps: readonly { readonly label: string; readonly analysis: Analysis }[];
  readonly families?: readonly IpFamily[];
  readonly maxExternals?: number;
  /** See MatrixOptions.deniedPerPair (large inputs). */
  readonly deniedPerPair?: number;
  readonly services?: boolean;
  /** Extra checks per step, e.g. a fixture's own expectations. */
  readonly extra?: (a: Analysis) => Check[];
}

/** The protocols probed here; SCTP only when the kernel has it (else skipped, with the reason). */
export function protocols(): Proto[] {
  return missingSctp() ? ["tcp", "udp"] : ["tcp", "udp", "sctp"];
}

export function kernelSuite(o: SuiteOptions): void {
  const first = o.steps[0]!.analysis;
  const pods = testPods(first);
  const analyses = o.steps.map((s) => s.analysis);
  const families = o.families ?? [4];
  const externals = externalSamples(analyses, families, o.maxExternals ?? 6);
  const ports = samplePorts(analyses);
  const protos = protocols();
  const specs: PortSpec[] = protos.flatMap((proto) => ports.map((port) => ({ proto, port })));
  let topo: Topology | undefined;

  beforeAll(async () => {
    await cleanStale();
    topo = await Topology.create(o.id, podSpecs(first, pods), externals, specs);
  }, 120_000);
  afterAll(async () => {
    await topo?.destroy();
  }, 60_000);

  const sctp = missingSctp();
  it.skipIf(sctp !== undefined)(`SCTP probes${sctp ? ` (skipped: ${sctp})` : ""}`, () => {});

  // The harness must see a wrong dataplane: with no rules loaded, the first step's denials pass.
  it("control: without rules the probes disagree with a step that denies something", async () => {
    const a = o.steps[0]!.analysis;
    const checks = matrixChecks(a, pods, externals, {
      protos: ["tcp"],
      ports,
      deniedPerPair: o.deniedPerPair,
    });
    if (!checks.some((c) => !c.expected)) return;
    await topo!.clear();
    expect((await runChecks(topo!, checks)).length).toBeGreaterThan(0);
  }, 60_000);

  for (const target of TARGETS)
    for (const step of o.steps)
      it(`${target}: ${step.label}`, async () => {
        const a = step.analysis;
        await topo!.load(emit(a, target));
        const checks = [
          ...matrixChecks(a, pods, externals, { protos, ports, deniedPerPair: o.deniedPerPair }),
          ...(o.services ? serviceChecks(a, pods, externals) : []),
          ...(o.extra ? o.extra(a) : []),
        ];
        expect(checks.length).toBeGreaterThan(0);
        const mismatches = await runChecks(topo!, checks);
        expect(mismatches, `${mismatches.length} of ${checks.length} probes disagree with the model`).toEqual(
          [],
        );
      }, 60_000);
}
