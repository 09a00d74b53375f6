/**
 * Mutation tests of translation validation: an emitted ruleset is changed in one place — (1) a rule
 * dropped, (2) a CIDR widened by 8 bits (/24 → /16, an address → its /24), (3) a port moved by one
 * (8080 → 8081), (4) for eBPF one map entry flipped (direction, peer identity, an endpoint's
 * enforcement, a pod's ipcache identity) — at positions spread evenly over the candidates, on
 * several fixtures. Every mutant that validation rejects must come with a counterexample that
 * really tells the two rulesets apart when both are evaluated concretely on it; a mutant it accepts
 * must be harmless on a sample of packets; and most mutants must be caught.
 */
import { afterAll, describe, expect, it } from "vitest";
import { type Emission, emit, emitEbpf } from "../../src/emit/index.js";
import { type Analysis, formatIp, parseIp } from "../../src/model/index.js";
import { shutdownZ3 } from "../../src/solver/index.js";
import { runHook } from "../../src/solver/validate/concrete.js";
import { type Dataplane, dataplaneOf } from "../../src/solver/validate/dataplane.js";
import { type Finding, formatValidation, validateEmission } from "../../src/solver/validate/index.js";
import { type ConcretePacket, PROTO_CODES } from "../../src/solver/validate/packet.js";
import { fixtureAnalysis } from "../kernel/inputs.js";

afterAll(shutdownZ3);

type Operator = "drop" | "widen" | "port" | "flip";

interface Mutant {
  readonly op: Operator;
  readonly where: string;
  readonly emission: Emission;
  /** Ports and addresses the change touches, for sampling. */
  readonly ports: readonly number[];
  readonly addresses: readonly bigint[];
}

const POSITIONS = 3;

/** `count` indexes spread evenly over `n`. */
function spread(n: number, count = POSITIONS): number[] {
  if (n <= count) return [...Array(n).keys()];
  return [...new Set(Array.from({ length: count }, (_, k) => Math.round((k * (n - 1)) / (count - 1))))];
}

function withFile(e: Emission, kind: string, content: string): Emission {
  return { ...e, files: e.files.map((f) => (f.kind === kind ? { ...f, content } : f)) };
}

/** Line-level mutants of one text file: `edit` returns the new line (undefined: not a candidate). */
function lineMutants(
  e: Emission,
  kind: string,
  op: Operator,
  edit: (line: string) => { line: string | undefined; ports: number[]; addresses: bigint[] } | undefined,
): Mutant[] {
  const file = e.files.find((f) => f.kind === kind);
  if (!file) return [];
  const lines = file.content.split("\n");
  const candidates = lines.flatMap((l, i) => {
    const r = edit(l);
    return r ? [{ i, ...r }] : [];
  });
  return spread(candidates.length).map((k) => {
    const c = candidates[k]!;
    const copy = [...lines];
    if (c.line === undefined) copy.splice(c.i, 1);
    else copy[c.i] = c.line;
    return {
      op,
      where: `${file.name}:${c.i + 1}: ${lines[c.i]!.trim()}`,
      emission: withFile(e, kind, copy.join("\n")),
      ports: c.ports,
      addresses: c.addresses,
    };
  });
}

const v4 = (text: string) => parseIp(text)!.value;

function widenCidr(addr: string, bits: string | undefined): { text: string; lo: bigint } {
  const n = bits === undefined ? 32 : Number(bits);
  const m = Math.max(0, n - 8);
  const v = v4(addr);
  const lo = m === 0 ? 0n : (v >> BigInt(32 - m)) << BigInt(32 - m);
  // An address just outside the old block and inside the new one.
  const outside = lo === v ? lo + (1n << BigInt(32 - n)) : lo;
  return { text: `${formatIp(4, lo)}/${m}`, lo: outside };
}

