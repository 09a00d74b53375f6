/** `netpolc emit` through the built CLI: targets, nodes, output, statistics and errors. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../cli/run.js";

const tmp = mkdtempSync(join(tmpdir(), "netpolc-emit-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("netpolc emit", () => {
  it("nftables: one file, on stdout", async () => {
    const r = await run(["emit", "fixtures/kernel/named-target-port", "--target", "nftables", "-q"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# netpolc nftables ruleset/);
    expect(r.stdout).toContain("table inet netpolc {");
    expect(r.stdout).toContain("numgen random mod 2 vmap");
  });

  it("several files need -o DIR", async () => {
    const r = await run(["emit", "fixtures/demo", "--target", "iptables", "--assign-ips"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("files to write (netpolc.ipset, netpolc.iptables): use -o DIR");
  });

  it("-o FILE writes the one file; -v prints the sizes", async () => {
    const file = join(tmp, "rules.nft");
    const r = await run(["emit", "fixtures/demo", "--target", "nftables", "--assign-ips", "-o", file, "-v"]);
    expect(r.code).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("table inet netpolc");
    expect(r.stderr).toMatch(
      /^netpolc: nftables: \d+ rules, \d+ chains, \d+ sets \(\d+ elements\), \d+ map entries, \d+ bytes$/m,
    );
  });

  it("--all-nodes: one ruleset per node, each covering its own pods", async () => {
    const dir = join(tmp, "nodes");
    const r = await run([
      "emit",
      "fixtures/services",
      "--target",
      "iptables",
      "--all-nodes",
      "-o",
      dir,
      "-q",
    ]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      "node-a.ip6tables",
      "node-a.ipset",
      "node-a.iptables",
      "node-b.ip6tables",
      "node-b.ipset",
      "node-b.iptables",
    ]);
    // api-v1-…-x2k9p (10.244.1.10) runs on node-a: only node-a's rules dispatch to it.
    expect(readFileSync(join(dir, "node-a.iptables"), "utf8")).toMatch(
      /-A NETPOLC-INGRESS -d 10\.244\.1\.10\/32 /,
    );
    expect(readFileSync(join(dir, "node-b.iptables"), "utf8")).not.toMatch(
      /-A NETPOLC-INGRESS -d 10\.244\.1\.10\/32 /,
    );
  });

  it("--node NAME", async () => {
    const r = await run(["emit", "fixtures/services", "--target", "nftables", "--node", "node-b", "-q"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("for node node-b");
  });

  it("warns when pods have no IP address", async () => {
    const r = await run(["emit", "fixtures/demo", "--target", "nftables"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: 22 pod(s) have no IP address in the manifests");
  });

  it("usage errors", async () => {
    const both = await run(["emit", "fixtures/demo", "--target", "nftables", "--node", "x", "--all-nodes"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--node and --all-nodes exclude each other");
    const none = await run(["emit", "fixtures/demo"]);
    expect(none.code).toBe(2);
    const bad = await run(["emit", "fixtures/demo", "--target", "pf"]);
    expect(bad.code).toBe(2);
  });

  it("ebpf: the eBPF emitter when this build has it", async () => {
    const dir = join(tmp, "ebpf");
    const r = await run(["emit", "fixtures/demo", "--target", "ebpf", "-o", `${dir}/`, "-q"]);
    if (r.code === 2) expect(r.stderr).toContain("target ebpf is not available in this build");
    else {
      expect(r.code).toBe(0);
      expect(readdirSync(dir).length).toBeGreaterThan(0);
    }
  });
});
