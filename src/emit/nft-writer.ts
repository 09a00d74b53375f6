/**
 * A small builder for one nftables table: named sets and maps, then chains, in insertion order,
 * with the counts EmitStats reports.
 */
import { formatIp, type IpFamily, type IpRange } from "../model/index.js";
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
    const lines = [`\t${kind} ${name} {`, type.startsWith("typeof ") ? `\t\t${type}` : `\t\ttype ${type}`];
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
  if (r.lo === r.hi) return formatIp(r.family, r.lo);
  const size = r.hi - r.lo + 1n;
  if ((size & (size - 1n)) === 0n && (r.lo & (size - 1n)) === 0n)
    return `${formatIp(r.family, r.lo)}/${(r.family === 4 ? 32 : 128) - (size.toString(2).length - 1)}`;
  return `${formatIp(r.family, r.lo)}-${formatIp(r.family, r.hi)}`;
}

/**
 * `ip saddr …` for an address set: one element inline, more in a named `flags interval` set shared
 * by content. Never an anonymous set: nft 1.0.6 loads a table in time quadratic in the number of
 * its anonymous sets.
 */
export function addressMatch(w: NftWriter, set: AddressSet, field: "saddr" | "daddr"): string {
  const elements = set.ranges.map(rangeElement);
  const key = `${ipKey(set.family)} ${field}`;
  if (elements.length === 1) return `${key} ${elements[0]}`;
  const name = `peers${set.family}-${hashName(set.key, 16)}`;
  w.set("set", name, addrType(set.family), ["interval"], elements);
  return `${key} @${name}`;
}
