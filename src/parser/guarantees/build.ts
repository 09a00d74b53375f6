/**
 * CST → AST for statements and claims (sets: build-set.ts; ports: build-ports.ts). Input is a
 * complete CST (parse.ts builds only after a successful parse); checks of names, labels, addresses
 * and ports add diagnostics to the context.
 */
import type { IToken } from "chevrotain";
import type { Claim, WithinEntry } from "./ast.js";
import { buildPorts } from "./build-ports.js";
import { buildSet } from "./build-set.js";
import { checkGuaranteeName } from "./checks.js";
import { type BuildContext, nodePosition, one, position } from "./context.js";
import type { ClaimCstNode, StatementCstNode, WithinEntryCstNode } from "./cst.js";

export { buildPorts } from "./build-ports.js";
export { buildSet } from "./build-set.js";

/** A statement's name (and its token, for a duplicate-name diagnostic) and claim. */
export function buildStatementHead(
  ctx: BuildContext,
  node: StatementCstNode,
): { name: string; nameToken: IToken; claim: Claim } {
  const nameToken = one(node.children.name);
  const name = checkGuaranteeName(ctx, nameToken);
  return { name, nameToken, claim: buildClaim(ctx, one(node.children.claim)) };
}

export function buildClaim(ctx: BuildContext, node: ClaimCstNode): Claim {
  const c = node.children;
  if (c.reachClaim) {
    const r = one(c.reachClaim).children;
    const verdict = one(r.verdict);
    const from = buildSet(ctx, one(r.from));
    const to = buildSet(ctx, one(r.to));
    const source = position(ctx, verdict);
    const kind = "reach";
    const v = verdict.image === "allow" ? "allow" : "deny";
    return r.portList
      ? { kind, verdict: v, from, to, ports: buildPorts(ctx, one(r.portList)), source }
      : { kind, verdict: v, from, to, source };
  }
  if (c.isolatedClaim) {
    const i = one(c.isolatedClaim).children;
    const direction = one(i.direction).image as "ingress" | "egress" | "both";
    const subject = buildSet(ctx, one(i.setExpr));
    return { kind: "isolated", direction, subject, source: position(ctx, one(i.Isolated)) };
  }
  const w = one(c.withinClaim).children;
  const direction = one(w.direction);
  return {
    kind: "within",
    direction: direction.image as "ingress" | "egress",
    subject: buildSet(ctx, one(w.setExpr)),
    entries: w.withinEntry.map((e) => buildEntry(ctx, e)),
    source: position(ctx, direction),
  };
}

function buildEntry(ctx: BuildContext, node: WithinEntryCstNode): WithinEntry {
  const peers = buildSet(ctx, one(node.children.setExpr));
  return node.children.portList
    ? { peers, ports: buildPorts(ctx, one(node.children.portList)), source: nodePosition(ctx, node) }
    : { peers, source: nodePosition(ctx, node) };
}
