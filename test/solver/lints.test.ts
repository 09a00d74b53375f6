/**
 * Lints: a table of small clusters, each with the codes it must (and must not) produce.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { DiagnosticCode } from "../../src/common/index.js";
import { buildCluster, modelOptions } from "../../src/model/index.js";
import { parseText } from "../../src/parser/index.js";
import { lintCluster, shutdownZ3 } from "../../src/solver/index.js";

afterAll(shutdownZ3);

const NS = (name: string, labels = "") => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
${labels ? `  labels: {${labels}}\n` : ""}---
`;
const POD = (ns: string, name: string, labels: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}
spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
`;
const DNS = `${NS("kube-system")}${POD("kube-system", "coredns", "k8s-app: kube-dns")}`;
const NP = (ns: string, name: string, spec: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec: ${spec}
---
`;
const DENY_ALL = (ns: string) => NP(ns, "deny-all", "{podSelector: {}, policyTypes: [Ingress, Egress]}");
const ALLOW_DNS = (ns: string) =>
  NP(
    ns,
    "allow-dns",
    "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}], ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]}]}",
  );

interface Case {
  readonly name: string;
  readonly yaml: string;
  /** Codes that must appear (with a message fragment each). */
  readonly expect: readonly [DiagnosticCode, string][];
  /** Codes that must not appear at all. */
  readonly absent: readonly DiagnosticCode[];
}

const APP = `${NS("app")}${POD("app", "web", "app: web")}${POD("app", "db", "app: db")}`;
/** web may call db (its egress side), so db's ingress rules decide. */
const WEB_OUT = NP(
  "app",
  "web-out",
  "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]}",
);

const CASES: readonly Case[] = [
  {
    name: "a second allow rule that the first already covers is redundant",
    yaml: `${DNS}${APP}${DENY_ALL("app")}${ALLOW_DNS("app")}${WEB_OUT}${NP("app", "db-from-web", "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 8080}]}, {from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 8080}]}]}")}`,
    expect: [["NP5001", "ingress rule 1 is redundant"]],
    absent: ["NP5006", "NP5002"],
  },
  {
    name: "an ingress rule whose sources' egress allows nothing is redundant with its whole policy",
    yaml: `${DNS}${APP}${DENY_ALL("app")}${ALLOW_DNS("app")}${NP("app", "db-from-web", "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}")}`,
    expect: [["NP5002", "app/db-from-web is redundant"]],
    absent: ["NP5006"],
  },
  {
    name: "a policy duplicated under another name is redundant (both copies are, one at a time)",
    yaml: `${DNS}${APP}${DENY_ALL("app")}${ALLOW_DNS("app")}${NP("app", "a", "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {}}]}]}")}${NP("app", "b", "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {}}]}]}")}`,
    expect: [
      ["NP5002", "app/a is redundant"],
      ["NP5002", "app/b is redundant"],
    ],
    absent: ["NP5006"],
  },
  {
    name: "a rule that widens access is not redundant",
    yaml: `${DNS}${APP}${DENY_ALL("app")}${ALLOW_DNS("app")}${WEB_OUT}${NP("app", "db-from-web", "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 8080}]}, {from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 9090}]}]}")}`,
    expect: [],
    absent: ["NP5001", "NP5002", "NP5006"],
  },
  {
    name: "selectors that match no pod of the input",
    yaml: `${DNS}${APP}${NP("app", "ghost", "{podSelector: {matchLabels: {app: ghost}}, ingress: [{from: [{podSelector: {matchLabels: {app: nobody}}}]}]}")}`,
    expect: [
      ["NP5003", "app/ghost selects no pod"],
      ["NP5003", "ingress peer of NetworkPolicy app/ghost matches no pod"],
    ],
    absent: [],
  },
  {
    name: "workloads no policy selects, per direction",
    yaml: `${DNS}${APP}${NP("app", "web-in", "{podSelector: {matchLabels: {app: web}}, ingress: [{}]}")}`,
    expect: [
      ["NP5004", "app/db[Pod] is not isolated for ingress"],
      ["NP5005", "app/web[Pod] is not isolated for egress"],
    ],
    absent: [],
  },
  {
    name: "default deny without a DNS exception cuts the namespace off DNS",
    yaml: `${DNS}${APP}${DENY_ALL("app")}`,
    expect: [["NP5006", "namespace app cannot reach DNS (kube-system/kube-dns) on UDP and TCP 53"]],
    absent: [],
  },
  {
    name: "DNS allowed for UDP only is reported for TCP",
    yaml: `${DNS}${APP}${DENY_ALL("app")}${NP("app", "dns-udp", "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{protocol: UDP, port: 53}]}]}")}`,
    expect: [["NP5006", "on TCP 53"]],
    absent: [],
  },
  {
    name: "DNS checked against a standard kube-dns pod when the input has none",
    yaml: `${APP}${DENY_ALL("app")}${ALLOW_DNS("app")}`,
    expect: [],
    absent: ["NP5006"],
  },
  {
    name: "an except inside another except",
    yaml: `${DNS}${APP}${NP("app", "ext", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.1.2.0/24]}}]}]}")}`,
    expect: [["NP5007", "inside another except"]],
    absent: [],
  },
  {
    name: "a NetworkPolicy rule shadowed by an Admin deny",
    yaml: `${DNS}${APP}${DENY_ALL("app")}${ALLOW_DNS("app")}${WEB_OUT}${NP("app", "db-from-web", "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}")}apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: no-db}
spec:
  priority: 1
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}
  ingress: [{name: deny-all, action: Deny, from: [{namespaces: {}}]}]
---
`,
    expect: [["NP5008", "app/db-from-web ingress rule 0: shadowed by a higher tier"]],
    absent: ["NP5001"],
  },
];

describe("lints", () => {
  for (const c of CASES)
    it(c.name, async () => {
      const parsed = parseText(c.yaml, "case.yaml");
      expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const { cluster } = buildCluster(parsed.objects);
      const got = await lintCluster(cluster, modelOptions({}));
      const text = got.map((d) => `${d.code} ${d.message}`);
      for (const [code, fragment] of c.expect)
        expect(
          text.some((t) => t.startsWith(code) && t.includes(fragment)),
          `${code} "${fragment}" in\n${text.join("\n")}`,
        ).toBe(true);
      for (const code of c.absent)
        expect(
          text.filter((t) => t.startsWith(code)),
          text.join("\n"),
        ).toEqual([]);
    });
});
