/**
 * Services in the model: endpoint resolution, reachability after kube-proxy's translation, and the
 * ingress controller peer.
 *
 * 1. The fixtures/services cluster, read by the real parser, with the answers its README gives.
 * 2. Tables of named cases over terse manifests: endpoints, Service fields, reachability, the
 *    ingress controller, and Service rows of the listing.
 *
 * Semantics followed (core/v1 Service, discovery.k8s.io/v1 EndpointSlice, kube-proxy):
 * | case                                    | endpoints                                                    |
 * |-----------------------------------------|--------------------------------------------------------------|
 * | selector                                | ready pods of the Service's namespace whose labels match     |
 * | not-ready pod (phase ≠ Running, or      | not an endpoint (unless publishNotReadyAddresses)            |
 * |   condition Ready False)                |                                                              |
 * | targetPort number / absent              | that number / the Service port, on every pod                 |
 * | targetPort name                         | per pod: its container port of that name and protocol; a pod |
 * |                                         |   without one is not an endpoint of that port               |
 * | no selector                             | addresses of EndpointSlices labelled                         |
 * |                                         |   kubernetes.io/service-name, or of the Endpoints object; a  |
 * |                                         |   pod IP is that pod, another address is outside the cluster |
 * | ExternalName                            | none: a DNS alias                                            |
 * Policy is judged on the translated packet: source → endpoint pod (or address), target port.
 * A pod reaching itself through its Service (hairpin) is always allowed.
 *
 * Cases marked "(regression)" found bugs in src/ that are fixed; they stay as regression tests.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SourceRef } from "../../src/common/index.js";
import {
  type Analysis,
  analyze,
  buildCluster,
  type Cluster,
  formatConn,
  formatIp,
  formatPeer,
  listConnections,
  listServiceConnections,
  parseIp,
  reachService,
  type Service,
  serviceEndpoints,
} from "../../src/model/index.js";
import { loadPaths, type Protocol } from "../../src/parser/index.js";
import { np, ns, pod } from "./support/builders.js";

// --- input -----------------------------------------------------------------------------------

type ModelInput = Parameters<typeof buildCluster>[0][number];

/** Raw manifests (what a YAML file holds) with the fake provenance the parser would attach. */
function inputs(raw: readonly object[]): ModelInput[] {
  return raw.map((o) => {
    const m = o as { kind: string; metadata: { name: string; namespace?: string } };
    const source: SourceRef = {
      file: "case.yaml",
      line: 1,
      column: 1,
      object: { kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name },
    };
    return { ...o, source, locate: () => source } as unknown as ModelInput;
  });
}

// --- terse builders --------------------------------------------------------------------------

interface PodOpts {
  readonly labels?: Record<string, string>;
  readonly ips?: readonly string[];
  /** `name/PROTO/port` as in support/builders.ts. */
  readonly ports?: readonly string[];
  readonly phase?: string;
  readonly ready?: boolean;
}

/** A Pod with a status: Running and Ready unless told otherwise. */
function p(key: string, o: PodOpts = {}): object {
  const base = pod(key, { labels: o.labels, ips: o.ips, ports: o.ports }) as {
    status?: Record<string, unknown>;
  };
  return {
    ...base,
    status: {
      ...(base.status ?? {}),
      phase: o.phase ?? "Running",
      conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True" }],
    },
  };
}

interface SvcPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: Protocol;
  readonly targetPort?: number | string;
  readonly nodePort?: number;
}

function svc(key: string, spec: Record<string, unknown>, status?: Record<string, unknown>): object {
  const [namespace, name] = key.split("/") as [string, string];
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec,
    ...(status ? { status } : {}),
  };
}

const http = (targetPort?: number | string): SvcPort => ({
  name: "http",
  port: 80,
  ...(targetPort !== undefined ? { targetPort } : {}),
});

function slice(
  key: string,
  service: string,
  endpoints: readonly { addresses: string[]; conditions?: { ready?: boolean } }[],
  ports: readonly { name?: string; port: number; protocol?: Protocol }[],
  addressType = "IPv4",
): object {
  const [namespace, name] = key.split("/") as [string, string];
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name, namespace, labels: { "kubernetes.io/service-name": service } },
    addressType,
    endpoints,
    ports,
  };
}

function ingress(
  key: string,
  backends: readonly { service: string; port: { number?: number; name?: string } }[],
) {
  const [namespace, name] = key.split("/") as [string, string];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace },
    spec: {
      rules: [
        {
          host: "example.com",
          http: {
            paths: backends.map((b, i) => ({
              path: `/${i}`,
              pathType: "Prefix",
              backend: { service: { name: b.service, port: b.port } },
            })),
          },
        },
      ],
    },
  };
}

function route(key: string, service: string, targetPort?: number | string): object {
  const [namespace, name] = key.split("/") as [string, string];
  return {
    apiVersion: "route.openshift.io/v1",
    kind: "Route",
    metadata: { name, namespace },
    spec: {
      host: `${name}.apps.example.com`,
      to: { kind: "Service", name: service, weight: 100 },
      ...(targetPort !== undefined ? { port: { targetPort } } : {}),
    },
  };
}

// --- queries ---------------------------------------------------------------------------------

function build(raw: readonly object[]) {
  const built = buildCluster(inputs(raw));
  return { ...built, analysis: analyze(built.cluster) };
}

function serviceOf(cluster: Cluster, key: string): Service {
  const s = cluster.services.find((x) => `${x.namespace}/${x.name}` === key);
  if (!s) throw new Error(`no Service ${key} in ${cluster.services.map((x) => `${x.namespace}/${x.name}`)}`);
  return s;
}

function podOf(cluster: Cluster, key: string): number {
  const i = cluster.pods.findIndex((x) => `${x.namespace}/${x.name}` === key);
  if (i < 0) throw new Error(`no pod ${key}`);
  return i;
}

/** A source: `ns/pod` (that pod's class, and the pod itself for hairpin) or an address. */
function source(a: Analysis, who: string): { id: number; pod?: number } {
  const ip = parseIp(who);
  if (ip) return { id: a.classCount + a.space.atomOf(ip) };
  const i = podOf(a.cluster, who);
  return { id: a.index.classOfPod[i]!, pod: i };
}

