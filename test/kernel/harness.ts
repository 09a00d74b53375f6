/**
 * A throw-away dataplane per test: network namespaces wired like a Kubernetes node.
 *
 * ```
 *   pod ns (one per pod)                node ns                              external ns
 *   eth0: pod IPs (/32, /128)  ◄─veth─► vN: 169.254.1.1/32, fe80::1/64      ext0: sample addresses
 *   default via 169.254.1.1,            routes podIP/32 dev vN      ◄─veth─► default via 169.254.1.1
 *   default via fe80::1                 routes sample/32 dev vext            (and fe80::1)
 *                                       lo: 10.201.0.1, fd00:201::1 (the node IP)
 *                                       forwarding on, rp_filter off; the emitted rules load here
 * ```
 * Every packet between pods, and between pods and the external samples, is routed by the node
 * namespace: nat PREROUTING (Service translation), filter FORWARD (policy), nat POSTROUTING.
 * Each namespace runs agent.mjs: servers on the sample ports answering their pod's name, and a
 * prober. Namespaces are named `npk-<pid>-<id>-…`; `cleanStale` removes those of dead processes.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { builtinJumps, type Emission } from "../../src/emit/index.js";
import { formatIp, type IpAddress } from "../../src/model/index.js";

const exec = promisify(execFile);
const AGENT = join(import.meta.dirname, "agent.mjs");
export const PREFIX = "npk-";
export const NODE_IP = { 4: "10.201.0.1", 6: "fd00:201::1" } as const;
const GATEWAY = { 4: "169.254.1.1", 6: "fe80::1" } as const;

export type Proto = "tcp" | "udp" | "sctp";

export interface PortSpec {
  readonly proto: Proto;
  readonly port: number;
}

export interface PodSpec {
  /** `namespace/name`: what its servers answer. */
  readonly key: string;
  readonly ips: readonly IpAddress[];
}

export interface Probe {
  /** A pod key, or "external". */
  readonly from: string;
  /** Source address to bind (required for "external": one of its samples). */
  readonly src?: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly proto: Proto;
}

export interface ProbeResult {
  readonly ok: boolean;
  readonly reply?: string;
  readonly error?: string;
}

export async function sh(script: string): Promise<string> {
  const { stdout } = await exec("sh", ["-ec", script], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Removes namespaces left by earlier runs whose process is gone. */
export async function cleanStale(): Promise<void> {
  const out = await sh("ip netns list || true");
  const names = out
    .split("\n")
    .map((l) => l.split(" ")[0]!)
    .filter((n) => n.startsWith(PREFIX));
  for (const n of names) {
    const pid = Number(n.slice(PREFIX.length).split("-")[0]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) await sh(`ip netns del ${n} 2>/dev/null || true`);
  }
}

const sysctl = (ns: string, settings: Record<string, string>) =>
  `ip netns exec ${ns} sh -c '${Object.entries(settings)
    .map(([k, v]) => `echo ${v} > /proc/sys/${k.replace(/\./g, "/")}`)
    .join("; ")}'`;

const NO_DAD = {
  "net.ipv4.tcp_max_syn_backlog": "4096",
  "net.ipv6.conf.all.accept_dad": "0",
  "net.ipv6.conf.default.accept_dad": "0",
  "net.ipv4.conf.all.rp_filter": "0",
  "net.ipv4.conf.default.rp_filter": "0",
};

let nextSourcePort = 20000;
/** Client source ports are unique in a run, so a probe never meets conntrack state of an earlier one. */
function sourcePort(): number {
  if (nextSourcePort > 60000) nextSourcePort = 20000;
  return nextSourcePort++;
}

class Agent {
  private readonly pending = new Map<number, (r: ProbeResult) => void>();
  private nextId = 1;
  private constructor(private readonly child: ChildProcess) {}

  static start(
    ns: string,
    name: string,
    addrs: readonly string[],
    ports: readonly PortSpec[],
  ): Promise<Agent> {
    const child = spawn(
      "ip",
      [
        "netns",
        "exec",
        ns,
        process.execPath,
        AGENT,
        name,
        addrs.join(","),
        ports.map((p) => `${p.proto}:${p.port}`).join(","),
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const agent = new Agent(child);
    return new Promise((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! });
      let ready = false;
      rl.on("line", (line) => {
        if (!ready) {
          if (line === "ready") {
            ready = true;
            resolve(agent);
          }
          return;
        }
        const r = JSON.parse(line) as ProbeResult & { id: number };
        agent.pending.get(r.id)?.(r);
        agent.pending.delete(r.id);
      });
      child.on("exit", (code) => {
        if (!ready) reject(new Error(`agent ${name} in ${ns} exited (${code})`));
      });
    });
  }

  probe(p: Probe, timeout: number): Promise<ProbeResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      const req = {
        id,
        proto: p.proto,
        host: p.host,
        port: p.port,
        src: p.src,
        sport: sourcePort(),
        timeout,
      };
      this.child.stdin!.write(`${JSON.stringify(req)}\n`);
    });
  }

  stop(): void {
    this.child.stdin!.end();
    this.child.kill();
  }
}

