/**
 * What the eBPF kernel tests need (root, clang, bpftool, tc, ip, bpffs) and the compiled program.
 * Missing tools skip the tests with the reason; with NETPOLC_REQUIRE_KERNEL=1 they fail instead.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { arch, tmpdir } from "node:os";
import { join } from "node:path";

export const REPO = join(import.meta.dirname, "..", "..");
export const BPF_SOURCE = join(REPO, "src", "emit", "ebpf", "bpf", "netpolc.bpf.c");
export const REQUIRE_KERNEL = process.env.NETPOLC_REQUIRE_KERNEL === "1";

function has(tool: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Why the kernel tests cannot run here, or undefined when they can. */
export function missingRequirement(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root (network namespaces, tc and bpffs need it)";
  const tools = ["clang", "bpftool", "tc", "ip", "nsenter"].filter((t) => !has(t));
  if (tools.length > 0)
    return `missing ${tools.join(", ")} (apt-get install -y bpftool clang llvm libbpf-dev iproute2)`;
  if (!existsSync("/usr/include/bpf/bpf_helpers.h"))
    return "missing libbpf headers (apt-get install -y libbpf-dev)";
  return undefined;
}

/** Mounts bpffs at /sys/fs/bpf when it is not mounted. */
export function ensureBpffs(): void {
  const mounts = readFileSync("/proc/mounts", "utf8");
  if (!/ \/sys\/fs\/bpf bpf /.test(mounts)) execFileSync("mount", ["-t", "bpf", "bpf", "/sys/fs/bpf"]);
}

/** `clang -O2 -g -target bpf`: the object file's path. */
export function compileProgram(): string {
  const dir = mkdtempSync(join(tmpdir(), "netpolc-bpf-"));
  const out = join(dir, "netpolc.bpf.o");
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
  return out;
}