const ipText = (ip: { family: 4 | 6; value: bigint } | undefined) =>
  ip ? formatIp(ip.family, ip.value) : "-";

/** Endpoints of each Service port (`port/PROTO`), as `ns/pod@ip:port` or `ip:port`. */
function endpointsOf(cluster: Cluster, key: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const pe of serviceEndpoints(cluster, serviceOf(cluster, key))) {
    const sp = pe.servicePort;
    out[`${sp.port}/${sp.protocol}`] = pe.targets.map((t) => {
      const who =
        t.pod !== undefined ? `${cluster.pods[t.pod]!.namespace}/${cluster.pods[t.pod]!.name}@` : "";
      return `${who}${ipText(t.ip)}:${t.port}`;
    });
  }
  return out;
}

function problemsOf(cluster: Cluster, key: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const pe of serviceEndpoints(cluster, serviceOf(cluster, key)))
    out[`${pe.servicePort.port}/${pe.servicePort.protocol}`] = pe.problems.map((x) => x.message);
  return out;
}

/** Per endpoint of `service` on (port, protocol): `target allowed|denied`. */
function reach(
  a: Analysis,
  from: string,
  key: string,
  port: number,
  protocol: Protocol = "TCP",
): string[] | undefined {
  const src = source(a, from);
  const r = reachService(a, src.id, serviceOf(a.cluster, key), port, protocol, src.pod);
  return r?.endpoints.map((e) => {
    const t = e.target;
    const who =
      t.pod !== undefined
        ? `${a.cluster.pods[t.pod]!.namespace}/${a.cluster.pods[t.pod]!.name}`
        : ipText(t.ip);
    return `${who}:${t.port} ${e.allowed ? "allowed" : "denied"}`;
  });
}

/** What `{ingress-controller}` may open to each workload (the listing's rows). */
function controllerRows(a: Analysis): string[] {
  return listConnections(a)
    .filter((c) => c.src.kind === "ingress-controller")
    .map((c) => `${formatPeer(c.src)} => ${formatPeer(c.dst)} : ${formatConn(c.conn)}`);
}

// --- 1. the fixture --------------------------------------------------------------------------

const parsed = await loadPaths([join(import.meta.dirname, "..", "..", "fixtures", "services")]);
const fixture = buildCluster(parsed.objects);
const F = fixture.cluster;
const FA = analyze(F);
const API_V1 = "shop/api-v1-6b7f9c8d4-x2k9p";
const API_V1_NOT_READY = "shop/api-v1-6b7f9c8d4-r7t2w";
const API_V2 = "shop/api-v2-58c6d9f7b-q8m4t";

describe("fixtures/services: the input", () => {
  it("parses without errors and reads every Service, slice and route", () => {
    expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(F.services.map((s) => `${s.namespace}/${s.name}[${s.type}]`)).toEqual([
      "data/postgres[ClusterIP]",
      "kube-system/kube-dns[ClusterIP]",
      "ops/grafana[ClusterIP]",
      "shop/api[ClusterIP]",
      "shop/billing-api[ExternalName]",
      "shop/legacy[ClusterIP]",
      "shop/payments-gateway[ClusterIP]",
      "shop/storefront-lb[LoadBalancer]",
      "shop/web[ClusterIP]",
      "shop/web-public[NodePort]",
    ]);
    expect(F.endpoints.map((e) => `${e.namespace}/${e.service}`)).toEqual(["shop/payments-gateway"]);
    expect(F.ingresses.map((i) => `${i.kind} ${i.namespace}/${i.name}`)).toEqual([
      "Route ops/grafana",
      "Ingress shop/storefront",
    ]);
    expect(F.nodes.map((n) => `${n.name} ${n.addresses.map((x) => formatIp(x.family, x.value))}`)).toEqual([
      "node-a 192.168.10.11",
      "node-b 192.168.10.12",
    ]);
  });

  it("warns once, at the targetPort, about the selected pod without an `http` port", () => {
    const warnings = fixture.diagnostics.filter((d) => d.code === "NP3007" || d.code === "NP3008");
    expect(warnings.map((d) => [d.code, d.severity, d.message])).toEqual([
      [
        "NP3007",
        "warning",
        'Service shop/api port 80: pod shop/api-debug has no TCP container port named "http", so it is not an endpoint of this port',
      ],
    ]);
    expect(warnings[0]!.source).toMatchObject({
      file: expect.stringMatching(/shop-services\.yaml$/),
      line: 14,
    });
  });
});

