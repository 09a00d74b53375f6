import { describe, expect, it } from "vitest";
import {
  type Claim,
  parseClaim,
  parseGuarantees,
  parsePortSpecs,
  parseSetExpr,
  type SetExpr,
} from "../../../src/parser/guarantees/index.js";
import { withoutSource } from "./support/printer.js";

const FILE = `# payments is sealed
guarantee payments-ingress-sealed:
  deny from not namespace(team=payments) to pods(app=payments-db) in namespace payments
guarantee frontend-to-api: allow from pods(app=frontend) to pods(app=api) on tcp/8080

guarantee default-deny: isolated ingress for all pods in namespace prod   # trailing comment
guarantee no-egress-internet: deny from namespace prod to external except 10.0.0.0/8 on tcp/443
guarantee only-dns: egress of pods(app=batch) within { kube-system/kube-dns on udp/53, tcp/53 }
guarantee v6: deny from fd00::/8 to any pods(tier=db) in namespace(env in (prod, staging)) on tcp/5432-5440, udp
guarantee named: allow from existing pods(app=web, !legacy) to workload shop/api on tcp/http
guarantee both: isolated both for namespace(team) and not pods(app.kubernetes.io/name=debug)
guarantee w: ingress of deployment prod/db within { pods(app=api) in namespace prod on tcp/5432, service prod/backup }
guarantee any: deny from anything to (pods(a=b) or 192.0.2.1) on sctp/9000
`;

const pods = (labels: Record<string, string>) =>
  Object.entries(labels).map(([key, v]) => ({ key, operator: "In", values: [v] }));

describe("parseGuarantees: the documented examples", () => {
  const { file, diagnostics } = parseGuarantees(FILE, "g.np");

  it("reads every statement without a diagnostic", () => {
    expect(diagnostics).toEqual([]);
    expect(file.file).toBe("g.np");
    expect(file.guarantees.map((g) => g.name)).toEqual([
      "payments-ingress-sealed",
      "frontend-to-api",
      "default-deny",
      "no-egress-internet",
      "only-dns",
      "v6",
      "named",
      "both",
      "w",
      "any",
    ]);
  });

  it("records positions (1-based) and the statement text on one line, without comments", () => {
    const [sealed, api, isolated] = file.guarantees;
    expect(sealed?.source).toEqual({ file: "g.np", line: 2, column: 1 });
    expect(sealed?.text).toBe(
      "guarantee payments-ingress-sealed: deny from not namespace(team=payments) to pods(app=payments-db) in namespace payments",
    );
    expect(sealed?.claim).toMatchObject({
      source: { line: 3, column: 3 },
      from: { kind: "not", source: { line: 3, column: 13 }, operand: { source: { line: 3, column: 17 } } },
      to: { source: { line: 3, column: 45 }, labels: [{ source: { line: 3, column: 50 } }] },
    });
    expect(api?.claim).toMatchObject({ ports: [{ source: { file: "g.np", line: 4, column: 78 } }] });
    expect(isolated?.text).toBe("guarantee default-deny: isolated ingress for all pods in namespace prod");
  });

  it("builds the documented ASTs", () => {
    const claims = Object.fromEntries(file.guarantees.map((g) => [g.name, withoutSource(g.claim)]));
    expect(claims).toEqual({
      "payments-ingress-sealed": {
        kind: "reach",
        verdict: "deny",
        from: {
          kind: "not",
          operand: { kind: "pods", namespace: { kind: "labels", labels: pods({ team: "payments" }) } },
        },
        to: {
          kind: "pods",
          labels: pods({ app: "payments-db" }),
          namespace: { kind: "name", name: "payments" },
        },
      },
      "frontend-to-api": {
        kind: "reach",
        verdict: "allow",
        from: { kind: "pods", labels: pods({ app: "frontend" }) },
        to: { kind: "pods", labels: pods({ app: "api" }) },
        ports: [{ kind: "range", protocol: "TCP", from: 8080, to: 8080 }],
      },
      "default-deny": {
        kind: "isolated",
        direction: "ingress",
        subject: { kind: "pods", namespace: { kind: "name", name: "prod" } },
      },
      "no-egress-internet": {
        kind: "reach",
        verdict: "deny",
        from: { kind: "pods", namespace: { kind: "name", name: "prod" } },
        to: { kind: "except", left: { kind: "external" }, right: { kind: "cidr", text: "10.0.0.0/8" } },
        ports: [{ kind: "range", protocol: "TCP", from: 443, to: 443 }],
      },
      "only-dns": {
        kind: "within",
        direction: "egress",
        subject: { kind: "pods", labels: pods({ app: "batch" }) },
        entries: [
          {
            peers: { kind: "ref", namespace: "kube-system", name: "kube-dns" },
            ports: [
              { kind: "range", protocol: "UDP", from: 53, to: 53 },
              { kind: "range", protocol: "TCP", from: 53, to: 53 },
            ],
          },
        ],
      },
      v6: {
        kind: "reach",
        verdict: "deny",
        from: { kind: "cidr", text: "fd00::/8" },
        to: {
          kind: "pods",
          domain: "any",
          labels: pods({ tier: "db" }),
          namespace: {
            kind: "labels",
            labels: [{ key: "env", operator: "In", values: ["prod", "staging"] }],
          },
        },
        ports: [
          { kind: "range", protocol: "TCP", from: 5432, to: 5440 },
          { kind: "protocol", protocol: "UDP" },
        ],
      },
      named: {
        kind: "reach",
        verdict: "allow",
        from: {
          kind: "pods",
          domain: "existing",
          labels: [...pods({ app: "web" }), { key: "legacy", operator: "DoesNotExist", values: [] }],
        },
        to: { kind: "workload", namespace: "shop", name: "api" },
        ports: [{ kind: "named", protocol: "TCP", name: "http" }],
      },
      both: {
        kind: "isolated",
        direction: "both",
        subject: {
          kind: "and",
          left: {
            kind: "pods",
            namespace: { kind: "labels", labels: [{ key: "team", operator: "Exists", values: [] }] },
          },
          right: {
            kind: "not",
            operand: { kind: "pods", labels: pods({ "app.kubernetes.io/name": "debug" }) },
          },
        },
      },
      w: {
        kind: "within",
        direction: "ingress",
        subject: { kind: "workload", namespace: "prod", name: "db", workloadKind: "deployment" },
        entries: [
          {
            peers: { kind: "pods", labels: pods({ app: "api" }), namespace: { kind: "name", name: "prod" } },
            ports: [{ kind: "range", protocol: "TCP", from: 5432, to: 5432 }],
          },
          { peers: { kind: "service", namespace: "prod", name: "backup" } },
        ],
      },
      any: {
        kind: "reach",
        verdict: "deny",
        from: { kind: "anything" },
        to: {
          kind: "or",
          left: { kind: "pods", labels: pods({ a: "b" }) },
          right: { kind: "cidr", text: "192.0.2.1" },
        },
        ports: [{ kind: "range", protocol: "SCTP", from: 9000, to: 9000 }],
      },
    });
  });
});

