/**
 * Bad inputs, one named case each: the expected diagnostic (code, severity, line:column) and the
 * valid policy `ok` in the same input still returned. Errors drop the bad object, unless the case
 * names what is kept of it (loss.ts: the smallest unit whose meaning is lost is dropped); warnings
 * keep it.
 */
import { describe, expect, it } from "vitest";
import type { DiagnosticCode, Severity } from "../../src/common/index.js";
import { parseText } from "../../src/parser/index.js";
import {
  anp,
  banp,
  brief,
  cnp,
  endpointSlice,
  endpoints,
  ingress as ingressObject,
  names,
  node,
  OK_POLICY,
  pod,
  policy,
  route,
  service,
} from "./support/manifests.js";

/**
 * Name, input (the valid policy `ok` is appended), expected diagnostic `code severity line:column`,
 * and for an error that does not cost the object, the object still returned.
 */
type Case = readonly [
  name: string,
  input: string,
  expected: `${DiagnosticCode} ${Severity} ${number}:${number}`,
  kept?: string,
];

/**
 * A ClusterNetworkPolicy: line 6 tier, 7 priority, 8 `subject:`, 9 its field, 10 `ingress:` or
 * `egress:`, 11 `- action: ...`, 12 `from:` / `to:`, 13 the first peer (`- ` at column 5), 14.. more
 * lines of the rule, indented as `from:` is (column 5).
 */
function cnpRule(o: {
  tier?: string;
  priority?: string;
  subject?: string;
  egress?: boolean;
  action?: string;
  peer?: string;
  more?: string;
}): string {
  const [dir, peers] = o.egress ? ["egress", "to"] : ["ingress", "from"];
  const more = o.more ? `\n${o.more.replace(/^/gm, "  ")}` : "";
  return cnp(
    `tier: ${o.tier ?? "Admin"}\npriority: ${o.priority ?? "10"}\nsubject:\n  ${o.subject ?? "namespaces: {}"}\n${dir}:\n- action: ${o.action ?? "Accept"}\n  ${peers}:\n  - ${o.peer ?? "namespaces: {}"}${more}`,
  );
}

/** An AdminNetworkPolicy: line 6 priority, 7-8 subject, 9 `ingress:`, 10 `- action:`, 12 the peer, 13.. more. */
function anpRule(o: { priority?: string; action?: string; more?: string }): string {
  const more = o.more ? `\n${o.more.replace(/^/gm, "  ")}` : "";
  return anp(
    `priority: ${o.priority ?? "10"}\nsubject:\n  namespaces: {}\ningress:\n- action: ${o.action ?? "Allow"}\n  from:\n  - namespaces: {}${more}`,
  );
}

/** A BaselineAdminNetworkPolicy `name`: lines 6-7 subject, 8 `egress:`, 9 `- action:`, 11 the peer. */
function banpRule(action: string, name = "default", top = ""): string {
  return banp(
    `${top}subject:\n  namespaces: {}\negress:\n- action: ${action}\n  to:\n  - namespaces: {}`,
    name,
  );
}

/**
 * An Ingress with one rule and one path: line 10 `- path: /` (`path` at column 9), 11 pathType (or
 * another line of the path), 12 `backend:`, 13.. the backend's lines (from column 11).
 */
const ingressPath = (backend: string, pathType = "pathType: Prefix") =>
  ingressObject(
    `rules:\n- http:\n    paths:\n    - path: /\n      ${pathType}\n      backend:\n${backend.replace(/^/gm, "        ")}`,
  );

