/** The text of a few diagnostics, as users read it (inline snapshots: review the diff when they change). */
import { describe, expect, it } from "vitest";
import { parseText } from "../../src/parser/index.js";
import { anp, banp, cnp, OK_POLICY, pod, policy } from "./support/manifests.js";

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
});
