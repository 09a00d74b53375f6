/**
 * The rule model that translation validation reads emitted rulesets back into: one small language
 * for iptables-restore (+ ipset) and nftables text, and one for the eBPF map configuration.
 *
 * A packet is a *first* packet (conntrack state NEW) of family 4 or 6 with a source and destination
 * address, a protocol and a destination port; at nat hooks it may also be sent to a node-local
 * address (`addrtype LOCAL`, `fib daddr type local`). Matches and actions are the subset netpolc's
 * emitters write; the parsers reject everything else, so no rule is ever silently dropped.
 *
 * | match `lookup`       | reads                                        | as written by                                |
 * |----------------------|----------------------------------------------|----------------------------------------------|
 * | key [src] / [dst]    | the address, family-checked                  | `-s`, `-d`, `--match-set`, `ip saddr @set`   |
 * | key [l4proto]        | the protocol number                          | `-p tcp`, `meta l4proto @protocols-…`        |
 * | key [dport]          | the destination port (TCP/UDP/SCTP only)     | `--dport`, `--dports`, `th dport 80-81`      |
 * | key [l4proto, dport] | a concatenation: one element = one interval per field | `meta l4proto . th dport @ports-…`  |
 * A lookup holds when some element contains the key; `negate` inverts the membership, never the
 * family check (`ip daddr != 127.0.0.0/8` does not match an IPv6 packet, as nftables' implicit
 * `meta nfproto ipv4` dependency).
 */
export type Family = 4 | 6;

/** Closed interval; addresses, protocol numbers and ports alike. */
export type Interval = readonly [lo: bigint, hi: bigint];

export type KeyField =
  | { readonly kind: "addr"; readonly field: "src" | "dst"; readonly family: Family }
  | { readonly kind: "l4proto" }
  | { readonly kind: "dport" };

/** One set element: an interval per key field. */
export type Element = readonly Interval[];

export const CT_STATES = ["new", "established", "related", "invalid", "untracked"] as const;
export type CtState = (typeof CT_STATES)[number];

export type Match =
  | {
      readonly kind: "lookup";
      readonly key: readonly KeyField[];
      readonly elements: readonly Element[];
      readonly negate: boolean;
    }
  | { readonly kind: "family"; readonly family: Family }
  | { readonly kind: "ctstate"; readonly states: readonly CtState[]; readonly negate: boolean }
  /** `(mark & mask) == value`, inverted by `negate`. */
  | { readonly kind: "mark"; readonly value: number; readonly mask: number; readonly negate: boolean }
  /** The destination is an address of this node (`addrtype --dst-type LOCAL`, `fib daddr type local`). */
  | { readonly kind: "dstLocal"; readonly negate: boolean }
  /** Holds or not at random: `statistic` (probability strictly between 0 and 1), `recent --rcheck`, membership in a dynamic set. */
  | { readonly kind: "random"; readonly what: string };

export type Verdict = "accept" | "drop" | "reject" | "return";

export type Action =
  | { readonly kind: Verdict }
  /** Non-terminal: a comment, a counter, `update @set`, or a mark change (below). */
  | { readonly kind: "continue" }
  /** `mark = (mark & ~mask) ^ xor` (iptables `--or-mark`/`--xor-mark`/`--set-xmark`, nft `meta mark set meta mark | x`). */
  | { readonly kind: "mark"; readonly mask: number; readonly xor: number }
  | { readonly kind: "jump" | "goto"; readonly chain: string }
  /** Terminal at nat hooks: the packet is accepted with a new destination (port undefined: unchanged). */
  | { readonly kind: "dnat"; readonly family: Family; readonly ip: bigint; readonly port: number | undefined }
  /** Terminal at nat hooks: source translation (accepted). */
  | { readonly kind: "masquerade" }
  /** A verdict map: at most one entry holds (entries are disjoint, checked when parsed); none: continue. */
  | {
      readonly kind: "vmap";
      readonly key: readonly KeyField[];
      readonly entries: readonly { readonly element: Element; readonly action: Action }[];
    }
  /** `numgen random mod N vmap`: a value 0..N−1 drawn at random selects the entry; none: continue. */
  | {
      readonly kind: "numgen";
      readonly modulus: number;
      readonly entries: readonly { readonly value: number; readonly action: Action }[];
    };

export interface Rule {
  /** 1-based line in the file it was read from. */
  readonly line: number;
  readonly file: string;
  readonly text: string;
  readonly matches: readonly Match[];
  /** Run in order when every match holds; only the last may end the chain (non-terminal ones first). */
  readonly actions: readonly Action[];
}

export type HookName = "prerouting" | "input" | "forward" | "output" | "postrouting";
export type TableKind = "filter" | "nat";

export interface Chain {
  readonly name: string;
  readonly rules: readonly Rule[];
}

/** A base chain: where packets enter. */
export interface Hook {
  readonly kind: TableKind;
  readonly hook: HookName;
  readonly priority: number;
  readonly policy: "accept" | "drop";
  /** Key into `Ruleset.chains`. */
  readonly chain: string;
}

/** One family's (iptables) or both families' (nftables) rules. */
export interface Ruleset {
  readonly target: "iptables" | "nftables";
  readonly families: readonly Family[];
  /** Chains by key (`table/name` for iptables, whose tables share chain names; the name for nftables). */
  readonly chains: ReadonlyMap<string, Chain>;
  readonly hooks: readonly Hook[];
}

/** The eBPF map configuration (layout 1), as docs/ebpf.md defines it. */
export interface EbpfConfig {
  readonly node: string;
  /** LPM: longest prefix wins; `node`: a Node object's address (NodePorts answer there). */
  readonly ipcache: readonly {
    readonly family: Family;
    readonly lo: bigint;
    readonly bits: number;
    readonly identity: number;
    readonly node: boolean;
  }[];
  readonly endpoints: readonly {
    readonly family: Family;
    readonly ip: bigint;
    readonly identity: number;
    readonly policy: number | undefined;
    readonly ingress: boolean;
    readonly egress: boolean;
  }[];
  readonly policies: ReadonlyMap<number, readonly PolicyEntry[]>;
  readonly services: readonly {
    readonly family: Family;
    /** 0n: a NodePort (any Node address). */
    readonly ip: bigint;
    readonly port: number;
    readonly protocol: number;
    readonly base: number;
    readonly count: number;
    readonly text: string;
  }[];
  readonly backends: ReadonlyMap<
    number,
    { readonly family: Family; readonly ip: bigint; readonly port: number }
  >;
}

export interface PolicyEntry {
  /** 0: any peer (looked up when the peer's own identity has no entry). */
  readonly identity: number;
  readonly egress: boolean;
  /** 0: any protocol. */
  readonly protocol: number;
  readonly ports: readonly [number, number];
  readonly prefixlen: number;
  readonly deny: boolean;
  readonly text: string;
}

export const PROTO_NUMBER = { TCP: 6, UDP: 17, SCTP: 132 } as const;
