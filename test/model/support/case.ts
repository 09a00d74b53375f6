/**
 * A test case is a list of raw manifests (what a YAML file would hold, without positions), so it is
 * JSON: fast-check prints it, regression fixtures store it, and the oracle reads it directly.
 * `toObjects` adds the fake provenance the parser would attach.
 */
import type { SourceRef } from "../../../src/common/index.js";
import type { buildCluster } from "../../../src/model/index.js";
import type {
  ClusterPolicyObject,
  NamespaceObject,
  NetworkPolicyObject,
  NodeObject,
  PodObject,
} from "../../../src/parser/index.js";

type Raw<T> = Omit<T, "source" | "locate">;
export type RawNamespace = Raw<NamespaceObject>;
export type RawPod = Raw<PodObject>;
export type RawPolicy = Raw<NetworkPolicyObject>;
/** ClusterNetworkPolicy v1alpha2, AdminNetworkPolicy or BaselineAdminNetworkPolicy v1alpha1. */
export type RawClusterPolicy = Raw<ClusterPolicyObject>;
export type RawNode = Raw<NodeObject>;
export type RawObject = RawNamespace | RawPod | RawPolicy | RawClusterPolicy | RawNode;
type ModelInput = Parameters<typeof buildCluster>[0][number];

export interface Case {
  readonly objects: readonly RawObject[];
  /** Extra probe addresses and ports beyond the ones derived from the objects. */
  readonly probeIps?: readonly string[];
  readonly probePorts?: readonly number[];
}

export function toObjects(raw: readonly RawObject[]): ModelInput[] {
  return raw.map((o) => {
    const source: SourceRef = {
      file: "gen.yaml",
      line: 1,
      column: 1,
      object: { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name },
    };
    return { ...o, source, locate: () => source } as ModelInput;
  });
}

export const podKey = (p: { metadata: { namespace?: string; name: string } }): string =>
  `${p.metadata.namespace ?? "default"}/${p.metadata.name}`;

export const podsOf = (c: Case): RawPod[] => c.objects.filter((o): o is RawPod => o.kind === "Pod");
export const policiesOf = (c: Case): RawPolicy[] =>
  c.objects.filter((o): o is RawPolicy => o.kind === "NetworkPolicy");
export const clusterPoliciesOf = (c: Case): RawClusterPolicy[] =>
  c.objects.filter(
    (o): o is RawClusterPolicy =>
      o.kind === "ClusterNetworkPolicy" ||
      o.kind === "AdminNetworkPolicy" ||
      o.kind === "BaselineAdminNetworkPolicy",
  );
export const nodesOf = (c: Case): RawNode[] => c.objects.filter((o): o is RawNode => o.kind === "Node");

/** One line per object: readable in a failure report. */
export function dumpCase(c: Case): string {
  const lines = c.objects.map((o) => {
    const m = o.metadata;
    const labels = m.labels && Object.keys(m.labels).length > 0 ? ` labels=${JSON.stringify(m.labels)}` : "";
    switch (o.kind) {
      case "Namespace":
        return `Namespace ${m.name}${labels}`;
      case "Pod": {
        const p = o as RawPod;
        const ports = (p.spec.containers ?? [])
          .flatMap((c) => c.ports ?? [])
          .map((cp) => `${cp.name ?? "-"}/${cp.protocol ?? "(TCP)"}/${cp.containerPort}`);
        const ips = [
          ...new Set([p.status?.podIP, ...(p.status?.podIPs ?? []).map((x) => x.ip)].filter(Boolean)),
        ];
        return `Pod ${podKey(p)}${labels} ips=[${ips.join(",")}] ports=[${ports.join(",")}]${p.spec.hostNetwork ? " hostNetwork" : ""}`;
      }
      case "NetworkPolicy":
        return `NetworkPolicy ${m.namespace ?? "(default)"}/${m.name} ${JSON.stringify((o as RawPolicy).spec)}`;
      case "Node": {
        const addrs = ((o as RawNode).status?.addresses ?? []).map((a) => `${a.type}=${a.address}`);
        return `Node ${m.name}${labels} addresses=[${addrs.join(",")}]`;
      }
      case "ClusterNetworkPolicy":
      case "AdminNetworkPolicy":
      case "BaselineAdminNetworkPolicy":
        return `${o.kind} ${m.name} ${JSON.stringify((o as RawClusterPolicy).spec)}`;
      default:
        return JSON.stringify(o);
    }
  });
  if (c.probeIps?.length) lines.push(`probe IPs: ${c.probeIps.join(", ")}`);
  if (c.probePorts?.length) lines.push(`probe ports: ${c.probePorts.join(", ")}`);
  return lines.join("\n");
}
