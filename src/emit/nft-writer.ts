/**
 * A small builder for one nftables table: named sets and maps, then chains, in insertion order,
 * with the counts EmitStats reports.
 */
import { formatIp, type IpFamily, type IpRange, rangeToCidrs } from "../model/index.js";
import type { AddressSet } from "./address-set.js";
import { hashName } from "./names.js";

export class NftWriter {
  private readonly blocks: string[] = [];
  private readonly chainNames = new Set<string>();
  private readonly setNames = new Set<string>();
  rules = 0;
  chains = 0;
  sets = 0;
  setElements = 0;
  mapEntries = 0;

  hasChain(name: string): boolean {
    return this.chainNames.has(name);
  }

  hasSet(name: string): boolean {
    return this.setNames.has(name);
  }

  /** A named set (`map`: a map, its elements `key : value`). Empty element lists are allowed. */
  set(
    kind: "set" | "map",
    name: string,
    type: string,
    flags: string[],
    elements: string[],
    extra: string[] = [],
  ): string {
    if (this.setNames.has(name)) return name;
    this.setNames.add(name);
    this.sets++;
    if (kind === "set") this.setElements += elements.length;
    else this.mapEntries += elements.length;
    const lines = [`\t${kind} ${name} {`, `\t\ttype ${type}`];
    if (flags.length > 0) lines.push(`\t\tflags ${flags.join(",")}`);
    for (const e of extra) lines.push(`\t\t${e}`);
    if (elements.length > 0) lines.push(`\t\telements = {\n\t\t\t${elements.join(",\n\t\t\t")}\n\t\t}`);
    lines.push("\t}");
    this.blocks.push(lines.join("\n"));
    return name;
  }

  /** A chain; `hook` is a base chain's `type … hook … priority …; policy …;` line. */
  chain(name: string, rules: readonly string[], hook?: string): string {
    if (this.chainNames.has(name)) return name;
    this.chainNames.add(name);
    this.chains++;
    this.rules += rules.length;
    const lines = [`\tchain ${name} {`];
    if (hook) lines.push(`\t\t${hook}`);
    for (const r of rules) lines.push(`\t\t${r}`);
    lines.push("\t}");
    this.blocks.push(lines.join("\n"));
    return name;
  }

  /** Counts anonymous map elements (e.g. `numgen … vmap { … }`) written inside rules. */
  countAnonymous(entries: number): void {
    this.mapEntries += entries;
  }

  render(table: string, comment: string): string {
    return [
      `table ${table}`,
      `delete table ${table}`,
      `table ${table} {`,
      `\tcomment "${comment}"`,
      "",
      this.blocks.join("\n\n"),
      "}",
      "",
    ].join("\n");
  }
}

export function addrType(f: IpFamily): string {
  return f === 4 ? "ipv4_addr" : "ipv6_addr";
}

export function ipKey(f: IpFamily): string {
  return f === 4 ? "ip" : "ip6";
}

/** One set element for a range: an address, a CIDR, or `lo-hi`. */
export function rangeElement(r: IpRange): string {
  const cidrs = rangeToCidrs(r);
  if (cidrs.length === 1) {
    const c = cidrs[0]!;
    return c.endsWith(r.family === 4 ? "/32" : "/128") ? c.slice(0, c.lastIndexOf("/")) : c;
  }
  return `${formatIp(r.family, r.lo)}-${formatIp(r.family, r.hi)}`;
}

/** Sets of at most this many elements are written inline (anonymous); larger ones are named. */
export const INLINE_MAX = 4;

/** `ip saddr …` for an address set: inline, or a named `flags interval` set shared by content. */
export function addressMatch(w: NftWriter, set: AddressSet, field: "saddr" | "daddr"): string {
  const elements = set.ranges.map(rangeElement);
  const key = `${ipKey(set.family)} ${field}`;
  if (elements.length === 1) return `${key} ${elements[0]}`;
  if (elements.length <= INLINE_MAX) return `${key} { ${elements.join(", ")} }`;
  const name = `peers${set.family}-${hashName(set.key, 16)}`;
  w.set("set", name, addrType(set.family), ["interval"], elements);
  return `${key} @${name}`;
}
