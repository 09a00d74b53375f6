/**
 * The distilled map state of one node: what the maps hold, as plain values, before any rendering.
 * Layer two of three (model → this state → bytes), as in Cilium's policy package.
 */
import type { Analysis } from "../../model/index.js";
import type { EmitOptions } from "../types.js";
import { buildEndpoints, buildIpcache, type EndpointEntry, type IpcacheEntry } from "./addresses.js";
import { allocateIdentities, type Identities } from "./identities.js";
import { EP_EGRESS, EP_INGRESS, NO_POLICY } from "./layout.js";
import { PolicyBuilder, type PolicyEntry } from "./policy.js";
import { type BackendEntry, buildServices, type ServiceEntry } from "./services.js";

export interface PolicyMapState {
  readonly id: number;
  /** Identities of the classes sharing this map. */
  readonly identities: readonly number[];
  readonly entries: readonly PolicyEntry[];
}

export interface LocalEndpoint extends EndpointEntry {
  /** Index of the endpoint's policy map, or NO_POLICY. */
  readonly policy: number;
  readonly flags: number;
}

export interface EbpfState {
  readonly node: string;
  readonly identities: Identities;
  readonly analysis: Analysis;
  readonly ipcache: readonly IpcacheEntry[];
  readonly endpoints: readonly LocalEndpoint[];
  readonly policies: readonly PolicyMapState[];
  readonly services: readonly ServiceEntry[];
  readonly backends: readonly BackendEntry[];
  /** What the maps cannot express or had to choose, one sentence each. */
  readonly notes: readonly string[];
}

export function buildState(a: Analysis, options: EmitOptions): EbpfState {
  const notes: string[] = [];
  // 1. Identities: pod classes, groups of external atoms.
  const identities = allocateIdentities(a);
  // 2. ipcache (cluster-wide) and the node's endpoints.
  const ipcache = buildIpcache(a, identities, notes);
  const local = buildEndpoints(a, identities, options.node, notes);
  // 3. One policy map per class of a local endpoint, shared by classes with equal entries,
  //    numbered in order of identity.
  const builder = new PolicyBuilder(a, identities);
  const classes = [...new Set(local.map((e) => e.classIndex))].sort(
    (x, y) => identities.ofClass[x]! - identities.ofClass[y]!,
  );
  const mapOfClass = new Map<number, number>();
  const byContent = new Map<string, number>();
  const policies: { id: number; identities: number[]; entries: PolicyEntry[] }[] = [];
  for (const c of classes) {
    const enforces = builder.enforces[c]!;
    if (!enforces.ingress && !enforces.egress) continue;
    const entries = builder.entries(c);
    const key = entries
      .map((e) => `${e.identity}.${e.egress ? 1 : 0}.${e.protocol}.${e.port}.${e.prefixlen}`)
      .join(",");
    let id = byContent.get(key);
    if (id === undefined) {
      id = policies.length;
      byContent.set(key, id);
      policies.push({ id, identities: [], entries });
    }
    policies[id]!.identities.push(identities.ofClass[c]!);
    mapOfClass.set(c, id);
  }
  const endpoints = local.map((e): LocalEndpoint => {
    const f = builder.enforces[e.classIndex]!;
    return {
      ...e,
      policy: mapOfClass.get(e.classIndex) ?? NO_POLICY,
      flags: (f.ingress ? EP_INGRESS : 0) | (f.egress ? EP_EGRESS : 0),
    };
  });
  // 4. Services.
  const { services, backends } = buildServices(a, options.node, notes);
  if (a.options.hostNetwork === "distinguish" && a.index.classes.some((c) => c.hostNetwork))
    notes.push(
      "hostNetwork pods are policed in the model (hostNetwork: distinguish) but have no interface to enforce on",
    );
  return {
    node: options.node ?? "",
    identities,
    analysis: a,
    ipcache,
    endpoints,
    policies,
    services,
    backends,
    notes,
  };
}
