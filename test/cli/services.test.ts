/**
 * `netpolc eval --to <Service>` and the Service rows of `netpolc list`, on fixtures/services (a
 * small cluster whose README gives every answer asserted here).
 *
 * 1. Names → Services (`resolveService`) and the per-endpoint answer (`evalService`), in process on
 *    the fixture as the model reads it.
 * 2. The built command end to end, as a user runs it: verdict, exit code, the text (golden files in
 *    fixtures/services-golden, `UPDATE_GOLDEN=1` rewrites them for review) and `-o json`.
 *
 * Part 2 runs the command on fixtures/services. Tests marked "(regression)" found bugs in src/ that
 * are fixed; they stay as regression tests.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolvePeer } from "../../src/cli/resolve.js";
import { evalService, resolveService } from "../../src/cli/services.js";
import { type Analysis, analyze, buildCluster, formatPeer, parseIp } from "../../src/model/index.js";
import { loadPaths } from "../../src/parser/index.js";
import { expectGolden } from "./golden.js";
import { ROOT, type RunResult, run } from "./run.js";

const FIXTURE = "fixtures/services";
const GOLDEN = join(ROOT, "fixtures/services-golden");
const API_V1 = "shop/api-v1-6b7f9c8d4-x2k9p";
const API_V2 = "shop/api-v2-58c6d9f7b-q8m4t";

/** The one diagnostic the fixture gives: api-debug carries `app: api` but has no `http` port. */
const WARNING =
  'fixtures/services/shop-services.yaml:14:45: warning NP3007: Service shop/api port 80: pod shop/api-debug has no TCP container port named "http", so it is not an endpoint of this port\n';

// --- 1. in process -----------------------------------------------------------------------------

async function analysisOf(paths: readonly string[]): Promise<Analysis> {
  return analyze(buildCluster((await loadPaths(paths)).objects).cluster);
}

const A = await analysisOf([join(ROOT, FIXTURE)]);

/** `ns/name port/PROTO` of what a name resolves to (`-` for an absent port or protocol). */
function resolved(a: Analysis, text: string): string | undefined {
  const t = resolveService(a, text);
  return t && `${t.service.namespace}/${t.service.name} ${t.port ?? "-"}/${t.protocol ?? "-"}`;
}

function evalIn(a: Analysis, from: string, to: string) {
  const src = resolvePeer(a, from);
  if ("code" in src) throw new Error(src.message);
  const target = resolveService(a, to);
  if (!target) throw new Error(`no Service ${to}`);
  // As runEval does: every pod class of the source.
  return evalService(a, src.endpoints, src.pod, formatPeer(src.ref), target, target.port, target.protocol);
}

/** Two replicas of `x/c` in different /24s, and a Service `x/s` whose pod admits `cidr` on 8080. */
function replicasYaml(cidr: string): string {
  const owner =
    "ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: c, uid: 8a0c1f8e-0d1b-4c59-9d3e-2b1f0c6d7a11, controller: true}]";
  const replica = (name: string, ip: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: x, labels: {app: c}, ${owner}}\nspec: {containers: [{name: c}]}\nstatus: {phase: Running, podIP: ${ip}}\n`;
  return [
    replica("c-1", "10.0.0.1"),
    replica("c-2", "10.0.1.1"),
    "apiVersion: v1\nkind: Pod\nmetadata: {name: s, namespace: x, labels: {app: s}}\nspec: {containers: [{name: s}]}\nstatus: {phase: Running, podIP: 10.0.2.1}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: x}\nspec: {selector: {app: s}, ports: [{port: 80, targetPort: 8080}]}\n",
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: s-in, namespace: x}\nspec:\n  podSelector: {matchLabels: {app: s}}\n  ingress: [{from: [{ipBlock: {cidr: ${cidr}}}], ports: [{port: 8080}]}]\n`,
  ].join("---\n");
}

