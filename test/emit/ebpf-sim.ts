/**
 * A naive reading of an emitted bpftool batch file: the maps as byte arrays, LPM lookups by scanning
 * every entry, and the program's first-packet decision (bpf/netpolc.bpf.c) written out again from
 * docs/ebpf.md. Slow and obvious on purpose; it shares no code with src/emit/ebpf.
 */

export interface Entry {
  readonly key: Uint8Array;
  readonly value: Uint8Array | string;
}

export interface Maps {
  /** By pin path. */
  readonly maps: Map<string, Entry[]>;
  readonly created: Map<string, { keySize: number; valueSize: number; entries: number }>;
}

const bytes = (words: string[]): Uint8Array => Uint8Array.from(words.map((w) => Number.parseInt(w, 16)));

export function parseBatch(text: string): Maps {
  const maps = new Map<string, Entry[]>();
  const created = new Map<string, { keySize: number; valueSize: number; entries: number }>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") continue;
    const w = line.split(/\s+/);
    if (w[0] === "map" && w[1] === "create") {
      const opt = (name: string) => Number(w[w.indexOf(name) + 1]);
      if (w[3] !== "type" || w[4] !== "lpm_trie" || !w.includes("flags"))
        throw new Error(`unexpected create: ${line}`);
      created.set(w[2]!, { keySize: opt("key"), valueSize: opt("value"), entries: opt("entries") });
      maps.set(w[2]!, []);
      continue;
    }
    if (w[0] !== "map" || w[1] !== "update" || w[2] !== "pinned" || w[4] !== "key" || w[5] !== "hex")
      throw new Error(`unexpected line: ${line}`);
    const v = w.indexOf("value");
    const key = bytes(w.slice(6, v));
    const value = w[v + 1] === "pinned" ? w[v + 2]! : bytes(w.slice(v + 2));
    const list = maps.get(w[3]!) ?? [];
    maps.set(w[3]!, list);
    const same = list.findIndex((e) => equal(e.key, key));
    if (same >= 0) list[same] = { key, value };
    else list.push({ key, value });
  }
  return { maps, created };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const u32 = (b: Uint8Array, o: number) =>
  (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** The entry whose first `prefixlen` bits (after the 4-byte prefixlen) equal the key's, longest first. */
export function lpm(entries: readonly Entry[], data: Uint8Array): Entry | undefined {
  let best: Entry | undefined;
  let bestLen = -1;
  for (const e of entries) {
    const len = u32(e.key, 0);
    let ok = len <= data.length * 8;
    for (let bit = 0; ok && bit < len; bit++) {
      const byte = 4 + (bit >> 3);
      const mask = 0x80 >> (bit & 7);
      if ((e.key[byte]! & mask) !== (data[byte - 4]! & mask)) ok = false;
    }
    if (ok && len > bestLen) {
      best = e;
      bestLen = len;
    }
  }
  return best;
}

export type Family = 4 | 6;
export interface Addr {
  readonly family: Family;
  /** 16 bytes, IPv4 in the first 4. */
  readonly bytes: Uint8Array;
}

export function addr(text: string): Addr {
  if (text.includes(":")) {
    const [head, tail] = text.split("::") as [string, string | undefined];
    const h = head === "" ? [] : head.split(":");
    const t = tail === undefined || tail === "" ? [] : tail.split(":");
    const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
    const out = new Uint8Array(16);
    groups.forEach((g, i) => {
      const n = Number.parseInt(g, 16);
      out[2 * i] = n >> 8;
      out[2 * i + 1] = n & 0xff;
    });
    return { family: 6, bytes: out };
  }
  const out = new Uint8Array(16);
  text.split(".").forEach((x, i) => {
    out[i] = Number(x);
  });
  return { family: 4, bytes: out };
}

const PROTO: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 };

/** The program's decisions over one loaded configuration. */
export class Sim {
  constructor(
    private readonly m: Maps,
    private readonly root: string,
  ) {}

  private map(name: string): Entry[] {
    return this.m.maps.get(`${this.root}/${name}`) ?? [];
  }

  ipcache(a: Addr): { identity: number; flags: number } | undefined {
    const data = Uint8Array.from([0, 0, 0, a.family === 4 ? 1 : 2, ...a.bytes]);
    const e = lpm(this.map("np_ipcache"), data);
    return e && typeof e.value !== "string"
      ? { identity: u32(e.value, 0), flags: u32(e.value, 4) }
      : undefined;
  }

