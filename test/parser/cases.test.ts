/**
 * Bad inputs, one named case each: the expected diagnostic (code, severity, line:column) and the
 * valid policy `ok` in the same input still returned. Errors drop the bad object; warnings keep it.
 */
import { describe, expect, it } from "vitest";
import type { DiagnosticCode, Severity } from "../../src/common/index.js";
import { parseText } from "../../src/parser/index.js";
import { brief, names, OK_POLICY, pod, policy } from "./support/manifests.js";

/** Name, input (the valid policy `ok` is appended), expected diagnostic `code severity line:column`. */
type Case = readonly [
  name: string,
  input: string,
  expected: `${DiagnosticCode} ${Severity} ${number}:${number}`,
];

const ingress = (port: string) => policy(`podSelector: {}\ningress:\n- ports:\n  - ${port}`);
const peer = (p: string) => policy(`podSelector: {}\ningress:\n- from:\n  - ${p}`);

// biome-ignore format: one case per line
const CASES: readonly Case[] = [
  ["truncated flow mapping", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: web\n", "NP1002 error 3:38"],
  ["unterminated quoted string", 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "ns\n', "NP1002 error 4:12"],
  ["tab indentation", "apiVersion: v1\nkind: Namespace\nmetadata:\n\tname: ns\n", "NP1002 error 4:1"],
  ["duplicate key", policy("podSelector: {}\npolicyTypes: [Ingress]\npolicyTypes: [Egress]"), "NP1003 error 9:3"],
  ["wrong type: podSelector is a list", policy("podSelector: []"), "NP2001 error 7:3"],
  ["wrong type: port is a boolean", ingress("port: true"), "NP2001 error 10:7"],
  ["missing podSelector", policy("policyTypes: [Ingress]"), "NP2002 error 6:1"],
  ["missing ipBlock.cidr", peer("ipBlock: {except: [10.0.0.0/8]}"), "NP2002 error 10:7"],
  ["unknown field podSelecter", policy("podSelector: {}\npodSelecter: {}"), "NP2003 warning 8:3"],
  ["labels directly under podSelector", policy("podSelector:\n  app: web"), "NP2005 error 8:5"],
  ["matchLabel instead of matchLabels", policy("podSelector:\n  matchLabel: {app: web}"), "NP2005 error 8:5"],
  ["selector operator Equals", policy("podSelector:\n  matchExpressions:\n  - {key: app, operator: Equals, values: [web]}"), "NP2005 error 9:18"],
  ["In without values", policy("podSelector:\n  matchExpressions:\n  - {key: app, operator: In}"), "NP2005 error 9:7"],
  ["Exists with values", policy("podSelector:\n  matchExpressions:\n  - {key: app, operator: Exists, values: [web]}"), "NP2005 error 9:36"],
  ["requirement with value instead of values", policy("podSelector:\n  matchExpressions:\n  - {key: app, operator: In, value: [web]}"), "NP2005 error 9:32"],
  ["label value with a space", policy('podSelector:\n  matchLabels: {app: "web server"}'), "NP2006 error 8:19"],
  ["label value is a boolean", policy("podSelector:\n  matchLabels: {enabled: true}"), "NP2006 error 8:19"],
  ["label key with two slashes", policy("podSelector:\n  matchLabels: {a/b/c: x}"), "NP2006 error 8:19"],
  ["invalid CIDR prefix", peer("ipBlock: {cidr: 10.0.0.0/33}"), "NP2007 error 10:17"],
  ["CIDR without prefix", peer("ipBlock: {cidr: 10.0.0.1}"), "NP2007 error 10:17"],
  ["except outside its cidr", peer("ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}"), "NP2008 error 10:45"],
  ["except equal to its cidr", peer("ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}"), "NP2008 error 10:45"],
  ["port 0", ingress("port: 0"), "NP2009 error 10:7"],
  ["port 70000", ingress("port: 70000"), "NP2009 error 10:7"],
  ["named port with underscore", ingress("port: http_alt"), "NP2009 error 10:7"],
  ["quoted numeric port", ingress('port: "80"'), "NP2009 error 10:7"],
  ["endPort below port", ingress("{port: 8080, endPort: 80}"), "NP2010 error 10:20"],
  ["endPort with a named port", ingress("{port: http, endPort: 90}"), "NP2010 error 10:20"],
  ["endPort without port", ingress("endPort: 90"), "NP2010 error 10:7"],
  ["protocol ICMP", ingress("protocol: ICMP"), "NP2011 error 10:7"],
  ["protocol in lower case", ingress("protocol: tcp"), "NP2011 error 10:7"],
  ["policyTypes in lower case", policy("podSelector: {}\npolicyTypes: [ingress]"), "NP2004 error 8:17"],
  ["empty peer", peer("{}"), "NP2014 error 10:7"],
  ["ipBlock with a selector", peer("{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}"), "NP2014 error 10:7"],
  ["name with underscores", policy("podSelector: {}", "my_policy"), "NP2013 error 4:3"],
  ["removed apiVersion", policy("podSelector: {}").replace("networking.k8s.io/v1", "extensions/v1beta1"), "NP2004 error 1:1"],
  ["pod port 0", pod("p").replace("8080", "0"), "NP2009 error 11:8"],
  ["pod port names not unique", pod("p").replace("name: http}", "name: http}\n    - {containerPort: 9090, name: http}"), "NP2009 error 12:29"],
  ["pod IP invalid", pod("p", "status: {podIP: 10.0.0.256}\n"), "NP2007 error 12:10"],
  ["yes as a label value", policy("podSelector:\n  matchLabels: {enabled: yes}"), "NP1008 warning 8:28"],
  ["unknown kind", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "NP1007 warning 1:1"],
  ["Calico NetworkPolicy is another kind", policy("selector: all()").replace("networking.k8s.io/v1", "projectcalico.org/v3"), "NP1007 warning 1:1"],
  ["not a Kubernetes object", '[{"src": "a", "dst": "b"}]\n', "NP1006 warning 1:1"],
];

describe("bad inputs", () => {
  it.each(CASES)("%s", (_name, input, expected) => {
    const r = parseText(input + OK_POLICY, "case.yaml");
    expect(brief(r.diagnostics)).toContain(expected);
    expect(names(r)).toContain("NetworkPolicy/ok");
    const bad = names(r).filter((n) => n !== "NetworkPolicy/ok");
    // An error drops the object; a warning keeps it (when it is a modelled object at all).
    if (expected.includes(" error ")) expect(bad).toEqual([]);
  });

  it("a warning keeps the object and strict mode drops it", () => {
    const input = policy("podSelector: {}\npodSelecter: {}");
    expect(names(parseText(input, "w.yaml"))).toEqual(["NetworkPolicy/bad"]);
    const strict = parseText(input, "w.yaml", { strict: true });
    expect(names(strict)).toEqual([]);
    expect(brief(strict.diagnostics)).toEqual(["NP2003 error 8:3"]);
  });
});