describe("Service names (resolveService)", () => {
  const names: readonly [string, string | undefined][] = [
    // 8. DNS-style and kubectl-style names.
    ["svc/shop/api", "shop/api -/-"],
    ["service/shop/api", "shop/api -/-"],
    ["shop/svc/api", "shop/api -/-"],
    ["shop/service/api", "shop/api -/-"],
    ["svc/api", "shop/api -/-"],
    ["api.shop.svc.cluster.local", "shop/api -/-"],
    ["api.shop.svc.cluster.local.", "shop/api -/-"],
    ["api.shop.svc", "shop/api -/-"],
    ["api.shop", "shop/api -/-"],
    ["postgres.data.svc.cluster.local", "data/postgres -/-"],
    // Cluster IPs, with a port and protocol.
    ["10.96.10.10", "shop/api -/-"],
    ["10.96.10.10:80", "shop/api 80/-"],
    ["10.96.0.10:53/udp", "kube-system/kube-dns 53/UDP"],
    ["10.96.0.10:53/TCP", "kube-system/kube-dns 53/TCP"],
    // 6. Either family's ClusterIP of a dual-stack Service.
    ["fd00:10:96::a", "kube-system/kube-dns -/-"],
    ["[fd00:10:96::a]:53/udp", "kube-system/kube-dns 53/UDP"],
    // 5. A node address with a nodePort (mapped to its Service port), a load-balancer address.
    ["192.168.10.11:30080", "shop/web-public 80/TCP"],
    ["192.168.10.12:30080", "shop/web-public 80/TCP"],
    ["192.168.10.12:31443", "shop/storefront-lb 443/TCP"],
    ["198.51.100.7:443", "shop/storefront-lb 443/-"],
    // Not Services.
    ["svc/shop/nope", undefined],
    ["svc/nope", undefined],
    ["nope.shop.svc.cluster.local", undefined],
    ["10.96.99.99", undefined],
    ["192.168.10.11:30081", undefined],
    ["192.168.10.11", undefined],
    ["shop/client", undefined],
    ["10.244.1.20", undefined],
  ];
  for (const [text, want] of names)
    it(`${text} → ${want ?? "no Service"}`, () => {
      expect(resolved(A, text)).toBe(want);
    });

  it("a bare IPv6 ClusterIP ending in digits (regression)", async () => {
    const a = await analysisOf([
      join(ROOT, FIXTURE, "cluster.yaml"),
      join(ROOT, FIXTURE, "kube-system.yaml"),
    ]);
    const dns = a.cluster.services.find((s) => s.name === "kube-dns")!;
    const v6 = { ...dns, clusterIPs: [dns.clusterIPs[0]!, parseIp("fd00:10:96::20")!] };
    const b = { ...a, cluster: { ...a.cluster, services: [v6] } };
    expect(resolved(b, "[fd00:10:96::20]:53/udp")).toBe("kube-system/kube-dns 53/UDP");
    expect(resolved(b, "fd00:10:96::20")).toBe("kube-system/kube-dns -/-");
  });
});

