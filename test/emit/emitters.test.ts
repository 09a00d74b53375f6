/**
 * What each emitter writes for the Service and policy shapes of fixtures/services (every Service
 * type, traffic policies, a selector-less Service with an external endpoint) and a few helpers,
 * as tables of named cases. The semantics themselves are checked against the model in
 * plan.test.ts and on a kernel in test/kernel/.
 */
import { describe, expect, it } from "vitest";
import { addressSet, cidrsOf } from "../../src/emit/address-set.js";
import { emitIptables, emitNftables } from "../../src/emit/index.js";
import { multiportChunks } from "../../src/emit/ports-match.js";
import { fixtureAnalysis } from "../kernel/inputs.js";

const services = await fixtureAnalysis("fixtures/services");
const ipt = emitIptables(services).files.find((f) => f.kind === "iptables-restore")!.content;
const nft = emitNftables(services).files[0]!.content;

describe("iptables: Services as kube-proxy writes them", () => {
  it.each([
    [
      "a port without endpoints is rejected",
      /-A NETPOLC-SERVICES .*"shop\/legacy:http has no endpoints" -d 10\.96\.10\.40\/32 -p tcp -m tcp --dport 80 -j REJECT/,
    ],
    [
      "a cluster IP leads to its SVC chain",
      /-A NETPOLC-SERVICES .*"shop\/storefront-lb:https cluster IP" -d 10\.96\.10\.22\/32 -p tcp -m tcp --dport 443 -j NETPOLC-SVC-/,
    ],
    [
      "a LoadBalancer IP is an external destination",
      /-d 198\.51\.100\.7\/32 -p tcp -m tcp --dport 443 -j NETPOLC-EXT-/,
    ],
    ["a node port is an external destination", /-A NETPOLC-NODEPORTS .* --dport 31443 -j NETPOLC-EXT-/],
    [
      "externalTrafficPolicy Local: external traffic to local endpoints, unmasqueraded",
      /-A (NETPOLC-EXT-\w+) -j NETPOLC-SVL-/,
    ],
    [
      "Cluster policy: external traffic is masqueraded",
      /-A NETPOLC-EXT-\w+ .*external destinations" -j NETPOLC-MARK-MASQ/,
    ],
    [
      "endpoint choice: 1/(n−i), %0.10f",
      /-m statistic --mode random --probability 0\.5000000000 -j NETPOLC-SEP-/,
    ],
    ["a selector-less Service's external endpoint", /-j DNAT --to-destination 203\.0\.113\.25:8443/],
    ["hairpin: masquerade and self marks", /-s 10\.244\.1\.30\/32 -j MARK --or-mark 0xc00000/],
    [
      "node ports last, never loopback",
      /-A NETPOLC-SERVICES .*-m addrtype --dst-type LOCAL ! -d 127\.0\.0\.0\/8 -j NETPOLC-NODEPORTS\nCOMMIT|-A NETPOLC-SERVICES .*-m addrtype --dst-type LOCAL ! -d 127\.0\.0\.0\/8 -j NETPOLC-NODEPORTS\n-A NETPOLC-NODEPORTS/,
    ],
  ])("%s", (_name, re) => expect(ipt).toMatch(re));

  it.each([
    ["ExternalName", "billing-api"],
    ["headless", "data/postgres:"],
  ])("%s Services are not translated", (_kind, name) => expect(ipt).not.toContain(`${name} cluster IP`));

  it("ClientIP affinity: recent --rcheck per endpoint, --set before DNAT", async () => {
    const a = await fixtureAnalysis("fixtures/kernel/named-target-port");
    const text = emitIptables(a).files.find((f) => f.kind === "iptables-restore")!.content;
    expect(text).toMatch(/-m recent --name (NETPOLC-SEP-\w+) --rcheck --seconds 10800 --reap -j \1/);
    expect(text).toMatch(
      /-A (NETPOLC-SEP-\w+) .*-m recent --name \1 --set -p tcp -m tcp -j DNAT --to-destination 10\.210\.0\.1[12]:(8080|9090)/,
    );
  });

  it("a named targetPort resolves per endpoint", async () => {
    const a = await fixtureAnalysis("fixtures/kernel/named-target-port");
    const text = emitIptables(a).files.find((f) => f.kind === "iptables-restore")!.content;
    expect(text).toContain("--to-destination 10.210.0.11:8080");
    expect(text).toContain("--to-destination 10.210.0.12:9090");
    expect(text).not.toContain("--to-destination 10.210.0.13");
  });
});