describe("fixtures/services: endpoints", () => {
  it("1. a named targetPort resolves per pod (8080 on api-v1, 9090 on api-v2)", () => {
    expect(endpointsOf(F, "shop/api")).toEqual({
      "80/TCP": [`${API_V1}@10.244.1.10:8080`, `${API_V2}@10.244.2.10:9090`],
    });
  });

  it("1. a selected pod without the named port, and 7. a not-ready pod, are not endpoints", () => {
    expect(problemsOf(F, "shop/api")).toEqual({
      "80/TCP": [
        'pod shop/api-debug has no TCP container port named "http": not an endpoint of port 80',
        `pod ${API_V1_NOT_READY} is not ready: not an endpoint`,
      ],
    });
    expect(F.pods[podOf(F, API_V1_NOT_READY)]!.ready).toBe(false);
  });

  it("2. a selector-less Service takes its EndpointSlice: a pod IP is that pod, the other address is external", () => {
    expect(serviceOf(F, "shop/payments-gateway").selector).toBeUndefined();
    expect(endpointsOf(F, "shop/payments-gateway")).toEqual({
      "443/TCP": ["shop/payments-proxy-5d4c7b9f8-z6x3v@10.244.2.40:8443", "203.0.113.25:8443"],
    });
  });

  it("3. a headless Service has no cluster IP; its endpoints are the pods", () => {
    const s = serviceOf(F, "data/postgres");
    expect([s.headless, s.clusterIPs]).toEqual([true, []]);
    expect(endpointsOf(F, "data/postgres")).toEqual({
      "5432/TCP": ["data/postgres-0@10.244.1.50:5432", "data/postgres-1@10.244.2.50:5432"],
    });
  });

  it("4. an ExternalName Service has no endpoints and no cluster IP", () => {
    const s = serviceOf(F, "shop/billing-api");
    expect([s.type, s.externalName, s.clusterIPs]).toEqual([
      "ExternalName",
      "billing.partner.example.com",
      [],
    ]);
    expect(endpointsOf(F, "shop/billing-api")).toEqual({ "443/TCP": [] });
  });

  it("5. NodePort and LoadBalancer Services keep their nodePorts and load-balancer address", () => {
    expect(serviceOf(F, "shop/web-public").ports.map((x) => x.nodePort)).toEqual([30080]);
    const lb = serviceOf(F, "shop/storefront-lb");
    expect(lb.ports.map((x) => [x.port, x.targetPort, x.nodePort])).toEqual([[443, "https", 31443]]);
    expect(lb.loadBalancerIPs.map((x) => formatIp(x.family, x.value))).toEqual(["198.51.100.7"]);
    expect(lb.externalTrafficPolicy).toBe("Local");
    expect(endpointsOf(F, "shop/storefront-lb")).toEqual({
      "443/TCP": ["shop/web-7c9d8f6b5-h5k2m@10.244.1.30:8443", "shop/web-7c9d8f6b5-n4p8s@10.244.2.30:8443"],
    });
  });

  it("6. a dual-stack Service has one cluster IP per family, in ipFamilies order", () => {
    const s = serviceOf(F, "kube-system/kube-dns");
    expect(s.clusterIPs.map((x) => formatIp(x.family, x.value))).toEqual(["10.96.0.10", "fd00:10:96::a"]);
    expect(s.ipFamilies).toEqual(["IPv4", "IPv6"]);
    // Each dual-stack pod is an endpoint by each of its addresses.
    expect(endpointsOf(F, "kube-system/kube-dns")["53/UDP"]).toEqual([
      "kube-system/coredns-5d78c9869d-8f2lk@10.244.1.2:53",
      "kube-system/coredns-5d78c9869d-8f2lk@fd00:10:244:1::2:53",
      "kube-system/coredns-5d78c9869d-wq7b5@10.244.2.2:53",
      "kube-system/coredns-5d78c9869d-wq7b5@fd00:10:244:2::2:53",
    ]);
  });

  it("a Service whose selector matches no pod has no endpoints", () => {
    expect(endpointsOf(F, "shop/legacy")).toEqual({ "80/TCP": [] });
  });
});

describe("fixtures/services: reachability after translation", () => {
  it("1. partial: the client reaches api-v1 on 8080 but not api-v2 on 9090", () => {
    expect(reach(FA, "shop/client", "shop/api", 80)).toEqual([
      `${API_V1}:8080 allowed`,
      `${API_V2}:9090 denied`,
    ]);
  });

  it("1. hairpin: api-v2 reaching its own Service always reaches itself", () => {
    expect(reach(FA, API_V2, "shop/api", 80)).toEqual([`${API_V1}:8080 allowed`, `${API_V2}:9090 allowed`]);
  });

  it("1. a namespace the policy does not admit reaches no endpoint", () => {
    expect(reach(FA, "ops/batch-6f8d9c7b5-k2j4h", "shop/api", 80)).toEqual([
      `${API_V1}:8080 denied`,
      `${API_V2}:9090 denied`,
    ]);
  });

  it("2. the external endpoint is judged by the source's egress", () => {
    expect(reach(FA, "shop/client", "shop/payments-gateway", 443)).toEqual([
      "shop/payments-proxy-5d4c7b9f8-z6x3v:8443 allowed",
      "203.0.113.25:8443 allowed",
    ]);
    // batch may reach pods only.
    expect(reach(FA, "ops/batch-6f8d9c7b5-k2j4h", "shop/payments-gateway", 443)).toEqual([
      "shop/payments-proxy-5d4c7b9f8-z6x3v:8443 allowed",
      "203.0.113.25:8443 denied",
    ]);
  });

  it("3. headless: only shop's api pods reach postgres", () => {
    expect(reach(FA, API_V1, "data/postgres", 5432)).toEqual([
      "data/postgres-0:5432 allowed",
      "data/postgres-1:5432 allowed",
    ]);
    expect(reach(FA, "shop/client", "data/postgres", 5432)).toEqual([
      "data/postgres-0:5432 denied",
      "data/postgres-1:5432 denied",
    ]);
  });

  it("4. ExternalName: no endpoints to judge", () => {
    expect(reach(FA, "shop/client", "shop/billing-api", 443)).toEqual([]);
  });

  it("5. NodePort: web admits every namespace on 8080, but no address outside the cluster", () => {
    const web = ["shop/web-7c9d8f6b5-h5k2m:8080", "shop/web-7c9d8f6b5-n4p8s:8080"];
    expect(reach(FA, "shop/client", "shop/web-public", 80)).toEqual(web.map((w) => `${w} allowed`));
    expect(reach(FA, "8.8.8.8", "shop/web-public", 80)).toEqual(web.map((w) => `${w} denied`));
  });

  it("5. LoadBalancer: addresses outside the pod network reach 8443, pods do not", () => {
    const web = ["shop/web-7c9d8f6b5-h5k2m:8443", "shop/web-7c9d8f6b5-n4p8s:8443"];
    expect(reach(FA, "8.8.8.8", "shop/storefront-lb", 443)).toEqual(web.map((w) => `${w} allowed`));
    expect(reach(FA, "shop/client", "shop/storefront-lb", 443)).toEqual(web.map((w) => `${w} denied`));
  });

  it("6. DNS over UDP and TCP is open to every namespace; CoreDNS metrics are not", () => {
    expect(
      reach(FA, "shop/client", "kube-system/kube-dns", 53, "UDP")?.every((x) => x.endsWith(" allowed")),
    ).toBe(true);
    expect(
      reach(FA, "shop/client", "kube-system/kube-dns", 53, "TCP")?.every((x) => x.endsWith(" allowed")),
    ).toBe(true);
    expect(reach(FA, "shop/client", "kube-system/kube-dns", 9153)?.every((x) => x.endsWith(" denied"))).toBe(
      true,
    );
  });

  it("6. through one family's ClusterIP, only that family's endpoints (regression)", () => {
    const src = source(FA, "shop/client");
    const dns = serviceOf(F, "kube-system/kube-dns");
    const via = (family?: 4 | 6) =>
      reachService(FA, src.id, dns, 53, "UDP", src.pod, family)!.endpoints.map((e) => ipText(e.target.ip));
    expect(via(4)).toEqual(["10.244.1.2", "10.244.2.2"]);
    expect(via(6)).toEqual(["fd00:10:244:1::2", "fd00:10:244:2::2"]);
    expect(via()).toHaveLength(4);
  });

  it("a source of several pod classes (a workload) reaches an endpoint when one of them does (regression)", () => {
    const { analysis: a } = build([
      p("x/c-1", { labels: { app: "c" }, ips: ["10.0.0.1"] }),
      p("x/c-2", { labels: { app: "c" }, ips: ["10.0.1.1"] }),
      p("x/s", { labels: { app: "s" }, ips: ["10.0.2.1"] }),
      svc("x/s", { selector: { app: "s" }, ports: [http(8080)] }),
      np("x/s-in", {
        podSelector: { matchLabels: { app: "s" } },
        ingress: [{ from: [{ ipBlock: { cidr: "10.0.1.0/24" } }], ports: [{ port: 8080 }] }],
      }),
    ]);
    const [c1, c2] = ["x/c-1", "x/c-2"].map((k) => source(a, k).id) as [number, number];
    expect(c1).not.toBe(c2);
    const allowed = (src: number | number[]) =>
      reachService(a, src, serviceOf(a.cluster, "x/s"), 80, "TCP")!.endpoints.map((e) => e.allowed);
    expect([allowed(c1), allowed(c2), allowed([c1, c2]), allowed([c2, c1])]).toEqual([
      [false],
      [true],
      [true],
      [true],
    ]);
  });

  it("a port the Service does not have has no answer", () => {
    expect(reach(FA, "shop/client", "shop/api", 8080)).toBeUndefined();
    expect(reach(FA, "shop/client", "kube-system/kube-dns", 9153, "UDP")).toBeUndefined();
  });
});