describe("the answer endpoint by endpoint (evalService)", () => {
  it("1. partial: per-endpoint target ports, and the selected pods that are not endpoints", () => {
    const r = evalIn(A, "shop/client", "svc/shop/api");
    expect(r.verdict).toBe("partial");
    expect(r.text.split("\n")).toEqual([
      "partial: shop/client[Pod] => Service shop/api via Service shop/api",
      "  port 80/TCP (http) -> targetPort http: 1 of 2 endpoints reachable",
      `    allowed ${API_V1} 10.244.1.10:8080/TCP`,
      `    denied  ${API_V2} 10.244.2.10:9090/TCP (allowed to it: TCP 8080)`,
      '    not an endpoint: pod shop/api-debug has no TCP container port named "http": not an endpoint of port 80',
      "    not an endpoint: pod shop/api-v1-6b7f9c8d4-r7t2w is not ready: not an endpoint",
    ]);
  });

  it("verdicts of the fixture's README", () => {
    const verdict = (from: string, to: string) => evalIn(A, from, to).verdict;
    expect(verdict("shop/api-v2-58c6d9f7b", "svc/shop/api")).toBe("allowed");
    expect(verdict("ops/batch-6f8d9c7b5", "svc/shop/api")).toBe("denied");
    expect(verdict("shop/client", "svc/shop/payments-gateway")).toBe("allowed");
    expect(verdict("ops/batch-6f8d9c7b5", "svc/shop/payments-gateway")).toBe("partial");
    expect(verdict("shop/api-v1-6b7f9c8d4", "svc/data/postgres")).toBe("allowed");
    expect(verdict("shop/client", "svc/data/postgres")).toBe("denied");
    expect(verdict("shop/client", "svc/shop/billing-api")).toBe("external");
    expect(verdict("shop/client", "192.168.10.11:30080")).toBe("allowed");
    expect(verdict("8.8.8.8", "192.168.10.11:30080")).toBe("denied");
    expect(verdict("8.8.8.8", "198.51.100.7:443")).toBe("allowed");
    expect(verdict("8.8.8.8", "192.168.10.12:31443")).toBe("allowed");
    expect(verdict("shop/client", "198.51.100.7:443")).toBe("denied");
    expect(verdict("shop/client", "10.96.0.10:53/udp")).toBe("allowed");
    expect(verdict("shop/client", "[fd00:10:96::a]:53/udp")).toBe("allowed");
    expect(verdict("shop/client", "svc/kube-system/kube-dns")).toBe("partial");
    expect(verdict("shop/client", "svc/shop/legacy")).toBe("no-endpoints");
  });

  it("6. through one family's ClusterIP, only that family's endpoints (regression)", () => {
    const families = (to: string) => [
      ...new Set(
        evalIn(A, "shop/client", to).reaches.flatMap((r) => r.endpoints.map((e) => e.target.ip?.family)),
      ),
    ];
    expect(families("10.96.0.10:53/udp")).toEqual([4]);
    expect(families("[fd00:10:96::a]:53/udp")).toEqual([6]);
    expect(families("svc/kube-system/kube-dns").sort()).toEqual([4, 6]);
  });

  it("an IPv6 endpoint with its port is written [address]:port (regression)", () => {
    const text = evalIn(A, "shop/client", "svc/kube-system/kube-dns").text;
    expect(text).toContain("    allowed kube-system/coredns-5d78c9869d-8f2lk [fd00:10:244:1::2]:53/UDP");
    expect(text).not.toMatch(/fd00:10:244:1::2:53/);
  });
});

// --- 2. the command ----------------------------------------------------------------------------

interface EvalCase {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly extra?: readonly string[];
  readonly code: number;
  readonly first: string;
  readonly must?: readonly string[];
  /** The whole text is also kept as `<name>.golden`. */
  readonly golden?: boolean;
}

