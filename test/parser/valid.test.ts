/**
 * Valid manifests of every modelled kind parse without diagnostics and come out typed, as written;
 * workload checks (selector against template) reject what apps/v1 rejects.
 */
import { describe, expect, it } from "vitest";
import { parseText, WORKLOAD_KINDS } from "../../src/parser/index.js";
import { brief, names } from "./support/manifests.js";

const template = `    metadata:
      labels: {app: web}
    spec:
      hostNetwork: false
      containers:
      - name: web
        ports: [{containerPort: 8080, name: http, protocol: TCP}]`;

function workload(kind: string, apiVersion: string, spec: string): string {
  return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: ${kind.toLowerCase()}, namespace: shop}\nspec:\n${spec}\n---\n`;
}

const selector = "  selector: {matchLabels: {app: web}}\n  template:\n";
const ALL = [
  "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: web}}\n---\n",
  "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec: {containers: [{name: c}]}\nstatus: {podIP: 10.0.0.1, podIPs: [{ip: 10.0.0.1}, {ip: 'fd00::1'}]}\n---\n",
  workload("Deployment", "apps/v1", `  replicas: 3\n${selector}${template}`),
  workload("ReplicaSet", "apps/v1", `${selector}${template}`),
  workload("StatefulSet", "apps/v1", `  serviceName: web\n${selector}${template}`),
  workload("DaemonSet", "apps/v1", `${selector}${template}`),
  workload("Job", "batch/v1", `  template:\n${template}`),
  workload(
    "CronJob",
    "batch/v1",
    `  schedule: "@hourly"\n  jobTemplate:\n    spec:\n      template:\n${template.replace(/^/gm, "    ")}`,
  ),
  workload("ReplicationController", "v1", `  selector: {app: web}\n  template:\n${template}`),
  `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}
      podSelector: {}
    - ipBlock: {cidr: 10.0.1.1/16, except: [10.0.2.0/24]}
    ports: [{port: http}, {protocol: UDP, port: 53}, {protocol: SCTP, port: 1000, endPort: 2000}]
  egress:
  - to: [{ipBlock: {cidr: "::/0", except: ["fd00::/8"]}}]
  - {}
`,
].join("");

describe("valid manifests", () => {
  it("parse without diagnostics, one object per document, typed as written", () => {
    const r = parseText(ALL, "all.yaml");
    expect(brief(r.diagnostics)).toEqual([]);
    expect(r.objects.map((o) => o.kind)).toEqual(["Namespace", "Pod", ...WORKLOAD_KINDS, "NetworkPolicy"]);
    const np = r.objects.find((o) => o.kind === "NetworkPolicy");
    if (np?.kind !== "NetworkPolicy") throw new Error("expected a NetworkPolicy");
    expect(np.spec.ingress?.[0]?.from?.[1]?.ipBlock).toEqual({
      cidr: "10.0.1.1/16",
      except: ["10.0.2.0/24"],
    });
    expect(np.spec.egress?.[1]).toEqual({});
    expect(np.locate(["spec", "egress", 1])).toMatchObject({ line: 126, column: 5 });
  });

  it("reject an apps/v1 selector that does not select the template, or selects everything (kept: the pods are the template's)", () => {
    const bad = workload(
      "Deployment",
      "apps/v1",
      `  selector: {matchLabels: {app: db}}\n  template:\n${template}`,
    );
    const empty = workload("DaemonSet", "apps/v1", `  selector: {}\n  template:\n${template}`);
    const r = parseText(bad + empty, "w.yaml");
    expect(names(r)).toEqual(["Deployment/deployment", "DaemonSet/daemonset"]);
    expect(brief(r.diagnostics)).toEqual(["NP2005 error 5:3", "NP2005 error 19:3"]);
    expect(names(parseText(bad + empty, "w.yaml", { strict: true }))).toEqual([]);
  });

  it("warn where YAML 1.1 reads a port differently (octal)", () => {
    const r = parseText(
      workload("Job", "batch/v1", `  template:\n${template.replace("8080", "0755")}`),
      "j.yaml",
    );
    expect(brief(r.diagnostics)).toEqual(["NP1008 warning 12:33"]);
    expect(r.diagnostics[0]?.message).toContain(
      "the number 755 in YAML 1.2 but the number 493 (octal) in YAML 1.1",
    );
  });
});
