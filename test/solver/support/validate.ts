/**
 * Shared by the translation-validation tests: every emission of an analysis (each node, each
 * target), validated.
 */
import { expect } from "vitest";
import { type Emission, emit, emitEbpf, nodesOf } from "../../../src/emit/index.js";
import type { Analysis } from "../../../src/model/index.js";
import { formatValidation, validateEmission } from "../../../src/solver/validate/index.js";

export function emissions(a: Analysis): Emission[] {
  return nodesOf(a.cluster).flatMap((n) => {
    const options = { node: n === "" ? undefined : n };
    return [emit(a, "iptables", options), emit(a, "nftables", options), emitEbpf(a, options)];
  });
}

/** The reports of the emissions that are not verified (empty: all are). */
export async function failures(a: Analysis): Promise<string[]> {
  const out: string[] = [];
  for (const e of emissions(a)) {
    const v = await validateEmission(a, e);
    if (v.status !== "verified") out.push(formatValidation(v));
    else expect(v.checks).toBeGreaterThanOrEqual(6);
  }
  return out;
}
