/**
 * What the iptables/nftables kernel tests need: Linux, root, network namespaces, and the tools
 * (`apt-get install -y nftables iptables ipset iproute2`). Without them the tests skip with the
 * reason; with NETPOLC_REQUIRE_KERNEL=1 (CI) they fail instead.
 */
import { execFileSync } from "node:child_process";
import { describe, it } from "vitest";

export const REQUIRE_KERNEL = process.env.NETPOLC_REQUIRE_KERNEL === "1";

function run(cmd: string, args: readonly string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function has(tool: string): boolean {
  return run("sh", ["-c", `command -v ${tool}`]);
}

let cached: string | null | undefined;

/** Why the kernel tests cannot run here (undefined: they can). */
export function missingKernel(): string | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  if (process.platform !== "linux") cached = "not Linux";
  else if (process.getuid?.() !== 0) cached = "not root (network namespaces need it)";
  else {
    const tools = ["ip", "nft", "iptables-restore", "ip6tables-restore", "ipset"].filter((t) => !has(t));
    if (tools.length > 0)
      cached = `missing ${tools.join(", ")} (apt-get install -y nftables iptables ipset iproute2)`;
    else {
      const ns = `npk-${process.pid}-check`;
      if (!run("ip", ["netns", "add", ns])) cached = "cannot create a network namespace (ip netns add)";
      else run("ip", ["netns", "del", ns]);
    }
  }
  return cached ?? undefined;
}

let sctp: string | null | undefined;

/** Why SCTP cannot be probed (undefined: it can): the kernel needs the sctp module, the agent socat. */
export function missingSctp(): string | undefined {
  if (sctp !== undefined) return sctp ?? undefined;
  run("modprobe", ["sctp"]);
  const protocols = (() => {
    try {
      return execFileSync("cat", ["/proc/net/protocols"], { encoding: "utf8" });
    } catch {
      return "";
    }
  })();
  if (!/^SCTP/m.test(protocols)) sctp = "the kernel has no SCTP (`modprobe sctp` failed or is unavailable)";
  else if (!has("socat")) sctp = "socat is missing (apt-get install -y socat)";
  else sctp = null;
  return sctp ?? undefined;
}

/**
 * `describe` for kernel tests: skipped with the reason printed when requirements are missing, or
 * failing with it under NETPOLC_REQUIRE_KERNEL=1.
 */
export function describeKernel(name: string, body: () => void): void {
  const reason = missingKernel();
  if (reason && REQUIRE_KERNEL) {
    describe(name, () => {
      it("has what the kernel tests need (NETPOLC_REQUIRE_KERNEL=1)", () => {
        throw new Error(`kernel tests required but cannot run: ${reason}`);
      });
    });
    return;
  }
  if (reason) process.stderr.write(`[kernel] skipping "${name}": ${reason}\n`);
  describe.skipIf(reason !== undefined)(reason ? `${name} (skipped: ${reason})` : name, body);
}