export class Topology {
  private readonly agents = new Map<string, Agent>();
  private readonly tmp = mkdtempSync(join(tmpdir(), "netpolc-kernel-"));

  private constructor(
    readonly id: string,
    readonly node: string,
    readonly ext: string,
    readonly pods: readonly (PodSpec & { readonly ns: string })[],
    readonly externals: readonly IpAddress[],
  ) {}

  /** Builds the namespaces, starts the agents (servers on `ports`). */
  static async create(
    id: string,
    pods: readonly PodSpec[],
    externals: readonly IpAddress[],
    ports: readonly PortSpec[],
  ): Promise<Topology> {
    const base = `${PREFIX}${process.pid}-${id}`;
    const t = new Topology(
      id,
      `${base}-node`,
      `${base}-ext`,
      pods.map((p, i) => ({ ...p, ns: `${base}-p${i}` })),
      externals,
    );
    try {
      await sh(t.setupScript());
      await Promise.all([
        ...t.pods.map(async (p) =>
          t.agents.set(p.key, await Agent.start(p.ns, p.key, p.ips.map(ipText), ports)),
        ),
        (async () =>
          t.agents.set("external", await Agent.start(t.ext, "external", externals.map(ipText), ports)))(),
      ]);
    } catch (e) {
      await t.destroy();
      throw e;
    }
    return t;
  }

  private setupScript(): string {
    const node = this.node;
    const lines = [
      `ip netns add ${node}`,
      sysctl(node, {
        ...NO_DAD,
        "net.ipv4.ip_forward": "1",
        "net.ipv6.conf.all.forwarding": "1",
      }),
      `ip -n ${node} link set lo up`,
      `ip -n ${node} addr add ${NODE_IP[4]}/32 dev lo`,
      `ip -n ${node} addr add ${NODE_IP[6]}/128 dev lo nodad`,
    ];
    // Fixed MAC addresses and permanent neighbour entries on both sides: no ARP or neighbour
    // discovery, whose queue of unresolved packets would drop SYNs of a burst of probes.
    const mac = (side: number, i: number) =>
      `02:00:0${side}:00:${((i >> 8) & 0xff).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`;
    const attach = (ns: string, peer: string, ips: readonly IpAddress[], i: number) => {
      lines.push(
        `ip netns add ${ns}`,
        sysctl(ns, NO_DAD),
        `ip link add eth0 address ${mac(0, i)} netns ${ns} type veth peer name ${peer} address ${mac(1, i)} netns ${node}`,
        `ip -n ${ns} link set lo up`,
        `ip -n ${ns} link set eth0 up`,
        `ip -n ${node} addr add ${GATEWAY[4]}/32 dev ${peer}`,
        `ip -n ${node} addr add ${GATEWAY[6]}/64 dev ${peer} nodad`,
        `ip -n ${node} link set ${peer} up`,
        `ip -n ${ns} route add ${GATEWAY[4]} dev eth0 scope link`,
        `ip -n ${ns} route add default via ${GATEWAY[4]} dev eth0`,
        `ip -n ${ns} -6 route add default via ${GATEWAY[6]} dev eth0`,
        `ip -n ${ns} neigh replace ${GATEWAY[4]} lladdr ${mac(1, i)} dev eth0 nud permanent`,
        `ip -n ${ns} neigh replace ${GATEWAY[6]} lladdr ${mac(1, i)} dev eth0 nud permanent`,
      );
      for (const ip of ips) {
        const bits = ip.family === 4 ? 32 : 128;
        lines.push(
          `ip -n ${ns} addr add ${ipText(ip)}/${bits} dev eth0${ip.family === 6 ? " nodad" : ""}`,
          `ip -n ${node} ${ip.family === 6 ? "-6 " : ""}route add ${ipText(ip)}/${bits} dev ${peer}`,
          `ip -n ${node} neigh replace ${ipText(ip)} lladdr ${mac(0, i)} dev ${peer} nud permanent`,
        );
      }
    };
    this.pods.forEach((p, i) => {
      attach(p.ns, `v${i}`, p.ips, i);
    });
    attach(this.ext, "vext", this.externals, this.pods.length);
    return lines.join("\n");
  }