function iptablesMutants(e: Emission): Mutant[] {
  const group = /^-A NETPOLC-(EGR|ING)-\S+ /;
  return [
    ...lineMutants(e, "iptables-restore", "drop", (l) => {
      if (!group.test(l) || !/ -j (RETURN|ACCEPT)$/.test(l)) return undefined;
      return {
        line: undefined,
        ports: [...l.matchAll(/--dports? (\d+)/g)].map((m) => Number(m[1])),
        addresses: [],
      };
    }),
    ...lineMutants(e, "iptables-restore", "widen", (l) => {
      const m = / -([sd]) (\d+\.\d+\.\d+\.\d+)\/(\d+) /.exec(l);
      if (!group.test(l) || !m || Number(m[3]) < 9) return undefined;
      const w = widenCidr(m[2]!, m[3]);
      return {
        line: l.replace(` -${m[1]} ${m[2]}/${m[3]} `, ` -${m[1]} ${w.text} `),
        ports: [],
        addresses: [w.lo],
      };
    }),
    ...lineMutants(e, "ipset-restore", "widen", (l) => {
      const m = /^add (NETPOLC-P4-\S+) (\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(l);
      if (!m || Number(m[3]) < 9) return undefined;
      const w = widenCidr(m[2]!, m[3]);
      return { line: `add ${m[1]} ${w.text}`, ports: [], addresses: [w.lo] };
    }),
    ...lineMutants(e, "iptables-restore", "port", (l) => {
      const m = / --dport (\d+) /.exec(l);
      if (!group.test(l) || !m || Number(m[1]) >= 65535) return undefined;
      const p = Number(m[1]);
      return { line: l.replace(` --dport ${p} `, ` --dport ${p + 1} `), ports: [p, p + 1], addresses: [] };
    }),
  ];
}

function nftMutants(e: Emission): Mutant[] {
  // Rules inside group chains, elements inside peer and port sets: track the enclosing block.
  const tagged = (test: (block: string, line: string) => boolean) => {
    let block = "";
    return (line: string) => {
      const open = /^\t(?:chain|set|map) (\S+) \{$/.exec(line);
      if (open) block = open[1]!;
      return test(block, line);
    };
  };
  const inGroup = (b: string) => /^(egress|ingress)4-/.test(b);
  const drop = tagged((b, l) => inGroup(b) && /^\t\t.* (return|accept)$/.test(l));
  const widenRule = tagged((b, l) => inGroup(b) && /ip [sd]addr \d+\.\d+\.\d+\.\d+(\/\d+)? /.test(l));
  const widenSet = tagged(
    (b, l) => b.startsWith("peers4-") && /^\t\t\t\d+\.\d+\.\d+\.\d+(\/\d+)?,?$/.test(l),
  );
  const portRule = tagged((b, l) => inGroup(b) && /th dport \d+ /.test(l));
  const portSet = tagged((b, l) => b.startsWith("ports-") && /^\t\t\t(tcp|udp|sctp) \. \d+,?$/.test(l));
  return [
    ...lineMutants(e, "nft", "drop", (l) =>
      drop(l) ? { line: undefined, ports: [], addresses: [] } : undefined,
    ),
    ...lineMutants(e, "nft", "widen", (l) => {
      if (!widenRule(l)) return undefined;
      const m = /ip ([sd])addr (\d+\.\d+\.\d+\.\d+)(?:\/(\d+))? /.exec(l)!;
      if (m[3] !== undefined && Number(m[3]) < 9) return undefined;
      const w = widenCidr(m[2]!, m[3]);
      return { line: l.replace(m[0], `ip ${m[1]}addr ${w.text} `), ports: [], addresses: [w.lo] };
    }),
    ...lineMutants(e, "nft", "widen", (l) => {
      if (!widenSet(l)) return undefined;
      const m = /(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/.exec(l)!;
      if (m[2] !== undefined && Number(m[2]) < 9) return undefined;
      const w = widenCidr(m[1]!, m[2]);
      return { line: l.replace(m[0], w.text), ports: [], addresses: [w.lo] };
    }),
    ...lineMutants(e, "nft", "port", (l) => {
      if (!portRule(l)) return undefined;
      const p = Number(/th dport (\d+) /.exec(l)![1]);
      return p < 65535
        ? { line: l.replace(`th dport ${p} `, `th dport ${p + 1} `), ports: [p, p + 1], addresses: [] }
        : undefined;
    }),
    ...lineMutants(e, "nft", "port", (l) => {
      if (!portSet(l)) return undefined;
      const p = Number(/\. (\d+)/.exec(l)![1]);
      return p < 65535
        ? { line: l.replace(`. ${p}`, `. ${p + 1}`), ports: [p, p + 1], addresses: [] }
        : undefined;
    }),
  ];
}

interface Doc {
  ipcache: { cidr: string; identity: number }[];
  endpoints: { ip: string; enforce: string[] }[];
  policies: { entries: { identity: number; direction: string; ports: string }[] }[];
}

function ebpfMutants(e: Emission): Mutant[] {
  const file = e.files.find((f) => f.kind === "ebpf-json")!;
  const doc = JSON.parse(file.content) as Doc;
  const out: Mutant[] = [];
  const add = (where: string, change: (d: Doc) => { ports: number[]; addresses: bigint[] }) => {
    const d = structuredClone(doc);
    const touched = change(d);
    out.push({ op: "flip", where, emission: withFile(e, "ebpf-json", JSON.stringify(d)), ...touched });
  };
  const entries = doc.policies.flatMap((p, i) => p.entries.map((x, j) => ({ i, j, x })));
  const ports = (s: string) => (s === "any" ? [] : s.split("-").map(Number));
  const identities = [...new Set(doc.ipcache.map((c) => c.identity))];
  for (const k of spread(entries.length)) {
    const { i, j, x } = entries[k]!;
    add(`policies[${i}].entries[${j}]: direction`, (d) => {
      const y = d.policies[i]!.entries[j]!;
      y.direction = y.direction === "egress" ? "ingress" : "egress";
      return { ports: ports(x.ports), addresses: [] };
    });
    add(`policies[${i}].entries[${j}]: identity`, (d) => {
      const y = d.policies[i]!.entries[j]!;
      y.identity = identities.find((id) => id !== y.identity && id !== 0) ?? 0;
      return { ports: ports(x.ports), addresses: [] };
    });
  }
  const enforcing = doc.endpoints.map((x, i) => ({ x, i })).filter(({ x }) => x.enforce.length > 0);
  for (const k of spread(enforcing.length)) {
    const { x, i } = enforcing[k]!;
    add(`endpoints[${i}] (${x.ip}): enforcement dropped`, (d) => {
      d.endpoints[i]!.enforce = [];
      return { ports: [], addresses: [v4(x.ip)] };
    });
  }
  const hosts = doc.ipcache.map((c, i) => ({ c, i })).filter(({ c }) => c.cidr.endsWith("/32"));
  for (const k of spread(hosts.length)) {
    const { c, i } = hosts[k]!;
    add(`ipcache[${i}] (${c.cidr}): identity`, (d) => {
      d.ipcache[i]!.identity = identities.find((id) => id !== c.identity && id >= 256) ?? 2;
      return { ports: [], addresses: [v4(c.cidr.split("/")[0]!)] };
    });
  }
  return out;
}

/** Whether the two dataplanes treat the counterexample differently, evaluated concretely. */
function distinguishes(original: Dataplane, mutant: Dataplane, f: Finding): boolean {
  switch (f.kind) {
    case "policy":
      return original.filterConcrete(f.packet, []).accepted !== mutant.filterConcrete(f.packet, []).accepted;
    case "service":
    case "hairpin": {
      const p =
        f.kind === "service" ? f.packet : { ...f.packet, dst: f.frontend.ip!, dport: f.frontend.port };
      const outcomes = (dp: Dataplane) => {
        const rs = dp.nat(p.family);
        const nat = rs ? runHook(rs, "nat", "prerouting", p) : [];
        return (
          JSON.stringify(nat.map((o) => `${o.kind} ${o.ip} ${o.port} ${o.mark}`).sort()) +
          dp.filterConcrete(p, []).accepted
        );
      };
      return outcomes(original) !== outcomes(mutant);
    }
    case "unreachable": {
      const fr = f.frontend;
      const p: ConcretePacket = {
        family: fr.family,
        src: 1n,
        dst: fr.ip ?? 0n,
        proto: fr.protocol,
        dport: fr.port,
        dstLocal: fr.ip === undefined,
      };
      const reaches = (dp: Dataplane) =>
        runHook(dp.nat(fr.family)!, "nat", "prerouting", p).some(
          (o) => o.kind === "dnat" && o.ip === f.target.ip && o.port === f.target.port,
        );
      return reaches(original) && !reaches(mutant);
    }
  }
}

/** Sample packets on which a mutant that validation accepted must behave like the original. */
function sampleDifference(
  a: Analysis,
  original: Dataplane,
  mutant: Dataplane,
  m: Mutant,
): string | undefined {
  const pods = a.cluster.pods.flatMap((p) => p.ips.filter((ip) => ip.family === 4).map((ip) => ip.value));
  const atoms = a.space.atoms.filter((r) => r.family === 4).flatMap((r) => [r.lo, r.hi, (r.lo + r.hi) / 2n]);
  const addresses = [...new Set([...pods, ...atoms, ...m.addresses])];
  const ports = [
    ...new Set([...m.ports, 53, 80, 443, 3000, 5432, 6379, 8080, 8443, 9090, 9100, 9113, 65535]),
  ];
  for (const src of addresses)
    for (const dst of addresses) {
      if (src === dst || (!pods.includes(src) && !pods.includes(dst))) continue;
      for (const proto of PROTO_CODES)
        for (const dport of ports) {
          const p: ConcretePacket = { family: 4, src, dst, proto, dport, dstLocal: false };
          if (original.filterConcrete(p, []).accepted !== mutant.filterConcrete(p, []).accepted)
            return `${formatIp(4, src)} -> ${formatIp(4, dst)}:${dport}/${proto}`;
        }
    }
  return undefined;
}

async function run(
  a: Analysis,
  e: Emission,
  mutants: readonly Mutant[],
): Promise<Map<Operator, { caught: number; total: number }>> {
  const original = dataplaneOf(e);
  const tally = new Map<Operator, { caught: number; total: number }>();
  for (const m of mutants) {
    const t = tally.get(m.op) ?? { caught: 0, total: 0 };
    tally.set(m.op, t);
    t.total++;
    const v = await validateEmission(a, m.emission);
    const mutant = dataplaneOf(m.emission);
    if (v.status === "mismatch") {
      for (const f of v.findings)
        expect(distinguishes(original, mutant, f), `${m.where}\n${formatValidation(v)}`).toBe(true);
      t.caught++;
    } else {
      expect(v.status, `${m.where}\n${formatValidation(v)}`).toBe("verified");
      if (process.env.NETPOLC_TALLY) console.log("accepted:", m.where);
      expect(
        sampleDifference(a, original, mutant, m),
        `${m.where}: validation accepted a mutant that differs`,
      ).toBeUndefined();
    }
  }
  return tally;
}

const FIXTURES = [
  { dir: "fixtures/demo", node: undefined },
  { dir: "fixtures/services", node: "node-a" },
  { dir: "fixtures/tiers", node: undefined },
] as const;

describe("mutants of emitted rulesets are caught with a distinguishing packet", () => {
  for (const { dir, node } of FIXTURES)
    for (const target of ["iptables", "nftables", "ebpf"] as const)
      it(`${dir}${node ? ` (${node})` : ""}: ${target}`, { timeout: 600_000 }, async () => {
        const a = await fixtureAnalysis(dir);
        const e = target === "ebpf" ? emitEbpf(a, { node }) : emit(a, target, { node });
        const mutants =
          target === "iptables" ? iptablesMutants(e) : target === "nftables" ? nftMutants(e) : ebpfMutants(e);
        const tally = await run(a, e, mutants);
        if (process.env.NETPOLC_TALLY) console.log(dir, target, JSON.stringify([...tally]));
        const ops: Operator[] = target === "ebpf" ? ["flip"] : ["drop", "widen", "port"];
        for (const op of ops) {
          const t = tally.get(op);
          expect(t?.total ?? 0, `${op}: candidates`).toBeGreaterThan(0);
          // Most positions change what the node accepts; validation must catch at least two per operator.
          expect(t!.caught, `${op}: ${t!.caught} of ${t!.total} caught`).toBeGreaterThanOrEqual(
            Math.min(2, t!.total),
          );
        }
      });
});
