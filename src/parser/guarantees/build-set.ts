/**
 * CST → AST for set expressions and label selectors.
 *
 * Forms and their AST (see ast.ts):
 * | written                              | AST                                                         |
 * |--------------------------------------|-------------------------------------------------------------|
 * | `pods`, `pod`, `all pods`            | `pods` (any labels, any namespace)                          |
 * | `any pod`, `existing pods(a=b)`      | `pods` with `domain`                                        |
 * | `namespace prod`, `namespace(t=x)`   | `pods` with `namespace` (`namespaces(…)` is the same)       |
 * | `any namespace`                      | `pods`, domain `any`, namespace selector `()`: every namespace |
 * | `X in N`, X a `pods` without namespace | X with `namespace: N`                                     |
 * | `X in N`, otherwise                  | `X and (pods in N)`                                         |
 * | `a or b`, `a and b`, `a except b`    | left-associative binary nodes; `and`/`except` bind tighter  |
 * `any` / `existing` apply to pod sets only (NP4006).
 */
import type { IToken } from "chevrotain";
import { labelValue, qualifiedName } from "../names.js";
import type { Domain, LabelRequirement, NamespaceExpr, SetExpr } from "./ast.js";
import { checkAddress, checkNamespaceName, splitReference } from "./checks.js";
import { type BuildContext, nodePosition, one, position, report } from "./context.js";
import type {
  AndExprCstNode,
  LabelValueCstNode,
  NamespaceRestCstNode,
  NamespaceScopeCstNode,
  ObjectRefCstNode,
  PodSetCstNode,
  PostfixCstNode,
  PrimaryCstNode,
  RequirementCstNode,
  SelectorCstNode,
  SetExprCstNode,
  TargetCstNode,
  UnaryCstNode,
} from "./cst.js";

type PodsNode = Extract<SetExpr, { kind: "pods" }>;

export function buildSet(ctx: BuildContext, node: SetExprCstNode): SetExpr {
  const [first, ...rest] = node.children.andExpr.map((n) => buildAnd(ctx, n));
  let left = one([first]);
  const source = nodePosition(ctx, node);
  for (const right of rest) left = { kind: "or", left, right, source };
  return left;
}

function buildAnd(ctx: BuildContext, node: AndExprCstNode): SetExpr {
  const operands = node.children.unary.map((n) => buildUnary(ctx, n));
  const ops = node.children.op ?? [];
  let left = one(operands);
  ops.forEach((op, i) => {
    const right = one([operands[i + 1]]);
    left = { kind: op.image === "and" ? "and" : "except", left, right, source: nodePosition(ctx, node) };
  });
  return left;
}

function buildUnary(ctx: BuildContext, node: UnaryCstNode): SetExpr {
  let expr = buildPostfix(ctx, one(node.children.postfix));
  const nots = node.children.Not ?? [];
  for (let i = nots.length - 1; i >= 0; i--)
    expr = { kind: "not", operand: expr, source: position(ctx, one([nots[i]])) };
  return expr;
}

function buildPostfix(ctx: BuildContext, node: PostfixCstNode): SetExpr {
  let expr = buildPrimary(ctx, one(node.children.primary));
  for (const scope of node.children.namespaceScope ?? []) {
    const namespace = buildScope(ctx, scope);
    if (expr.kind === "pods" && expr.namespace === undefined) expr = { ...expr, namespace };
    else
      expr = {
        kind: "and",
        left: expr,
        right: { kind: "pods", namespace, source: namespace.source },
        source: nodePosition(ctx, node),
      };
  }
  return expr;
}

function buildScope(ctx: BuildContext, node: NamespaceScopeCstNode): NamespaceExpr {
  const c = node.children;
  if (c.Any) return everyNamespace(ctx, one(c.Any));
  if (c.Namespaces) return selectorNamespace(ctx, one(c.Namespaces), one(c.selector));
  return namespaceRest(ctx, one(c.Namespace), one(c.namespaceRest));
}

function everyNamespace(ctx: BuildContext, token: IToken): NamespaceExpr {
  return { kind: "labels", labels: [], source: position(ctx, token) };
}

function selectorNamespace(ctx: BuildContext, token: IToken, selector: SelectorCstNode): NamespaceExpr {
  return { kind: "labels", labels: buildSelector(ctx, selector), source: position(ctx, token) };
}

/** `namespace NAME`, `namespace(LABELS)`, or `namespace` alone (only after `any`: every namespace). */
function namespaceRest(ctx: BuildContext, keyword: IToken, node: NamespaceRestCstNode): NamespaceExpr {
  const c = node.children;
  if (c.selector) return selectorNamespace(ctx, keyword, one(c.selector));
  if (c.name) {
    const token = one(c.name);
    return {
      kind: "name",
      name: checkNamespaceName(ctx, token, token.image),
      source: position(ctx, keyword),
    };
  }
  return everyNamespace(ctx, keyword);
}

