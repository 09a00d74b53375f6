/**
 * Names and probabilities as kube-proxy computes them. The vectors come from real kube-proxy
 * dumps quoted in the dataplane notes (/work/shared/background/seed-dataplane.md, Appendix A:
 * kube-dns and `default/clusterip-service`) and from kube-proxy's nftables code comments.
 */
import { describe, expect, it } from "vitest";
import { base32, hashName, iptablesName, nftName, probability } from "../../src/emit/index.js";

describe("base32 (RFC 4648)", () => {
  it.each([
    ["", ""],
    ["f", "MY======"],
    ["fo", "MZXQ===="],
    ["foo", "MZXW6==="],
    ["foob", "MZXW6YQ="],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI======"],
  ])("%j → %s", (input, out) => expect(base32(new TextEncoder().encode(input))).toBe(out));
});

describe("kube-proxy chain names", () => {
  it.each([
    // ServicePortName.String() + lower-case protocol [+ endpoint]: `ns/name:port`, colon kept.
    ["kube-system/kube-dns:dnsudp", "TCOU7JCQXEZGVUNU"],
    ["kube-system/kube-dns:dnsudp10.0.1.141:53", "OCPCMVGPKTDWRD3C"],
    ["default/clusterip-service:tcp", "V7R3EVKW3DT43QQM"],
    ["default/clusterip-service:tcp10.244.1.4:8080", "THJR2P3Q4C2QAEPT"],
  ])("iptables %s → %s", (readable, hash) => {
    expect(hashName(readable, 16)).toBe(hash);
    expect(iptablesName("NETPOLC-SVC-", readable)).toBe(`NETPOLC-SVC-${hash}`);
    expect(iptablesName("NETPOLC-SVC-", readable).length).toBeLessThanOrEqual(28);
  });

  it.each([
    ["ns1/svc1/tcp/p80", "service-ULMVA6XW-ns1/svc1/tcp/p80"],
    ["ns1/svc1/tcp/p80__10.180.0.1/80", "service-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80"],
  ])("nftables %s → %s", (readable, name) => expect(nftName("service-", readable)).toBe(name));

  it("nftables names keep to nft's identifier characters", () => {
    expect(nftName("endpoint-", "ns/svc/tcp/__fd00::1/80")).toMatch(
      /^endpoint-[A-Z2-7]{8}-ns\/svc\/tcp\/__fd00\.\.1\/80$/,
    );
    expect(nftName("x-", "a b;c")).toMatch(/^x-[A-Z2-7]{8}-a_b_c$/);
  });
});

describe("probability (Go %0.10f of 1/n)", () => {
  /** Go rounds the exact binary value half to even: an independent reference with decimal strings. */
  function reference(n: number): string {
    // For n ≤ 1000, 1/n ≥ 2^-10, so its lowest mantissa bit is ≥ 2^-62: × 2^70 is an exact integer.
    const exact = BigInt((1 / n) * 2 ** 70);
    const scaled = exact * 10n ** 10n;
    const den = 1n << 70n;
    let q = scaled / den;
    const r2 = (scaled % den) * 2n;
    if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
    const d = q.toString().padStart(11, "0");
    return `${d.slice(0, -10)}.${d.slice(-10)}`;
  }

  it("n = 1…1000", () => {
    for (let n = 1; n <= 1000; n++) expect(probability(n), `n=${n}`).toBe(reference(n));
    expect([probability(1), probability(2), probability(3), probability(7)]).toEqual([
      "1.0000000000",
      "0.5000000000",
      "0.3333333333",
      "0.1428571429",
    ]);
  });

  it("ties round half to even, as Go does (toFixed would round up)", () => {
    expect(probability(2048)).toBe("0.0004882812");
    expect((1 / 2048).toFixed(10)).toBe("0.0004882813");
  });
});
