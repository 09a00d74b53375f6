/**
 * Reading emitted files back: every rule of the emitters' output is read (counts agree with the
 * emission's stats), constructs outside the supported subset are rejected with a located error
 * (inline snapshots), and the symbolic evaluator folded on concrete packets agrees with the
 * independent concrete interpreter (fast-check).
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { type Emission, emit, emitEbpf } from "../../src/emit/index.js";
import type { Analysis } from "../../src/model/index.js";
import { shutdownZ3, z3 } from "../../src/solver/index.js";
import { runHook } from "../../src/solver/validate/concrete.js";
import { parseEbpfJson } from "../../src/solver/validate/ebpf-parse.js";
import { Evaluator } from "../../src/solver/validate/evaluate.js";
import { Fm } from "../../src/solver/validate/formula.js";
import { parseIpsets } from "../../src/solver/validate/ipset-parse.js";
import { parseIptables } from "../../src/solver/validate/iptables-parse.js";
import type { Ruleset } from "../../src/solver/validate/ir.js";
import { parseNft } from "../../src/solver/validate/nft-parse.js";
import { type ConcretePacket, concrete, PROTO_CODES } from "../../src/solver/validate/packet.js";
import { fixtureAnalysis } from "../kernel/inputs.js";

afterAll(shutdownZ3);

const file = (e: Emission, kind: string) => e.files.find((f) => f.kind === kind)!;

function iptablesOf(e: Emission): Ruleset {
  const ipset = e.files.find((f) => f.kind === "ipset-restore");
  const sets = ipset ? parseIpsets(ipset.name, ipset.content) : new Map();
  const f = file(e, "iptables-restore");
  return parseIptables(f.name, f.content, 4, sets);
}

const userRules = (rs: Ruleset) =>
  [...rs.chains.values()].reduce(
    (n, c) => n + (/^(filter|nat)\/[A-Z]+$/.test(c.name) ? 0 : c.rules.length),
    0,
  );

describe("every emitted rule is read", () => {
  let a: Analysis;
  it("fixtures/demo: iptables, nftables and eBPF", async () => {
    a = await fixtureAnalysis("fixtures/demo");
    const ipt = emit(a, "iptables");
    expect(userRules(iptablesOf(ipt))).toBe(ipt.stats.rules);
    const nft = emit(a, "nftables");
    const rs = parseNft("netpolc.nft", file(nft, "nft").content);
    expect([...rs.chains.values()].reduce((n, c) => n + c.rules.length, 0)).toBe(nft.stats.rules);
    const ebpf = emitEbpf(a, {});
    const cfg = parseEbpfJson("cluster.ebpf.json", file(ebpf, "ebpf-json").content);
    expect([...cfg.policies.values()].reduce((n, p) => n + p.length, 0)).toBe(ebpf.stats.rules);
  });
});

const IPT = (rules: string, extra = "") =>
  `*filter\n:NETPOLC-FORWARD - [0:0]\n:NETPOLC-X - [0:0]\n${extra}${rules}\nCOMMIT\n`;
const ipt =
  (rules: string, extra = "") =>
  () =>
    parseIptables("t.iptables", IPT(rules, extra), 4, new Map());

describe("iptables-restore: what is not understood is an error", () => {
  it("unknown match module", () =>
    expect(ipt("-A NETPOLC-X -m owner --uid-owner 0 -j ACCEPT")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.iptables:4: match module owner is not supported: -m owner --uid-owner 0 -j ACCEPT]`,
    ));
  it("unknown option", () =>
    expect(ipt("-A NETPOLC-X -i eth0 -j ACCEPT")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.iptables:4: option -i is not supported: -i eth0 -j ACCEPT]`,
    ));
  it("source port", () =>
    expect(ipt("-A NETPOLC-X -p tcp -m tcp --sport 80 -j ACCEPT")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.iptables:4: option --sport is not supported: -p tcp -m tcp --sport 80 -j ACCEPT]`,
    ));
  it("undeclared chain", () =>
    expect(ipt("-A NETPOLC-X -j NETPOLC-Y")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.iptables:4: jump to chain NETPOLC-Y, which the payload does not declare: -j NETPOLC-Y]`,
    ));
  it("address of the other family", () =>
    expect(ipt("-A NETPOLC-X -s fd00::1/128 -j ACCEPT")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.iptables:4: fd00::1/128 is not one IPv4 address or CIDR: -s fd00::1/128 -j ACCEPT]`,
    ));
  it("-I instead of -A", () =>
    expect(ipt("-I NETPOLC-X 1 -j ACCEPT")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.iptables:4: only -A rules are supported in a restore payload: -I NETPOLC-X 1 -j ACCEPT]`,
    ));
  it("another table", () =>
    expect(() => parseIptables("t", "*mangle\nCOMMIT\n", 4, new Map())).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t:1: table mangle is not supported (only filter and nat): *mangle]`,
    ));
  it("unknown ipset", () =>
    expect(ipt("-A NETPOLC-X -m set --match-set NOPE src -j ACCEPT")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.iptables:4: ipset NOPE is not defined in the ipset file: -m set --match-set NOPE src -j ACCEPT]`,
    ));
  it("ipset element options", () =>
    expect(() =>
      parseIpsets("t.ipset", "create S hash:net family inet\nadd S 10.0.0.0/8 nomatch\n"),
    ).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.ipset:2: element options (nomatch, timeout, …) are not supported: add S 10.0.0.0/8 nomatch]`,
    ));
  it("accepted: negation, multiport, marks, statistic, DNAT", () => {
    const rs = parseIptables(
      "t",
      "*nat\n:NETPOLC-A - [0:0]\n-A NETPOLC-A ! -d 127.0.0.0/8 -p udp -m multiport --dports 53,1000:2000 -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.0.0.1:53\n-A NETPOLC-A -m mark ! --mark 0x400000/0x400000 -j MARK --or-mark 0x4000\nCOMMIT\n",
      4,
      new Map(),
    );
    expect(rs.chains.get("nat/NETPOLC-A")!.rules.map((r) => r.matches.map((m) => m.kind))).toEqual([
      ["lookup", "lookup", "lookup", "random"],
      ["mark"],
    ]);
  });
});

const NFT = (body: string) => `table inet t {\n${body}\n}\n`;
const nft = (body: string) => () => parseNft("t.nft", NFT(body));

describe("nftables: what is not understood is an error", () => {
  it("unknown statement", () =>
    expect(nft("chain c {\n\tiifname eth0 accept\n}")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.nft:3: statement iifname is not supported: iifname eth0 accept]`,
    ));
  it("another table family", () =>
    expect(() => parseNft("t.nft", "table ip t {\n}\n")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.nft:1: table family ip is not supported (only inet): ip]`,
    ));
  it("an undefined set", () =>
    expect(nft("chain c {\n\tip saddr @nope accept\n}")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.nft:3: set @nope is not defined: ip saddr @nope accept]`,
    ));
  it("a set of the wrong type", () =>
    expect(
      nft("set s {\n\ttype inet_service\n\telements = { 80 }\n}\nchain c {\n\tip saddr @s accept\n}"),
    ).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.nft:7: @s has type inet_service, not ipv4_addr: ip saddr @s accept]`,
    ));
  it("a match after an action", () =>
    expect(
      nft("chain c {\n\tmeta mark set meta mark | 0x1 ip saddr 10.0.0.1 accept\n}"),
    ).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.nft:3: a match after an action: meta mark set meta mark | 0x1 ip saddr 10.0.0.1 accept]`,
    ));
  it("a range element without the interval flag", () =>
    expect(
      nft("set s {\n\ttype inet_service\n\telements = { 80-90 }\n}\nchain c {\n\tth dport @s accept\n}"),
    ).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.nft:4: 80-90 is not a valid inet_service element here (ranges need flags interval): 80-90]`,
    ));
  it("jump to an undefined chain", () =>
    expect(nft("chain c {\n\tjump nowhere\n}")).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: t.nft:3: jump to undefined chain nowhere: jump nowhere]`,
    ));
  it("accepted: the last definition after delete table wins", () => {
    const rs = parseNft(
      "t.nft",
      'table inet t\ndelete table inet t\ntable inet t {\n\tchain c {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tct state established,related accept\n\t\tmeta l4proto tcp th dport 80-81 accept comment "x"\n\t}\n}\n',
    );
    expect(rs.hooks).toEqual([{ kind: "filter", hook: "forward", priority: 0, policy: "drop", chain: "c" }]);
    expect(rs.chains.get("c")!.rules).toHaveLength(2);
  });
});

describe("eBPF JSON: fields outside layout 1 are errors", () => {
  const doc = (patch: object) =>
    JSON.stringify({
      layout: 1,
      node: "",
      ipcache: [],
      endpoints: [],
      policies: [],
      services: [],
      backends: [],
      ...patch,
    });
  it("a deny flag", () =>
    expect(() =>
      parseEbpfJson(
        "x.json",
        doc({
          policies: [
            {
              id: 0,
              identities: [],
              maxEntries: 1,
              entries: [
                {
                  identity: 0,
                  direction: "egress",
                  protocol: "any",
                  ports: "any",
                  prefixlen: 40,
                  deny: true,
                },
              ],
            },
          ],
        }),
      ),
    ).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: x.json: policies[0].entries[0]: field deny is not in layout 1]`,
    ));
  it("a port block that is not its prefix", () =>
    expect(() =>
      parseEbpfJson(
        "x.json",
        doc({
          policies: [
            {
              id: 0,
              identities: [],
              maxEntries: 1,
              entries: [{ identity: 0, direction: "egress", protocol: "TCP", ports: "80-81", prefixlen: 64 }],
            },
          ],
        }),
      ),
    ).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: x.json: policies[0].entries[0]: ports 80-81 are not the block of prefix length 64]`,
    ));
  it("another layout", () =>
    expect(() => parseEbpfJson("x.json", doc({ layout: 2 }))).toThrowErrorMatchingInlineSnapshot(
      `[UnsupportedRule: x.json: layout: version 2 (only 1 is understood)]`,
    ));
});

describe("symbolic evaluation folded on a concrete packet = the concrete interpreter", () => {
  it("demo and services fixtures, iptables and nftables, random packets", async () => {
    const c = await z3();
    for (const dir of ["fixtures/demo", "fixtures/services"]) {
      const a = await fixtureAnalysis(dir);
      const pods = a.cluster.pods.flatMap((p) => p.ips.filter((ip) => ip.family === 4).map((ip) => ip.value));
      const rulesets = [
        iptablesOf(emit(a, "iptables")),
        parseNft("n.nft", file(emit(a, "nftables"), "nft").content),
      ];
      const address = fc.oneof(fc.constantFrom(...pods), fc.bigInt(0n, (1n << 32n) - 1n));
      const packet = fc.record({
        family: fc.constant(4 as const),
        src: address,
        dst: address,
        proto: fc.constantFrom(...PROTO_CODES),
        dport: fc.oneof(
          fc.constantFrom(53, 80, 443, 5432, 6379, 8080, 8443, 9090, 9100, 9113),
          fc.integer({ min: 1, max: 65535 }),
        ),
        dstLocal: fc.boolean(),
      });
      for (const rs of rulesets)
        fc.assert(
          fc.property(packet, (p: ConcretePacket) => {
            const fm = new Fm(c, "t");
            const symbolic = new Evaluator(fm, rs, concrete(p)).hook("filter", "forward").accept;
            const outcomes = runHook(rs, "filter", "forward", p);
            expect(typeof symbolic).toBe("boolean");
            expect(symbolic).toBe(outcomes[0]!.kind === "accept");
          }),
          { numRuns: 300, seed: 7 },
        );
    }
  });
});
