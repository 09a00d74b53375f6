/**
 * NetworkPolicy semantic traps, as a table of named cases: a tiny cluster and the verdicts the
 * Kubernetes API reference (networking.k8s.io/v1 NetworkPolicy, meta/v1 LabelSelector) gives.
 * Each case is checked against the engine, and against the test oracle (support/naive.ts) so the
 * oracle the property test trusts is itself pinned to the spec.
 *
 * Verdict keys: `SRC -> DST PROTO/PORT`, where an endpoint is a pod (`ns/name`) or an address.
 */
import { describe, expect, it } from "vitest";
import { connContains } from "../../src/model/index.js";
import type { Protocol } from "../../src/parser/index.js";
import { np, ns, pod } from "./support/builders.js";
import { type Case, podKey, podsOf, type RawObject } from "./support/case.js";
import { EngineView } from "./support/compare.js";
import { type Endpoint, Oracle, type Semantics } from "./support/naive.js";

interface SemanticsCase {
  readonly name: string;
  readonly objects: readonly RawObject[];
  /** Default: ipBlockPods include, hostNetwork node. */
  readonly semantics?: Partial<Semantics>;
  readonly verdicts: Readonly<Record<string, boolean>>;
  /** Set when the engine is known to disagree with the spec: the reason, kept until fixed. */
  readonly engineBug?: string;
}

const A = (labels: Record<string, string> = {}, ips = ["10.0.0.1"]) => ({ labels, ips });