const EVAL_CASES: readonly EvalCase[] = [
  {
    name: "eval-named-targetport-partial",
    from: "shop/client",
    to: "svc/shop/api",
    code: 1,
    first: "partial: shop/client[Pod] => Service shop/api via Service shop/api",
    must: [
      "  port 80/TCP (http) -> targetPort http: 1 of 2 endpoints reachable",
      `    allowed ${API_V1} 10.244.1.10:8080/TCP`,
      `    denied  ${API_V2} 10.244.2.10:9090/TCP (allowed to it: TCP 8080)`,
      '    not an endpoint: pod shop/api-debug has no TCP container port named "http": not an endpoint of port 80',
      "    not an endpoint: pod shop/api-v1-6b7f9c8d4-r7t2w is not ready: not an endpoint",
    ],
    golden: true,
  },
  {
    name: "eval-hairpin",
    from: "shop/api-v2-58c6d9f7b",
    to: "api.shop.svc.cluster.local",
    code: 0,
    first: "allowed: shop/api-v2-58c6d9f7b[ReplicaSet] => Service shop/api via api.shop.svc.cluster.local",
    must: [`    allowed ${API_V2} 10.244.2.10:9090/TCP`],
    golden: true,
  },
  {
    name: "eval-namespace-not-admitted",
    from: "ops/batch-6f8d9c7b5",
    to: "shop/svc/api",
    code: 1,
    first: "denied: ops/batch-6f8d9c7b5[ReplicaSet] => Service shop/api via Service shop/api",
    must: ["  port 80/TCP (http) -> targetPort http: 0 of 2 endpoints reachable"],
    golden: true,
  },
  {
    name: "eval-endpointslice-external-partial",
    from: "ops/batch-6f8d9c7b5",
    to: "10.96.10.30:443",
    code: 1,
    first: "partial: ops/batch-6f8d9c7b5[ReplicaSet] => Service shop/payments-gateway via 10.96.10.30",
    must: [
      "    allowed shop/payments-proxy-5d4c7b9f8-z6x3v 10.244.2.40:8443/TCP",
      "    denied  203.0.113.25 203.0.113.25:8443/TCP (allowed to it: No Connections)",
    ],
    golden: true,
  },
  {
    name: "eval-endpointslice-allowed",
    from: "shop/client",
    to: "svc/shop/payments-gateway",
    code: 0,
    first: "allowed: shop/client[Pod] => Service shop/payments-gateway via Service shop/payments-gateway",
    must: ["  port 443/TCP (https) -> targetPort 8443: 2 of 2 endpoints reachable"],
  },
  {
    name: "eval-headless",
    from: "shop/api-v1-6b7f9c8d4",
    to: "postgres.data.svc.cluster.local",
    code: 0,
    first:
      "allowed: shop/api-v1-6b7f9c8d4[ReplicaSet] => Service data/postgres via postgres.data.svc.cluster.local",
    must: [
      "    allowed data/postgres-0 10.244.1.50:5432/TCP",
      "    allowed data/postgres-1 10.244.2.50:5432/TCP",
    ],
    golden: true,
  },
  {
    name: "eval-headless-denied",
    from: "shop/client",
    to: "svc/data/postgres",
    code: 1,
    first: "denied: shop/client[Pod] => Service data/postgres via Service data/postgres",
  },
  {
    name: "eval-externalname",
    from: "shop/client",
    to: "svc/shop/billing-api",
    code: 0,
    first:
      "external: Service shop/billing-api is an ExternalName for billing.partner.example.com: it has no endpoints in the cluster; the client connects to whatever that name resolves to",
    golden: true,
  },
  {
    name: "eval-nodeport",
    from: "shop/client",
    to: "192.168.10.11:30080",
    code: 0,
    first: "allowed: shop/client[Pod] => Service shop/web-public via node 192.168.10.11:30080 (NodePort)",
    must: ["    allowed shop/web-7c9d8f6b5-h5k2m 10.244.1.30:8080/TCP"],
    golden: true,
  },
  {
    name: "eval-nodeport-from-outside",
    from: "8.8.8.8",
    to: "192.168.10.11:30080",
    code: 1,
    first:
      "denied: 8.8.8.8-8.8.8.8[External] => Service shop/web-public via node 192.168.10.11:30080 (NodePort)",
    must: ["    denied  shop/web-7c9d8f6b5-h5k2m 10.244.1.30:8080/TCP (allowed to it: TCP 8443)"],
  },
  {
    name: "eval-loadbalancer-from-outside",
    from: "8.8.8.8",
    to: "198.51.100.7:443",
    code: 0,
    first: "allowed: 8.8.8.8-8.8.8.8[External] => Service shop/storefront-lb via 198.51.100.7",
    must: ["    allowed shop/web-7c9d8f6b5-n4p8s 10.244.2.30:8443/TCP"],
    golden: true,
  },
  {
    name: "eval-loadbalancer-nodeport",
    from: "8.8.8.8",
    to: "192.168.10.12:31443",
    code: 0,
    first:
      "allowed: 8.8.8.8-8.8.8.8[External] => Service shop/storefront-lb via node 192.168.10.12:31443 (NodePort)",
  },
  {
    name: "eval-loadbalancer-from-a-pod",
    from: "shop/client",
    to: "198.51.100.7:443",
    code: 1,
    first: "denied: shop/client[Pod] => Service shop/storefront-lb via 198.51.100.7",
  },
  {
    name: "eval-dual-stack-ipv4-udp",
    from: "shop/client",
    to: "10.96.0.10:53/udp",
    code: 0,
    first: "allowed: shop/client[Pod] => Service kube-system/kube-dns via 10.96.0.10",
    must: [
      "  port 53/UDP (dns) -> targetPort 53: ",
      "    allowed kube-system/coredns-5d78c9869d-8f2lk 10.244.1.2:53/UDP",
    ],
  },
  {
    name: "eval-dual-stack-ipv6-udp",
    from: "shop/client",
    to: "[fd00:10:96::a]:53/udp",
    code: 0,
    first: "allowed: shop/client[Pod] => Service kube-system/kube-dns via fd00:10:96::a",
  },
  {
    name: "eval-dual-stack-every-port",
    from: "shop/client",
    to: "fd00:10:96::a",
    code: 1,
    first: "partial: shop/client[Pod] => Service kube-system/kube-dns via fd00:10:96::a",
    must: ["  port 9153/TCP (metrics) -> targetPort 9153: 0 of "],
  },
  {
    name: "eval-port-and-protocol-options",
    from: "shop/client",
    to: "svc/kube-system/kube-dns",
    extra: ["--port", "53", "--protocol", "udp"],
    code: 0,
    first: "allowed: shop/client[Pod] => Service kube-system/kube-dns via Service kube-system/kube-dns",
  },
  {
    name: "eval-no-endpoints",
    from: "shop/client",
    to: "svc/shop/legacy",
    code: 1,
    first: "no-endpoints: shop/client[Pod] => Service shop/legacy via Service shop/legacy",
    must: ["  port 80/TCP (http) -> targetPort 8080: 0 of 0 endpoints reachable"],
    golden: true,
  },
];

