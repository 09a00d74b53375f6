/**
 * Ranges as LPM prefixes: address ranges as CIDRs and port intervals as port prefixes cover exactly
 * their range with maximal aligned blocks; and in emitted ipcaches, every address of every atom
 * resolves (longest prefix) to its atom's identity, pod addresses to their pod's class (properties).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emitEbpf } from "../../src/emit/ebpf/index.js";
import { portPrefixes, rangeCidrs } from "../../src/emit/ebpf/prefixes.js";
import { analyze, buildCluster, type IpFamily, parseIp } from "../../src/model/index.js";
import { caseArb } from "../model/support/arbitraries.js";
import { toObjects } from "../model/support/case.js";
import { fromValue, parseBatch, Sim } from "./ebpf-sim.js";

const WIDTH: Record<IpFamily, number> = { 4: 32, 6: 128 };
const MAX: Record<IpFamily, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

const sorted = (a: bigint, b: bigint): [bigint, bigint] => (a <= b ? [a, b] : [b, a]);

const rangeArb = fc.constantFrom(4 as const, 6 as const).chain((family) =>
  fc
    .tuple(fc.bigInt({ min: 0n, max: MAX[family] }), fc.bigInt({ min: 0n, max: MAX[family] }), fc.nat(40))
    .map(([a, b, small]) => {
      const [lo, far] = sorted(a, b);
      // Half the time a short range, where the edges matter most.
      const near = lo + BigInt(small) > MAX[family] ? MAX[family] : lo + BigInt(small);
      return { family, lo, hi: small < 20 ? near : far };
    }),
);

describe("address ranges as CIDRs", () => {
  it("cover the range exactly with aligned, maximal blocks", () => {
    fc.assert(
      fc.property(rangeArb, (r) => {
        const cidrs = rangeCidrs(r);
        let next = r.lo;
        for (const c of cidrs) {
          const size = 1n << BigInt(WIDTH[r.family] - c.bits);
          expect(c.value).toBe(next);
          expect(c.value % size).toBe(0n);
          // Maximal: the doubled block is misaligned or leaves the range.
          const doubled = size * 2n;
          expect(c.bits === 0 || c.value % doubled !== 0n || c.value + doubled - 1n > r.hi).toBe(true);
          next = c.value + size;
        }
        expect(next - 1n).toBe(r.hi);
      }),
      { numRuns: 500 },
    );
  });

  it("the whole space is one prefix", () => {
    expect(rangeCidrs({ family: 6, lo: 0n, hi: MAX[6] })).toEqual([{ family: 6, value: 0n, bits: 0 }]);
  });
});

describe("port intervals as port prefixes", () => {
  const matches = (pp: { port: number; bits: number }, port: number) =>
    port >> (16 - pp.bits) === pp.port >> (16 - pp.bits);

  it("match exactly the ports of the interval (port 0 aside: 1-… starts at 0)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }), (a, b) => {
        const lo = Math.min(a, b);
        const hi = Math.max(a, b);
        const prefixes = portPrefixes(lo, hi);
        const wrong: number[] = [];
        for (let port = 1; port <= 65535; port++) {
          let hits = 0;
          for (const pp of prefixes) if (matches(pp, port)) hits++;
          if (hits !== (port >= lo && port <= hi ? 1 : 0)) wrong.push(port);
        }
        expect(wrong).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("1-65535 is one prefix, a single port a full one", () => {
    expect(portPrefixes(1, 65535)).toEqual([{ port: 0, bits: 0 }]);
    expect(portPrefixes(8080, 8080)).toEqual([{ port: 8080, bits: 16 }]);
    expect(portPrefixes(9100, 9110)).toEqual([
      { port: 9100, bits: 14 },
      { port: 9104, bits: 14 },
      { port: 9108, bits: 15 },
      { port: 9110, bits: 16 },
    ]);
  });
});

describe("ipcache", () => {
  it("maps every address of every atom to the atom's identity, and pod addresses to their class", () => {
    fc.assert(
      fc.property(
        caseArb(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (c, fractions) => {
          const { cluster } = buildCluster(toObjects(c.objects));
          const a = analyze(cluster);
          const e = emitEbpf(a, {}, "/p");
          const sim = new Sim(parseBatch(e.files.find((f) => f.kind === "bpftool-batch")!.content), "/p");
          const doc = JSON.parse(e.files.find((f) => f.kind === "ebpf-json")!.content) as {
            identities: { identity: number; ranges?: string[]; pods?: string[] }[];
          };
          // Expected identities, from the JSON document (not from the emitter's internals).
          const ofPod = new Map<string, number>();
          const ranges: { family: IpFamily; lo: bigint; hi: bigint; identity: number }[] = [];
          for (const id of doc.identities) {
            for (const p of id.pods ?? []) ofPod.set(p, id.identity);
            for (const r of id.ranges ?? []) {
              const [lo, hi] = r.split("-").map((x) => parseIp(x)!);
              ranges.push({ family: lo!.family, lo: lo!.value, hi: hi!.value, identity: id.identity });
            }
          }
          const podIp = new Map<string, number>();
          for (const p of a.cluster.pods)
            for (const ip of p.ips)
              if (!podIp.has(`${ip.family}/${ip.value}`))
                podIp.set(`${ip.family}/${ip.value}`, ofPod.get(`${p.namespace}/${p.name}`)!);
          for (const r of ranges) {
            const span = r.hi - r.lo;
            const samples = [
              r.lo,
              r.hi,
              ...fractions.map((f) => r.lo + (span * BigInt(Math.floor(f * 1e6))) / 1_000_000n),
            ];
            for (const v of samples) {
              const want = podIp.get(`${r.family}/${v}`) ?? r.identity;
              expect(sim.ipcache(fromValue(r.family, v))?.identity).toBe(want);
            }
          }
          for (const [k, identity] of podIp) {
            const [f, v] = k.split("/");
            expect(sim.ipcache(fromValue(Number(f) as IpFamily, BigInt(v!)))?.identity).toBe(identity);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
