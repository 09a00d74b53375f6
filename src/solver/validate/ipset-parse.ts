/**
 * `ipset restore` files: `create NAME hash:net family inet|inet6 [hashsize N] [maxelem N]`,
 * `flush NAME`, `add NAME CIDR`. Other set types and element options (`nomatch` inverts an element,
 * `timeout` makes it vanish) are rejected.
 */
import { type AddrInterval, parseAddrText } from "./addr.js";
import { UnsupportedRule } from "./errors.js";
import type { Family } from "./ir.js";

export interface Ipset {
  readonly name: string;
  readonly family: Family;
  readonly elements: AddrInterval[];
}

export function parseIpsets(file: string, content: string): Map<string, Ipset> {
  const sets = new Map<string, Ipset>();
  for (const [i, raw] of content.split("\n").entries()) {
    const line = raw.trim();
    const fail = (detail: string): never => {
      throw new UnsupportedRule(file, i + 1, detail, line);
    };
    if (line === "" || line.startsWith("#")) continue;
    const words = line.split(/\s+/);
    const [command, name] = words;
    if (!name) return fail("a command without a set name");
    const set = sets.get(name);
    switch (command) {
      case "create": {
        if (words[2] !== "hash:net") return fail(`set type ${words[2]} is not supported (only hash:net)`);
        let family: Family | undefined;
        for (let j = 3; j < words.length; j += 2) {
          const [option, value] = [words[j], words[j + 1]];
          if (option === "family" && (value === "inet" || value === "inet6"))
            family = value === "inet" ? 4 : 6;
          else if ((option === "hashsize" || option === "maxelem") && value && /^\d+$/.test(value)) continue;
          else return fail(`create option ${option} is not supported`);
        }
        if (set) return fail(`set ${name} is created twice`);
        sets.set(name, { name, family: family ?? 4, elements: [] });
        continue;
      }
      case "flush":
        if (!set || words.length !== 2) return fail("flush of an unknown set");
        set.elements.length = 0;
        continue;
      case "add": {
        if (!set) return fail(`add to unknown set ${name}`);
        if (words.length !== 3) return fail("element options (nomatch, timeout, …) are not supported");
        const r = parseAddrText(words[2]!);
        if (!r || r.family !== set.family || words[2]!.includes("-"))
          return fail(`not a ${set.family === 4 ? "IPv4" : "IPv6"} address or CIDR`);
        if (words[2]!.endsWith("/0")) return fail("hash:net cannot hold a /0");
        set.elements.push(r);
        continue;
      }
      default:
        return fail(`ipset command ${command} is not supported`);
    }
  }
  return sets;
}
