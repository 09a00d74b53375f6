/**
 * The emitters' contract: pure text builders from the model to one node's dataplane configuration.
 * Deterministic (same input → byte-identical output), one module per target.
 */
export type Target = "iptables" | "nftables" | "ebpf";

export interface EmitOptions {
  /** The node whose local pods the rules cover; undefined: every pod, as if all ran on one node. */
  readonly node?: string | undefined;
}

export type EmittedFileKind =
  | "iptables-restore"
  | "ip6tables-restore"
  | "ipset-restore"
  | "nft"
  | "ebpf-json"
  | "bpftool-batch";

export interface EmittedFile {
  /** File name relative to the output directory, e.g. `node-a.iptables`. */
  readonly name: string;
  readonly kind: EmittedFileKind;
  readonly content: string;
}

/** Ruleset sizes, reported by `netpolc emit` and the benchmarks. */
export interface EmitStats {
  readonly rules: number;
  readonly chains: number;
  readonly sets: number;
  readonly setElements: number;
  readonly mapEntries: number;
  readonly bytes: number;
}

export interface Emission {
  readonly target: Target;
  /** The node, or `""` when every pod is treated as local. */
  readonly node: string;
  readonly files: readonly EmittedFile[];
  readonly stats: EmitStats;
  /** What the rules cannot enforce as the model says (e.g. pods without IPs); printed by the CLI. */
  readonly warnings?: readonly string[] | undefined;
}
