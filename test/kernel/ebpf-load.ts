/**
 * The eBPF target in the shared harness's topology (harness.ts): the program loaded with bpftool
 * (maps pinned under a fresh bpffs directory per load, so no configuration or conntrack state
 * survives from the previous one), attached with tc (clsact) to the node side of every veth —
 * `from_pod` on ingress and `to_pod` on egress of the pods' veths, `from_netdev` on ingress and
 * `to_netdev` on egress of the external host's `vext` — and the emitted batch file loaded with
 * `bpftool batch`.
 *
 * tc runs through `nsenter --net`: `ip netns exec` and `tc -n` remount /sys, which hides bpffs.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { emitEbpf } from "../../src/emit/ebpf/index.js";
import type { Analysis } from "../../src/model/index.js";
import type { Topology } from "./harness.js";

const exec = promisify(execFile);

async function sh(script: string): Promise<string> {
  try {
    return (await exec("sh", ["-ec", script], { maxBuffer: 64 << 20 })).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${err.message}\n${err.stderr ?? ""}`);
  }
}

const PIN_PREFIX = "netpolc-test-";

/** Removes the pin directories of earlier runs whose process is gone. */
export function cleanStalePins(): void {
  for (const name of readdirSync("/sys/fs/bpf")) {
    if (!name.startsWith(PIN_PREFIX)) continue;
    const pid = Number(name.slice(PIN_PREFIX.length).split("-")[0]);
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(`/sys/fs/bpf/${name}`, { recursive: true, force: true });
    }
  }
}

export class EbpfLoader {
  private generation = 0;
  private readonly root: string;

  constructor(
    private readonly object: string,
    private readonly topo: Topology,
  ) {
    this.root = `/sys/fs/bpf/${PIN_PREFIX}${process.pid}-${topo.id}`;
  }

  /** Loads the program afresh, attaches it, and loads the maps `emitEbpf` gives for `a`. */
  async load(a: Analysis): Promise<void> {
    const pins = `${this.root}/g${this.generation++}`;
    mkdirSync(pins, { recursive: true });
    await exec("bpftool", ["prog", "loadall", this.object, `${pins}/progs`, "pinmaps", pins]);
    const batch = join(tmpdir(), `netpolc-${process.pid}-${this.topo.id}.batch`);
    writeFileSync(batch, emitEbpf(a, {}, pins).files.find((f) => f.kind === "bpftool-batch")!.content);
    try {
      await exec("bpftool", ["batch", "file", batch]);
    } catch (e) {
      throw new Error(`bpftool batch failed: ${(e as { stderr?: string }).stderr ?? e}`);
    } finally {
      rmSync(batch, { force: true });
    }
    const tc = `nsenter --net=/var/run/netns/${this.topo.node} tc`;
    const links = JSON.parse(
      await sh(`nsenter --net=/var/run/netns/${this.topo.node} ip -j link show type veth`),
    ) as { ifname: string }[];
    const lines: string[] = [];
    const attach = (dev: string, dir: "ingress" | "egress", prog: string) =>
      lines.push(
        `${tc} filter del dev ${dev} ${dir} 2>/dev/null || true`,
        `${tc} filter add dev ${dev} ${dir} bpf direct-action object-pinned ${pins}/progs/${prog}`,
      );
    for (const { ifname } of links) {
      lines.push(`${tc} qdisc replace dev ${ifname} clsact`);
      if (ifname === "vext") {
        attach(ifname, "ingress", "from_netdev");
        attach(ifname, "egress", "to_netdev");
      } else {
        attach(ifname, "ingress", "from_pod");
        attach(ifname, "egress", "to_pod");
      }
    }
    await sh(lines.join("\n"));
    // The previous generation's pins: the filters now hold the only references to its programs.
    if (this.generation > 1) rmSync(`${this.root}/g${this.generation - 2}`, { recursive: true, force: true });
  }

  /** Detaches the program and removes every pin. */
  async unload(): Promise<void> {
    await sh(
      `for d in $(nsenter --net=/var/run/netns/${this.topo.node} ip -o link show type veth | awk -F'[ :@]+' '{print $2}'); do nsenter --net=/var/run/netns/${this.topo.node} tc qdisc del dev $d clsact 2>/dev/null || true; done`,
    ).catch(() => "");
    rmSync(this.root, { recursive: true, force: true });
  }
}
