/** Terse builders for hand-written cases (semantics tables), in the generator's raw form. */
import type { NetworkPolicySpec, Protocol } from "../../../src/parser/index.js";
import type { RawClusterPolicy, RawNamespace, RawNode, RawPod, RawPolicy } from "./case.js";

export function ns(name: string, labels: Record<string, string> = {}): RawNamespace {
  return { kind: "Namespace", apiVersion: "v1", metadata: { name, labels } };
}

export interface PodOptions {
  readonly labels?: Record<string, string>;
  /** First one is `status.podIP`; all are `status.podIPs`. */
  readonly ips?: readonly string[];
  /** `name/PROTO/port`, e.g. `dns/UDP/53`; `name//port` leaves the protocol out (TCP). */
  readonly ports?: readonly string[];
  readonly hostNetwork?: boolean;
}

export function pod(key: string, o: PodOptions = {}): RawPod {
  const [namespace, name] = key.split("/") as [string, string];
  const ports = (o.ports ?? []).map((p) => {
    const [pname, proto, num] = p.split("/") as [string, string, string];
    return { name: pname, containerPort: Number(num), ...(proto ? { protocol: proto as Protocol } : {}) };
  });
  const ips = o.ips ?? [];
  return {
    kind: "Pod",
    apiVersion: "v1",
    metadata: { name, namespace, labels: o.labels ?? {} },
    spec: { containers: [{ name: "main", ports }], ...(o.hostNetwork ? { hostNetwork: true } : {}) },
    ...(ips.length > 0 ? { status: { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } } : {}),
  };
}

export function np(key: string, spec: NetworkPolicySpec): RawPolicy {
  const [namespace, name] = key.split("/") as [string, string];
  return { kind: "NetworkPolicy", apiVersion: "networking.k8s.io/v1", metadata: { name, namespace }, spec };
}

type ClusterSpec = RawClusterPolicy["spec"];

/** A ClusterNetworkPolicy v1alpha2 (actions Accept/Deny/Pass, ports as `protocols`). */
export function cnp(
  name: string,
  tier: "Admin" | "Baseline",
  priority: number,
  spec: Omit<ClusterSpec, "tier" | "priority">,
): RawClusterPolicy {
  return {
    kind: "ClusterNetworkPolicy",
    apiVersion: "policy.networking.k8s.io/v1alpha2",
    metadata: { name },
    spec: { tier, priority, ...spec },
  };
}

/** An AdminNetworkPolicy v1alpha1 (actions Allow/Deny/Pass, ports as `ports`). */
export function anp(
  name: string,
  priority: number,
  spec: Omit<ClusterSpec, "tier" | "priority">,
): RawClusterPolicy {
  return {
    kind: "AdminNetworkPolicy",
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    metadata: { name },
    spec: { priority, ...spec },
  };
}

/** The BaselineAdminNetworkPolicy v1alpha1 (always named `default`; actions Allow/Deny). */
export function banp(spec: Omit<ClusterSpec, "tier" | "priority">): RawClusterPolicy {
  return {
    kind: "BaselineAdminNetworkPolicy",
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    metadata: { name: "default" },
    spec,
  };
}

/** A Node; addresses as `Type=address`, e.g. `InternalIP=10.1.0.1`. */
export function node(name: string, labels: Record<string, string>, addresses: readonly string[]): RawNode {
  return {
    kind: "Node",
    apiVersion: "v1",
    metadata: { name, labels },
    status: {
      addresses: addresses.map((a) => {
        const [type, address] = a.split("=") as [string, string];
        return { type, address };
      }),
    },
  };
}
