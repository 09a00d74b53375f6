/**
 * One entry for the emitters this stage implements: `emit(analysis, target, options)`.
 * The eBPF target lives in src/emit/ebpf (its own module); front-ends load it separately.
 */
import type { Analysis } from "../model/index.js";
import { emitIptables } from "./iptables.js";
import { emitNftables } from "./nftables.js";
import type { Emission, EmitOptions } from "./types.js";

export type TextTarget = "iptables" | "nftables";

export const TEXT_TARGETS: readonly TextTarget[] = ["iptables", "nftables"];

export function emit(a: Analysis, target: TextTarget, options: EmitOptions = {}): Emission {
  switch (target) {
    case "iptables":
      return emitIptables(a, options);
    case "nftables":
      return emitNftables(a, options);
  }
}
