/**
 * Fixtures on a real kernel: the README demo (fixtures/demo, addresses assigned before analysis),
 * a Service with a named targetPort (fixtures/kernel/named-target-port), a dual-stack cluster
 * (fixtures/kernel/ipv6) and cluster-policy tiers (fixtures/tiers). Pod pairs, pods ↔ external samples, and Services (ClusterIP and
 * NodePort, from every pod and from an external sample) are probed and compared with the model.
 *
 * The demo is larger: every ordered pair of its pods is probed on every sample port the model
 * allows for the pair, plus two of the other sample ports chosen by a hash of the pair.
 */
import { DUAL_STACK_ADDRESSING } from "../../src/emit/index.js";
import { describeKernel } from "./env.js";
import { fixtureAnalysis } from "./inputs.js";
import { kernelSuite } from "./suite.js";

const [demo, named, ipv6, tiers] = await Promise.all([
  fixtureAnalysis("fixtures/demo"),
  fixtureAnalysis("fixtures/kernel/named-target-port"),
  fixtureAnalysis("fixtures/kernel/ipv6", DUAL_STACK_ADDRESSING),
  fixtureAnalysis("fixtures/tiers"),
]);

describeKernel("kernel: Service with a named targetPort", () => {
  kernelSuite({ id: "named", steps: [{ label: "named-target-port", analysis: named }], services: true });
});

describeKernel("kernel: IPv6 and dual-stack", () => {
  kernelSuite({
    id: "ipv6",
    steps: [{ label: "ipv6", analysis: ipv6 }],
    families: [4, 6],
    maxExternals: 10,
    services: true,
  });
});

describeKernel("kernel: Admin and Baseline tiers above NetworkPolicies (fixtures/tiers)", () => {
  kernelSuite({ id: "tiers", steps: [{ label: "tiers", analysis: tiers }] });
});

describeKernel("kernel: README demo (sampled ports)", () => {
  kernelSuite({
    id: "demo",
    steps: [{ label: "demo", analysis: demo }],
    deniedPerPair: 2,
    services: true,
  });
});
