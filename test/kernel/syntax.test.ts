/**
 * Every emitted file is accepted by the kernel's own tools: `nft -c -f` (parse and validate in a
 * transaction that is not committed), `iptables-restore --test` and `ip6tables-restore --test`
 * (after `ipset restore` of the sets they name) — for every fixture directory under fixtures/, as
 * loaded and with addresses assigned, for every node (`--all-nodes`), in a throw-away namespace.
 */
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { assignAddresses, DUAL_STACK_ADDRESSING, emit, nodesOf, TEXT_TARGETS } from "../../src/emit/index.js";
import { analyze, buildCluster } from "../../src/model/index.js";
import { loadPaths } from "../../src/parser/index.js";
import { describeKernel } from "./env.js";
import { cleanStale, PREFIX, sh } from "./harness.js";
import { ROOT } from "./inputs.js";

/** Directories under fixtures/ holding manifests (golden directories excluded). */
function fixtureDirs(dir = join(ROOT, "fixtures")): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir).sort();
  if (entries.some((e) => /\.ya?ml$/.test(e))) out.push(relative(ROOT, dir));
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory() && !e.endsWith("-golden")) out.push(...fixtureDirs(p));
  }
  return out;
}

describeKernel("kernel: nft -c and iptables-restore --test accept every emitted file", () => {
  const ns = `${PREFIX}${process.pid}-syntax`;
  const tmp = `/tmp/${ns}`;
  beforeAll(async () => {
    await cleanStale();
    await sh(`ip netns add ${ns}; mkdir -p ${tmp}`);
  });
  afterAll(async () => {
    await sh(`ip netns del ${ns} 2>/dev/null || true; rm -rf ${tmp}`);
  });

  // Every fixture, as loaded and with addresses; and hostNetwork pods policed (`distinguish`), whose
  // rules also use OUTPUT and INPUT (a netpol-analyzer case with hostNetwork pods).
  const inputs = [
    ...fixtureDirs().flatMap((dir) => [
      { dir, assigned: false, hostNetwork: "node" as const },
      { dir, assigned: true, hostNetwork: "node" as const },
    ]),
    {
      dir: "test/conformance/netpol-analyzer/cases/ipblockstest",
      assigned: false,
      hostNetwork: "distinguish" as const,
    },
  ];
  for (const { dir, assigned, hostNetwork } of inputs)
    it(`${dir}${assigned ? " (addresses assigned, dual-stack)" : ""}${hostNetwork === "distinguish" ? " (--host-network distinguish)" : ""}`, async () => {
      const parsed = await loadPaths([join(ROOT, dir)], {});
      const built = buildCluster(parsed.objects).cluster;
      const a = analyze(assigned ? assignAddresses(built, DUAL_STACK_ADDRESSING).cluster : built, {
        hostNetwork,
      });
      const inNs = `ip netns exec ${ns}`;
      let checked = 0;
      for (const target of TEXT_TARGETS)
        for (const node of nodesOf(a.cluster)) {
          const e = emit(a, target, { node: node || undefined });
          await sh(`${inNs} nft flush ruleset; ${inNs} ipset destroy 2>/dev/null || true`);
          for (const f of e.files) {
            const path = join(tmp, f.name);
            writeFileSync(path, f.content);
            const cmd = {
              nft: `${inNs} nft -c -f ${path}`,
              "ipset-restore": `${inNs} ipset restore -exist < ${path}`,
              "iptables-restore": `${inNs} iptables-restore --test --noflush < ${path}`,
              "ip6tables-restore": `${inNs} ip6tables-restore --test --noflush < ${path}`,
            }[f.kind as string];
            expect(cmd, f.kind).toBeDefined();
            await expect(sh(`${cmd} 2>&1`), `${dir} ${target} ${f.name}`).resolves.toBeDefined();
            checked++;
          }
        }
      expect(checked).toBeGreaterThan(0);
    });
});