describe("fixtures/services: the ingress controller", () => {
  it("reaches the backends whose policies admit every namespace, on the routed target ports only", () => {
    expect(FA.ingressControllerPod).toBe(F.pods.length);
    expect(controllerRows(FA)).toEqual([
      "{ingress-controller} => ops/grafana-7b9c8d6f5[ReplicaSet] : TCP 3000",
      "{ingress-controller} => shop/web-7c9d8f6b5[ReplicaSet] : TCP 8080",
    ]);
  });

  it("is excluded by a policy admitting only namespaces labelled team=shop (api)", () => {
    const ic = FA.index.classOfPod[FA.ingressControllerPod!]!;
    for (const api of [API_V1, API_V2])
      expect(formatConn(FA.conn(ic, FA.index.classOfPod[podOf(F, api)]!))).toBe("No Connections");
  });
});

// --- 2. tables of named cases ----------------------------------------------------------------

interface EndpointCase {
  readonly name: string;
  readonly objects: readonly object[];
  readonly service: string;
  readonly endpoints: Readonly<Record<string, readonly string[]>>;
  /** Substrings of the "not an endpoint" messages, per Service port. */
  readonly problems?: Readonly<Record<string, readonly string[]>>;
}

const API = { labels: { app: "api" } };
const ENDPOINT_CASES: readonly EndpointCase[] = [
  {
    name: "numeric targetPort: the same number on every selected pod",
    objects: [
      p("x/a", { ...API, ips: ["10.0.0.1"], ports: ["http//8080"] }),
      p("x/b", { ...API, ips: ["10.0.0.2"], ports: ["web//9090"] }),
      svc("x/api", { selector: { app: "api" }, ports: [http(7000)] }),
    ],
    service: "x/api",
    endpoints: { "80/TCP": ["x/a@10.0.0.1:7000", "x/b@10.0.0.2:7000"] },
  },
  {
    name: "absent targetPort: the Service port",
    objects: [
      p("x/a", { ...API, ips: ["10.0.0.1"] }),
      svc("x/api", { selector: { app: "api" }, ports: [http()] }),
    ],
    service: "x/api",
    endpoints: { "80/TCP": ["x/a@10.0.0.1:80"] },
  },
  {
    name: "named targetPort: resolved per pod; a pod without it is not an endpoint",
    objects: [
      p("x/a", { ...API, ips: ["10.0.0.1"], ports: ["http//8080"] }),
      p("x/b", { ...API, ips: ["10.0.0.2"], ports: ["http/TCP/9090"] }),
      p("x/c", { ...API, ips: ["10.0.0.3"], ports: ["metrics//9102"] }),
      svc("x/api", { selector: { app: "api" }, ports: [http("http")] }),
    ],
    service: "x/api",
    endpoints: { "80/TCP": ["x/a@10.0.0.1:8080", "x/b@10.0.0.2:9090"] },
    problems: { "80/TCP": ['pod x/c has no TCP container port named "http"'] },
  },
  {
    name: "named targetPort: the container port must have the Service port's protocol",
    objects: [
      p("x/dns", { labels: { app: "dns" }, ips: ["10.0.0.1"], ports: ["dns/UDP/53", "dns-tcp/TCP/5353"] }),
      svc("x/dns", {
        selector: { app: "dns" },
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: "dns" },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: "dns" },
        ],
      }),
    ],
    service: "x/dns",
    endpoints: { "53/UDP": ["x/dns@10.0.0.1:53"], "53/TCP": [] },
    problems: { "53/UDP": [], "53/TCP": ['pod x/dns has no TCP container port named "dns"'] },
  },
  {
    name: "one Service port per protocol on the same number: each resolves on its own",
    objects: [
      p("x/dns", { labels: { app: "dns" }, ips: ["10.0.0.1"], ports: ["dns/UDP/1053", "dns-tcp/TCP/2053"] }),
      svc("x/dns", {
        selector: { app: "dns" },
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: "dns" },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: "dns-tcp" },
        ],
      }),
    ],
    service: "x/dns",
    endpoints: { "53/UDP": ["x/dns@10.0.0.1:1053"], "53/TCP": ["x/dns@10.0.0.1:2053"] },
  },
  {
    name: "the selector matches pods of the Service's own namespace only",
    objects: [
      p("x/a", { ...API, ips: ["10.0.0.1"] }),
      p("y/a", { ...API, ips: ["10.0.1.1"] }),
      svc("x/api", { selector: { app: "api" }, ports: [http(8080)] }),
    ],
    service: "x/api",
    endpoints: { "80/TCP": ["x/a@10.0.0.1:8080"] },
  },
  {
    name: "every selector label must match (matchLabels semantics)",
    objects: [
      p("x/a", { labels: { app: "api", tier: "be" }, ips: ["10.0.0.1"] }),
      p("x/b", { labels: { app: "api" }, ips: ["10.0.0.2"] }),
      svc("x/api", { selector: { app: "api", tier: "be" }, ports: [http(8080)] }),
    ],
    service: "x/api",
    endpoints: { "80/TCP": ["x/a@10.0.0.1:8080"] },
  },
  {
    name: "not-ready pods (Ready False, or phase Pending) are not endpoints",
    objects: [
      p("x/a", { ...API, ips: ["10.0.0.1"] }),
      p("x/b", { ...API, ips: ["10.0.0.2"], ready: false }),
      p("x/c", { ...API, ips: ["10.0.0.3"], phase: "Pending" }),
      svc("x/api", { selector: { app: "api" }, ports: [http(8080)] }),
    ],
    service: "x/api",
    endpoints: { "80/TCP": ["x/a@10.0.0.1:8080"] },
    problems: { "80/TCP": ["pod x/b is not ready", "pod x/c is not ready"] },
  },
  {
    name: "publishNotReadyAddresses: not-ready pods are endpoints too",
    objects: [
      p("x/a", { ...API, ips: ["10.0.0.1"] }),
      p("x/b", { ...API, ips: ["10.0.0.2"], ready: false }),
      svc("x/api", { selector: { app: "api" }, publishNotReadyAddresses: true, ports: [http(8080)] }),
    ],
    service: "x/api",
    endpoints: { "80/TCP": ["x/a@10.0.0.1:8080", "x/b@10.0.0.2:8080"] },
  },
  {
    name: "replicas of a workload template (no IPs) are endpoints without an address",
    objects: [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api", namespace: "x" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "api" } },
          template: {
            metadata: { labels: { app: "api" } },
            spec: { containers: [{ name: "c", ports: [{ name: "http", containerPort: 8080 }] }] },
          },
        },
      },
      svc("x/api", { selector: { app: "api" }, ports: [http("http")] }),
    ],
    service: "x/api",
    endpoints: { "80/TCP": ["x/api-0@-:8080", "x/api-1@-:8080"] },
  },
  {
    name: "selector-less: EndpointSlice addresses; a pod IP is that pod, another address is external",
    objects: [
      p("x/proxy", { ips: ["10.0.0.9"] }),
      svc("x/ext", { ports: [{ name: "https", port: 443, targetPort: 8443 }] }),
      slice(
        "x/ext-abc",
        "ext",
        [{ addresses: ["10.0.0.9"] }, { addresses: ["203.0.113.5"] }],
        [{ name: "https", port: 8443 }],
      ),
    ],
    service: "x/ext",
    endpoints: { "443/TCP": ["x/proxy@10.0.0.9:8443", "203.0.113.5:8443"] },
  },
  {
    name: "selector-less: each Service port takes the slice port of the same name",
    objects: [
      svc("x/ext", {
        ports: [
          { name: "https", port: 443 },
          { name: "metrics", port: 9100 },
        ],
      }),
      slice(
        "x/ext-abc",
        "ext",
        [{ addresses: ["203.0.113.5"] }],
        [
          { name: "metrics", port: 19100 },
          { name: "https", port: 18443 },
        ],
      ),
    ],
    service: "x/ext",
    endpoints: { "443/TCP": ["203.0.113.5:18443"], "9100/TCP": ["203.0.113.5:19100"] },
  },
  {
    name: "selector-less: every slice of the Service counts; not-ready slice endpoints do not",
    objects: [
      svc("x/ext", { ports: [{ port: 443 }] }),
      slice(
        "x/ext-1",
        "ext",
        [{ addresses: ["203.0.113.5"] }, { addresses: ["203.0.113.6"], conditions: { ready: false } }],
        [{ port: 443 }],
      ),
      slice("x/ext-2", "ext", [{ addresses: ["203.0.113.7"], conditions: { ready: true } }], [{ port: 443 }]),
    ],
    service: "x/ext",
    endpoints: { "443/TCP": ["203.0.113.5:443", "203.0.113.7:443"] },
  },
  {
    name: "selector-less: slices of another Service or namespace, and FQDN slices, are ignored",
    objects: [
      svc("x/ext", { ports: [{ port: 443 }] }),
      slice("x/other-1", "other", [{ addresses: ["203.0.113.5"] }], [{ port: 443 }]),
      slice("y/ext-1", "ext", [{ addresses: ["203.0.113.6"] }], [{ port: 443 }]),
      slice("x/ext-fqdn", "ext", [{ addresses: ["db.example.com"] }], [{ port: 443 }], "FQDN"),
    ],
    service: "x/ext",
    endpoints: { "443/TCP": [] },
  },
  {
    name: "selector-less: the legacy Endpoints object; notReadyAddresses are left out",
    objects: [
      svc("x/ldap", { ports: [{ name: "ldap", port: 389 }] }),
      {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name: "ldap", namespace: "x" },
        subsets: [
          {
            addresses: [{ ip: "192.0.2.10" }],
            notReadyAddresses: [{ ip: "192.0.2.11" }],
            ports: [{ name: "ldap", port: 1389 }],
          },
        ],
      },
    ],
    service: "x/ldap",
    endpoints: { "389/TCP": ["192.0.2.10:1389"] },
  },
  {
    name: "selector: {} is no selector (the API server stores it as absent)",
    objects: [p("x/a", { ips: ["10.0.0.1"] }), svc("x/s", { selector: {}, ports: [http(8080)] })],
    service: "x/s",
    endpoints: { "80/TCP": [] },
  },
  {
    name: "ExternalName: no endpoints even when a selector matches pods",
    objects: [
      p("x/a", { ...API, ips: ["10.0.0.1"] }),
      svc("x/s", {
        type: "ExternalName",
        externalName: "api.example.com",
        selector: { app: "api" },
        ports: [http(80)],
      }),
    ],
    service: "x/s",
    endpoints: { "80/TCP": [] },
  },
];

