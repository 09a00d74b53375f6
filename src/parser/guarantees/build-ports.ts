/**
 * CST → AST for `on` lists:
 * | written                     | AST                                         |
 * |-----------------------------|---------------------------------------------|
 * | `any`, `all`                | `all`: every protocol and port              |
 * | `tcp` (also `TCP`)          | `protocol`: every port of that protocol     |
 * | `tcp/443`                   | `range` 443–443                             |
 * | `tcp/8000-8080`             | `range`; 1 ≤ from ≤ to ≤ 65535              |
 * | `tcp/http`                  | `named`: the destination pod's container port (IANA_SVC_NAME) |
 */
import type { IToken } from "chevrotain";
import { ianaSvcName } from "../names.js";
import type { PortSpec, Protocol } from "./ast.js";
import { type BuildContext, one, position, report } from "./context.js";
import type { PortListCstNode, PortSpecCstNode } from "./cst.js";

const MAX_PORT = 65535;
const NUMBER = /^[0-9]+$/;
const RANGE = /^([0-9]+)-([0-9]+)$/;

export function buildPorts(ctx: BuildContext, node: PortListCstNode): PortSpec[] {
  return node.children.portSpec.map((n) => buildPort(ctx, n));
}

function buildPort(ctx: BuildContext, node: PortSpecCstNode): PortSpec {
  const c = node.children;
  const token = one(c.Protocol ?? c.ProtoPort ?? c.Any ?? c.All);
  const source = position(ctx, token);
  if (c.Any || c.All) return { kind: "all", source };
  const slash = token.image.indexOf("/");
  const protocol = (slash < 0 ? token.image : token.image.slice(0, slash)).toUpperCase() as Protocol;
  if (slash < 0) return { kind: "protocol", protocol, source };
  const port = token.image.slice(slash + 1);
  const range = RANGE.exec(port);
  if (NUMBER.test(port) || range) {
    const from = portNumber(ctx, token, range ? range[1]! : port);
    const to = range ? portNumber(ctx, token, range[2]!) : from;
    if (from > to)
      report(ctx, "NP4004", token, `port range \`${port}\` ends before it starts`, `write \`${to}-${from}\``);
    return { kind: "range", protocol, from, to, source };
  }
  if (port === "") {
    report(
      ctx,
      "NP4004",
      token,
      `missing port after \`${token.image}\``,
      "e.g. `tcp/443`, `tcp/8000-8080`, `tcp/http`",
    );
    return { kind: "protocol", protocol, source };
  }
  const bad = ianaSvcName(port);
  if (bad)
    report(
      ctx,
      "NP4004",
      token,
      `invalid port \`${port}\`: not a number, a range or a port name (a port name ${bad})`,
    );
  return { kind: "named", protocol, name: port, source };
}

function portNumber(ctx: BuildContext, token: IToken, digits: string): number {
  const n = Number(digits);
  if (n < 1 || n > MAX_PORT) report(ctx, "NP4004", token, `port ${digits} is out of range 1-${MAX_PORT}`);
  return n;
}