/** Named set expressions → the interesting part of their AST. */
const SETS: [string, string, Partial<SetExpr> | Record<string, unknown>][] = [
  ["pods", "pods", { kind: "pods" }],
  ["pod", "pod", { kind: "pods" }],
  ["all pods", "all pods", { kind: "pods" }],
  ["any pod", "any pod", { kind: "pods", domain: "any" }],
  [
    "existing pods with labels",
    "existing pods(a=b)",
    { kind: "pods", domain: "existing", labels: [{ key: "a" }] },
  ],
  ["namespace by name", "namespace prod", { kind: "pods", namespace: { kind: "name", name: "prod" } }],
  [
    "namespace by labels",
    "namespace(team=x)",
    { kind: "pods", namespace: { kind: "labels", labels: [{ key: "team", values: ["x"] }] } },
  ],
  [
    "namespaces by labels",
    "namespaces(team)",
    { kind: "pods", namespace: { kind: "labels", labels: [{ operator: "Exists" }] } },
  ],
  [
    "any namespace",
    "any namespace",
    { kind: "pods", domain: "any", namespace: { kind: "labels", labels: [] } },
  ],
  [
    "any namespace NAME",
    "any namespace prod",
    { kind: "pods", domain: "any", namespace: { kind: "name", name: "prod" } },
  ],
  ["existing namespace NAME", "existing namespace to", { domain: "existing", namespace: { name: "to" } }],
  ["workload", "workload shop/api", { kind: "workload", namespace: "shop", name: "api" }],
  ...["deployment", "statefulset", "daemonset", "replicaset", "job", "cronjob", "pod"].map(
    (k): [string, string, Record<string, unknown>] => [
      k,
      `${k} ns/web.v1`,
      { kind: "workload", workloadKind: k, name: "web.v1" },
    ],
  ),
  ["service", "service prod/backup", { kind: "service", namespace: "prod", name: "backup" }],
  ["bare reference", "kube-system/kube-dns", { kind: "ref", namespace: "kube-system", name: "kube-dns" }],
  ["IPv4 CIDR", "10.0.0.0/8", { kind: "cidr", text: "10.0.0.0/8" }],
  ["IPv4 address", "192.0.2.1", { kind: "cidr", text: "192.0.2.1" }],
  ["IPv6 CIDR", "fd00::/8", { kind: "cidr", text: "fd00::/8" }],
  ["IPv6 address", "::1", { kind: "cidr", text: "::1" }],
  ["IPv4-mapped IPv6", "::ffff:192.0.2.1", { kind: "cidr", text: "::ffff:192.0.2.1" }],
  ["external", "external", { kind: "external" }],
  ["anything", "anything", { kind: "anything" }],
  ["anywhere", "anywhere", { kind: "anything" }],
  ["parentheses add no node", "((pods))", { kind: "pods" }],
  ["or is loosest", "a/b or c/d and e/f", { kind: "or", right: { kind: "and" } }],
  ["and, except left-associative", "a/b except c/d and e/f", { kind: "and", left: { kind: "except" } }],
  ["or left-associative", "a/b or c/d or e/f", { kind: "or", left: { kind: "or" } }],
  ["not binds tighter than and", "not a/b and c/d", { kind: "and", left: { kind: "not" } }],
  [
    "in binds tighter than not",
    "not pods in namespace x",
    { kind: "not", operand: { kind: "pods", namespace: { name: "x" } } },
  ],
  ["not not", "not not external", { kind: "not", operand: { kind: "not", operand: { kind: "external" } } }],
  [
    "in on pods keeps domain and labels",
    "any pods(a=b) in namespace x",
    { kind: "pods", domain: "any", labels: [{ key: "a" }], namespace: { kind: "name", name: "x" } },
  ],
  [
    "in on a non-pod set is an intersection",
    "deployment p/q in namespace x",
    {
      kind: "and",
      left: { kind: "workload" },
      right: { kind: "pods", namespace: { kind: "name", name: "x" } },
    },
  ],
  [
    "in on a pod set that has a namespace is an intersection",
    "namespace a in namespace b",
    { kind: "and", left: { namespace: { name: "a" } }, right: { namespace: { name: "b" } } },
  ],
  [
    "in on a parenthesised pod set",
    "(pods(a=b)) in any namespace",
    { kind: "pods", labels: [{ key: "a" }], namespace: { kind: "labels", labels: [] } },
  ],
  [
    "in namespaces(...)",
    "pods in namespaces(x notin (a,b))",
    { namespace: { labels: [{ operator: "NotIn", values: ["a", "b"] }] } },
  ],
  ["any prefix on parenthesised pods", "any (pods(a=b))", { kind: "pods", domain: "any" }],
  ["keyword as namespace name", "namespace external", { namespace: { kind: "name", name: "external" } }],
  ["keyword as reference", "external/in", { kind: "ref", namespace: "external", name: "in" }],
  ["protocol as namespace of a reference", "tcp/api", { kind: "ref", namespace: "tcp", name: "api" }],
];

