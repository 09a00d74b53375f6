/**
 * Readable models. z3 returns any satisfying assignment; a counterexample or witness reads better
 * with existing pods, few labels, no stray named ports and IPv4. `solveReadable` checks a query and
 * then keeps, phase by phase, the preference literals that stay satisfiable (the unsat core of the
 * assumptions says which to drop).
 */
import { Decoder } from "./decode.js";
import type { Universe } from "./universe.js";
import { type Endpoint, KIND, type Space } from "./world.js";
import { type B, type CheckResult, type Ctx, is, isnt } from "./z3.js";

type Solver = InstanceType<Ctx["Solver"]>;

export interface Solved {
  readonly result: CheckResult;
  readonly decoder?: Decoder | undefined;
  readonly reason?: string | undefined;
}

/** Existing pods first; then known namespaces, IPv4, no labels, no named ports. */
export function readablePreferences(space: Space, ...endpoints: readonly Endpoint[]): B[][] {
  const c = space.ctx;
  const simple: B[] = [];
  for (const e of endpoints) {
    simple.push(isnt(e.ns, space.universe.namespaces.length), c.Not(e.is6));
    for (const x of e.lab.values()) simple.push(is(x, 0));
    for (const x of e.nsLab.values()) simple.push(is(x, 0));
    for (const slot of e.slots) for (const p of slot.present) simple.push(c.Not(p));
  }
  return [endpoints.map((e) => is(e.kind, KIND.existing)), simple];
}

/** Checks `query` in a push/pop scope of `solver`; decodes a readable model when satisfiable. */
export async function solveReadable(
  ctx: Ctx,
  solver: Solver,
  query: B,
  preferences: readonly (readonly B[])[],
  universe: Universe,
): Promise<Solved> {
  solver.push();
  try {
    solver.add(query);
    const result = await solver.check();
    if (result === "unknown") return { result, reason: solver.reasonUnknown() };
    if (result === "unsat") return { result };
    const fixed: B[] = [];
    for (const phase of preferences) {
      let lits = [...phase];
      for (let round = 0; round < 6 && lits.length > 0; round++) {
        const r = await solver.check(...fixed, ...lits);
        if (r === "sat") {
          fixed.push(...lits);
          break;
        }
        if (r === "unknown") break;
        const core = new Set([...solver.unsatCore()].map((x) => x.id()));
        const kept = lits.filter((l) => !core.has(l.id()));
        lits = kept.length === lits.length ? [] : kept;
      }
    }
    if ((await solver.check(...fixed)) !== "sat") await solver.check();
    return { result, decoder: new Decoder(ctx, solver.model(), universe) };
  } finally {
    solver.pop();
  }
}