const CASES: readonly SemanticsCase[] = [
  {
    name: "no policy: everything is allowed",
    objects: [pod("x/a", A()), pod("x/b", A({}, ["10.0.0.2"]))],
    verdicts: { "x/a -> x/b TCP/80": true, "x/b -> x/a SCTP/9": true, "x/a -> 8.8.8.8 UDP/53": true },
  },
  {
    name: "empty podSelector selects every pod of the policy's namespace, and only there",
    objects: [pod("x/a"), pod("x/b"), pod("y/c"), np("x/deny", { podSelector: {}, ingress: [] })],
    verdicts: { "y/c -> x/a TCP/80": false, "x/a -> x/b TCP/80": false, "x/a -> y/c TCP/80": true },
  },
  {
    name: "ingress absent, policyTypes absent: ingress isolated, nothing allowed",
    objects: [pod("x/a"), pod("x/b"), np("x/p", { podSelector: { matchLabels: {} } })],
    verdicts: { "x/a -> x/b TCP/80": false, "1.2.3.4 -> x/b TCP/80": false },
  },
  {
    name: "ingress: [] denies every ingress, egress stays open",
    objects: [pod("x/a"), pod("x/b"), np("x/p", { podSelector: {}, ingress: [] })],
    verdicts: { "x/a -> x/b TCP/80": false, "x/a -> 1.2.3.4 TCP/80": true },
  },
  {
    name: "ingress: [{}] allows every source, port and protocol",
    objects: [pod("x/a"), pod("y/b"), np("x/p", { podSelector: {}, ingress: [{}] })],
    verdicts: { "y/b -> x/a TCP/80": true, "y/b -> x/a SCTP/65535": true, "9.9.9.9 -> x/a UDP/1": true },
  },
  {
    name: "from: [] and ports: [] mean everything, like absent",
    objects: [pod("x/a"), pod("y/b"), np("x/p", { podSelector: {}, ingress: [{ from: [], ports: [] }] })],
    verdicts: { "y/b -> x/a UDP/5353": true, "9.9.9.9 -> x/a TCP/22": true },
  },
  {
    name: "policyTypes absent with egress rules: Egress is implied (and Ingress too)",
    objects: [
      pod("x/a"),
      pod("x/b", { labels: { app: "db" } }),
      np("x/p", {
        podSelector: { matchLabels: { app: "web" } },
        egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }] }],
      }),
      pod("x/w", { labels: { app: "web" } }),
    ],
    verdicts: { "x/w -> x/b TCP/5432": true, "x/w -> x/a TCP/80": false, "x/a -> x/w TCP/80": false },
  },
  {
    name: "policyTypes absent with egress: []: only Ingress is implied",
    objects: [pod("x/a"), pod("x/b"), np("x/p", { podSelector: {}, ingress: [{}], egress: [] })],
    verdicts: { "x/a -> x/b TCP/80": true, "x/a -> 1.1.1.1 TCP/443": true },
  },
  {
    name: "egress-only policy leaves ingress open",
    objects: [
      pod("x/a"),
      pod("x/b"),
      np("x/p", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"] }),
      pod("x/c", { labels: { app: "a" } }),
    ],
    verdicts: { "x/c -> x/a TCP/80": false, "x/a -> x/c TCP/80": true, "x/c -> 8.8.8.8 UDP/53": false },
  },
  {
    name: "policyTypes [Ingress] ignores egress rules",
    objects: [
      pod("x/a"),
      pod("x/b"),
      np("x/p", {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{}],
        egress: [{ ports: [{ port: 1 }] }],
      }),
    ],
    verdicts: { "x/a -> x/b TCP/80": true, "x/a -> 8.8.8.8 UDP/53": true },
  },
  {
    name: "policyTypes: [] is defaulted like an absent field (API server: len(policyTypes) == 0)",
    objects: [pod("x/a"), pod("x/b"), np("x/p", { podSelector: {}, policyTypes: [] })],
    verdicts: { "x/a -> x/b TCP/80": false, "x/a -> 8.8.8.8 TCP/80": true },
  },
  {
    name: "both ends must allow: egress allowed but destination's ingress denies",
    objects: [
      pod("x/a", { labels: { app: "a" } }),
      pod("x/b", { labels: { app: "b" } }),
      np("x/out", { podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Egress"], egress: [{}] }),
      np("x/in", {
        podSelector: { matchLabels: { app: "b" } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: "c" } } }] }],
      }),
    ],
    verdicts: { "x/a -> x/b TCP/80": false, "x/b -> x/a TCP/80": true },
  },
  {
    name: "podSelector-only peer matches pods of the policy's namespace only",
    objects: [
      pod("x/web", { labels: { app: "web" } }),
      pod("x/db", { labels: { app: "db" } }),
      pod("y/web", { labels: { app: "web" } }),
      np("x/p", {
        podSelector: { matchLabels: { app: "db" } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }],
      }),
    ],
    verdicts: { "x/web -> x/db TCP/5432": true, "y/web -> x/db TCP/5432": false },
  },
  {
    name: "namespaceSelector {} peer: every pod of every namespace, but no address",
    objects: [
      pod("x/a"),
      pod("y/b"),
      pod("x/t"),
      np("x/p", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }),
    ],
    verdicts: { "y/b -> x/t TCP/80": true, "x/a -> x/t TCP/80": true, "10.0.0.1 -> x/t TCP/80": false },
  },
  {
    name: "podSelector {} peer: every pod of the policy's namespace",
    objects: [
      pod("x/a"),
      pod("y/b"),
      pod("x/t"),
      np("x/p", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }),
    ],
    verdicts: { "x/a -> x/t TCP/80": true, "y/b -> x/t TCP/80": false },
  },
  {
    name: "podSelector and namespaceSelector in one peer are ANDed",
    objects: [
      ns("x"),
      ns("y", { team: "ops" }),
      pod("y/mon", { labels: { app: "mon" } }),
      pod("y/other"),
      pod("x/mon", { labels: { app: "mon" } }),
      pod("x/t"),
      np("x/p", {
        podSelector: {},
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { team: "ops" } },
                podSelector: { matchLabels: { app: "mon" } },
              },
            ],
          },
        ],
      }),
    ],
    verdicts: { "y/mon -> x/t TCP/80": true, "y/other -> x/t TCP/80": false, "x/mon -> x/t TCP/80": false },
  },
  {
    name: "two peers are ORed",
    objects: [
      ns("x"),
      ns("y", { team: "ops" }),
      pod("y/mon", { labels: { app: "mon" } }),
      pod("y/other"),
      pod("x/mon", { labels: { app: "mon" } }),
      pod("x/t"),
      np("x/p", {
        podSelector: {},
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { team: "ops" } } },
              { podSelector: { matchLabels: { app: "mon" } } },
            ],
          },
        ],
      }),
    ],
    verdicts: { "y/mon -> x/t TCP/80": true, "y/other -> x/t TCP/80": true, "x/mon -> x/t TCP/80": true },
  },
  {
    name: "implied namespace (no Namespace object) still carries kubernetes.io/metadata.name",
    objects: [
      pod("y/a"),
      pod("z/b"),
      pod("x/t"),
      np("x/p", {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "y" } } }] }],
      }),
    ],
    verdicts: { "y/a -> x/t TCP/80": true, "z/b -> x/t TCP/80": false },
  },
  {
    name: "kubernetes.io/metadata.name is set by the API server and overrides the manifest's value",
    objects: [
      ns("y", { "kubernetes.io/metadata.name": "z" }),
      pod("y/a"),
      pod("x/t"),
      np("x/p", {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "y" } } }] }],
      }),
    ],
    verdicts: { "y/a -> x/t TCP/80": true },
  },
  {
    name: "NotIn matches pods without the key; In does not",
    objects: [
      pod("x/nokey"),
      pod("x/prod", { labels: { env: "prod" } }),
      pod("x/dev", { labels: { env: "dev" } }),
      pod("x/t", { labels: { role: "t" } }),
      np("x/p", {
        podSelector: { matchLabels: { role: "t" } },
        ingress: [
          {
            from: [
              { podSelector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] } },
            ],
          },
        ],
      }),
    ],
    verdicts: { "x/nokey -> x/t TCP/80": true, "x/dev -> x/t TCP/80": true, "x/prod -> x/t TCP/80": false },
  },
  {
    name: "Exists matches an empty label value; DoesNotExist only a missing key",
    objects: [
      pod("x/empty", { labels: { tier: "" } }),
      pod("x/none"),
      pod("x/t1", { labels: { role: "t1" } }),
      pod("x/t2", { labels: { role: "t2" } }),
      np("x/p1", {
        podSelector: { matchLabels: { role: "t1" } },
        ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "tier", operator: "Exists" }] } }] }],
      }),
      np("x/p2", {
        podSelector: { matchLabels: { role: "t2" } },
        ingress: [
          { from: [{ podSelector: { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] } }] },
        ],
      }),
    ],
    verdicts: {
      "x/empty -> x/t1 TCP/80": true,
      "x/none -> x/t1 TCP/80": false,
      "x/empty -> x/t2 TCP/80": false,
      "x/none -> x/t2 TCP/80": true,
    },
  },
  {
    name: "named port resolves to the destination's container port of that name and protocol",
    objects: [
      pod("x/a"),
      pod("x/t", { ports: ["http//8080", "dns/UDP/53"] }),
      np("x/p", {
        podSelector: {},
        ingress: [{ ports: [{ port: "http" }, { port: "dns", protocol: "UDP" }] }],
      }),
    ],
    verdicts: {
      "x/a -> x/t TCP/8080": true,
      "x/a -> x/t TCP/80": false,
      "x/a -> x/t UDP/53": true,
      "x/a -> x/t TCP/53": false,
    },
  },
  {
    name: "named port with a protocol mismatch matches nothing",
    objects: [
      pod("x/a"),
      pod("x/t", { ports: ["dns/UDP/53"] }),
      np("x/p", { podSelector: {}, ingress: [{ ports: [{ port: "dns" }] }] }),
    ],
    verdicts: { "x/a -> x/t TCP/53": false, "x/a -> x/t UDP/53": false },
  },
  {
    name: "egress named port resolves per destination pod, and never towards an address",
    objects: [
      pod("x/src", { labels: { app: "src" } }),
      pod("x/d1", { ports: ["http/TCP/80"] }),
      pod("x/d2", { ports: ["http/TCP/8080"] }),
      np("x/p", {
        podSelector: { matchLabels: { app: "src" } },
        policyTypes: ["Egress"],
        egress: [{ ports: [{ port: "http" }] }],
      }),
    ],
    verdicts: {
      "x/src -> x/d1 TCP/80": true,
      "x/src -> x/d1 TCP/8080": false,
      "x/src -> x/d2 TCP/8080": true,
      "x/src -> 8.8.8.8 TCP/80": false,
    },
  },
  {
    name: "endPort: an inclusive range of the rule's protocol",
    objects: [
      pod("x/a"),
      pod("x/t"),
      np("x/p", { podSelector: {}, ingress: [{ ports: [{ protocol: "UDP", port: 1000, endPort: 1010 }] }] }),
    ],
    verdicts: {
      "x/a -> x/t UDP/999": false,
      "x/a -> x/t UDP/1000": true,
      "x/a -> x/t UDP/1010": true,
      "x/a -> x/t UDP/1011": false,
      "x/a -> x/t TCP/1005": false,
    },
  },
  {
    name: "port without protocol is TCP; protocol without port is every port of it",
    objects: [
      pod("x/a"),
      pod("x/t"),
      np("x/p", { podSelector: {}, ingress: [{ ports: [{ port: 80 }, { protocol: "SCTP" }] }] }),
    ],
    verdicts: {
      "x/a -> x/t TCP/80": true,
      "x/a -> x/t UDP/80": false,
      "x/a -> x/t SCTP/1": true,
      "x/a -> x/t SCTP/65535": true,
    },
  },
  {
    name: "ipBlock except carves addresses out of the CIDR",
    objects: [
      pod("x/a"),
      np("x/p", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "10.1.0.0/24", except: ["10.1.0.128/25"] } }] }],
      }),
    ],
    verdicts: {
      "x/a -> 10.1.0.0 TCP/80": true,
      "x/a -> 10.1.0.127 TCP/80": true,
      "x/a -> 10.1.0.128 TCP/80": false,
      "x/a -> 10.1.0.255 TCP/80": false,
      "x/a -> 10.1.1.0 TCP/80": false,
    },
  },
  {
    name: "IPv6 ipBlock, and the address family must match",
    objects: [
      pod("x/t"),
      np("x/p", {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: "fd00::/64", except: ["fd00::/120"] } }] }],
      }),
    ],
    verdicts: {
      "fd00::1:0 -> x/t TCP/80": true,
      "fd00::5 -> x/t TCP/80": false,
      "10.0.0.9 -> x/t TCP/80": false,
    },
  },
  {
    name: "ipBlockPods include: an ipBlock matches pods by IP (any of a dual-stack pod's IPs)",
    objects: [
      pod("y/in", { ips: ["10.0.0.5"] }),
      pod("y/v6", { ips: ["192.168.9.9", "fd00::5"] }),
      pod("y/out", { ips: ["10.9.0.5"] }),
      pod("y/noip", { ips: [] }),
      pod("x/t", { ips: ["10.0.0.1"] }),
      np("x/p", {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/24" } }, { ipBlock: { cidr: "fd00::/120" } }] }],
      }),
    ],
    semantics: { ipBlockPods: "include" },
    verdicts: {
      "y/in -> x/t TCP/80": true,
      "y/v6 -> x/t TCP/80": true,
      "y/out -> x/t TCP/80": false,
      "y/noip -> x/t TCP/80": false,
    },
  },
  {
    name: "ipBlockPods exclude: an ipBlock never matches pods, only addresses",
    objects: [
      pod("y/in", { ips: ["10.0.0.5"] }),
      pod("x/t", { ips: ["10.0.0.1"] }),
      np("x/p", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/24" } }] }] }),
    ],
    semantics: { ipBlockPods: "exclude" },
    verdicts: { "y/in -> x/t TCP/80": false, "10.0.0.5 -> x/t TCP/80": true },
  },
  {
    name: "multiple policies selecting a pod: their rules are unioned",
    objects: [
      pod("x/a"),
      pod("x/t"),
      np("x/p1", { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }),
      np("x/p2", { podSelector: {}, ingress: [{ ports: [{ port: 443 }] }] }),
    ],
    verdicts: { "x/a -> x/t TCP/80": true, "x/a -> x/t TCP/443": true, "x/a -> x/t TCP/22": false },
  },
  {
    name: "rules of one policy are ORed; peers and ports of one rule are ANDed",
    objects: [
      pod("x/a", { labels: { app: "a" } }),
      pod("x/b", { labels: { app: "b" } }),
      pod("x/t"),
      np("x/p", {
        podSelector: {},
        ingress: [
          { from: [{ podSelector: { matchLabels: { app: "a" } } }], ports: [{ port: 80 }] },
          { from: [{ podSelector: { matchLabels: { app: "b" } } }], ports: [{ port: 443 }] },
        ],
      }),
    ],
    verdicts: {
      "x/a -> x/t TCP/80": true,
      "x/a -> x/t TCP/443": false,
      "x/b -> x/t TCP/443": true,
      "x/b -> x/t TCP/80": false,
    },
  },
  {
    name: "a peer with neither selector nor ipBlock matches nothing",
    objects: [pod("x/a"), pod("x/t"), np("x/p", { podSelector: {}, ingress: [{ from: [{}] }] })],
    verdicts: { "x/a -> x/t TCP/80": false, "1.1.1.1 -> x/t TCP/80": false },
  },
  {
    name: "hostNetwork pod (node mode) is not selected as a subject",
    objects: [
      pod("x/a"),
      pod("x/h", { hostNetwork: true }),
      np("x/p", { podSelector: {}, ingress: [], egress: [], policyTypes: ["Ingress", "Egress"] }),
    ],
    verdicts: {
      "x/h -> 8.8.8.8 TCP/80": true,
      "1.2.3.4 -> x/h TCP/80": true,
      "x/a -> x/h TCP/80": false,
      "x/h -> x/a TCP/80": false,
    },
  },
  {
    name: "hostNetwork pod (node mode): selector peers miss it; ipBlock (include) and absent `from` match it",
    objects: [
      pod("x/h", { hostNetwork: true, ips: ["10.0.0.7"] }),
      pod("x/t1", { labels: { r: "1" } }),
      pod("x/t2", { labels: { r: "2" } }),
      pod("x/t3", { labels: { r: "3" } }),
      np("x/p1", {
        podSelector: { matchLabels: { r: "1" } },
        ingress: [{ from: [{ namespaceSelector: {} }, { podSelector: {} }] }],
      }),
      np("x/p2", {
        podSelector: { matchLabels: { r: "2" } },
        ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/24" } }] }],
      }),
      np("x/p3", { podSelector: { matchLabels: { r: "3" } }, ingress: [{ ports: [{ port: 80 }] }] }),
    ],
    verdicts: { "x/h -> x/t1 TCP/80": false, "x/h -> x/t2 TCP/80": true, "x/h -> x/t3 TCP/80": true },
  },
  {
    name: "hostNetwork pod (distinguish mode) is policed like any pod",
    objects: [
      pod("x/h", { hostNetwork: true, labels: { app: "h" } }),
      pod("x/t"),
      np("x/p", { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: "h" } } }] }] }),
    ],
    semantics: { hostNetwork: "distinguish" },
    verdicts: { "x/h -> x/t TCP/80": true, "x/t -> x/h TCP/80": false },
  },
  {
    name: "egress-isolated pod reaches an address only through an ipBlock (selectors never match addresses)",
    objects: [
      pod("x/a"),
      pod("x/b", { ips: ["10.0.0.2"] }),
      np("x/p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: {} }] }] }),
    ],
    verdicts: { "x/a -> x/b TCP/80": true, "x/a -> 10.0.0.2 TCP/80": false, "x/a -> 8.8.8.8 TCP/80": false },
  },
];