describe("parseSetExpr: every set form", () => {
  it.each(SETS)("%s: %s", (_name, text, expected) => {
    const { set, diagnostics } = parseSetExpr(text, "s.np");
    expect(diagnostics).toEqual([]);
    expect(set).toMatchObject(expected);
  });
});

/** Named label selectors → the requirements. */
const LABELS: [string, string, Record<string, unknown>[]][] = [
  ["k=v", "k=v", [{ key: "k", operator: "In", values: ["v"] }]],
  ["k==v", "k==v", [{ key: "k", operator: "In", values: ["v"] }]],
  ["k!=v", "k!=v", [{ key: "k", operator: "NotIn", values: ["v"] }]],
  ["k in (a, b)", "k in (a, b)", [{ key: "k", operator: "In", values: ["a", "b"] }]],
  ["k notin (a,b)", "k notin (a,b)", [{ key: "k", operator: "NotIn", values: ["a", "b"] }]],
  ["k", "k", [{ key: "k", operator: "Exists", values: [] }]],
  ["!k", "!k", [{ key: "k", operator: "DoesNotExist", values: [] }]],
  ["empty value", "k=", [{ key: "k", operator: "In", values: [""] }]],
  ["empty value before a comma", "k=, j", [{ values: [""] }, { key: "j", operator: "Exists" }]],
  ["quoted value", 'k="v-1"', [{ values: ["v-1"] }]],
  ["quoted empty value", 'k in ("", a)', [{ values: ["", "a"] }]],
  ["prefixed key", "app.kubernetes.io/name=db", [{ key: "app.kubernetes.io/name", values: ["db"] }]],
  ["keyword key and values", "in in (all, notin)", [{ key: "in", operator: "In", values: ["all", "notin"] }]],
  ["version-like value", "version=1.2.3", [{ values: ["1.2.3"] }]],
  ["spaces around operators", "k = v , j != w", [{ operator: "In" }, { operator: "NotIn" }]],
  ["several requirements", "a=b, !c, d", [{ key: "a" }, { key: "c" }, { key: "d" }]],
];

