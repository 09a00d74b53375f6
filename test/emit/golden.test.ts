/**
 * Golden files of the iptables and nftables targets for the README demo
 * (fixtures/demo-golden/emit/<target>/), written by the built CLI: as the manifests stand (template
 * pods have no address, so only the two bare pods are enforced) and with `--assign-ips`.
 * `UPDATE_GOLDEN=1` rewrites them for review.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectGolden } from "../cli/golden.js";
import { ROOT, run } from "../cli/run.js";

const GOLDEN = join(ROOT, "fixtures", "demo-golden", "emit");

describe("emit golden files (fixtures/demo)", () => {
  for (const target of ["iptables", "nftables"])
    for (const assigned of [false, true])
      it(`${target}${assigned ? " --assign-ips" : ""}`, async () => {
        const dir = mkdtempSync(join(tmpdir(), "netpolc-golden-"));
        try {
          const r = await run([
            "emit",
            "fixtures/demo",
            "--target",
            target,
            "-o",
            `${dir}/`,
            ...(assigned ? ["--assign-ips"] : []),
          ]);
          expect(r.stderr.includes("error"), r.stderr).toBe(false);
          expect(r.code, r.stderr).toBe(0);
          const files = readdirSync(dir).sort();
          expect(files.length).toBeGreaterThan(0);
          const golden = join(GOLDEN, target, ...(assigned ? ["assigned"] : []));
          for (const f of files) expectGolden(join(golden, f), readFileSync(join(dir, f), "utf8"));
          // No golden file is left over from an earlier layout.
          expect(
            readdirSync(golden)
              .filter((f) => f !== "assigned")
              .sort(),
          ).toEqual(files);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
});
