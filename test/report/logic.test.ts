/**
 * The check's decisions as tables of named cases: which risks a change carries, which findings fail
 * at each `--fail-on`, how `-o` specs become outputs, fingerprints that survive moved lines, and how
 * the graph is cut when a cluster is too large to draw.
 */
import { describe, expect, it } from "vitest";
import { parseOutputs } from "../../src/cli/check.js";
import { risksOf, SENSITIVE_LABEL, sensitiveNamespaces } from "../../src/cli/check-changes.js";
import { buildGraph } from "../../src/cli/check-graph.js";
import type { Cluster, Connection, ConnSet, PeerRef } from "../../src/model/index.js";
import { EMPTY_CONN, formatPeer, parseConn } from "../../src/model/index.js";
import type { FailOn } from "../../src/report/index.js";
import { change, report } from "./support/sample.js";

const w = (namespace: string, name: string): PeerRef => ({
  kind: "workload",
  namespace,
  name,
  workloadKind: "Deployment",
});
const ext: PeerRef = { kind: "external", range: { family: 4, lo: 0n, hi: (1n << 32n) - 1n } };
const conn = (s: string): ConnSet => parseConn(s)!;

describe("risks of a change", () => {
  const ctx = {
    sensitive: new Set(["payments"]),
    openIngress: new Set(["lab/canary[Deployment]"]),
    openEgress: new Set(["lab/canary[Deployment]"]),
  };
  it.each([
    ["only closing connections is never risky", ext, w("payments", "api"), EMPTY_CONN, []],
    ["same namespace, isolated peers: no risk", w("shop", "web"), w("shop", "api"), conn("TCP 80"), []],
    ["from outside the cluster", ext, w("shop", "web"), conn("TCP 443"), ["external-ingress"]],
    [
      "through an Ingress",
      { kind: "ingress-controller" } as PeerRef,
      w("shop", "web"),
      conn("TCP 80"),
      ["external-ingress"],
    ],
    ["to outside the cluster", w("shop", "web"), ext, conn("TCP 443"), ["external-egress"]],
    ["across namespaces", w("shop", "web"), w("billing", "api"), conn("TCP 80"), ["cross-namespace"]],
    [
      "into a sensitive namespace from another",
      w("shop", "web"),
      w("payments", "api"),
      conn("TCP 80"),
      ["sensitive-namespace", "cross-namespace"],
    ],
    [
      "into a sensitive namespace from outside",
      ext,
      w("payments", "api"),
      conn("TCP 8443"),
      ["sensitive-namespace", "external-ingress"],
    ],
    [
      "inside a sensitive namespace: not into it",
      w("payments", "psp"),
      w("payments", "api"),
      conn("TCP 80"),
      [],
    ],
    [
      "to a workload no policy isolates",
      w("shop", "web"),
      w("lab", "canary"),
      conn("TCP 80"),
      ["default-allow", "cross-namespace"],
    ],
    [
      "from a workload no policy isolates",
      w("lab", "canary"),
      ext,
      conn("UDP 53"),
      ["default-allow", "external-egress"],
    ],
  ] as const)("%s", (_name, src, dst, opened, expected) => {
    expect(risksOf(src, dst, opened, ctx)).toEqual(expected);
  });
});

describe("sensitive namespaces", () => {
  const cluster = (...ns: [string, Record<string, string>][]) =>
    ({ namespaces: ns.map(([name, labels]) => ({ name, labels, implied: false })) }) as unknown as Cluster;
  it.each([
    ["none", [cluster(["shop", {}])], [], []],
    [
      "labelled in head",
      [cluster(["shop", {}]), cluster(["pay", { [SENSITIVE_LABEL]: "true" }])],
      [],
      ["pay"],
    ],
    [
      "labelled in base only (the label's removal is itself reviewed)",
      [cluster(["pay", { [SENSITIVE_LABEL]: "true" }]), cluster(["pay", {}])],
      [],
      ["pay"],
    ],
    [
      "a label value other than true does not count",
      [cluster(["pay", { [SENSITIVE_LABEL]: "yes" }])],
      [],
      [],
    ],
    [
      "named on the command line, sorted, once",
      [cluster(["pay", { [SENSITIVE_LABEL]: "true" }])],
      ["vault", "pay"],
      ["pay", "vault"],
    ],
  ] as const)("%s", (_name, clusters, named, expected) => {
    expect(sensitiveNamespaces(clusters, named)).toEqual(expected);
  });
});