describe("Service endpoints (named cases)", () => {
  for (const c of ENDPOINT_CASES) {
    it(c.name, () => {
      const { cluster } = build(c.objects);
      expect(endpointsOf(cluster, c.service)).toEqual(c.endpoints);
      if (c.problems) {
        const got = problemsOf(cluster, c.service);
        for (const [port, want] of Object.entries(c.problems)) {
          expect(got[port]).toHaveLength(want.length);
          for (const [i, w] of want.entries()) expect(got[port]![i]).toContain(w);
        }
      }
    });
  }
});

describe("Service fields (named cases)", () => {
  const one = (spec: Record<string, unknown>, status?: Record<string, unknown>) =>
    serviceOf(build([svc("x/s", spec, status)]).cluster, "x/s");
  const ips = (list: readonly { family: 4 | 6; value: bigint }[]) =>
    list.map((x) => formatIp(x.family, x.value));

  it("type absent is ClusterIP; protocol absent is TCP; targetPort absent is the port", () => {
    const s = one({ ports: [{ port: 80 }] });
    expect([s.type, s.ports[0]]).toEqual([
      "ClusterIP",
      { name: undefined, protocol: "TCP", port: 80, targetPort: 80, nodePort: undefined },
    ]);
  });

  it("clusterIP None (or clusterIPs [None]) is headless, with no cluster IP", () => {
    for (const spec of [{ clusterIP: "None" }, { clusterIPs: ["None"] }]) {
      const s = one({ ...spec, selector: { app: "a" }, ports: [{ port: 80 }] });
      expect([s.headless, ips(s.clusterIPs)]).toEqual([true, []]);
    }
  });

  it("dual-stack: clusterIPs in ipFamilies order; clusterIP repeats the first", () => {
    const s = one({
      ipFamilyPolicy: "RequireDualStack",
      ipFamilies: ["IPv6", "IPv4"],
      clusterIP: "fd00:10:96::1",
      clusterIPs: ["fd00:10:96::1", "10.96.0.1"],
      ports: [{ port: 80 }],
    });
    expect([ips(s.clusterIPs), s.ipFamilies]).toEqual([
      ["fd00:10:96::1", "10.96.0.1"],
      ["IPv6", "IPv4"],
    ]);
  });

  it("nodePort is kept for NodePort and LoadBalancer Services only", () => {
    const port = { port: 80, nodePort: 30080 };
    expect(one({ type: "NodePort", ports: [port] }).ports[0]!.nodePort).toBe(30080);
    expect(one({ type: "LoadBalancer", ports: [port] }).ports[0]!.nodePort).toBe(30080);
    expect(one({ type: "ClusterIP", ports: [port] }).ports[0]!.nodePort).toBeUndefined();
  });

  it("LoadBalancer: status.loadBalancer.ingress IPs (hostnames are not addresses); externalIPs", () => {
    const s = one(
      { type: "LoadBalancer", externalIPs: ["192.0.2.50"], ports: [{ port: 443 }] },
      { loadBalancer: { ingress: [{ ip: "198.51.100.7" }, { hostname: "lb.example.com" }] } },
    );
    expect([ips(s.loadBalancerIPs), ips(s.externalIPs)]).toEqual([["198.51.100.7"], ["192.0.2.50"]]);
    // A ClusterIP Service's (stale) load-balancer status is not an address of it.
    expect(
      ips(
        one({ ports: [{ port: 443 }] }, { loadBalancer: { ingress: [{ ip: "198.51.100.8" }] } })
          .loadBalancerIPs,
      ),
    ).toEqual([]);
  });

  it("ExternalName keeps its name and has no cluster IP", () => {
    const s = one({ type: "ExternalName", externalName: "db.example.com", clusterIP: "10.96.0.5" });
    expect([s.externalName, ips(s.clusterIPs), s.ports]).toEqual(["db.example.com", [], []]);
  });

  it("defaults: sessionAffinity None, traffic policies Cluster, publishNotReadyAddresses false", () => {
    const s = one({ ports: [{ port: 80 }] });
    expect([
      s.sessionAffinity,
      s.externalTrafficPolicy,
      s.internalTrafficPolicy,
      s.publishNotReadyAddresses,
    ]).toEqual(["None", "Cluster", "Cluster", false]);
  });

  it("a namespace-less Service is in default", () => {
    const raw = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec: { ports: [{ port: 80 }] },
    };
    expect(build([raw]).cluster.services.map((x) => x.namespace)).toEqual(["default"]);
  });
});