function buildPrimary(ctx: BuildContext, node: PrimaryCstNode): SetExpr {
  const expr = buildTarget(ctx, one(node.children.target));
  const domainToken = node.children.domain?.[0];
  if (!domainToken) return expr;
  const domain = domainToken.image as Domain;
  if (expr.kind !== "pods") {
    report(
      ctx,
      "NP4006",
      domainToken,
      `\`${domain}\` applies to pod sets, not to ${describeSet(expr)}`,
      "write it before `pods(…)`, `pod`, `namespace …` or a parenthesised pod set",
    );
    return expr;
  }
  if (expr.domain !== undefined && expr.domain !== domain)
    report(ctx, "NP4006", domainToken, `\`${domain}\` contradicts the \`${expr.domain}\` inside`);
  return { ...expr, domain, source: position(ctx, domainToken) };
}

function describeSet(expr: SetExpr): string {
  switch (expr.kind) {
    case "cidr":
      return "an address";
    case "workload":
    case "service":
    case "ref":
      return `a ${expr.kind === "ref" ? "named object" : expr.kind}`;
    case "external":
      return "`external`";
    case "anything":
      return "`anything`";
    default:
      return "a set combined from other sets";
  }
}

function buildTarget(ctx: BuildContext, node: TargetCstNode): SetExpr {
  const c = node.children;
  if (c.parenSet) return buildSet(ctx, one(one(c.parenSet).children.setExpr));
  if (c.podSet) return buildPodSet(ctx, one(c.podSet));
  if (c.namespaceSet) {
    const n = one(c.namespaceSet).children;
    const keyword = one(n.Namespace ?? n.Namespaces);
    const namespace = n.namespaceRest
      ? namespaceRest(ctx, keyword, one(n.namespaceRest))
      : selectorNamespace(ctx, keyword, one(n.selector));
    return { kind: "pods", namespace, source: position(ctx, keyword) };
  }
  if (c.objectRef) return buildObjectRef(ctx, one(c.objectRef));
  const address = c.IPv4Like ?? c.IPv6Like;
  if (address)
    return { kind: "cidr", text: checkAddress(ctx, one(address)), source: position(ctx, one(address)) };
  if (c.External) return { kind: "external", source: position(ctx, one(c.External)) };
  return { kind: "anything", source: position(ctx, one(c.Everything)) };
}

function buildPodSet(ctx: BuildContext, node: PodSetCstNode): SetExpr {
  const c = node.children;
  const first = one(c.Pods ?? c.Pod ?? c.All);
  const source = position(ctx, first);
  if (c.Path) {
    const ref = splitReference(ctx, one(c.Path), "workload");
    return { kind: "workload", ...ref, workloadKind: "pod", source };
  }
  const pods: PodsNode = c.selector
    ? { kind: "pods", labels: buildSelector(ctx, one(c.selector)), source }
    : { kind: "pods", source };
  return pods;
}

function buildObjectRef(ctx: BuildContext, node: ObjectRefCstNode): SetExpr {
  const c = node.children;
  const prefix = c.prefix?.[0];
  const path = one(c.Path);
  const source = position(ctx, prefix ?? path);
  if (!prefix) return { kind: "ref", ...splitReference(ctx, path, "ref"), source };
  if (prefix.image === "service") return { kind: "service", ...splitReference(ctx, path, "service"), source };
  const ref = splitReference(ctx, path, "workload");
  return prefix.image === "workload"
    ? { kind: "workload", ...ref, source }
    : { kind: "workload", ...ref, workloadKind: prefix.image, source };
}

export function buildSelector(ctx: BuildContext, node: SelectorCstNode): LabelRequirement[] {
  return node.children.requirement.map((r) => buildRequirement(ctx, r));
}

function buildRequirement(ctx: BuildContext, node: RequirementCstNode): LabelRequirement {
  const c = node.children;
  const keyToken = one(c.key);
  const key = keyToken.image;
  const bad = qualifiedName(key);
  if (bad) report(ctx, "NP4002", keyToken, `invalid label key \`${key}\`: ${bad}`);
  const source = position(ctx, c.Bang?.[0] ?? keyToken);
  if (c.Bang) return { key, operator: "DoesNotExist", values: [], source };
  if (c.equality) {
    const e = one(c.equality).children;
    const value = e.labelValue ? buildValue(ctx, one(e.labelValue)) : "";
    return { key, operator: one(e.op).image === "!=" ? "NotIn" : "In", values: [value], source };
  }
  if (c.membership) {
    const m = one(c.membership).children;
    const values = m.labelValue.map((v) => buildValue(ctx, v));
    return { key, operator: one(m.op).image === "notin" ? "NotIn" : "In", values, source };
  }
  return { key, operator: "Exists", values: [], source };
}

/** A bare word, or a double-quoted string with JSON escapes; either must be a valid label value. */
function buildValue(ctx: BuildContext, node: LabelValueCstNode): string {
  const token = one(node.children.Word ?? node.children.StringLit);
  let value = token.image;
  if (node.children.StringLit) {
    try {
      value = JSON.parse(token.image) as string;
    } catch {
      report(
        ctx,
        "NP4002",
        token,
        `invalid string ${token.image}: only \\" and \\\\ and JSON escapes are allowed`,
      );
      return token.image;
    }
  }
  const bad = labelValue(value);
  if (bad) report(ctx, "NP4002", token, `invalid label value ${JSON.stringify(value)}: ${bad}`);
  return value;
}
