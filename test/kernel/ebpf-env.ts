/**
 * What the eBPF kernel tests need beyond the shared harness: root, clang, bpftool, tc, nsenter,
 * the libbpf headers and bpffs. Missing ones skip the tests with the reason; with
 * NETPOLC_REQUIRE_KERNEL=1 they fail instead (as env.ts does for iptables and nftables).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { arch, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { REQUIRE_KERNEL } from "./env.js";

export const BPF_SOURCE = join(
  import.meta.dirname,
  "..",
  "..",
  "src",
  "emit",
  "ebpf",
  "bpf",
  "netpolc.bpf.c",
);

function has(tool: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Why the eBPF kernel tests cannot run here, or undefined when they can. */
export function missingEbpf(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root (network namespaces, tc and bpffs need it)";
  const tools = ["ip", "clang", "bpftool", "tc", "nsenter"].filter((t) => !has(t));
  if (tools.length > 0)
    return `missing ${tools.join(", ")} (apt-get install -y bpftool clang llvm libbpf-dev iproute2 util-linux)`;
  if (!existsSync("/usr/include/bpf/bpf_helpers.h"))
    return "missing libbpf headers (apt-get install -y libbpf-dev)";
  return undefined;
}

/** `describe` for the eBPF kernel tests: skipped with the reason, or failing under NETPOLC_REQUIRE_KERNEL=1. */
export function describeEbpf(name: string, body: () => void): void {
  const reason = missingEbpf();
  if (reason && REQUIRE_KERNEL) {
    describe(name, () => {
      it("has what the eBPF kernel tests need (NETPOLC_REQUIRE_KERNEL=1)", () => {
        throw new Error(`eBPF kernel tests required but cannot run: ${reason}`);
      });
    });
    return;
  }
  if (reason) process.stderr.write(`[kernel] skipping "${name}": ${reason}\n`);
  describe.skipIf(reason !== undefined)(reason ? `${name} (skipped: ${reason})` : name, body);
}

/** Mounts bpffs at /sys/fs/bpf when it is not mounted. */
export function ensureBpffs(): void {
  const mounts = readFileSync("/proc/mounts", "utf8");
  if (!/ \/sys\/fs\/bpf bpf /.test(mounts)) execFileSync("mount", ["-t", "bpf", "bpf", "/sys/fs/bpf"]);
}

let compiled: string | undefined;

/** `clang -O2 -g -target bpf` (once per process): the object file's path. */
export function compileProgram(): string {
  if (compiled) return compiled;
  const out = join(mkdtempSync(join(tmpdir(), "netpolc-bpf-")), "netpolc.bpf.o");
  const multiarch = `/usr/include/${arch() === "arm64" ? "aarch64" : "x86_64"}-linux-gnu`;
  execFileSync("clang", [
    "-O2",
    "-g",
    "-Wall",
    "-Werror",
    "-target",
    "bpf",
    `-I${multiarch}`,
    "-c",
    BPF_SOURCE,
    "-o",
    out,
  ]);
  compiled = out;
  return out;
}