const VERDICT = /^(\S+) -> (\S+) (TCP|UDP|SCTP)\/(\d+)$/;

function semanticsOf(c: SemanticsCase): Semantics {
  return { ipBlockPods: "include", hostNetwork: "node", ...c.semantics };
}

/** Each verdict as [key, expected, got] under `decide`. */
function judge(
  c: SemanticsCase,
  decide: (src: Endpoint, dst: Endpoint, proto: Protocol, port: number) => boolean,
): [string, boolean, boolean][] {
  const cs: Case = { objects: c.objects };
  const pods = new Map(podsOf(cs).map((p) => [podKey(p), p]));
  const endpoint = (name: string): Endpoint => {
    if (!name.includes("/")) return { ip: name };
    const p = pods.get(name);
    if (!p) throw new Error(`case "${c.name}" has no pod ${name}`);
    return { pod: p };
  };
  return Object.entries(c.verdicts).map(([key, want]) => {
    const m = VERDICT.exec(key);
    if (!m) throw new Error(`bad verdict key "${key}"`);
    return [key, want, decide(endpoint(m[1]!), endpoint(m[2]!), m[3] as Protocol, Number(m[4]))];
  });
}

const verdictMap = (rows: [string, boolean, boolean][], i: 1 | 2) =>
  Object.fromEntries(rows.map((r) => [r[0], r[i]]));

describe("NetworkPolicy semantics table", () => {
  it("has the cases the table promises", () => expect(CASES.length).toBeGreaterThanOrEqual(20));

  describe("engine", () => {
    for (const c of CASES) {
      // Cases with `engineBug` are expected to fail until src/model is fixed: see the reason in the case.
      it(c.engineBug ? `${c.name} [KNOWN ENGINE BUG: ${c.engineBug}]` : c.name, () => {
        const engine = new EngineView({ objects: c.objects }, semanticsOf(c));
        const rows = judge(c, (s, d, proto, port) => connContains(engine.conn(s, d), proto, port));
        expect(verdictMap(rows, 2)).toEqual(verdictMap(rows, 1));
      });
    }
  });

  describe("oracle (support/naive.ts)", () => {
    for (const c of CASES)
      it(c.name, () => {
        const oracle = new Oracle({ objects: c.objects }, semanticsOf(c));
        const rows = judge(c, (s, d, proto, port) => oracle.allowed(s, d, proto, port));
        expect(verdictMap(rows, 2)).toEqual(verdictMap(rows, 1));
      });
  });
});
