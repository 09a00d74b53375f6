/**
 * The engine's answer as a formula: for existing classes and address atoms, the connections the
 * connectivity engine allows, written over the same endpoint variables as the SMT encoding. Used to
 * cross-check the encoding against the engine, and as the model side of translation validation.
 */
import type { Analysis } from "../model/engine.js";
import { type ConnSet, connIsEmpty, type IpRange, PROTOCOLS } from "../model/index.js";
import { type Conn, type Endpoint, KIND, protoCode, type Space } from "./world.js";
import { and, type B, is, or } from "./z3.js";

/** A connection set as a formula over a symbolic connection. */
export function connFormula(space: Space, set: ConnSet, k: Conn): B {
  const c = space.ctx;
  const parts: B[] = [];
  for (const p of PROTOCOLS) {
    const iv = set[p];
    if (iv.length === 0) continue;
    const ranges: B[] = [];
    for (let i = 0; i < iv.length; i += 2) {
      const lo = iv[i]!;
      const hi = iv[i + 1]!;
      ranges.push(lo === hi ? is(k.port, lo) : c.And(k.port.uge(lo), k.port.ule(hi)));
    }
    parts.push(c.And(is(k.proto, protoCode(p)), or(c, ranges)));
  }
  return or(c, parts);
}

/** The endpoint is engine endpoint `e` (a class when e < K, else an address in atom e − K). */
export function isEngineEndpoint(space: Space, a: Analysis, x: Endpoint, e: number): B {
  const c = space.ctx;
  if (e < a.classCount) return c.And(is(x.kind, KIND.existing), is(x.ent, e));
  const atom: IpRange = a.space.atoms[e - a.classCount]!;
  return c.And(is(x.kind, KIND.address), space.ipIn(x, atom));
}

/** Restricts an endpoint to existing classes and addresses (what the engine enumerates). */
export function engineDomain(space: Space, x: Endpoint): B {
  return space.ctx.Or(is(x.kind, KIND.existing), is(x.kind, KIND.address));
}

/** allowed(src, dst, k) according to the engine, over classes and atoms (not hypothetical pods). */
export function engineAllowed(space: Space, a: Analysis, src: Endpoint, dst: Endpoint, k: Conn): B {
  const c = space.ctx;
  const n = a.classCount + a.space.atoms.length;
  const rows: B[] = [];
  for (let s = 0; s < n; s++) {
    const cells: B[] = [];
    for (let d = 0; d < n; d++) {
      if (s >= a.classCount && d >= a.classCount) {
        // Address to address: no policy applies; the engine does not enumerate it.
        cells.push(isEngineEndpoint(space, a, dst, d));
        continue;
      }
      const set = a.conn(s, d);
      if (connIsEmpty(set)) continue;
      cells.push(c.And(isEngineEndpoint(space, a, dst, d), connFormula(space, set, k)));
    }
    if (cells.length > 0) rows.push(c.And(isEngineEndpoint(space, a, src, s), or(c, cells)));
  }
  return and(c, [engineDomain(space, src), engineDomain(space, dst), or(c, rows)]);
}
