/**
 * One query: the assertions (with the auxiliary definitions they use) on a fresh solver, with a
 * timeout; `unknown` is a result of its own, never read as a proof.
 */
import type { Model } from "z3-solver";
import type { B, Ctx } from "../z3.js";
import type { F, Fm, V } from "./formula.js";
import { type ConcretePacket, type Packet, PROTO_CODES } from "./packet.js";

export type Solved = (
  | { readonly result: "unsat" }
  | { readonly result: "sat"; readonly model: Model<"netpolc"> }
  | { readonly result: "unknown"; readonly reason: string }
) & { readonly solveMs: number };

export async function solve(c: Ctx, fm: Fm, goals: readonly F[], timeoutMs: number): Promise<Solved> {
  if (goals.includes(false)) return { result: "unsat", solveMs: 0 };
  const t0 = performance.now();
  const solver = new c.Solver();
  solver.set("timeout", timeoutMs);
  for (const d of fm.defs) solver.add(d);
  for (const g of goals) if (g !== true) solver.add(g as B);
  try {
    const r = await solver.check();
    const solveMs = performance.now() - t0;
    if (r === "unsat") return { result: "unsat", solveMs };
    if (r === "sat") return { result: "sat", model: solver.model(), solveMs };
    return { result: "unknown", reason: solver.reasonUnknown(), solveMs };
  } finally {
    // z3's memory lives in a wasm heap the JavaScript collector does not see: free it now.
    solver.release();
  }
}

export function bigintIn(model: Model<"netpolc">, x: V): bigint {
  if (typeof x === "bigint") return x;
  return (model.eval(x, true) as unknown as { value(): bigint }).value();
}

export function boolIn(c: Ctx, model: Model<"netpolc">, x: F): boolean {
  if (typeof x === "boolean") return x;
  return c.isTrue(model.eval(x, true));
}

export function packetIn(c: Ctx, model: Model<"netpolc">, p: Packet): ConcretePacket {
  const code = Number(bigintIn(model, p.proto));
  return {
    family: p.family,
    src: bigintIn(model, p.src),
    dst: bigintIn(model, p.dst),
    proto: PROTO_CODES[code] ?? "TCP",
    dport: Number(bigintIn(model, p.dport)),
    dstLocal: boolIn(c, model, p.dstLocal),
  };
}
