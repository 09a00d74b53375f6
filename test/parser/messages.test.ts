/** The text of a few diagnostics, as users read it (inline snapshots: review the diff when they change). */
import { describe, expect, it } from "vitest";
import { parseText } from "../../src/parser/index.js";
import {
  anp,
  banp,
  cnp,
  endpointSlice,
  ingress,
  OK_POLICY,
  pod,
  policy,
  route,
  service,
} from "./support/manifests.js";

function texts(input: string): string[] {
  return parseText(input, "m.yaml").diagnostics.map(
    (d) => `${d.code} ${d.message}${d.hint ? ` (hint: ${d.hint})` : ""}`,
  );
}

describe("diagnostic messages", () => {
  it("labels placed directly under a selector", () => {
    expect(texts(policy("podSelector:\n  app: web"))).toMatchInlineSnapshot(`
      [
        "NP2005 NetworkPolicy ns/bad: spec.podSelector.app: unknown field "app" in a label selector: it would be ignored and change what the selector selects (hint: put labels under matchLabels)",
      ]
    `);
  });

  it("a misspelt field", () => {
    expect(texts(policy("podSelector: {}\npolicyType: [Ingress]"))).toMatchInlineSnapshot(`
      [
        "NP2003 NetworkPolicy ns/bad: spec.policyType: unknown field "policyType"; it has no effect (hint: did you mean "policyTypes"?)",
      ]
    `);
  });

  it("a boolean label value", () => {
    expect(texts(pod("a").replace("{app: web}", "{app: web, canary: true}"))).toMatchInlineSnapshot(`
      [
        "NP2006 Pod ns/a: metadata.labels.canary: label value must be a string, got boolean true (hint: quote it: "true")",
      ]
    `);
  });

  it("YAML 1.1 booleans in a selector", () => {
    expect(texts(policy("podSelector:\n  matchLabels: {canary: yes}"))).toMatchInlineSnapshot(`
      [
        "NP1008 NetworkPolicy ns/bad: spec.podSelector.matchLabels.canary: plain scalar yes is the string "yes" in YAML 1.2 but the boolean true in YAML 1.1, which the API server uses (hint: quote it ("yes") to mean the string, or write true to mean the boolean)",
      ]
    `);
  });

  it("ICMP and a range on a named port", () => {
    expect(
      texts(policy("podSelector: {}\ningress:\n- ports:\n  - protocol: ICMP\n  - {port: http, endPort: 90}")),
    ).toMatchInlineSnapshot(`
      [
        "NP2011 NetworkPolicy ns/bad: spec.ingress[0].ports[0].protocol: unsupported protocol "ICMP": must be TCP, UDP or SCTP (hint: ICMP is outside NetworkPolicy: rules match TCP, UDP and SCTP ports only, and ICMP handling is up to the network plugin)",
        "NP2010 NetworkPolicy ns/bad: spec.ingress[0].ports[1].endPort: endPort cannot be used with a named port ("http") (hint: use a numeric port for a range)",
      ]
    `);
  });

  it("ipBlock except outside its cidr", () => {
    expect(
      texts(
        policy(
          "podSelector: {}\negress:\n- to:\n  - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24, fd00::/64]}",
        ),
      ),
    ).toMatchInlineSnapshot(`
      [
        "NP2008 NetworkPolicy ns/bad: spec.egress[0].to[0].ipBlock.except[0]: except 10.1.0.0/24 is not strictly inside cidr 10.0.0.0/16 (hint: every except must be a smaller block inside cidr)",
        "NP2008 NetworkPolicy ns/bad: spec.egress[0].to[0].ipBlock.except[1]: except fd00::/64 is IPv6 but cidr 10.0.0.0/16 is IPv4",
      ]
    `);
  });

  it("tabs and duplicate keys", () => {
    expect(
      texts(`apiVersion: v1\nkind: Namespace\nmetadata:\n\tname: ns\n${OK_POLICY}`),
    ).toMatchInlineSnapshot(`
      [
        "NP1002 YAML syntax error: tab characters must not be used in indentation (hint: YAML forbids tabs for indentation; indent with spaces)",
      ]
    `);
    expect(texts(pod("a").replace("  namespace: ns", "  namespace: ns\n  name: b"))).toMatchInlineSnapshot(`
      [
        "NP1003 Pod ns/a: metadata.name: duplicate key "name" (first at line 4) (hint: the API server rejects duplicate keys; keep one)",
      ]
    `);
  });

  it("cluster policies: actions of the other API version, ranges, fail-closed peers", () => {
    const c = cnp(
      "tier: Admin\npriority: 1001\nsubject: {namespaces: {}}\negress:\n- action: Allow\n  to: [{services: [s]}]\n  protocols: [{tcp: {destinationPort: {range: {start: 80, end: 80}}}}]",
    );
    expect(texts(c)).toMatchInlineSnapshot(`
      [
        "NP2004 ClusterNetworkPolicy bad: spec.priority: priority 1001 is out of range 0-1000 (hint: lower values are evaluated first; 0 is the highest precedence)",
        "NP2004 ClusterNetworkPolicy bad: spec.egress[0].action: action "Allow" is not one of Accept, Deny, Pass (hint: v1alpha2 uses Accept (Allow is the word of v1alpha1 AdminNetworkPolicy))",
        "NP2017 ClusterNetworkPolicy bad: spec.egress[0].to[0]: peer sets none of namespaces, pods, nodes, networks, domainNames; netpolc keeps it as an empty peer, which fails closed: an Accept/Allow rule matches no traffic through it, a Deny or Pass rule is "Deny all" (hint: set exactly one of these fields: the API server rejects the peer as written)",
        "NP2003 ClusterNetworkPolicy bad: spec.egress[0].to[0].services: unknown field "services"; it has no effect",
        "NP2016 ClusterNetworkPolicy bad: spec.egress[0].protocols[0].tcp.destinationPort.range.end: port range starts and ends at 80; the API server requires start < end (netpolc reads it as one port) (hint: for one port write number: 80)",
      ]
    `);
    expect(
      texts(
        anp(
          "priority: 1\nsubject: {pods: {namespaceSelector: {}}}\ningress: [{action: Accept, from: [{namespaces: {}}]}]",
        ),
      ),
    ).toMatchInlineSnapshot(`
      [
        "NP2002 AdminNetworkPolicy bad: spec.subject.pods.podSelector: required field is missing (hint: write podSelector: {} to select every pod; netpolc reads the missing selector so)",
        "NP2004 AdminNetworkPolicy bad: spec.ingress[0].action: action "Accept" is not one of Allow, Deny, Pass (hint: v1alpha1 uses Allow (Accept is the word of v1alpha2 ClusterNetworkPolicy))",
      ]
    `);
    expect(
      texts(banp("subject: {namespaces: {}}\negress: [{action: Pass, to: [{namespaces: {}}]}]", "base")),
    ).toMatchInlineSnapshot(`
      [
        "NP2013 BaselineAdminNetworkPolicy base: metadata.name: a BaselineAdminNetworkPolicy must be named "default", not "base" (hint: there is at most one per cluster; the API server rejects any other name)",
        "NP2004 BaselineAdminNetworkPolicy base: spec.egress[0].action: action "Pass" is not one of Allow, Deny (hint: the baseline tier is the last one, so there is nothing to pass to: use Allow or Deny)",
      ]
    `);
  });

  it("duplicate objects", () => {
    expect(texts(`${pod("a")}---\n${pod("a")}`)).toMatchInlineSnapshot(`
      [
        "NP2012 Pod ns/a is defined more than once; this definition replaces the one at m.yaml:1:1 (hint: the later definition wins, as kubectl apply of the inputs in order would leave it)",
      ]
    `);
  });

  it("Service ports and cluster IPs", () => {
    expect(
      texts(
        service(
          "type: ClusterIP\nclusterIPs: [10.96.0.1, 10.96.0.2]\nports:\n- {name: web, port: 80, targetPort: HTTP_Web}\n- {name: web2, port: 80, nodePort: 30080}",
        ),
      ),
    ).toMatchInlineSnapshot(`
      [
        "NP2018 Service ns/bad: spec.clusterIPs[1]: clusterIPs may hold one IP of each family; 10.96.0.1 and 10.96.0.2 are both IPv4 (hint: a dual-stack Service has one IPv4 and one IPv6 cluster IP)",
        "NP2009 Service ns/bad: spec.ports[0].targetPort: invalid targetPort name "HTTP_Web": must contain only lowercase letters, digits and '-', starting and ending with a letter or digit (hint: a named targetPort must match a container port's name, which follows the same rule)",
        "NP2009 Service ns/bad: spec.ports[1]: duplicate port 80/TCP: the same port and protocol as ports[0] (hint: each port and protocol may appear once; remove one, or give it another port number)",
        "NP2004 Service ns/bad: spec.ports[1].nodePort: nodePort may not be used when type is ClusterIP (hint: remove nodePort, or use type NodePort or LoadBalancer; netpolc ignores it)",
      ]
    `);
    expect(texts(service("type: ExternalName\nselector: {app: db}"))).toMatchInlineSnapshot(`
      [
        "NP2002 Service ns/bad: spec.externalName: an ExternalName Service requires externalName (hint: set externalName to the DNS name clients are sent to, e.g. db.example.com)",
        "NP2022 Service ns/bad: spec.selector: an ExternalName Service has no endpoints: its selector selects nothing (hint: clients resolve the externalName by DNS; remove the selector)",
      ]
    `);
  });

  it("EndpointSlices, Ingresses and Routes", () => {
    expect(texts(endpointSlice("endpoints: [{addresses: ['fd00::1']}]", "s", "{}"))).toMatchInlineSnapshot(`
      [
        "NP2019 EndpointSlice ns/s: metadata.labels: the slice is not tied to a Service: it has no kubernetes.io/service-name label; netpolc ignores its endpoints (hint: label it kubernetes.io/service-name: <the Service's name>)",
        "NP2007 EndpointSlice ns/s: endpoints[0].addresses[0]: IPv4 endpoint address "fd00::1" is not an IPv4 address",
      ]
    `);
    expect(
      texts(
        ingress(
          "defaultBackend: {serviceName: web, servicePort: 80}\nrules:\n- http: {paths: [{pathType: Prefix, path: /, backend: {resource: {kind: Bucket, name: b}}}]}",
        ),
      ),
    ).toMatchInlineSnapshot(`
      [
        "NP2020 Ingress ns/bad: spec.defaultBackend: a backend must set service (or resource) (hint: write service: {name: ..., port: {number: ...}})",
        "NP2003 Ingress ns/bad: spec.defaultBackend.serviceName: unknown field "serviceName"; it has no effect (hint: networking.k8s.io/v1 writes service: {name: ..., port: {number: ...}} (serviceName is v1beta1))",
        "NP2003 Ingress ns/bad: spec.defaultBackend.servicePort: unknown field "servicePort"; it has no effect (hint: networking.k8s.io/v1 writes service: {name: ..., port: {number: ...}} or port: {name: ...} (servicePort is v1beta1))",
        "NP2021 Ingress ns/bad: spec.rules[0].http.paths[0].backend.resource: a resource backend is not a Service: netpolc does not model the traffic the ingress controller sends to it",
      ]
    `);
    expect(texts(route("to: {kind: Deployment, name: ''}\nport: {targetPort: 0}"))).toMatchInlineSnapshot(`
      [
        "NP2004 Route ns/bad: spec.to.kind: kind "Deployment" is not allowed: a Route must reference a Service (hint: write kind: Service (the default))",
        "NP2002 Route ns/bad: spec.to.name: name is empty: it must name the Service to route to",
        "NP2002 Route ns/bad: spec.port.targetPort: targetPort must name or number a port of the Service (hint: omit port to route to every port of the Service)",
      ]
    `);
  });
});
