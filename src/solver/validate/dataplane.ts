/**
 * One node's emitted files as a dataplane: the filter's decision on a (translated) first packet and
 * the nat hook's rules, whatever the target. Files are read with the parsers of this folder; the
 * file kinds are those of src/emit's contract (`EmittedFile.kind`), restated here so that the solver
 * does not depend on the emitters.
 */
import { WIDTH } from "./addr.js";
import { runHook } from "./concrete.js";
import { EbpfMaps } from "./ebpf-eval.js";
import { parseEbpfJson } from "./ebpf-parse.js";
import { UnsupportedRule } from "./errors.js";
import { Evaluator } from "./evaluate.js";
import type { F, Fm, V } from "./formula.js";
import { type Ipset, parseIpsets } from "./ipset-parse.js";
import { parseIptables } from "./iptables-parse.js";
import type { Action, Family, Interval, Ruleset, TableKind } from "./ir.js";
import { parseNft } from "./nft-parse.js";
import type { ConcretePacket, Packet } from "./packet.js";

export type Target = "iptables" | "nftables" | "ebpf";

/** The shape of an emission (src/emit/types.ts `Emission`), as validation reads it. */
export interface EmittedText {
  readonly target: Target;
  /** `""`: every pod is local. */
  readonly node: string;
  readonly files: readonly { readonly name: string; readonly kind: string; readonly content: string }[];
}

export interface Dataplane {
  readonly target: Target;
  /** Accepted by the node's filter: the packet as routed after translation, with mark 0. */
  filter(fm: Fm, p: Packet, hostLocal: readonly Interval[]): F;
  filterConcrete(p: ConcretePacket, hostLocal: readonly Interval[]): { accepted: boolean; why: string[] };
  /** The nat hook's rules for a family (undefined: nothing is translated). */
  nat(family: Family): Ruleset | undefined;
  /** Mark bits the filter reads: a packet carrying none of them is judged as one with mark 0. */
  markBits(family: Family): number;
  /** The filter at FORWARD for a packet carrying a mark (the hairpin's); undefined: no marks. */
  filterMarked?(fm: Fm, p: Packet, mark: V): F;
  filterMarkedConcrete?(p: ConcretePacket, mark: number): boolean;
  /** Where NodePorts answer: any local address (`dstLocal`), or only the Node objects' addresses. */
  readonly nodePorts: "local" | "nodes";
}

export function dataplaneOf(e: EmittedText): Dataplane {
  const byKind = (kind: string) => e.files.filter((f) => f.kind === kind);
  for (const f of e.files)
    if (
      ![
        "iptables-restore",
        "ip6tables-restore",
        "ipset-restore",
        "nft",
        "ebpf-json",
        "bpftool-batch",
      ].includes(f.kind)
    )
      throw new UnsupportedRule(f.name, 0, `file kind ${f.kind} is not understood`, "");
  switch (e.target) {
    case "iptables": {
      let sets = new Map<string, Ipset>();
      for (const f of byKind("ipset-restore")) sets = new Map([...sets, ...parseIpsets(f.name, f.content)]);
      const rulesets = new Map<Family, Ruleset>();
      for (const [kind, family] of [
        ["iptables-restore", 4],
        ["ip6tables-restore", 6],
      ] as const) {
        const files = byKind(kind);
        if (files.length > 1) throw new UnsupportedRule(files[1]!.name, 0, `more than one ${kind} file`, "");
        if (files[0]) rulesets.set(family, parseIptables(files[0].name, files[0].content, family, sets));
      }
      return textDataplane("iptables", (f) => rulesets.get(f));
    }
    case "nftables": {
      const files = byKind("nft");
      if (files.length !== 1)
        throw new UnsupportedRule(e.files[0]?.name ?? "", 0, "not exactly one nft file", "");
      const rs = parseNft(files[0]!.name, files[0]!.content);
      return textDataplane("nftables", () => rs);
    }
    case "ebpf": {
      const files = byKind("ebpf-json");
      if (files.length !== 1)
        throw new UnsupportedRule(e.files[0]?.name ?? "", 0, "not exactly one eBPF JSON document", "");
      const maps = new EbpfMaps(files[0]!.name, parseEbpfJson(files[0]!.name, files[0]!.content));
      const nat = maps.natRuleset();
      return {
        target: "ebpf",
        filter: (fm, p) => maps.allowed(fm, p),
        filterConcrete: (p) => {
          const r = maps.allowedConcrete(p);
          return { accepted: r.allowed, why: r.why };
        },
        nat: () => nat,
        markBits: () => 0,
        nodePorts: "nodes",
      };
    }
  }
}

