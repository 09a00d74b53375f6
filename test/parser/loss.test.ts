/**
 * What an error costs (src/parser/loss.ts): the smallest unit whose meaning is lost. Each case shows
 * the diagnostic, what the typed object keeps, and that positions still point into the source.
 */
import { describe, expect, it } from "vitest";
import type { ClusterPolicyObject, NodeObject, PodObject, WorkloadObject } from "../../src/parser/index.js";
import { parseText } from "../../src/parser/index.js";
import { brief, cnp, names, node, pod } from "./support/manifests.js";

const ports = (...entries: string[]) =>
  pod("p").replace("    - {containerPort: 8080, name: http}", entries.map((e) => `    - ${e}`).join("\n"));

describe("what an error costs", () => {
  it("an invalid container port entry: only that entry, and later entries keep their positions", () => {
    const r = parseText(
      ports("{containerport: 80}", "{containerPort: 70000}", "{containerPort: 8080, name: http}"),
      "p.yaml",
    );
    expect(brief(r.diagnostics)).toEqual(["NP2002 error 11:7", "NP2003 warning 11:8", "NP2009 error 12:8"]);
    const p = r.objects[0] as PodObject;
    expect(p.spec.containers?.[0]?.ports).toEqual([{ containerPort: 8080, name: "http" }]);
    expect(p.locate(["spec", "containers", 0, "ports", 0, "name"])).toMatchObject({ line: 13, column: 29 });
  });

  it("the same in a workload's pod template", () => {
    const d = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: ns}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        ports: [{containerPort: 0}, {containerPort: 80, protocol: UDP}]
`;
    const r = parseText(d, "d.yaml");
    expect(brief(r.diagnostics)).toEqual(["NP2009 error 11:18"]);
    const w = r.objects[0] as WorkloadObject;
    expect(w.spec.template?.spec?.containers?.[0]?.ports).toEqual([{ containerPort: 80, protocol: "UDP" }]);
  });

  it("an invalid Node address: only that address", () => {
    const r = parseText(
      node(["{type: InternalIP, address: 10.0.0.300}", "{type: InternalIP, address: 10.0.0.3}"]),
      "n.yaml",
    );
    expect(brief(r.diagnostics)).toEqual(["NP2007 error 8:24"]);
    expect((r.objects[0] as NodeObject).status?.addresses).toEqual([
      { type: "InternalIP", address: "10.0.0.3" },
    ]);
  });

  it("a cluster policy peer with no known field: kept as {} (fails closed)", () => {
    const text = cnp(
      "tier: Admin\npriority: 5\nsubject: {namespaces: {}}\negress:\n- action: Deny\n  to: [{namespaces: {}}, {services: [{name: s}]}]",
    );
    const r = parseText(text, "c.yaml");
    expect(brief(r.diagnostics)).toEqual(["NP2017 error 11:28", "NP2003 warning 11:29"]);
    const c = r.objects[0] as ClusterPolicyObject;
    expect(c.spec.egress?.[0]?.to).toEqual([{ namespaces: {} }, {}]);
    expect(c.locate(["spec", "egress", 0, "to", 1])).toMatchObject({ line: 11, column: 28 });
  });

  it("a missing podSelector of a pods subject or peer: read as {}", () => {
    const text = cnp(
      "tier: Baseline\npriority: 5\nsubject: {pods: {namespaceSelector: {}}}\ningress:\n- {action: Deny, from: [{namespaces: {}}]}",
    );
    const r = parseText(text, "c.yaml");
    expect(brief(r.diagnostics)).toEqual(["NP2002 error 8:13"]);
    expect((r.objects[0] as ClusterPolicyObject).spec.subject).toEqual({
      pods: { namespaceSelector: {}, podSelector: {} },
    });
  });

  it("an error that changes the meaning elsewhere in the object costs the whole object", () => {
    const r = parseText(ports("{containerPort: 0}").replace("{app: web}", "{app: 'w b'}"), "p.yaml");
    expect(brief(r.diagnostics)).toEqual(["NP2006 error 6:12", "NP2009 error 11:8"]);
    expect(names(r)).toEqual([]);
  });

  it("under strict, any error costs the whole object", () => {
    const r = parseText(ports("{containerPort: 0}", "{containerPort: 80}"), "p.yaml", { strict: true });
    expect(brief(r.diagnostics)).toEqual(["NP2009 error 11:8"]);
    expect(names(r)).toEqual([]);
  });
});
