/**
 * Checks on the text of words the lexer accepts loosely: guarantee names, namespace and object
 * names, `ns/name` references, addresses. Label keys and values are checked where they are built
 * (build-set.ts), with the API server's rules from ../names.ts.
 */
import type { IToken } from "chevrotain";
import ipaddr from "ipaddr.js";
import { dns1035Label, dns1123Label, dns1123Subdomain } from "../names.js";
import { type BuildContext, report } from "./context.js";

const GUARANTEE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const MAX_GUARANTEE_NAME = 253;

export function checkGuaranteeName(ctx: BuildContext, token: IToken): string {
  const name = token.image;
  if (!GUARANTEE_NAME.test(name) || name.length > MAX_GUARANTEE_NAME)
    report(
      ctx,
      "NP4009",
      token,
      `invalid guarantee name \`${name}\`: use letters, digits, '-', '_' and '.' (at most ${MAX_GUARANTEE_NAME} characters), starting with a letter or digit`,
    );
  return name;
}

export function checkNamespaceName(ctx: BuildContext, token: IToken, name: string): string {
  const bad = dns1123Label(name);
  if (bad) report(ctx, "NP4010", token, `invalid namespace name \`${name}\`: ${bad}`);
  return name;
}

export type ObjectKind = "workload" | "service" | "ref";

/**
 * `ns/name`: a namespace (DNS-1123 label) and an object name — a DNS-1123 subdomain for workloads
 * and pods, a DNS-1035 label for Services. A bare reference may be either, so it takes the wider rule.
 */
export function splitReference(
  ctx: BuildContext,
  token: IToken,
  kind: ObjectKind,
): { namespace: string; name: string } {
  const parts = token.image.split("/");
  const [namespace = "", name = ""] = parts;
  if (parts.length !== 2 || namespace === "" || name === "") {
    report(ctx, "NP4010", token, `invalid reference \`${token.image}\`: expected \`namespace/name\``);
    return { namespace, name };
  }
  checkNamespaceName(ctx, token, namespace);
  const bad = kind === "service" ? dns1035Label(name) : dns1123Subdomain(name);
  if (bad)
    report(
      ctx,
      "NP4010",
      token,
      `invalid ${kind === "service" ? "Service" : "object"} name \`${name}\`: ${bad}`,
    );
  return { namespace, name };
}

/**
 * An address or CIDR as written: IPv4 in four decimal parts (no leading zeros, which some tools read
 * as octal), or IPv6; a prefix length within the family's width. Host bits may be set, as
 * Kubernetes' ipBlock accepts them.
 */
export function checkAddress(ctx: BuildContext, token: IToken): string {
  const text = token.image;
  const v6 = text.includes(":");
  const cidr = text.includes("/");
  const valid = v6
    ? cidr
      ? ipaddr.IPv6.isValidCIDR(text)
      : ipaddr.IPv6.isValid(text)
    : cidr
      ? ipaddr.IPv4.isValidCIDRFourPartDecimal(text)
      : ipaddr.IPv4.isValidFourPartDecimal(text);
  if (!valid)
    report(
      ctx,
      "NP4003",
      token,
      `invalid ${cidr ? "CIDR" : "IP address"} \`${text}\``,
      v6
        ? "an IPv6 address such as `fd00::1` or a range such as `fd00::/8` (prefix at most 128)"
        : "an IPv4 address such as `192.0.2.1` or a range such as `10.0.0.0/8` (four decimal octets 0-255, prefix at most 32)",
    );
  return text;
}
