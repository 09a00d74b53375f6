/**
 * Translation validation on every fixture with manifests (fixtures/demo, services, tiers, kernel/*,
 * and each guarantee case with its model options), for iptables, nftables and eBPF, on every node
 * (`nodesOf`): each emission must be proved equal to the model, with addresses assigned as
 * `netpolc emit --assign-ips` does (IPv4) and dual-stack for the fixtures that have IPv6 cases.
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type AddressingOptions,
  assignAddresses,
  DEFAULT_ADDRESSING,
  DUAL_STACK_ADDRESSING,
} from "../../src/emit/index.js";
import { type Analysis, analyze, buildCluster, type ModelOptions } from "../../src/model/index.js";
import { loadPaths } from "../../src/parser/index.js";
import { shutdownZ3 } from "../../src/solver/index.js";
import { ROOT } from "../kernel/inputs.js";
import { fixtureCases } from "./support/fixtures.js";
import { failures } from "./support/validate.js";

afterAll(shutdownZ3);

async function analysisOf(
  paths: readonly string[],
  addressing: AddressingOptions,
  options: Partial<ModelOptions> = {},
): Promise<Analysis> {
  const parsed = await loadPaths([...paths], {});
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return analyze(assignAddresses(buildCluster(parsed.objects).cluster, addressing).cluster, options);
}

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

describe("translation validation: guarantee fixtures", () => {
  for (const c of fixtureCases())
    it(c.name, { timeout: 300_000 }, async () => {
      const a = await analysisOf(c.manifests, DEFAULT_ADDRESSING, c.options);
      expect(await failures(a)).toEqual([]);
    });
});
