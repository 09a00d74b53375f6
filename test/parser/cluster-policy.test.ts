/**
 * Valid cluster-scoped policies (ClusterNetworkPolicy v1alpha2, AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy v1alpha1) and Nodes parse without diagnostics into typed `objects`,
 * as written, and with positions.
 */
import { describe, expect, it } from "vitest";
import { type ClusterPolicyObject, type NodeObject, parseText } from "../../src/parser/index.js";
import { anp, banp, brief, cnp, names, node } from "./support/manifests.js";

const ADMIN = cnp(
  `tier: Admin
priority: 0
subject:
  pods:
    namespaceSelector: {matchLabels: {team: a}}
    podSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}
ingress:
- name: from-monitoring
  action: Accept
  from:
  - namespaces: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
  - pods: {podSelector: {}}
  protocols:
  - tcp: {destinationPort: {number: 8080}}
  - udp: {destinationPort: {range: {start: 5000, end: 6000}}}
  - destinationNamedPort: http
egress:
- {action: Pass, to: [{nodes: {matchLabels: {role: control}}}]}
- {action: Deny, to: [{networks: [10.0.0.0/8, "fd00::/8"]}], protocols: [{sctp: {destinationPort: {number: 9}}}]}
- {action: Accept, to: [{domainNames: [example.com, "*.example.org"]}]}`,
  "admin",
);
const BASELINE = cnp("tier: Baseline\npriority: 1000\nsubject: {namespaces: {}}\ningress: []", "baseline");
const ANP = anp(
  `priority: 10
subject: {namespaces: {}}
egress:
- action: Allow
  to: [{networks: [192.168.0.0/16]}, {pods: {namespaceSelector: {}, podSelector: {}}}]
  ports:
  - portNumber: {protocol: UDP, port: 53}
  - portNumber: {port: 80}
  - portRange: {start: 8000, end: 8080}
- {action: Pass, to: [{nodes: {}}], ports: [{portRange: {protocol: SCTP, start: 1, end: 2}}]}
- {action: Deny, to: [{namespaces: {}}], ports: [{namedPort: dns}]}`,
  "anp",
);
const BANP = banp("subject: {namespaces: {}}\ningress:\n- {action: Deny, from: [{namespaces: {}}]}");
const NODE = node([
  "{type: InternalIP, address: 10.0.0.11}",
  "{type: ExternalIP, address: 'fd00::11'}",
  "{type: Hostname, address: node-1}",
]);

describe("cluster-scoped policies and nodes", () => {
  it("parse without diagnostics into typed objects", () => {
    const r = parseText([ADMIN, BASELINE, ANP, BANP, NODE].join("---\n"), "tiers.yaml");
    expect(brief(r.diagnostics)).toEqual([]);
    expect(names(r)).toEqual([
      "ClusterNetworkPolicy/admin",
      "ClusterNetworkPolicy/baseline",
      "AdminNetworkPolicy/anp",
      "BaselineAdminNetworkPolicy/default",
      "Node/n1",
    ]);
    expect(r.others).toEqual([]);
    const [admin, , adminV1] = r.objects as ClusterPolicyObject[];
    expect(admin?.spec.tier).toBe("Admin");
    expect(admin?.spec.ingress?.[0]?.protocols?.[1]).toEqual({
      udp: { destinationPort: { range: { start: 5000, end: 6000 } } },
    });
    expect(admin?.spec.egress?.[2]?.to?.[0]?.domainNames).toEqual(["example.com", "*.example.org"]);
    expect(admin?.locate(["spec", "egress", 1])).toMatchObject({ line: 24, column: 5 });
    expect(adminV1?.spec.egress?.[0]?.ports?.[1]).toEqual({ portNumber: { port: 80 } });
    const n = r.objects[4] as NodeObject;
    expect(n.metadata.labels).toEqual({ zone: "a" });
    expect(n.status?.addresses?.map((a) => a.address)).toEqual(["10.0.0.11", "fd00::11", "node-1"]);
  });

  it("are cluster-scoped: a later definition of the same name replaces the earlier one", () => {
    const r = parseText(`${BASELINE}---\n${BASELINE.replace("priority: 1000", "priority: 7")}`, "twice.yaml");
    expect(brief(r.diagnostics)).toEqual(["NP2012 warning 11:1"]);
    expect((r.objects as ClusterPolicyObject[]).map((o) => o.spec.priority)).toEqual([7]);
  });
});
