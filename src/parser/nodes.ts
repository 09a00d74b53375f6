/**
 * Node (core/v1) value checks, limited to what netpolc reads: labels (checked for every kind) select
 * nodes for `nodes` peers, and the InternalIP / ExternalIP entries of `status.addresses` are the
 * addresses such a peer matches. Other address types (Hostname, InternalDNS, ...) are not IPs.
 */
import { parseIp } from "./cidr.js";
import { isPlainObject } from "./positions.js";
import type { Report } from "./report.js";

const IP_TYPES = new Set(["InternalIP", "ExternalIP"]);

export function checkNode(r: Report, body: Record<string, unknown>): void {
  const status = body.status;
  if (!isPlainObject(status) || !Array.isArray(status.addresses)) return;
  status.addresses.forEach((a: unknown, i) => {
    if (!isPlainObject(a) || typeof a.type !== "string" || !IP_TYPES.has(a.type)) return;
    if (typeof a.address === "string" && !parseIp(a.address))
      r.error(
        "NP2007",
        ["status", "addresses", i, "address"],
        `invalid IP address ${JSON.stringify(a.address)} for an address of type ${a.type}`,
        "write the node's IP address; a name belongs in an address of type Hostname or InternalDNS",
      );
  });
}