describe("label selectors", () => {
  it.each(LABELS)("%s", (_name, text, expected) => {
    const { set, diagnostics } = parseSetExpr(`pods(${text})`);
    expect(diagnostics).toEqual([]);
    expect(set).toMatchObject({ kind: "pods", labels: expected });
  });
});

/** Named port lists → the specs. */
const PORTS: [string, string, Record<string, unknown>[]][] = [
  ["single port", "tcp/443", [{ kind: "range", protocol: "TCP", from: 443, to: 443 }]],
  ["range", "udp/1000-2000", [{ kind: "range", protocol: "UDP", from: 1000, to: 2000 }]],
  ["whole range", "tcp/1-65535", [{ from: 1, to: 65535 }]],
  ["named", "tcp/metrics-1", [{ kind: "named", protocol: "TCP", name: "metrics-1" }]],
  ["protocol only", "sctp", [{ kind: "protocol", protocol: "SCTP" }]],
  ["upper-case protocols", "TCP/80, Udp", [{ protocol: "TCP" }, { kind: "protocol", protocol: "UDP" }]],
  ["any", "any", [{ kind: "all" }]],
  ["all", "all", [{ kind: "all" }]],
  ["list", "tcp/80, udp/53, tcp", [{ protocol: "TCP" }, { protocol: "UDP" }, { kind: "protocol" }]],
];

describe("parsePortSpecs", () => {
  it.each(PORTS)("%s", (_name, text, expected) => {
    const { ports, diagnostics } = parsePortSpecs(text);
    expect(diagnostics).toEqual([]);
    expect(ports).toEqual(expected.map((e) => expect.objectContaining(e)));
  });
});

/** Named claims → the interesting part of their AST. */
const CLAIMS: [string, string, Partial<Claim> | Record<string, unknown>][] = [
  ["allow without ports", "allow from a/b to c/d", { kind: "reach", verdict: "allow" }],
  [
    "deny with ports",
    "deny from a/b to c/d on any",
    { kind: "reach", verdict: "deny", ports: [{ kind: "all" }] },
  ],
  ["isolated without for", "isolated egress pods", { kind: "isolated", direction: "egress" }],
  ["isolated both", "isolated both for pods", { kind: "isolated", direction: "both" }],
  [
    "within: a comma before a protocol continues the ports",
    "egress of pods within { a/b on udp/53, tcp/53, TCP, c/d }",
    {
      entries: [
        { ports: [{ protocol: "UDP" }, { protocol: "TCP" }, { kind: "protocol" }] },
        { peers: { kind: "ref" } },
      ],
    },
  ],
  [
    "within: a comma before a set starts an entry",
    "ingress of pods within { a/b on tcp/1, any pod, namespace x on any }",
    {
      kind: "within",
      direction: "ingress",
      entries: [
        { ports: [{ kind: "range" }] },
        { peers: { domain: "any" } },
        { peers: { namespace: { name: "x" } }, ports: [{ kind: "all" }] },
      ],
    },
  ],
  [
    "within: a parenthesised reference to namespace tcp",
    "egress of pods within { a/b on tcp/1, (tcp/web) }",
    { entries: [{ ports: [{ from: 1 }] }, { peers: { kind: "ref", namespace: "tcp" } }] },
  ],
  [
    "statement spanning lines with comments",
    "deny # why\n  from a/b\n\n  # more\n  to c/d",
    { kind: "reach", from: { kind: "ref" }, to: { kind: "ref" } },
  ],
  [
    "any namespace ends before a keyword",
    "deny from any namespace to any namespace",
    { from: { domain: "any", namespace: { labels: [] } }, to: { domain: "any", namespace: { labels: [] } } },
  ],
];

