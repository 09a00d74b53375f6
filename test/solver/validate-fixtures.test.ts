/**
 * Translation validation on every fixture with manifests (fixtures/demo, services, tiers, kernel/*,
 * and, in validate-guarantees-*.test.ts, each guarantee case with its model options), for iptables, nftables and eBPF, on every node
 * (`nodesOf`): each emission must be proved equal to the model, with addresses assigned as
 * `netpolc emit --assign-ips` does (IPv4) and dual-stack for the fixtures that have IPv6 cases.
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_ADDRESSING, DUAL_STACK_ADDRESSING } from "../../src/emit/index.js";
import { shutdownZ3 } from "../../src/solver/index.js";
import { ROOT } from "../kernel/inputs.js";
import { analysisOf } from "./support/analysis-of.js";
import { failures } from "./support/validate.js";

afterAll(shutdownZ3);

/**
 * Folders of manifests under fixtures/ (a folder holding YAML whose parent holds none; the
 * guarantee cases are read below with their options).
 */
function manifestFolders(dir = join(ROOT, "fixtures")): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && /\.ya?ml$/.test(e.name))) return [dir];
  return entries
    .filter(
      (e) =>
        e.isDirectory() &&
        !e.name.endsWith("-golden") &&
        !(dir.endsWith("fixtures") && e.name === "guarantees"),
    )
    .flatMap((e) => manifestFolders(join(dir, e.name)))
    .sort();
}

const DUAL = ["demo", "services", "kernel/ipv6", "kernel/named-target-port"];

describe("translation validation: fixture folders", () => {
  it("finds the fixture folders", () => expect(manifestFolders().length).toBeGreaterThanOrEqual(5));
  for (const dir of manifestFolders()) {
    const name = relative(join(ROOT, "fixtures"), dir);
    for (const [label, addressing] of [
      ["IPv4", DEFAULT_ADDRESSING],
      ["dual-stack", DUAL_STACK_ADDRESSING],
    ] as const) {
      if (label === "dual-stack" && !DUAL.includes(name)) continue;
      it(`fixtures/${name} (${label}), every node`, { timeout: 300_000 }, async () => {
        const a = await analysisOf([dir], addressing);
        expect(await failures(a)).toEqual([]);
      });
    }
  }
});
