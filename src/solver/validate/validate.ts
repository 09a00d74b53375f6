/**
 * Translation validation of one node's emitted configuration against the model:
 *
 * 1. Read the files back into the rule model (an unreadable construct ends here, as data).
 * 2. Per family: the filter accepts exactly the first packets the model allows the node's local
 *    pods (policy-check.ts), and the nat hook translates every Service frontend to exactly the
 *    model's endpoints, each of them reachable (services.ts).
 * 3. Every counterexample is replayed by the concrete evaluators before it is reported.
 */
import type { Analysis, IpFamily } from "../../model/index.js";
import { z3 } from "../z3.js";
import { type Dataplane, dataplaneOf, type EmittedText, type Target } from "./dataplane.js";
import { UnsupportedRule } from "./errors.js";
import { familyExpectation } from "./expected.js";
import { frontends } from "./frontends.js";
import { type CheckResult, checkPolicy, type PolicyCounterexample } from "./policy-check.js";
import {
  checkHairpin,
  checkNothingElse,
  checkReachable,
  type HairpinRefused,
  type ServiceCounterexample,
  type UnreachableEndpoint,
} from "./services.js";

export const DEFAULT_VALIDATION_TIMEOUT_MS = 600_000;

export interface ValidateOptions {
  /** Per query; `unknown` after it. */
  readonly timeoutMs?: number | undefined;
  /** Called as each query (or model building step) completes, e.g. for progress output. */
  readonly onStep?: ((step: Step) => void) | undefined;
}

/** One query (or model-building step): wall time, and z3's share of it. */
export interface Step {
  readonly check: string;
  readonly ms: number;
  readonly solveMs?: number | undefined;
  readonly result: string;
}

export type Finding = PolicyCounterexample | ServiceCounterexample | UnreachableEndpoint | HairpinRefused;

export interface Validation {
  readonly target: Target;
  readonly node: string;
  readonly status: "verified" | "mismatch" | "unknown" | "unsupported";
  /** Queries answered (each a z3 check, or settled while the formula was built). */
  readonly checks: number;
  /** One counterexample per failed query (each replayed). */
  readonly findings: readonly Finding[];
  readonly unknown: readonly string[];
  readonly error?: UnsupportedRule | undefined;
  readonly notes: readonly string[];
  readonly ms: number;
  /** Each query's wall time (building its formulas included). */
  readonly timings: readonly Step[];
}

export async function validateEmission(
  a: Analysis,
  e: EmittedText,
  options: ValidateOptions = {},
): Promise<Validation> {
  const t0 = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_VALIDATION_TIMEOUT_MS;
  const base = {
    target: e.target,
    node: e.node,
    findings: [] as Finding[],
    unknown: [] as string[],
    notes: [] as string[],
    timings: [] as Step[],
  };
  // 1. Files → dataplane.
  let dp: Dataplane;
  try {
    dp = dataplaneOf(e);
  } catch (err) {
    if (err instanceof UnsupportedRule)
      return { ...base, status: "unsupported", checks: 0, error: err, ms: performance.now() - t0 };
    throw err;
  }
  const c = await z3();
  const node = e.node === "" ? undefined : e.node;
  let checks = 0;
  const record = async <X extends Finding>(
    what: string,
    run: () => Promise<CheckResult<X> & { notes?: string[] }>,
  ) => {
    const t = performance.now();
    const r = await run();
    const step: Step = { check: what, ms: performance.now() - t, solveMs: r.solveMs, result: r.result };
    base.timings.push(step);
    options.onStep?.(step);
    checks++;
    base.notes.push(...(r.notes ?? []));
    if (r.result === "fails") base.findings.push(r.counterexample);
    if (r.result === "unknown") base.unknown.push(`${what}: ${r.reason}`);
  };
  // 2. Per family.
  try {
    for (const family of [4, 6] as const satisfies readonly IpFamily[]) {
      const t = performance.now();
      const fe = familyExpectation(a, node, family, e.target === "ebpf" ? "cells" : "halves");
      const step = { check: `IPv${family} model`, ms: performance.now() - t, result: "built" };
      base.timings.push(step);
      options.onStep?.(step);
      if (fe.contract === "cells" && fe.loose.length > 0)
        base.notes.push(
          `IPv${family}: ingress from pods whose own node checks their whole cell is checked as at least that cell (docs/ebpf.md)`,
        );
      const fronts = frontends(a, node, family);
      if (fe.ambiguous.length > 0)
        base.notes.push(
          `${fe.ambiguous.length} IPv${family} address(es) held by pods of different classes are not checked`,
        );
      await record(`IPv${family} policy`, () => checkPolicy(c, dp, a, fe, fronts, timeoutMs));
      await record(`IPv${family} Services`, () => checkNothingElse(c, dp, a, fe, fronts, timeoutMs));
      await record(`IPv${family} Service endpoints`, () =>
        checkReachable(c, dp, a, fronts, family, timeoutMs),
      );
      if (dp.filterMarkedConcrete && dp.nat(family))
        await record(`IPv${family} hairpin`, async () => checkHairpin(dp, a, fronts, family));
    }
  } catch (err) {
    if (err instanceof UnsupportedRule)
      return { ...base, status: "unsupported", checks, error: err, ms: performance.now() - t0 };
    throw err;
  }
  if (e.target === "ebpf" && a.cluster.services.some((s) => s.ports.some((p) => p.nodePort !== undefined)))
    base.notes.push("eBPF NodePorts are checked on the Node objects' addresses only (docs/ebpf.md, Limits)");
  const status = base.findings.length > 0 ? "mismatch" : base.unknown.length > 0 ? "unknown" : "verified";
  return { ...base, status, checks, ms: performance.now() - t0 };
}