describe("parseClaim: every claim form", () => {
  it.each(CLAIMS)("%s", (_name, text, expected) => {
    const { claim, diagnostics } = parseClaim(text, "c.np");
    expect(diagnostics).toEqual([]);
    expect(claim).toMatchObject(expected);
  });

  it("leaves absent optional fields out, rather than undefined", () => {
    const claim = parseClaim("allow from workload a/b to pods").claim;
    expect(Object.keys(claim ?? {}).sort()).toEqual(["from", "kind", "source", "to", "verdict"]);
    expect(claim && "from" in claim && Object.keys(claim.from).sort()).toEqual([
      "kind",
      "name",
      "namespace",
      "source",
    ]);
    expect(claim && "to" in claim && Object.keys(claim.to).sort()).toEqual(["kind", "source"]);
  });

  it("places a node at its first token, parentheses included", () => {
    expect(parseSetExpr("(a/b) or (c/d except e/f)").set).toMatchObject({
      kind: "or",
      source: { column: 1 },
      left: { kind: "ref", source: { column: 2 } },
      right: { kind: "except", source: { column: 11 }, right: { source: { column: 22 } } },
    });
    expect(parseSetExpr("(deployment a/b) in namespace x").set).toMatchObject({
      kind: "and",
      source: { column: 1 },
      right: { kind: "pods", source: { column: 21 }, namespace: { source: { column: 21 } } },
    });
    expect(parseClaim("egress of pods within { x/y, (a/b) on tcp/1 }").claim).toMatchObject({
      entries: [{ source: { column: 25 } }, { source: { column: 30 }, peers: { source: { column: 31 } } }],
    });
  });

  it("gives positions in the file named, 1-based", () => {
    expect(parseClaim("allow from a/b to\n  c/d", "q").claim).toMatchObject({
      source: { file: "q", line: 1, column: 1 },
      to: { source: { file: "q", line: 2, column: 3 } },
    });
    expect(parseClaim("external").diagnostics[0]?.source?.file).toBe("<input>");
  });
});

describe("files", () => {
  it("accepts keywords as guarantee names and an empty or comment-only file", () => {
    expect(parseGuarantees("", "e")).toEqual({ file: { file: "e", guarantees: [] }, diagnostics: [] });
    expect(parseGuarantees("# nothing\n\n", "e").diagnostics).toEqual([]);
    const { file, diagnostics } = parseGuarantees(
      "guarantee guarantee: deny from namespace guarantee to pods(guarantee=guarantee)\nguarantee 1.2_x: isolated both pods",
      "k",
    );
    expect(diagnostics).toEqual([]);
    expect(file.guarantees.map((g) => g.name)).toEqual(["guarantee", "1.2_x"]);
    expect(file.guarantees[0]?.claim).toMatchObject({
      from: { namespace: { name: "guarantee" } },
      to: { labels: [{ key: "guarantee", values: ["guarantee"] }] },
    });
  });

  it("reads CRLF line ends and a byte-order mark", () => {
    const { file, diagnostics } = parseGuarantees(
      "\uFEFF# c\r\nguarantee a:\r\n  isolated both\r\n  pods\r\n",
      "w",
    );
    expect(diagnostics).toEqual([]);
    expect(file.guarantees[0]).toMatchObject({
      text: "guarantee a: isolated both pods",
      source: { line: 2, column: 1 },
      claim: { source: { line: 3, column: 3 }, subject: { source: { line: 4, column: 3 } } },
    });
  });

  it("puts several statements on one line", () => {
    const { file } = parseGuarantees(
      "guarantee a: isolated both pods guarantee b: isolated ingress pods",
      "f",
    );
    expect(file.guarantees.map((g) => [g.name, g.source.column, g.text])).toEqual([
      ["a", 1, "guarantee a: isolated both pods"],
      ["b", 33, "guarantee b: isolated ingress pods"],
    ]);
  });

  it("accepts 200 levels of parentheses", () => {
    const text = `guarantee deep: deny from ${"(".repeat(200)}a/b${")".repeat(200)} to c/d`;
    const { file, diagnostics } = parseGuarantees(text, "d");
    expect(diagnostics).toEqual([]);
    expect(file.guarantees[0]?.claim).toMatchObject({ from: { kind: "ref" } });
  });
});
