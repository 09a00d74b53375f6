/**
 * What an error costs (src/parser/loss.ts): the smallest unit whose meaning is lost. Each case shows
 * the diagnostic, what the typed object keeps, and that positions still point into the source.
 */
import { describe, expect, it } from "vitest";
import type {
  ClusterPolicyObject,
  EndpointSliceObject,
  EndpointsObject,
  IngressObject,
  NodeObject,
  PodObject,
  RouteObject,
  ServiceObject,
  WorkloadObject,
} from "../../src/parser/index.js";
import { parseText } from "../../src/parser/index.js";
import {
  brief,
  cnp,
  endpointSlice,
  endpoints,
  ingress,
  names,
  node,
  pod,
  route,
  service,
} from "./support/manifests.js";

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

  it("an invalid Service port entry: only that port, and later ports keep their positions", () => {
    const r = parseText(
      service("ports:\n- {name: web, port: 80, targetPort: HTTP_Web}\n- {name: metrics, port: 9090}"),
      "s.yaml",
    );
    expect(brief(r.diagnostics)).toEqual(["NP2009 error 8:27"]);
    const s = r.objects[0] as ServiceObject;
    expect(s.spec.ports).toEqual([{ name: "metrics", port: 9090 }]);
    expect(s.locate(["spec", "ports", 0, "port"])).toMatchObject({ line: 9, column: 21 });
  });

  it("an invalid cluster IP costs the Service: its addresses are its identity", () => {
    const r = parseText(service("clusterIPs: [10.96.0.1, 'fd00::zz']\nports:\n- {port: 80}"), "s.yaml");
    expect(brief(r.diagnostics)).toEqual(["NP2007 error 7:27"]);
    expect(names(r)).toEqual([]);
  });

  it("an invalid EndpointSlice address: only that endpoint", () => {
    const r = parseText(
      endpointSlice("endpoints:\n- addresses: ['fd00::1']\n- addresses: [10.0.0.2]\nports: [{port: 80}]"),
      "e.yaml",
    );
    expect(brief(r.diagnostics)).toEqual(["NP2007 error 9:15"]);
    const e = r.objects[0] as EndpointSliceObject;
    expect(e.endpoints).toEqual([{ addresses: ["10.0.0.2"] }]);
    expect(e.locate(["endpoints", 0])).toMatchObject({ line: 10, column: 3 });
  });

  it("an invalid Endpoints address: only that address", () => {
    const r = parseText(
      endpoints("subsets:\n- addresses: [{ip: 169.254.0.1}, {ip: 10.0.0.2}]\n  ports: [{port: 80}]"),
      "e.yaml",
    );
    expect(brief(r.diagnostics)).toEqual(["NP2007 error 7:16"]);
    expect((r.objects[0] as EndpointsObject).subsets?.[0]?.addresses).toEqual([{ ip: "10.0.0.2" }]);
  });

  it("an invalid Ingress path: only that path; a bad Route alternate backend: only that backend", () => {
    const paths = `rules:
- http:
    paths:
    - {path: /a, pathType: Prefix, backend: {service: {name: a, port: {number: 70000}}}}
    - {path: /b, pathType: Prefix, backend: {service: {name: b, port: {number: 80}}}}`;
    const text = `${ingress(paths)}---\n${route("to: {name: a}\nalternateBackends: [{kind: Pod, name: b}, {name: c}]")}`;
    const r = parseText(text, "i.yaml");
    expect(brief(r.diagnostics)).toEqual(["NP2009 error 10:74", "NP2004 error 20:24"]);
    const i = r.objects[0] as IngressObject;
    expect(i.spec.rules?.[0]?.http?.paths.map((p) => p.path)).toEqual(["/b"]);
    expect(i.locate(["spec", "rules", 0, "http", "paths", 0])).toMatchObject({ line: 11, column: 9 });
    expect((r.objects[1] as RouteObject).spec.alternateBackends).toEqual([{ name: "c" }]);
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
