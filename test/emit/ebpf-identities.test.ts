/**
 * Identities and determinism: reserved numbers, class identities by content (not input order),
 * external groups, byte-identical output for the same input, and for the same objects in another
 * order.
 */
import { describe, expect, it } from "vitest";
import { emitEbpf } from "../../src/emit/ebpf/index.js";
import { analyze, buildCluster, type Cluster } from "../../src/model/index.js";
import { loadCluster } from "./ebpf-clusters.js";

const json = (c: Cluster) =>
  JSON.parse(emitEbpf(analyze(c), {}).files.find((f) => f.kind === "ebpf-json")!.content) as {
    identities: { identity: number; kind: string; ranges?: string[]; namespace?: string; pods?: string[] }[];
  };

function reversed(c: Cluster): Cluster {
  // Same objects, opposite input order (pods and policies).
  return {
    ...c,
    pods: [...c.pods].reverse(),
    policies: [...c.policies].reverse(),
    services: [...c.services].reverse(),
  };
}

describe("eBPF identities", () => {
  it("numbers reserved, class and CIDR identities as documented", async () => {
    const ids = json(await loadCluster(["fixtures/services"])).identities;
    const world = ids.find((i) => i.identity === 2)!;
    expect(world.kind).toBe("world");
    expect(world.ranges![0]).toMatch(/^0\.0\.0\.0-/);
    const pods = ids.filter((i) => i.kind === "pods").map((i) => i.identity);
    expect(pods).toEqual(pods.map((_, k) => 256 + k));
    const cidrs = ids.filter((i) => i.kind === "cidr").map((i) => i.identity);
    expect(cidrs).toEqual(cidrs.map((_, k) => 0x01000001 + k));
    expect(ids.every((i) => i.identity !== 0 && i.identity !== 1)).toBe(true);
  });

  it("replicas share their class's identity", async () => {
    const ids = json(await loadCluster(["fixtures/services"])).identities;
    const web = ids.find((i) => i.pods?.some((p) => p.startsWith("shop/web-")))!;
    expect(web.pods!.filter((p) => p.startsWith("shop/web-"))).toHaveLength(2);
  });

  it("is byte-identical for the same input, and for the same objects in reverse order", async () => {
    const c = await loadCluster(["fixtures/services"]);
    const a = emitEbpf(analyze(c), {});
    const b = emitEbpf(analyze(c), {});
    expect(b).toEqual(a);
    const r = emitEbpf(analyze(reversed(c)), {});
    expect(r.files.map((f) => f.content)).toEqual(a.files.map((f) => f.content));
  });

  it("emits only the node's endpoints, and the whole cluster's ipcache", async () => {
    const c = await loadCluster(["fixtures/services"]);
    const all = emitEbpf(analyze(c), {}).stats;
    const a = emitEbpf(analyze(c), { node: "node-a" });
    const b = emitEbpf(analyze(c), { node: "node-b" });
    const endpoints = (e: typeof a) =>
      (JSON.parse(e.files[0]!.content) as { endpoints: { pod: string }[] }).endpoints.map((x) => x.pod);
    expect(a.node).toBe("node-a");
    expect(a.files.map((f) => f.name)).toEqual(["node-a.ebpf.json", "node-a.ebpf.batch"]);
    const pa = endpoints(a);
    const pb = endpoints(b);
    expect(pa.filter((p) => pb.includes(p))).toEqual([]);
    expect(pa.length + pb.length).toBeLessThanOrEqual(endpoints(emitEbpf(analyze(c), {})).length);
    const ipcache = (e: typeof a) => (JSON.parse(e.files[0]!.content) as { ipcache: unknown[] }).ipcache;
    expect(ipcache(a)).toEqual(ipcache(b));
    expect(all.mapEntries).toBeGreaterThan(a.stats.mapEntries);
  });

  it("groups external atoms that every class treats alike", () => {
    const { cluster } = buildCluster([]);
    const ids = json(cluster).identities;
    // No policy: the whole IPv4 and IPv6 spaces behave alike: one group, world.
    expect(ids).toEqual([
      {
        identity: 2,
        kind: "world",
        ranges: ["0.0.0.0-255.255.255.255", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
      },
    ]);
  });
});