interface ReachCase {
  readonly name: string;
  readonly objects: readonly object[];
  readonly service: string;
  readonly port: number;
  readonly protocol?: Protocol;
  /** Source (`ns/pod` or an address) → per endpoint `target:port allowed|denied`. */
  readonly from: Readonly<Record<string, readonly string[]>>;
}

const REACH_CASES: readonly ReachCase[] = [
  {
    name: "policy sees the target port, not the Service port",
    objects: [
      p("x/c", { ips: ["10.0.0.9"] }),
      p("x/a", { ...API, ips: ["10.0.0.1"], ports: ["http//8080"] }),
      svc("x/api", { selector: { app: "api" }, ports: [http("http")] }),
      np("x/api-8080", {
        podSelector: { matchLabels: { app: "api" } },
        ingress: [{ ports: [{ port: 8080 }] }],
      }),
    ],
    service: "x/api",
    port: 80,
    from: { "x/c": ["x/a:8080 allowed"] },
  },
  {
    name: "a policy allowing the Service port does not allow the target port",
    objects: [
      p("x/c", { ips: ["10.0.0.9"] }),
      p("x/a", { ...API, ips: ["10.0.0.1"], ports: ["http//8080"] }),
      svc("x/api", { selector: { app: "api" }, ports: [http("http")] }),
      np("x/api-80", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ ports: [{ port: 80 }] }] }),
    ],
    service: "x/api",
    port: 80,
    from: { "x/c": ["x/a:8080 denied"] },
  },
  {
    name: "a named port in the policy matches the pod's container port behind the named targetPort",
    objects: [
      p("x/c", { ips: ["10.0.0.9"] }),
      p("x/a", { ...API, ips: ["10.0.0.1"], ports: ["http//8080"] }),
      p("x/b", { ...API, ips: ["10.0.0.2"], ports: ["http//9090"] }),
      svc("x/api", { selector: { app: "api" }, ports: [http("http")] }),
      np("x/api-http", {
        podSelector: { matchLabels: { app: "api" } },
        ingress: [{ ports: [{ port: "http" }] }],
      }),
    ],
    service: "x/api",
    port: 80,
    from: { "x/c": ["x/a:8080 allowed", "x/b:9090 allowed"] },
  },
  {
    name: "the source's egress is checked against each endpoint's address and target port",
    objects: [
      p("x/c", { labels: { app: "c" }, ips: ["10.0.0.9"] }),
      p("x/a", { ...API, ips: ["10.0.0.1"] }),
      p("x/b", { ...API, ips: ["10.0.1.1"] }),
      svc("x/api", { selector: { app: "api" }, ports: [http(8080)] }),
      np("x/c-egress", {
        podSelector: { matchLabels: { app: "c" } },
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ port: 8080 }] }],
      }),
    ],
    service: "x/api",
    port: 80,
    from: { "x/c": ["x/a:8080 allowed", "x/b:8080 denied"] },
  },
  {
    name: "hairpin: a pod reaching its own Service reaches itself whatever the policies say",
    objects: [
      p("x/a", { ...API, ips: ["10.0.0.1"] }),
      p("x/b", { ...API, ips: ["10.0.0.2"] }),
      svc("x/api", { selector: { app: "api" }, ports: [http(8080)] }),
      np("x/deny", { podSelector: {}, ingress: [] }),
    ],
    service: "x/api",
    port: 80,
    from: { "x/a": ["x/a:8080 allowed", "x/b:8080 denied"] },
  },
  {
    name: "UDP: the Service port's protocol is the one checked",
    objects: [
      p("x/c", { ips: ["10.0.0.9"] }),
      p("x/dns", { labels: { app: "dns" }, ips: ["10.0.0.1"], ports: ["dns/UDP/53"] }),
      svc("x/dns", {
        selector: { app: "dns" },
        ports: [{ name: "dns", port: 53, protocol: "UDP", targetPort: "dns" }],
      }),
      np("x/dns-tcp-only", {
        podSelector: { matchLabels: { app: "dns" } },
        ingress: [{ ports: [{ protocol: "TCP", port: 53 }] }],
      }),
    ],
    service: "x/dns",
    port: 53,
    protocol: "UDP",
    from: { "x/c": ["x/dns:53 denied"] },
  },
  {
    name: "an address outside the cluster, as source, through an external endpoint",
    objects: [
      svc("x/ext", { ports: [{ port: 443 }] }),
      slice("x/ext-1", "ext", [{ addresses: ["203.0.113.5"] }], [{ port: 443 }]),
      p("x/c", { labels: { app: "c" }, ips: ["10.0.0.9"] }),
      np("x/c-egress", {
        podSelector: { matchLabels: { app: "c" } },
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "203.0.113.0/28" } }], ports: [{ port: 443 }] }],
      }),
    ],
    service: "x/ext",
    port: 443,
    from: { "x/c": ["203.0.113.5:443 allowed"], "8.8.8.8": ["203.0.113.5:443 allowed"] },
  },
];