describe("--fail-on: which findings fail", () => {
  // The sample: a failing guarantee (error), lint warnings, a lint note, a risky and a plain change.
  it.each([
    ["error", ["NP6001"], "1 guarantee fails"],
    [
      "warning",
      ["NP6001", "NP5003", "NP1008", "NP6005"],
      "1 guarantee fails, 1 risky connectivity change, 2 warnings",
    ],
    [
      "connectivity-change",
      ["NP6001", "NP5003", "NP1008", "NP6005", "NP6007"],
      "1 guarantee fails, 1 risky connectivity change, 2 warnings, 1 other connectivity change",
    ],
  ] as const)("--fail-on %s", (failOn: FailOn, failing, reasons) => {
    const r = report({}, failOn);
    expect(
      r.findings
        .filter((f) => f.failing)
        .map((f) => f.code)
        .sort(),
    ).toEqual([...failing].sort());
    expect(r.summary.reasons.join(", ")).toBe(reasons);
    expect(r.summary.verdict).toBe("fail");
  });

  it("passes when nothing reaches the level", () => {
    const r = report({ guarantees: [], changes: [change({ risks: [] })], diagnostics: [] }, "warning");
    expect(r.summary).toMatchObject({ verdict: "pass", reasons: [] });
    expect(
      report({ guarantees: [], changes: [change({ risks: [] })], diagnostics: [] }, "connectivity-change")
        .summary.reasons,
    ).toEqual(["1 connectivity change"]);
  });

  it("orders findings by severity, then category, then place", () => {
    expect(report().findings.map((f) => f.code)).toEqual([
      "NP6001",
      "NP1008",
      "NP5003",
      "NP6005",
      "NP6007",
      "NP5009",
    ]);
  });
});

describe("fingerprints", () => {
  it("ignore line numbers: a finding keeps its fingerprint when lines move", () => {
    const diag = (line: number) => ({
      code: "NP5003" as const,
      severity: "warning" as const,
      message: "selects no pod",
      source: { file: "p.yaml", line, column: 1 },
    });
    const a = report({ diagnostics: [diag(3)] }).findings.find((f) => f.code === "NP5003")!;
    const b = report({ diagnostics: [diag(40)] }).findings.find((f) => f.code === "NP5003")!;
    expect(a.location!.line).not.toBe(b.location!.line);
    expect(a.fingerprint).toBe(b.fingerprint);
    const other = report({ diagnostics: [{ ...diag(3), message: "another" }] }).findings.find(
      (f) => f.code === "NP5003",
    )!;
    expect(other.fingerprint).not.toBe(a.fingerprint);
  });
});

describe("-o FORMAT[=FILE] and --output-file", () => {
  it.each([
    ["default: text on stdout", [], undefined, [{ format: "text", file: undefined }]],
    ["one format on stdout", ["sarif"], undefined, [{ format: "sarif", file: undefined }]],
    [
      "several, files for all but one",
      ["github", "markdown=s.md", "sarif=r.sarif"],
      undefined,
      [
        { format: "github", file: undefined },
        { format: "markdown", file: "s.md" },
        { format: "sarif", file: "r.sarif" },
      ],
    ],
    [
      "--output-file takes the one without a file",
      ["json", "html=r.html"],
      "r.json",
      [
        { format: "json", file: "r.json" },
        { format: "html", file: "r.html" },
      ],
    ],
  ] as const)("%s", (_name, specs, file, expected) => {
    expect(parseOutputs(specs, file)).toEqual(expected);
  });
  it.each([
    ["unknown format", ["pdf"], undefined, "-o pdf: unknown format"],
    ["empty file", ["json="], undefined, "empty file name"],
    ["two on stdout", ["json", "text"], undefined, "only one -o format can go to standard output"],
    [
      "--output-file with every format in a file",
      ["json=a"],
      "b",
      "--output-file needs exactly one -o format",
    ],
  ] as const)("rejects %s", (_name, specs, file, message) => {
    expect(() => parseOutputs(specs, file)).toThrow(message);
  });
});

