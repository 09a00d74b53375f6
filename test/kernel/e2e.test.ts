/**
 * Upstream e2e NetworkPolicy cases (test/conformance/k8s-e2e) on a real kernel: the nine pods of
 * the e2e topology in namespaces of their own, the rules of each target loaded in the node
 * namespace, and every ordered pair of pods (and pods ↔ external samples) probed on TCP and UDP
 * (SCTP when the kernel has it) on every port the case names plus one it does not.
 */
import { describeKernel } from "./env.js";
import { e2eSteps } from "./inputs.js";
import { kernelSuite } from "./suite.js";

const CASES = [
  "01-default-deny-ingress.yaml",
  "10-podselector-and-namespaceselector.yaml",
  "14-ports.yaml",
  "17-ingress-one-named-port.yaml",
  "19-egress-one-named-port.yaml",
  "27-ingress-and-egress-together.yaml",
  "35-egress-cidr-except.yaml",
  "44-udp-ports.yaml",
];

describeKernel("kernel: upstream e2e cases", () => {
  kernelSuite({
    id: "e2e",
    steps: CASES.flatMap((file) =>
      e2eSteps(file).map((s) => ({ label: `${file} step ${s.step}`, analysis: s.analysis })),
    ),
    maxExternals: 4,
  });
});