  endpoint(a: Addr): { identity: number; policy: number; flags: number } | undefined {
    const key = Uint8Array.from([...a.bytes, a.family === 4 ? 1 : 2, 0, 0, 0]);
    const e = this.map("np_endpoints").find((x) => equal(x.key, key));
    if (!e || typeof e.value === "string") return undefined;
    return { identity: u32(e.value, 0), policy: u32(e.value, 4), flags: u32(e.value, 8) };
  }

  /** The policy map's entries (undefined: no such map). */
  policyMap(policy: number): Entry[] | undefined {
    const outer = this.map("np_policies").find((x) => equal(x.key, Uint8Array.from(le32(policy))));
    return outer && typeof outer.value === "string" ? this.m.maps.get(outer.value) : undefined;
  }

  allows(policy: number, peer: number, egress: boolean, protocol: string, port: number): boolean {
    const entries = this.policyMap(policy);
    if (!entries) return false;
    const data = (id: number) =>
      Uint8Array.from([...le32(id), egress ? 1 : 0, PROTO[protocol]!, port >> 8, port & 0xff]);
    const hit = lpm(entries, data(peer)) ?? lpm(entries, data(0));
    return hit !== undefined && typeof hit.value !== "string" && (hit.value[0]! & 1) === 0;
  }

  /** First packet from `src` to `dst` (both already translated): egress then ingress. */
  policy(src: Addr, dst: Addr, protocol: string, port: number): boolean {
    const s = this.endpoint(src);
    const d = this.endpoint(dst);
    if (s && s.flags & 2 && !this.allows(s.policy, this.ipcache(dst)?.identity ?? 0, true, protocol, port))
      return false;
    if (d && d.flags & 1 && !this.allows(d.policy, this.ipcache(src)?.identity ?? 0, false, protocol, port))
      return false;
    return true;
  }

  /** Service backends of a frontend (undefined: not a frontend). */
  backends(dst: Addr, protocol: string, port: number): { addr: Addr; port: number }[] | undefined {
    const key = (b: Uint8Array) =>
      Uint8Array.from([...b, port >> 8, port & 0xff, PROTO[protocol]!, dst.family === 4 ? 1 : 2]);
    const find = (b: Uint8Array) => this.map("np_services").find((x) => equal(x.key, key(b)));
    let svc = find(dst.bytes);
    if (!svc && (this.ipcache(dst)?.flags ?? 0) & 1) svc = find(new Uint8Array(16));
    if (!svc || typeof svc.value === "string") return undefined;
    const base = u32(svc.value, 0);
    const count = svc.value[4]! | (svc.value[5]! << 8);
    const out: { addr: Addr; port: number }[] = [];
    for (let slot = base; slot < base + count; slot++) {
      const b = this.map("np_backends").find((x) => equal(x.key, Uint8Array.from(le32(slot))));
      if (!b || typeof b.value === "string") throw new Error(`missing backend slot ${slot}`);
      out.push({
        addr: { family: b.value[18] === 1 ? 4 : 6, bytes: b.value.slice(0, 16) },
        port: (b.value[16]! << 8) | b.value[17]!,
      });
    }
    return out;
  }
}

/** An address of the model (bigint) as the simulator's bytes. */
export function fromValue(family: Family, value: bigint): Addr {
  const out = new Uint8Array(16);
  const n = family === 4 ? 4 : 16;
  for (let i = 0; i < n; i++) out[i] = Number((value >> BigInt((n - 1 - i) * 8)) & 0xffn);
  return { family, bytes: out };
}

/** Decoded policy entries of a map, for choosing probe ports: (identity, egress, protocol) → port blocks. */
export function portBlocks(
  entries: readonly Entry[],
  identity: number,
  egress: boolean,
  protocol: string,
): [number, number][] {
  const out: [number, number][] = [];
  for (const e of entries) {
    const len = u32(e.key, 0);
    if (u32(e.key, 4) !== identity || e.key[8] !== (egress ? 1 : 0)) continue;
    if (len <= 48) {
      if (len === 40 || e.key[9] === PROTO[protocol]) out.push([0, 65535]);
      continue;
    }
    if (e.key[9] !== PROTO[protocol]) continue;
    const port = (e.key[10]! << 8) | e.key[11]!;
    out.push([port, port + (1 << (64 - len)) - 1]);
  }
  return out;
}