describe("Service reachability (named cases)", () => {
  for (const c of REACH_CASES) {
    it(c.name, () => {
      const { analysis } = build(c.objects);
      for (const [from, want] of Object.entries(c.from))
        expect({ from, got: reach(analysis, from, c.service, c.port, c.protocol) }).toEqual({
          from,
          got: want,
        });
    });
  }
});

interface ControllerCase {
  readonly name: string;
  readonly objects: readonly object[];
  /** The `{ingress-controller} => …` rows of the listing. */
  readonly rows: readonly string[];
}

/** A backend `x/web` (pods `http` 8080, `metrics` 9102) behind Service `x/web` (80 → http, 9102). */
const WEB = [
  p("x/web", { labels: { app: "web" }, ips: ["10.0.0.1"], ports: ["http//8080", "metrics//9102"] }),
  svc("x/web", {
    selector: { app: "web" },
    ports: [http("http"), { name: "metrics", port: 9102, targetPort: "metrics" }],
  }),
];
const webIngress = (from: readonly object[] | undefined) =>
  np("x/web-in", {
    podSelector: { matchLabels: { app: "web" } },
    ingress: [from === undefined ? {} : { from: from as never }],
  });
const toWeb80 = ingress("x/web", [{ service: "web", port: { number: 80 } }]);