const evalArgs = (c: Pick<EvalCase, "from" | "to" | "extra">, ...more: string[]) => [
  "eval",
  FIXTURE,
  "--from",
  c.from,
  "--to",
  c.to,
  ...(c.extra ?? []),
  ...more,
];

function expectOnlyTheWarning(r: RunResult): void {
  expect(r.stderr).toBe(WARNING);
}

describe("netpolc eval --to a Service (end to end)", () => {
  for (const c of EVAL_CASES) {
    it(c.name, async () => {
      const r = await run(evalArgs(c));
      expectOnlyTheWarning(r);
      const lines = r.stdout.split("\n");
      expect(lines[0]).toBe(c.first);
      for (const m of c.must ?? []) expect(r.stdout).toContain(m);
      expect(r.code).toBe(c.code);
      if (c.golden) expectGolden(join(GOLDEN, `${c.name}.golden`), r.stdout);
    });
  }

  it("8. svc/ns/name, ns/svc/name and name.ns.svc.cluster.local give the same answer", async () => {
    const outs = await Promise.all(
      ["svc/shop/api", "shop/svc/api", "api.shop.svc.cluster.local"].map((to) =>
        run(evalArgs({ from: "shop/client", to })),
      ),
    );
    const body = (r: RunResult) => r.stdout.replace(/ via [^\n]*/, "");
    expect(outs.map((r) => r.code)).toEqual([1, 1, 1]);
    expect(new Set(outs.map(body)).size).toBe(1);
  });

  it("6. each ClusterIP family, through the command", async () => {
    for (const [to, family] of [
      ["10.96.0.10:53/udp", "IPv4"],
      ["[fd00:10:96::a]:53/udp", "IPv6"],
    ] as const) {
      const r = await run(evalArgs({ from: "shop/client", to }, "-o", "json"));
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout) as { verdict: string; ports: { port: number; protocol: string }[] };
      expect({
        family,
        verdict: json.verdict,
        ports: json.ports.map((p) => `${p.port}/${p.protocol}`),
      }).toEqual({
        family,
        verdict: "allowed",
        ports: ["53/UDP"],
      });
    }
  });

  it("-o json: the endpoints with their own target ports, and the pods that are not endpoints", async () => {
    const r = await run(evalArgs({ from: "shop/client", to: "svc/shop/api" }, "-o", "json"));
    expectOnlyTheWarning(r);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      src: "shop/client[Pod]",
      service: "shop/api",
      via: "Service shop/api",
      verdict: "partial",
      ports: [
        {
          port: 80,
          protocol: "TCP",
          targetPort: "http",
          endpoints: [
            { pod: API_V1, ip: "10.244.1.10", port: 8080, allowed: true },
            { pod: API_V2, ip: "10.244.2.10", port: 9090, allowed: false },
          ],
          notEndpoints: [
            'pod shop/api-debug has no TCP container port named "http": not an endpoint of port 80',
            "pod shop/api-v1-6b7f9c8d4-r7t2w is not ready: not an endpoint",
          ],
        },
      ],
      source: "fixtures/services/shop-services.yaml:2:1",
    });
    expectGolden(join(GOLDEN, "eval-named-targetport-partial.json.golden"), r.stdout);
  });

  it("-o json: an external endpoint has an address and no pod", async () => {
    const r = await run(evalArgs({ from: "ops/batch-6f8d9c7b5", to: "10.96.10.30:443" }, "-o", "json"));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      service: "shop/payments-gateway",
      verdict: "partial",
      ports: [
        {
          port: 443,
          targetPort: 8443,
          endpoints: [
            { pod: "shop/payments-proxy-5d4c7b9f8-z6x3v", ip: "10.244.2.40", port: 8443, allowed: true },
            { ip: "203.0.113.25", port: 8443, allowed: false },
          ],
        },
      ],
    });
    expectGolden(join(GOLDEN, "eval-endpointslice-external-partial.json.golden"), r.stdout);
  });

  it("-o json: an ExternalName Service", async () => {
    const r = await run(evalArgs({ from: "shop/client", to: "svc/shop/billing-api" }, "-o", "json"));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      src: "shop/client[Pod]",
      service: "shop/billing-api",
      externalName: "billing.partner.example.com",
      verdict: "external",
    });
  });

  it("-o json names the source, as every other eval answer does (regression)", async () => {
    const r = await run(evalArgs({ from: "shop/client", to: "svc/shop/api" }, "-o", "json"));
    expect(JSON.parse(r.stdout)).toMatchObject({ src: "shop/client[Pod]", service: "shop/api" });
  });

  it("a workload whose replicas fall in different pod classes is judged on all of them (regression)", async () => {
    // Replicas c-1 (10.0.0.1) and c-2 (10.0.1.1) of one ReplicaSet; the Service's pod admits one
    // of the two /24s. The two cases are mirror images, so their answers must be equal.
    const verdicts: string[] = [];
    for (const cidr of ["10.0.0.0/24", "10.0.1.0/24"]) {
      const dir = mkdtempSync(join(tmpdir(), "netpolc-svc-"));
      try {
        writeFileSync(join(dir, "m.yaml"), replicasYaml(cidr));
        const direct = await run(["eval", dir, "--from", "x/c", "--to", "x/s", "--port", "8080"]);
        expect(direct.stdout).toMatch(/^allowed TCP\/8080: x\/c\[ReplicaSet\] => x\/s\[Pod\]/);
        const r = await run(["eval", dir, "--from", "x/c", "--to", "svc/x/s"]);
        verdicts.push(r.stdout.split(":")[0]!);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    expect(verdicts[0]).toBe(verdicts[1]);
    expect(verdicts).not.toContain("denied");
  });

  it("an unknown Service: exit 2 and a diagnostic naming it", async () => {
    const r = await run(evalArgs({ from: "shop/client", to: "svc/shop/nope" }));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/error NP9\d{3}: .*"svc\/shop\/nope"/);
  });
});

