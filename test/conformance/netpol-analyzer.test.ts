/**
 * netpol-analyzer's corpus (test/conformance/netpol-analyzer, see its README): every case —
 * NetworkPolicy-only cases, cases with AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1),
 * and cases with Ingress / Route objects (the `{ingress-controller}` peer) — must give the expected
 * connectivity list, compared semantically, with `--ipblock-pods exclude` (the corpus's convention);
 * every diff must match too.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  analyze,
  buildCluster,
  clusterPeers,
  diffConnections,
  formatConn,
  formatPeer,
  listConnections,
} from "../../src/model/index.js";
import { loadPaths } from "../../src/parser/index.js";
import { compareConnlists, parseConnlist, type Row } from "./support/connlist.js";

const DIR = join(import.meta.dirname, "netpol-analyzer");
const kindRe = (kinds: string) => new RegExp(`["']?kind["']?\\s*:\\s*["']?(${kinds})["']?\\s*(,|$)`, "m");
const ROUTED = kindRe("Ingress|Route");
const TIERED = kindRe("AdminNetworkPolicy|BaselineAdminNetworkPolicy");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const anyFile = (c: string, re: RegExp) =>
  filesUnder(join(DIR, "cases", c)).some((f) => re.test(readFileSync(f, "utf8")));
const inScope = readdirSync(join(DIR, "cases")).sort();
const routedCases = inScope.filter((c) => anyFile(c, ROUTED));
const npOnlyCases = inScope.filter((c) => !anyFile(c, TIERED) && !routedCases.includes(c));
const tieredCases = inScope.filter((c) => anyFile(c, TIERED) && !routedCases.includes(c));

/**
 * Corpus inputs the API server would reject, and the errors netpolc must report for them (the
 * rest of each input is still analysed and must give the expected connectivity).
 */
const KNOWN_INVALID: Record<string, string[]> = {
  // A NetworkPolicy name with underscores (not a DNS-1123 subdomain).
  example_pods_w_same_owner_and_labels_gap_with_good_match_expression: ["NP2013"],
  example_pods_w_same_owner_and_labels_gap_with_good_match_expression2: ["NP2013"],
  // A container port written `containerport:` (its containerPort is missing).
  netpol_named_port_test_2: ["NP2002"],
  // A Deployment whose selector does not select its template labels (the pods are the template's).
  anp_test_1_deny_traffic_at_cluster_level: ["NP2005"],
  anp_test_ingress_egress_intersection: ["NP2005"],
  // v1alpha1 `pods` subjects/peers without podSelector or namespaceSelector, which the CRD requires
  // (read as the empty selector, as netpol-analyzer reads them).
  anp_test_3_pass_traffic: Array<string>(2).fill("NP2002"),
  anp_test_8_swapping_rules: Array<string>(3).fill("NP2002"),
  anp_test_9: Array<string>(14).fill("NP2002"),
  anp_test_10: Array<string>(7).fill("NP2002"),
  anp_test_11: Array<string>(7).fill("NP2002"),
  anp_test_11_swapping_rules: Array<string>(7).fill("NP2002"),
  anp_test_12_swapping_rules: Array<string>(7).fill("NP2002"),
  anp_test_combining_test_6_and_test_10: Array<string>(7).fill("NP2002"),
  example_pods_w_same_owner_and_labels_gap_anp_good: Array<string>(3).fill("NP2002"),
  example_pods_w_same_owner_and_labels_gap_banp_good: Array<string>(2).fill("NP2002"),
  // A named port in a rule with a networks peer (experimental CRD's CEL rule; no match for the peer).
  anp_test_named_ports_multiple_peers: ["NP2004"],
  // Multi-port Services whose ports are not named (the API server requires names then).
  one_ingress_multiple_ports: Array<string>(3).fill("NP2009"),
  one_ingress_multiple_services: Array<string>(2).fill("NP2009"),
};