function textDataplane(target: Target, rulesetOf: (f: Family) => Ruleset | undefined): Dataplane {
  const bits = new Map<Family, number>();
  return {
    target,
    filter(fm, p, hostLocal) {
      const rs = rulesetOf(p.family);
      if (!rs) return true;
      const ev = new Evaluator(fm, rs, p);
      const forward = ev.hook("filter", "forward").accept;
      if (hostLocal.length === 0) return forward;
      // Policed hostNetwork pods send from the node's own stack (OUTPUT) and receive at it (INPUT).
      const w = WIDTH[p.family];
      const srcHost = fm.inSet(p.src, hostLocal, w);
      const dstHost = fm.inSet(p.dst, hostLocal, w);
      return fm.ite(
        srcHost,
        ev.hook("filter", "output").accept,
        fm.ite(dstHost, ev.hook("filter", "input").accept, forward),
      );
    },
    filterConcrete(p, hostLocal) {
      const rs = rulesetOf(p.family);
      if (!rs) return { accepted: true, why: [`no IPv${p.family} rules`] };
      const has = (x: bigint) => hostLocal.some(([lo, hi]) => lo <= x && x <= hi);
      const hook = has(p.src) ? "output" : has(p.dst) ? "input" : "forward";
      const outcomes = runHook(rs, "filter", hook, p);
      const accepted = outcomes.every((o) => o.kind === "accept");
      if (outcomes.some((o) => o.kind === "accept") !== accepted)
        return { accepted, why: ["the filter decides at random (a random match in a filter chain)"] };
      return { accepted, why: outcomes[0]!.trace.map((r) => `${r.file}:${r.line}: ${r.text}`) };
    },
    nat: (f) => rulesetOf(f),
    markBits(f) {
      let b = bits.get(f);
      if (b === undefined) {
        const rs = rulesetOf(f);
        b = rs ? markBitsRead(rs, "filter") : 0;
        bits.set(f, b);
      }
      return b;
    },
    filterMarked(fm, p, mark) {
      const rs = rulesetOf(p.family);
      return rs ? new Evaluator(fm, rs, p).hook("filter", "forward", mark).accept : true;
    },
    filterMarkedConcrete(p, mark) {
      const rs = rulesetOf(p.family);
      return !rs || runHook(rs, "filter", "forward", p, mark).every((o) => o.kind === "accept");
    },
    nodePorts: "local",
  };
}

/** The mark bits that rules reachable from a table's hooks test. */
function markBitsRead(rs: Ruleset, kind: TableKind): number {
  const seen = new Set<string>();
  let bits = 0;
  const visitAction = (a: Action) => {
    if (a.kind === "jump" || a.kind === "goto") visit(a.chain);
    else if (a.kind === "vmap" || a.kind === "numgen") for (const e of a.entries) visitAction(e.action);
  };
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const r of rs.chains.get(key)?.rules ?? []) {
      for (const m of r.matches) if (m.kind === "mark") bits |= m.mask;
      r.actions.forEach(visitAction);
    }
  };
  for (const h of rs.hooks) if (h.kind === kind) visit(h.chain);
  return bits >>> 0;
}