const CONTROLLER_CASES: readonly ControllerCase[] = [
  {
    name: "no Ingress or Route: no controller",
    objects: [...WEB],
    rows: [],
  },
  {
    name: "no policy on the backend: the routed target port only",
    objects: [...WEB, toWeb80],
    rows: ["{ingress-controller} => x/web[Pod] : TCP 8080"],
  },
  {
    name: "namespaceSelector: {} admits the controller",
    objects: [...WEB, toWeb80, webIngress([{ namespaceSelector: {} }])],
    rows: ["{ingress-controller} => x/web[Pod] : TCP 8080"],
  },
  {
    name: "an ingress rule without from admits the controller",
    objects: [...WEB, toWeb80, webIngress(undefined)],
    rows: ["{ingress-controller} => x/web[Pod] : TCP 8080"],
  },
  {
    name: "a namespaceSelector naming labels excludes the controller",
    objects: [
      ns("x", { team: "x" }),
      ...WEB,
      toWeb80,
      webIngress([{ namespaceSelector: { matchLabels: { team: "x" } } }]),
    ],
    rows: [],
  },
  {
    name: "a namespaceSelector by name (NotIn) can admit the controller's unknown namespace",
    objects: [
      ...WEB,
      toWeb80,
      webIngress([
        {
          namespaceSelector: {
            matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["y"] }],
          },
        },
      ]),
    ],
    rows: ["{ingress-controller} => x/web[Pod] : TCP 8080"],
  },
  {
    name: "a podSelector alone (same namespace) excludes the controller",
    objects: [...WEB, toWeb80, webIngress([{ podSelector: {} }])],
    rows: [],
  },
  {
    name: "namespaceSelector: {} with a podSelector naming labels excludes the controller (it has none)",
    objects: [
      ...WEB,
      toWeb80,
      webIngress([{ namespaceSelector: {}, podSelector: { matchLabels: { app: "nginx" } } }]),
    ],
    rows: [],
  },
  {
    name: "an Ingress backend by Service port name",
    objects: [...WEB, ingress("x/web", [{ service: "web", port: { name: "metrics" } }])],
    rows: ["{ingress-controller} => x/web[Pod] : TCP 9102"],
  },
  {
    name: "a Service in another namespace is not an Ingress backend",
    objects: [...WEB, ingress("y/web", [{ service: "web", port: { number: 80 } }])],
    rows: [],
  },
  {
    name: "a Route without a port: every Service port",
    objects: [...WEB, route("x/web", "web")],
    rows: ["{ingress-controller} => x/web[Pod] : TCP 8080,9102"],
  },
  {
    name: "a Route's string targetPort names the Service port",
    objects: [...WEB, route("x/web", "web", "http")],
    rows: ["{ingress-controller} => x/web[Pod] : TCP 8080"],
  },
  {
    // The OpenShift router keeps the endpoints with `endpoint.Port == targetPort` (the pods' port) or
    // `endpoint.PortName == targetPort` (the Service port's name).
    name: "a Route's numeric targetPort is the endpoints' target port (OpenShift router), not the Service port (regression)",
    objects: [...WEB, route("x/web", "web", 8080)],
    rows: ["{ingress-controller} => x/web[Pod] : TCP 8080"],
  },
  {
    name: "a Route's numeric targetPort selects only the endpoints with that target port (regression)",
    objects: [
      p("x/a", { ...API, ips: ["10.0.0.1"], ports: ["http//8080"] }),
      p("x/b", { ...API, ips: ["10.0.0.2"], ports: ["http//9090"] }),
      svc("x/api", { selector: { app: "api" }, ports: [http("http")] }),
      route("x/api", "api", 9090),
    ],
    rows: ["{ingress-controller} => x/b[Pod] : TCP 9090"],
  },
  {
    name: "a not-ready pod is no backend",
    objects: [
      p("x/web", { labels: { app: "web" }, ips: ["10.0.0.1"], ports: ["http//8080"], ready: false }),
      svc("x/web", { selector: { app: "web" }, ports: [http("http")] }),
      toWeb80,
    ],
    rows: [],
  },
];

describe("the ingress controller (named cases)", () => {
  for (const c of CONTROLLER_CASES) {
    it(c.name, () => {
      const { analysis } = build(c.objects);
      expect(controllerRows(analysis)).toEqual(c.rows);
    });
  }
});

describe("Service rows of the listing (--services)", () => {
  const rows = (a: Analysis, granularity: "workload" | "pod" = "workload") =>
    listServiceConnections(a, { granularity }).map(
      (c) => `${formatPeer(c.src)} => ${formatPeer(c.dst)} : ${formatConn(c.conn)}`,
    );

  it("fixture: a port some endpoints refuse is left out (client → api is partial)", () => {
    const r = rows(FA);
    expect(r).toContain("shop/client[Pod] => shop/web[Service] : TCP 80");
    expect(r).toContain("shop/client[Pod] => kube-system/kube-dns[Service] : TCP 53,UDP 53");
    expect(r.filter((x) => x.startsWith("shop/client[Pod] => shop/api[Service]"))).toEqual([]);
    // api-v2 is a single pod: it reaches api-v1 on 8080 and itself on 9090.
    expect(r).toContain("shop/api-v2-58c6d9f7b[ReplicaSet] => shop/api[Service] : TCP 80");
  });

  it("a replica reaching its own workload's Service may land on another replica, which policy decides (regression)", () => {
    const r = rows(FA);
    // postgres admits only shop's api pods: postgres-0 cannot reach postgres-1 through the Service.
    expect(r.filter((x) => x.startsWith("data/postgres[StatefulSet] => data/postgres[Service]"))).toEqual([]);
    // CoreDNS's metrics port is closed to every pod, other CoreDNS replicas included.
    expect(r).toContain(
      "kube-system/coredns-5d78c9869d[ReplicaSet] => kube-system/kube-dns[Service] : TCP 53,UDP 53",
    );
    // web's 8443 admits no pod: a web replica cannot count on the LoadBalancer's port.
    expect(
      r.filter((x) => x.startsWith("shop/web-7c9d8f6b5[ReplicaSet] => shop/storefront-lb[Service]")),
    ).toEqual([]);
  });

  it("pod granularity: a pod's own endpoint is hairpin, another replica is policy", () => {
    const r = rows(FA, "pod");
    expect(r.filter((x) => x.startsWith("data/postgres-0[Pod] => data/postgres[Service]"))).toEqual([]);
    expect(r).toContain("shop/api-v2-58c6d9f7b-q8m4t[Pod] => shop/api[Service] : TCP 80");
  });
});
