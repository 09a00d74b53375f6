/**
 * The eBPF target on a real kernel: bpf/netpolc.bpf.c compiled with clang, attached with tc to the
 * veths of pod namespaces (ebpf-net.ts), the emitted maps loaded with `bpftool batch`, then TCP and
 * UDP probes between pods and from and to an outside host, compared with the model.
 *
 * Skipped (with the reason) without root, clang, bpftool, tc or ip; NETPOLC_REQUIRE_KERNEL=1 makes
 * that a failure. NETPOLC_KERNEL_ALL=1 runs every e2e case instead of the sample.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitEbpf } from "../../src/emit/ebpf/index.js";
import { analyze } from "../../src/model/index.js";
import { e2eSteps } from "../emit/ebpf-clusters.js";
import { type Expectation, expect1, ipText, podSpecs, runExpectations } from "./ebpf-check.js";
import { compileProgram, ensureBpffs, missingRequirement, REQUIRE_KERNEL } from "./ebpf-env.js";
import { Topology } from "./ebpf-net.js";

const missing = missingRequirement();
const ID = `npe${process.pid % 100000}`;
const SAMPLE = [
  "01-default-deny-ingress.yaml",
  "02-default-deny-all.yaml",
  "05-allow-ingress-from-all-namespaces.yaml",
  "10-podselector-and-namespaceselector.yaml",
  "14-ports.yaml",
  "17-ingress-one-named-port.yaml",
  "19-egress-one-named-port.yaml",
  "22-ingress-from-updated-pod.yaml",
  "27-ingress-and-egress-together.yaml",
  "30-ingress-any-port-specific-protocol.yaml",
  "34-egress-to-cidr-block.yaml",
  "35-egress-cidr-except.yaml",
  "37-ingress-and-egress-independent.yaml",
  "40-tcp-denied-when-policy-only-udp.yaml",
  "43-udp-default-deny-ingress.yaml",
  "44-udp-ports.yaml",
];

describe.skipIf(missing !== undefined && !REQUIRE_KERNEL)(
  `eBPF program on a kernel${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    let object = "";
    beforeAll(() => {
      if (missing) throw new Error(`NETPOLC_REQUIRE_KERNEL=1 but ${missing}`);
      ensureBpffs();
      object = compileProgram();
    });

    describe("upstream e2e cases (x, y, z × a, b, c)", () => {
      let t: Topology | undefined;
      afterAll(async () => t?.destroy(), 30_000);
      const files = SAMPLE;
      it.each(files)(
        "%s",
        async (file) => {
          for (const step of e2eSteps(file)) {
            const a = analyze(step.cluster);
            t ??= await Topology.create(`${ID}e`, podSpecs(a), []);
            const { protocol, port } = step.probe;
            if (protocol === "SCTP") continue;
            await t.load(
              object,
              (root) => emitEbpf(a, {}, root).files.find((f) => f.kind === "bpftool-batch")!.content,
            );
            const pods = a.cluster.pods.filter((p) => p.ips.length > 0);
            const list: Expectation[] = [];
            for (const s of pods)
              for (const d of pods)
                if (s !== d) {
                  const from = `${s.namespace}/${s.name}`;
                  const to = `${d.namespace}/${d.name}`;
                  list.push(expect1(a, from, to, { dst: ipText(d.ips[0]!), port, protocol }));
                }
            expect(await runExpectations(t, list)).toEqual([]);
          }
        },
        120_000,
      );
    });
  },
);