describe("netpolc list on fixtures/services (end to end)", () => {
  it("shows {ingress-controller} rows to backends that admit it, on the routed target ports", async () => {
    const r = await run(["list", FIXTURE]);
    expectOnlyTheWarning(r);
    expect(r.code).toBe(0);
    const rows = r.stdout.split("\n").filter((l) => l.startsWith("{ingress-controller}"));
    // api's policy admits only namespaces labelled team=shop: the controller's /api route is refused.
    expect(rows).toEqual([
      "{ingress-controller} => ops/grafana-7b9c8d6f5[ReplicaSet] : TCP 3000",
      "{ingress-controller} => shop/web-7c9d8f6b5[ReplicaSet] : TCP 8080",
    ]);
    expectGolden(join(GOLDEN, "list.connlist.golden"), r.stdout);
  });

  it("-o json carries the controller as a source", async () => {
    const r = await run(["list", FIXTURE, "-o", "json"]);
    expect(JSON.parse(r.stdout)).toContainEqual({
      src: "{ingress-controller}",
      dst: "shop/web-7c9d8f6b5[ReplicaSet]",
      conn: "TCP 8080",
    });
  });

  it("--focus on a backend keeps its controller row", async () => {
    const r = await run([
      "list",
      FIXTURE,
      "--focus",
      "ops/grafana-7b9c8d6f5",
      "--focus-direction",
      "ingress",
    ]);
    expect(r.stdout.split("\n")).toContain(
      "{ingress-controller} => ops/grafana-7b9c8d6f5[ReplicaSet] : TCP 3000",
    );
  });

  it("--services adds the Service ports each peer reaches on every endpoint (regression: a replica is not its own workload's other replicas)", async () => {
    const r = await run(["list", FIXTURE, "--services"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("shop/client[Pod] => shop/web[Service] : TCP 80");
    expect(r.stdout).not.toContain("shop/client[Pod] => shop/api[Service]");
    expectGolden(join(GOLDEN, "list-services.connlist.golden"), r.stdout);
  });
});
