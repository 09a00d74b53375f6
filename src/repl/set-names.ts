/**
 * Names inside a set of the guarantee language, checked against the current state before the solver
 * sees them: a workload or Service that does not exist makes the set empty and the answer vacuous, so
 * it is an error with a suggestion; a namespace that does not exist may be one that is yet to be
 * created, so it is an error only when it looks like a typo of an existing one.
 */
import type { Claim, SetExpr } from "../parser/index.js";
import { closest } from "../parser/index.js";
import { offsetOf, type QueryError, queryError, wordEnd } from "./query-error.js";
import type { State } from "./state.js";

export function checkSetNames(
  state: State,
  query: string,
  base: number,
  fragment: string,
  set: SetExpr,
): QueryError | undefined {
  const c = state.cluster;
  /** From the term's first token (e.g. `namespace`) to the end of the name in it. */
  const at = (x: { source: { line: number; column: number } }, name: string) => {
    const start = base + offsetOf(fragment, x.source.line, x.source.column);
    const i = query.indexOf(name, start);
    return { start, end: i >= 0 ? i + name.length : wordEnd(query, start) };
  };
  const walk = (x: SetExpr): QueryError | undefined => {
    switch (x.kind) {
      case "or":
      case "and":
      case "except":
        return walk(x.left) ?? walk(x.right);
      case "not":
        return walk(x.operand);
      case "pods": {
        const ns = x.namespace;
        if (ns?.kind !== "name" || c.namespaces.some((n) => n.name === ns.name)) return undefined;
        const hint = closest(
          ns.name,
          c.namespaces.map((n) => n.name),
        );
        return hint
          ? queryError(
              "NP9002",
              `no namespace \`${ns.name}\` in the input`,
              at(ns, ns.name),
              `did you mean ${hint}?`,
            )
          : undefined;
      }
      case "workload":
      case "ref":
      case "service": {
        const name = `${x.namespace}/${x.name}`;
        const workloads = c.workloads.filter(
          (w) => x.kind !== "workload" || !x.workloadKind || w.kind.toLowerCase() === x.workloadKind,
        );
        const found =
          (x.kind !== "service" && workloads.some((w) => `${w.namespace}/${w.name}` === name)) ||
          (x.kind !== "workload" && c.services.some((s) => `${s.namespace}/${s.name}` === name));
        if (found) return undefined;
        const candidates = [
          ...(x.kind !== "service" ? workloads.map((w) => `${w.namespace}/${w.name}`) : []),
          ...(x.kind !== "workload" ? c.services.map((s) => `${s.namespace}/${s.name}`) : []),
        ];
        const hint = closest(name, candidates);
        const what =
          x.kind === "service"
            ? "Service"
            : x.kind === "workload"
              ? (x.workloadKind ?? "workload")
              : "workload or Service";
        return queryError(
          "NP9002",
          `no ${what} \`${name}\` in the input`,
          at(x, name),
          hint ? `did you mean ${hint}?` : undefined,
        );
      }
      default:
        return undefined;
    }
  };
  return walk(set);
}

export function checkClaimNames(
  state: State,
  query: string,
  base: number,
  fragment: string,
  claim: Claim,
): QueryError | undefined {
  const check = (s: SetExpr) => checkSetNames(state, query, base, fragment, s);
  switch (claim.kind) {
    case "reach":
      return check(claim.from) ?? check(claim.to);
    case "isolated":
      return check(claim.subject);
    case "within":
      return check(claim.subject) ?? claim.entries.map((e) => check(e.peers)).find((e) => e !== undefined);
  }
}