async function analyse(name: string) {
  const parsed = await loadPaths([join(DIR, "cases", name)]);
  const { cluster } = buildCluster(parsed.objects);
  return { parsed, analysis: analyze(cluster, { ipBlockPods: "exclude" }) };
}

function rowsOf(a: Awaited<ReturnType<typeof analyse>>["analysis"]): Row[] {
  return listConnections(a, { granularity: "workload", families: [4] }).map((c) => ({
    src: formatPeer(c.src),
    dst: formatPeer(c.dst),
    conn: c.conn,
  }));
}

async function checkCase(name: string): Promise<void> {
  const { parsed, analysis } = await analyse(name);
  expect(parsed.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual(
    KNOWN_INVALID[name] ?? [],
  );
  const expected = parseConnlist(readFileSync(join(DIR, "expected", `${name}.txt`), "utf8"));
  expect(compareConnlists(expected, rowsOf(analysis))).toEqual([]);
}

describe("netpol-analyzer corpus: NetworkPolicy-only cases", () => {
  it("selects the NetworkPolicy-only cases", () => expect(npOnlyCases.length).toBe(29));
  for (const name of npOnlyCases) it(name, () => checkCase(name));
});

describe("netpol-analyzer corpus: Ingress / Route cases", () => {
  it("selects the Ingress / Route cases", () => expect(routedCases.length).toBe(4));
  for (const name of routedCases) it(name, () => checkCase(name));
});

describe("netpol-analyzer corpus: AdminNetworkPolicy / BaselineAdminNetworkPolicy cases", () => {
  it("selects the tiered cases", () => expect(tieredCases.length).toBe(37));
  for (const name of tieredCases) it(name, () => checkCase(name));
});

const diffs = readdirSync(join(DIR, "diff"))
  .filter((f) => f.endsWith(".meta"))
  .map((f) => {
    const meta = readFileSync(join(DIR, "diff", f), "utf8");
    return {
      file: f.replace(/\.meta$/, ".txt"),
      newCase: /^new:\s*(\S+)/m.exec(meta)![1]!,
      oldCase: /^old:\s*(\S+)/m.exec(meta)![1]!,
    };
  })
  .filter((d) => inScope.includes(d.newCase) && inScope.includes(d.oldCase));

describe("netpol-analyzer corpus: diffs", () => {
  it("selects every diff between in-scope cases", () => expect(diffs.length).toBe(13));
  for (const d of diffs) {
    it(d.file, async () => {
      const before = (await analyse(d.oldCase)).analysis;
      const after = (await analyse(d.newCase)).analysis;
      const list = (a: typeof before) => listConnections(a, { granularity: "workload", families: [4] });
      const peers = (a: typeof before) => clusterPeers(a, "workload").map((p) => p.ref);
      const got = diffConnections(list(before), list(after), peers(before), peers(after));
      // Compare as two connlists: ref1 side and ref2 side of every changed pair, semantically.
      const text = readFileSync(join(DIR, "diff", d.file), "utf8");
      const exp = [
        ...text.matchAll(
          /source: (.*?), destination: (.*?), ref1: (.*?), ref2: (.*?)(?:, workloads-diff-info.*)?$/gm,
        ),
      ];
      const side = (i: 3 | 4) =>
        parseConnlist(exp.map((m) => `${m[1]} => ${m[2]} : ${m[i]}`).join("\n")).filter(
          (r) => formatConn(r.conn) !== "No Connections",
        );
      const gotSide = (pick: "old" | "new") =>
        got
          .map((g) => ({ src: formatPeer(g.src), dst: formatPeer(g.dst), conn: g[pick] }))
          .filter((r) => formatConn(r.conn) !== "No Connections");
      expect(compareConnlists(side(3), gotSide("old"))).toEqual([]);
      expect(compareConnlists(side(4), gotSide("new"))).toEqual([]);
      expect(got.length === 0).toBe(exp.length === 0);
    });
  }
});
