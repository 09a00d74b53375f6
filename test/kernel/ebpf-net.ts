/**
 * A node of pods in network namespaces, for the eBPF kernel tests: one namespace for the node, one
 * per pod joined to it by a veth pair (the pod's `eth0`, the node's `hN`), and one for the outside
 * world joined by `up0`. Routing is static (/32 and /128 routes, permanent neighbours, a link-local
 * gateway), so no ARP or neighbour discovery is involved. The program is attached with tc (clsact):
 * `from_pod` on hN ingress, `to_pod` on hN egress, `from_netdev` on up0 ingress.
 *
 * Probes and servers run as ebpf-agent.mjs inside the namespaces (`ip netns exec`).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const AGENT = join(import.meta.dirname, "ebpf-agent.mjs");

export interface PodSpec {
  /** `namespace/name` */
  readonly name: string;
  /** Addresses, IPv4 and/or IPv6 text. */
  readonly ips: readonly string[];
  readonly tcp: readonly number[];
  readonly udp: readonly number[];
}

export interface Probe {
  readonly dst: string;
  readonly port: number;
  readonly protocol: "TCP" | "UDP";
  /** Source address (the outside host has several). */
  readonly src?: string | undefined;
}

export interface ProbeResult {
  readonly outcome: "open" | "refused" | "timeout" | "error";
  readonly reply?: string;
  readonly detail?: string;
}

export const OUTSIDE = "outside";
const mac = (kind: number, i: number) =>
  `0${kind.toString(16)}:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`;