describe("nftables: verdict maps", () => {
  it.each([
    [
      "service IPs by address . protocol . port",
      /10\.96\.10\.22 \. tcp \. 443 : goto service-\w+-shop\/storefront-lb\/tcp\/https/,
    ],
    [
      "LB IPs to the external chain",
      /198\.51\.100\.7 \. tcp \. 443 : goto external-\w+-shop\/storefront-lb\/tcp\/https/,
    ],
    ["node ports", /tcp \. 31443 : goto external-\w+-shop\/storefront-lb\/tcp\/https/],
    ["no endpoints: reject", /10\.96\.10\.40 \. tcp \. 80 : goto reject-chain/],
    [
      "endpoint choice by numgen",
      /numgen random mod 2 vmap @service-endpoints-\w+-shop\/storefront-lb\/tcp\/https/,
    ],
    [
      "dual-stack: an IPv6 ClusterIP in the v6 map",
      /fd00:10:96::a \. udp \. 53 : goto service6-\w+-kube-system\/kube-dns\/udp\/dns/,
    ],
    ["translation per family", /dnat ip6 to \[fd00:10:244:1::2\]:53/],
    [
      "dispatch of isolated pods by address",
      /map ingress-v4 \{\n\t\ttype ipv4_addr : verdict\n\t\tflags interval/,
    ],
  ])("%s", (_name, re) => expect(nft).toMatch(re));

  it("no anonymous sets (nft loads them in quadratic time)", () =>
    expect(nft).not.toMatch(/\{ \d+ :|dport \{/));
});

describe("helpers", () => {
  it.each([
    ["one port", [80, 80], ["80"]],
    ["a range", [80, 90], ["80:90"]],
    [
      "15 single ports in one chunk",
      Array.from({ length: 15 }, (_, i) => [i + 1, i + 1]).flat(),
      [Array.from({ length: 15 }, (_, i) => i + 1).join(",")],
    ],
    [
      "a range counts twice",
      [...Array.from({ length: 14 }, (_, i) => [2 * i + 1, 2 * i + 1]).flat(), 100, 200],
      [Array.from({ length: 14 }, (_, i) => 2 * i + 1).join(","), "100:200"],
    ],
  ])("multiport: %s", (_name, intervals, chunks) =>
    expect(multiportChunks(intervals as number[])).toEqual(chunks),
  );

  it("hash:net takes no /0: it is split in halves", () => {
    expect(cidrsOf(addressSet(4, [{ family: 4, lo: 0n, hi: (1n << 32n) - 1n }]))).toEqual([
      "0.0.0.0/1",
      "128.0.0.0/1",
    ]);
    expect(cidrsOf(addressSet(6, [{ family: 6, lo: 0n, hi: (1n << 128n) - 1n }]))).toEqual([
      "::/1",
      "8000::/1",
    ]);
  });

  it("address sets merge adjacent and overlapping ranges, with a canonical key", () => {
    const a = addressSet(4, [
      { family: 4, lo: 5n, hi: 5n },
      { family: 4, lo: 1n, hi: 3n },
      { family: 4, lo: 4n, hi: 4n },
      { family: 4, lo: 10n, hi: 12n },
    ]);
    expect(a.ranges).toEqual([
      { family: 4, lo: 1n, hi: 5n },
      { family: 4, lo: 10n, hi: 12n },
    ]);
    expect(addressSet(4, [...a.ranges].reverse()).key).toBe(a.key);
  });

  it("emission is deterministic", () => {
    expect(emitNftables(services).files[0]!.content).toBe(nft);
    expect(emitIptables(services).files.find((f) => f.kind === "iptables-restore")!.content).toBe(ipt);
  });
});