const tcp = (port: string) => `protocols:\n- tcp: {destinationPort: ${port}}`;

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
  ["name with underscores (kept: a name only identifies)", policy("podSelector: {}", "my_policy"), "NP2013 error 4:3", "NetworkPolicy/my_policy"],
  ["removed apiVersion", policy("podSelector: {}").replace("networking.k8s.io/v1", "extensions/v1beta1"), "NP2004 error 1:1"],
  ["pod port 0 (the port entry is dropped)", pod("p").replace("8080", "0"), "NP2009 error 11:8", "Pod/p"],
  ["pod port names not unique", pod("p").replace("name: http}", "name: http}\n    - {containerPort: 9090, name: http}"), "NP2009 error 12:29", "Pod/p"],
  ["containerport instead of containerPort", pod("p").replace("containerPort", "containerport"), "NP2002 error 11:7", "Pod/p"],
  ["pod IP invalid", pod("p", "status: {podIP: 10.0.0.256}\n"), "NP2007 error 12:10"],
  // ClusterNetworkPolicy (v1alpha2)
  ["CNP action Allow (v1alpha1 word)", cnpRule({ action: "Allow" }), "NP2004 error 11:5"],
  ["CNP action in lower case", cnpRule({ action: "deny" }), "NP2004 error 11:5"],
  ["CNP priority 1001", cnpRule({ priority: "1001" }), "NP2004 error 7:3"],
  ["CNP priority -1", cnpRule({ priority: "-1" }), "NP2004 error 7:3"],
  ["CNP priority missing", cnp("tier: Admin\nsubject: {namespaces: {}}"), "NP2002 error 5:1"],
  ["CNP tier in lower case", cnpRule({ tier: "admin" }), "NP2004 error 6:3"],
  ["CNP tier missing", cnp("priority: 1\nsubject: {namespaces: {}}"), "NP2002 error 5:1"],
  ["CNP Admin tier: unknown rule field", cnpRule({ more: "actoin: Deny" }), "NP2003 warning 14:5"],
  ["CNP Baseline tier: unknown spec field", cnpRule({ tier: "Baseline", more: "" }).replace("priority: 10", "priority: 10\n  priorty: 5"), "NP2003 warning 8:3"],
  ["CNP subject with namespaces and pods", cnpRule({ subject: "namespaces: {}\n  pods: {podSelector: {}}" }), "NP2015 error 8:3"],
  ["CNP subject with neither", cnpRule({ subject: "namespace: {}" }), "NP2015 error 8:3"],
  ["CNP peer with namespaces and pods", cnpRule({ peer: "{namespaces: {}, pods: {podSelector: {}}}" }), "NP2015 error 13:7"],
  ["CNP ingress peer with networks only (fails closed, kept)", cnpRule({ peer: "networks: [10.0.0.0/8]" }), "NP2017 error 13:7", "ClusterNetworkPolicy/bad"],
  ["CNP peer of a newer API version (fails closed, kept)", cnpRule({ egress: true, action: "Deny", peer: "services: [{name: s}]" }), "NP2017 error 13:7", "ClusterNetworkPolicy/bad"],
  ["CNP invalid network CIDR", cnpRule({ egress: true, peer: "networks: [10.0.0.0/33]" }), "NP2007 error 13:18"],
  ["CNP network without prefix", cnpRule({ egress: true, peer: "networks: [10.0.0.1]" }), "NP2007 error 13:18"],
  ["CNP domainNames in a Deny rule", cnpRule({ egress: true, action: "Deny", peer: "domainNames: [example.com]" }), "NP2004 error 13:7"],
  ["CNP invalid domain name", cnpRule({ egress: true, peer: "domainNames: ['exa mple.com']" }), "NP2004 error 13:21"],
  ["CNP range end before start", cnpRule({ more: tcp("{range: {start: 90, end: 80}}") }), "NP2016 error 15:50"],
  ["CNP range of one port (kept)", cnpRule({ more: tcp("{range: {start: 80, end: 80}}") }), "NP2016 error 15:50", "ClusterNetworkPolicy/bad"],
  ["CNP destinationPort with number and range", cnpRule({ more: tcp("{number: 80, range: {start: 1, end: 2}}") }), "NP2015 error 15:13"],
  ["CNP port number 0", cnpRule({ more: tcp("{number: 0}") }), "NP2009 error 15:31"],
  ["CNP tcp without destinationPort", cnpRule({ more: "protocols:\n- tcp: {}" }), "NP2015 error 15:7"],
  ["CNP protocols entry with tcp and udp", cnpRule({ more: "protocols:\n- {tcp: {destinationPort: {number: 1}}, udp: {destinationPort: {number: 1}}}" }), "NP2015 error 15:7"],
  ["CNP named port with a networks peer", cnpRule({ egress: true, peer: "networks: [10.0.0.0/8]", more: "protocols:\n- destinationNamedPort: http" }), "NP2004 error 15:7", "ClusterNetworkPolicy/bad"],
  ["CNP more than 25 rules", cnp(`tier: Admin\npriority: 1\nsubject: {namespaces: {}}\negress:\n${"- {action: Deny, to: [{namespaces: {}}]}\n".repeat(26)}`), "NP2004 error 9:3"],
  ["CNP invalid selector in a peer", cnpRule({ peer: "namespaces: {matchLabels: {a: 'b c'}}" }), "NP2006 error 13:34"],
  // AdminNetworkPolicy, BaselineAdminNetworkPolicy (v1alpha1)
  ["ANP action Accept (v1alpha2 word)", anpRule({ action: "Accept" }), "NP2004 error 10:5"],
  ["ANP priority 1001", anpRule({ priority: "1001" }), "NP2004 error 6:3"],
  ["ANP priority misspelt", anpRule({}).replace("priority: 10", "priorty: 10"), "NP2002 error 5:1"],
  ["ANP ports entry with two fields", anpRule({ more: "ports:\n- {namedPort: http, portNumber: {port: 80}}" }), "NP2015 error 14:7"],
  ["ANP portNumber 0", anpRule({ more: "ports:\n- portNumber: {protocol: TCP, port: 0}" }), "NP2009 error 14:35"],
  ["ANP protocol in lower case", anpRule({ more: "ports:\n- portNumber: {protocol: tcp, port: 80}" }), "NP2011 error 14:20"],
  ["ANP portRange end before start", anpRule({ more: "ports:\n- portRange: {start: 90, end: 80}" }), "NP2016 error 14:30"],
  ["ANP protocols (v1alpha2 field)", anpRule({ more: "protocols: []" }), "NP2003 warning 13:5"],
  ["BANP action Pass", banpRule("Pass"), "NP2004 error 9:5"],
  ["BANP named other than default", banpRule("Deny", "baseline"), "NP2013 error 4:3"],
  ["BANP with a priority", banpRule("Deny", "default", "priority: 5\n"), "NP2003 warning 6:3"],
  // Node
  ["Node InternalIP that is not an IP (the address is dropped)", node(["{type: InternalIP, address: node-1}"]), "NP2007 error 8:24", "Node/n1"],
  ["Node label value with a space", node([]).replace("zone: a", "zone: 'a b'"), "NP2006 error 5:12"],
  // Service: line 7 is the first spec line; `- {...}` port entries start at column 5.
  ["Service targetPort name that is not an IANA_SVC_NAME (that port is dropped)", service("ports:\n- {name: web, port: 80, targetPort: HTTP_Web}\n- {name: metrics, port: 9090}"), "NP2009 error 8:27", "Service/bad"],
  ["Service ports with the same port and protocol (the later is dropped)", service("ports:\n- {name: a, port: 80}\n- {name: b, port: 80, protocol: TCP}"), "NP2009 error 9:5", "Service/bad"],
  ["Service port names missing with two ports (kept: a name only identifies)", service("ports:\n- {port: 80}\n- {port: 81}"), "NP2009 error 8:5", "Service/bad"],
  ["Service protocol in lower case (that port is dropped)", service("ports:\n- {port: 53, protocol: udp}"), "NP2011 error 8:16", "Service/bad"],
  ["nodePort on a ClusterIP Service (kept: ignored)", service("type: ClusterIP\nports:\n- {port: 80, nodePort: 30080}"), "NP2004 error 9:16", "Service/bad"],
  ["externalTrafficPolicy on a ClusterIP Service (kept: ignored)", service("externalTrafficPolicy: Local\nports:\n- {port: 80}"), "NP2004 error 7:3", "Service/bad"],
  ["Service without spec", "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns}\n", "NP2002 error 1:1"],
  ["Service type in lower case", service("type: clusterIP\nports:\n- {port: 80}"), "NP2004 error 7:3"],
  ["invalid clusterIP", service("clusterIP: 10.96.0.300\nports:\n- {port: 80}"), "NP2007 error 7:3"],
  ["clusterIPs with two IPv4 addresses", service("clusterIPs: [10.96.0.1, 10.96.0.2]\nports:\n- {port: 80}"), "NP2018 error 7:27"],
  ["clusterIPs against ipFamilies", service("clusterIPs: ['fd00::1']\nipFamilies: [IPv4]\nports:\n- {port: 80}"), "NP2018 error 7:16"],
  ["ExternalName Service without externalName", service("type: ExternalName"), "NP2002 error 6:1"],
  ["ExternalName Service with a selector (ignored)", service("type: ExternalName\nexternalName: db.example.com\nselector: {app: db}"), "NP2022 warning 9:3"],
  ["Service name starting with a digit (kept: a name only identifies)", service("ports:\n- {port: 80}", "1web"), "NP2013 error 4:3", "Service/1web"],
  ["Service targetport instead of targetPort", service("ports:\n- {port: 80, targetport: 8080}"), "NP2003 warning 8:16"],
  // Endpoints and EndpointSlice
  ["EndpointSlice address that is not an IPv4 address (that endpoint is dropped)", endpointSlice("endpoints:\n- addresses: [10.0.0.1]\n- addresses: [10.0.0.300]"), "NP2007 error 10:15", "EndpointSlice/bad"],
  ["EndpointSlice address in the loopback range (that endpoint is dropped)", endpointSlice("endpoints:\n- addresses: [127.0.0.1]"), "NP2007 error 9:15", "EndpointSlice/bad"],
  ["EndpointSlice port 0 (the API server accepts it; no traffic can use it)", endpointSlice("endpoints: []\nports: [{port: 0}]"), "NP2009 warning 9:10"],
  ["EndpointSlice without the service-name label", endpointSlice("endpoints: []", "bad", "{app: web}"), "NP2019 warning 6:3"],
  ["EndpointSlice without addressType", endpointSlice("endpoints: []").replace("addressType: IPv4\n", ""), "NP2002 error 1:1"],
  ["Endpoints IP that is not an IP (that address is dropped)", endpoints("subsets:\n- addresses: [{ip: 10.0.0.1}, {ip: web-1}]\n  ports: [{port: 8080}]"), "NP2007 error 7:32", "Endpoints/bad"],
  // Ingress: line 10 `- path: /`, 11 pathType, 12 `backend:`, 13.. the backend.
  ["Ingress backend with both port number and name (that path is dropped)", ingressPath("service:\n  name: web\n  port: {number: 80, name: http}"), "NP2020 error 15:13", "Ingress/bad"],
  ["Ingress backend without a port (that path is dropped)", ingressPath("service: {name: web}"), "NP2020 error 13:11", "Ingress/bad"],
  ["Ingress path with pathTyp instead of pathType (that path is dropped)", ingressPath("service: {name: web, port: {number: 80}}", "pathTyp: Prefix"), "NP2002 error 10:9", "Ingress/bad"],
  ["Ingress resource backend (not modelled)", ingressPath("resource: {apiGroup: k8s.example.com, kind: Bucket, name: assets}"), "NP2021 warning 13:11"],
  ["Ingress v1beta1 default backend", ingressObject("backend: {serviceName: web, servicePort: 80}"), "NP2003 warning 7:3"],
  ["Ingress without rules or defaultBackend (kept: routes nothing)", ingressObject("tls: []"), "NP2002 error 6:1", "Ingress/bad"],
  // Route
  ["Route without spec.to.name", route("to: {kind: Service}"), "NP2002 error 7:3"],
  ["Route to a kind that is not a Service", route("to: {kind: Deployment, name: web}"), "NP2004 error 7:8"],
  ["yes as a label value", policy("podSelector:\n  matchLabels: {enabled: yes}"), "NP1008 warning 8:28"],
  ["unknown kind", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "NP1007 warning 1:1"],
  ["Calico NetworkPolicy is another kind", policy("selector: all()").replace("networking.k8s.io/v1", "projectcalico.org/v3"), "NP1007 warning 1:1"],
  ["not a Kubernetes object", '[{"src": "a", "dst": "b"}]\n', "NP1006 warning 1:1"],
];

describe("bad inputs", () => {
  it.each(CASES)("%s", (_name, input, expected, kept) => {
    const r = parseText(input + OK_POLICY, "case.yaml");
    expect(brief(r.diagnostics)).toContain(expected);
    expect(names(r)).toContain("NetworkPolicy/ok");
    const bad = names(r).filter((n) => n !== "NetworkPolicy/ok");
    // An error drops the object unless the case says what is kept; a warning keeps it.
    if (expected.includes(" error ")) expect(bad).toEqual(kept ? [kept] : []);
  });

  it("a warning keeps the object and strict mode drops it", () => {
    const input = policy("podSelector: {}\npodSelecter: {}");
    expect(names(parseText(input, "w.yaml"))).toEqual(["NetworkPolicy/bad"]);
    const strict = parseText(input, "w.yaml", { strict: true });
    expect(names(strict)).toEqual([]);
    expect(brief(strict.diagnostics)).toEqual(["NP2003 error 8:3"]);
    const unknownKind = parseText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "c.yaml", {
      strict: true,
    });
    expect(brief(unknownKind.diagnostics)).toEqual(["NP1007 error 1:1"]);
  });
});