describe("the graph, cut to what can be drawn", () => {
  const row = (src: PeerRef, dst: PeerRef, c = "TCP 80"): Connection => ({ src, dst, conn: conn(c) });
  const many = (n: number) => Array.from({ length: n }, (_, i) => w(`ns${i % 5}`, `app${i}`));
  const entry = (p: PeerRef) => ({
    name: formatPeer(p),
    kind: "workload" as const,
    namespace: (p as { namespace: string }).namespace,
  });
  /** The changes the diff would report between two listings (added rows only, here). */
  const added = (rows: Connection[]) =>
    rows.map((r) =>
      change({ src: entry(r.src), dst: entry(r.dst), risks: [], after: "TCP 80", opened: "TCP 80" }),
    );
  const input = (
    before: Connection[],
    after: Connection[],
    peers: PeerRef[],
    changes = added(after.slice(before.length)),
  ) => ({
    before,
    after,
    beforePeers: peers,
    afterPeers: peers,
    changes,
    sensitive: new Set<string>(),
  });

  it("small: every workload, statuses from base and head", () => {
    const [a, b, c] = many(3) as [PeerRef, PeerRef, PeerRef];
    const g = buildGraph(input([row(a, b), row(b, c)], [row(a, b, "TCP 80,443"), row(c, a)], [a, b, c]));
    expect(g).toMatchObject({ level: "workload", scope: "all" });
    expect(g.edges.map((e) => [e.status, e.before ?? "", e.after ?? ""])).toEqual([
      ["changed", "TCP 80", "TCP 80,443"],
      ["removed", "TCP 80", ""],
      ["added", "", "TCP 80"],
    ]);
  });

  it("too many peers: only the edges that changed", () => {
    const peers = many(200);
    const rows = peers.slice(1).map((p) => row(peers[0]!, p));
    const g = buildGraph(input(rows, [...rows, row(peers[5]!, peers[6]!)], peers));
    expect(g).toMatchObject({ level: "workload", scope: "changed" });
    expect(g.nodes.map((n) => n.label)).toEqual(["app5[Deployment]", "app6[Deployment]"]);
    expect(g.edges).toMatchObject([{ src: "n0", dst: "n1", status: "added", after: "TCP 80" }]);
    expect(g.note).toContain("only the 1 edges that changed");
  });

  it("too many changes: namespaces, each edge counting workload pairs", () => {
    const peers = many(200);
    const after = peers.slice(1).map((p) => row(peers[0]!, p));
    const g = buildGraph(input([], after, peers));
    expect(g.level).toBe("namespace");
    expect(g.note).toContain("200 peers are too many to draw");
    expect(g.nodes.map((n) => n.label)).toEqual(["ns0", "ns1", "ns2", "ns3", "ns4"]);
    expect(g.edges.find((e) => e.src === "n0" && e.dst === "n1")).toMatchObject({
      status: "added",
      after: "40 connections",
    });
  });

  it("too many namespace pairs: only those with changes, and the namespaces they join", () => {
    // 200 peers in 20 namespaces, every pair of namespaces connected (380 namespace edges); 160
    // workloads of all 20 namespaces newly reach one workload of ns19.
    const peers = Array.from({ length: 200 }, (_, i) => w(`ns${String(i % 20).padStart(2, "0")}`, `app${i}`));
    const rows = peers.slice(0, 20).flatMap((p) =>
      peers
        .slice(0, 20)
        .filter((q) => q !== p)
        .map((q) => row(p, q)),
    );
    const extra = peers.slice(20, 180).map((p) => row(p, peers[199]!));
    const g = buildGraph(input(rows, [...rows, ...extra], peers, added(extra)));
    expect(g).toMatchObject({ level: "namespace", scope: "changed" });
    expect(g.edges).toHaveLength(20);
    expect(g.edges.every((e) => e.dst === "n19" && e.status !== "unchanged")).toBe(true);
    expect(g.edges.find((e) => e.src === "n0")).toMatchObject({
      before: "1 connection",
      after: "9 connections",
      status: "changed",
    });
    expect(g.note).toContain("only the 20 namespace pairs with changes (of 381)");
  });

  it("without a base everything is unchanged", () => {
    const [a, b] = many(2) as [PeerRef, PeerRef];
    const g = buildGraph({ after: [row(a, b)], afterPeers: [a, b], sensitive: new Set() });
    expect(g.edges.map((e) => e.status)).toEqual(["unchanged"]);
    expect(g.nodes.map((n) => n.status)).toEqual(["unchanged", "unchanged"]);
  });
});