  /** Loads an emission into the node namespace (after clearing what was there). */
  async load(e: Emission): Promise<void> {
    await this.clear();
    for (const f of e.files) {
      const path = join(this.tmp, f.name);
      writeFileSync(path, f.content);
      const inNode = `ip netns exec ${this.node}`;
      switch (f.kind) {
        case "nft":
          await sh(`${inNode} nft -f ${path}`);
          break;
        case "ipset-restore":
          await sh(`${inNode} ipset restore -exist < ${path}`);
          break;
        case "iptables-restore":
        case "ip6tables-restore": {
          const tool = f.kind === "iptables-restore" ? "iptables" : "ip6tables";
          await sh(`${inNode} ${tool}-restore --noflush < ${path}`);
          const jumps = builtinJumps(f.content).map(
            (j) =>
              `${inNode} ${tool} -t ${j.table} -C ${j.chain} ${j.rule} 2>/dev/null || ${inNode} ${tool} -t ${j.table} -I ${j.chain} 1 ${j.rule}`,
          );
          if (jumps.length > 0) await sh(jumps.join("\n"));
          break;
        }
        default:
          throw new Error(`the kernel harness cannot load ${f.kind} files`);
      }
    }
  }

  /** Removes every rule and set from the node namespace. */
  async clear(): Promise<void> {
    const inNode = `ip netns exec ${this.node}`;
    await sh(
      [
        `${inNode} nft flush ruleset`,
        ...["iptables", "ip6tables"].flatMap((t) =>
          ["filter", "nat"].map(
            (table) =>
              `${inNode} ${t} -t ${table} -F 2>/dev/null || true; ${inNode} ${t} -t ${table} -X 2>/dev/null || true`,
          ),
        ),
        `${inNode} ipset destroy 2>/dev/null || true`,
      ].join("\n"),
    );
  }

  /** Runs probes concurrently; a probe fails when no answer arrives within `timeout` ms. */
  async probe(probes: readonly Probe[], timeout = 1000): Promise<ProbeResult[]> {
    const once = (p: Probe) => {
      const agent = this.agents.get(p.from);
      if (!agent) throw new Error(`no agent for ${p.from}`);
      return agent.probe(p, timeout);
    };
    return Promise.all(probes.map(once));
  }

  async destroy(): Promise<void> {
    for (const a of this.agents.values()) a.stop();
    this.agents.clear();
    const all = [this.node, this.ext, ...this.pods.map((p) => p.ns)];
    await sh(all.map((n) => `ip netns del ${n} 2>/dev/null || true`).join("\n"));
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

export function ipText(ip: IpAddress): string {
  return formatIp(ip.family, ip.value);
}