async function sh(script: string): Promise<void> {
  try {
    await run("bash", ["-ec", script], { maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${err.message}\n${err.stderr ?? ""}`);
  }
}

function addressCommands(
  ns: string,
  dev: string,
  nodeNs: string,
  nodeDev: string,
  ips: readonly string[],
  podMac: string,
): string[] {
  const out: string[] = [];
  for (const ip of ips) {
    const v6 = ip.includes(":");
    out.push(
      `ip -n ${ns} addr add ${ip}/${v6 ? 128 : 32} dev ${dev}${v6 ? " nodad" : ""}`,
      `ip -n ${nodeNs} ${v6 ? "-6 " : ""}route add ${ip}/${v6 ? 128 : 32} dev ${nodeDev}`,
      `ip -n ${nodeNs} ${v6 ? "-6 " : ""}neigh add ${ip} lladdr ${podMac} dev ${nodeDev} nud permanent`,
    );
  }
  return out;
}

export class Topology {
  private readonly servers: ChildProcess[] = [];
  private generation = 0;
  private pinRoot = "";
  readonly node: string;
  private readonly nsOf = new Map<string, string>();

  private constructor(
    readonly id: string,
    readonly pods: readonly PodSpec[],
    readonly outside: readonly string[],
  ) {
    this.node = `${id}-node`;
    pods.forEach((p, i) => {
      this.nsOf.set(p.name, `${id}-p${i}`);
    });
    this.nsOf.set(OUTSIDE, `${id}-out`);
  }

  /** Builds the namespaces and starts each pod's servers. */
  static async create(id: string, pods: readonly PodSpec[], outside: readonly string[]): Promise<Topology> {
    const t = new Topology(id, pods, outside);
    await t.build();
    return t;
  }

  private async build(): Promise<void> {
    const node = this.node;
    const lines = [
      `ip netns add ${node}`,
      `ip -n ${node} link set lo up`,
      `ip netns exec ${node} sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0`,
    ];
    const guests: [string, string, readonly string[], number][] = this.pods.map((p, i) => [
      this.nsOf.get(p.name)!,
      `h${i}`,
      p.ips,
      i + 1,
    ]);
    guests.push([this.nsOf.get(OUTSIDE)!, "up0", this.outside, 0]);
    for (const [ns, dev, ips, i] of guests) {
      const hostMac = mac(0xe, i);
      const podMac = mac(0xa, i);
      lines.push(
        `ip netns add ${ns}`,
        `ip netns exec ${ns} sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_ratemask=0 net.ipv6.icmp.ratelimit=0`,
        `ip -n ${ns} link set lo up`,
        `ip -n ${node} link add ${dev} address ${hostMac} type veth peer name eth0 address ${podMac} netns ${ns}`,
        `ip -n ${node} link set ${dev} up`,
        `ip -n ${ns} link set eth0 up`,
        ...addressCommands(ns, "eth0", node, dev, ips, podMac),
        `ip -n ${ns} neigh add 169.254.1.1 lladdr ${hostMac} dev eth0 nud permanent`,
        `ip -n ${ns} route add default via 169.254.1.1 dev eth0 onlink`,
        `ip -n ${ns} -6 neigh add fe80::1 lladdr ${hostMac} dev eth0 nud permanent`,
        `ip -n ${ns} -6 route add default via fe80::1 dev eth0`,
      );
    }
    await sh(lines.join("\n"));
    await Promise.all(this.pods.map((p) => this.serve(p)));
  }

  private serve(p: PodSpec): Promise<void> {
    if (p.tcp.length + p.udp.length === 0) return Promise.resolve();
    const child = spawn(
      "ip",
      [
        "netns",
        "exec",
        this.nsOf.get(p.name)!,
        process.execPath,
        AGENT,
        "serve",
        p.name,
        p.tcp.join(","),
        p.udp.join(","),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.servers.push(child);
    return new Promise((resolve, reject) => {
      let err = "";
      child.stderr!.on("data", (b: Buffer) => {
        err += b.toString();
      });
      child.stdout!.on("data", (b: Buffer) => {
        if (b.toString().includes("ready")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`server of ${p.name} exited (${code}): ${err}`)));
    });
  }

  /**
   * Loads the program afresh (new maps: no configuration, no conntrack left from before), attaches
   * it, then runs `batch(pinRoot)`, the emitted bpftool batch for that pin root.
   */
  async load(object: string, batch: (pinRoot: string) => string): Promise<void> {
    const old = this.pinRoot;
    this.pinRoot = `/sys/fs/bpf/${this.id}/g${this.generation++}`;
    const root = this.pinRoot;
    mkdirSync(root, { recursive: true });
    await run("bpftool", ["prog", "loadall", object, `${root}/progs`, "pinmaps", root]);
    const file = join(tmpdir(), `${this.id}-${this.generation}.batch`);
    writeFileSync(file, batch(root));
    try {
      await run("bpftool", ["batch", "file", file]);
    } catch (e) {
      throw new Error(`bpftool batch failed: ${(e as { stderr?: string }).stderr ?? e}`);
    } finally {
      rmSync(file, { force: true });
    }
    // Not `tc -n`: like `ip netns exec` it remounts /sys, which hides the bpffs at /sys/fs/bpf.
    const tc = `nsenter --net=/var/run/netns/${this.node} tc`;
    const attach = (dev: string, dir: string, prog: string) => [
      `${tc} filter del dev ${dev} ${dir} 2>/dev/null || true`,
      `${tc} filter add dev ${dev} ${dir} bpf direct-action object-pinned ${root}/progs/${prog}`,
    ];
    const lines: string[] = [];
    const devs = [...this.pods.map((_, i) => `h${i}`), "up0"];
    if (!old) for (const dev of devs) lines.push(`${tc} qdisc add dev ${dev} clsact`);
    this.pods.forEach((_, i) => {
      lines.push(...attach(`h${i}`, "ingress", "from_pod"), ...attach(`h${i}`, "egress", "to_pod"));
    });
    lines.push(...attach("up0", "ingress", "from_netdev"));
    await sh(lines.join("\n"));
    if (old) rmSync(old, { recursive: true, force: true });
  }

  /** Runs probes from a pod (its `namespace/name`) or from OUTSIDE, all at once. */
  async probe(from: string, probes: readonly Probe[], timeoutMs = 700): Promise<ProbeResult[]> {
    if (probes.length === 0) return [];
    const ns = this.nsOf.get(from);
    if (!ns) throw new Error(`no namespace for ${from}`);
    return new Promise((resolve, reject) => {
      const child = spawn("ip", ["netns", "exec", ns, process.execPath, AGENT, "probe", String(timeoutMs)], {
        stdio: ["pipe", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
      });
      child.stderr.on("data", (b: Buffer) => {
        err += b.toString();
      });
      child.on("exit", (code) => {
        if (code !== 0) reject(new Error(`probe from ${from} failed (${code}): ${err}`));
        else resolve(JSON.parse(out) as ProbeResult[]);
      });
      child.stdin.end(JSON.stringify(probes));
    });
  }

  async destroy(): Promise<void> {
    for (const s of this.servers) {
      s.removeAllListeners("exit");
      s.kill("SIGKILL");
    }
    const all = [this.node, ...this.nsOf.values()];
    await sh(all.map((ns) => `ip netns del ${ns} 2>/dev/null || true`).join("\n"));
    rmSync(`/sys/fs/bpf/${this.id}`, { recursive: true, force: true });
  }
}
