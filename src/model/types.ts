/**
 * The cluster model: the contract between the model stage and everything after it (solver, emit,
 * front-ends). All values are immutable. Every node carries its provenance (`source`) and has a
 * stable key so output, golden files and fingerprints are deterministic.
 */
import type { ObjectRef, SourceRef } from "../common/index.js";
import type { LabelSelector, Labels, Protocol } from "../parser/index.js";
import type { IpAddress, IpRange } from "./addresses.js";

export type { LabelSelector, Labels, Protocol };

export interface Namespace {
  readonly name: string;
  /** Always includes `kubernetes.io/metadata.name: <name>` (set by the API server since 1.21). */
  readonly labels: Labels;
  /** True when no Namespace object was given and the namespace is implied by an object in it. */
  readonly implied: boolean;
  readonly source?: SourceRef | undefined;
}

/** A container port: the targets of named ports in policies. */
export interface NamedPort {
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
}

/** What a pod stands for in connectivity output: its owner (`ns/name[Kind]`), or itself (`[Pod]`). */
export interface WorkloadRef {
  readonly namespace: string;
  readonly name: string;
  readonly kind: string;
}

export interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly ports: readonly NamedPort[];
  readonly ips: readonly IpAddress[];
  /** hostNetwork pods share their node's network namespace: NetworkPolicy does not select them. */
  readonly hostNetwork: boolean;
  readonly nodeName?: string | undefined;
  readonly workload: WorkloadRef;
  /** True for pods synthesised from a workload template (replica i of N). */
  readonly fromTemplate: boolean;
  /**
   * Ready to serve (Service endpoint). A Pod object is ready unless its phase is not Running or its
   * Ready condition is False; template replicas are ready.
   */
  readonly ready: boolean;
  readonly source: SourceRef;
}

export interface Workload extends WorkloadRef {
  /** Indexes into Cluster.pods. */
  readonly pods: readonly number[];
  readonly source: SourceRef;
}

/**
 * Which namespaces a peer's pods may live in.
 * - `same`: the policy's own namespace (peer has podSelector without namespaceSelector).
 * - `selector`: namespaces whose labels match (an empty selector matches every namespace).
 */
export type NamespaceScope =
  | { readonly kind: "same"; readonly namespace: string }
  | { readonly kind: "selector"; readonly selector: LabelSelector };

/**
 * A NetworkPolicyPeer. Semantic table (networking.k8s.io/v1 NetworkPolicyPeer):
 * | podSelector | namespaceSelector | matches                                                  |
 * |-------------|-------------------|----------------------------------------------------------|
 * | set         | absent            | pods matching it in the policy's namespace               |
 * | absent      | set               | all pods in namespaces matching it ({} = all namespaces)  |
 * | set         | set               | pods matching podSelector in namespaces matching nsSel (AND) |
 * | ipBlock     |                   | addresses in cidr minus every except (see `ipBlockPods`) |
 * `any` stands for an absent or empty `from`/`to` list: every pod and every address.
 */
export type Peer =
  | { readonly kind: "any" }
  | {
      readonly kind: "pods";
      readonly namespaces: NamespaceScope;
      readonly pods: LabelSelector;
      readonly source: SourceRef;
    }
  | {
      readonly kind: "ipBlock";
      readonly cidr: IpRange;
      readonly except: readonly IpRange[];
      readonly source: SourceRef;
    }
  /** Cluster policies only: the addresses of the Nodes whose labels match. */
  | { readonly kind: "nodes"; readonly selector: LabelSelector; readonly source: SourceRef }
  /** Cluster policies only: DNS names cannot be resolved statically; matches no known address. */
  | { readonly kind: "domainNames"; readonly names: readonly string[]; readonly source: SourceRef };

/** One entry of a rule's ports list; `all` stands for an absent or empty list. */
export type PortMatch =
  | { readonly kind: "all" }
  | { readonly kind: "protocol"; readonly protocol: Protocol }
  | { readonly kind: "range"; readonly protocol: Protocol; readonly from: number; readonly to: number }
  /** `anyProtocol`: cluster policies' named ports match the container port of any protocol. */
  | {
      readonly kind: "named";
      readonly protocol: Protocol;
      readonly name: string;
      readonly anyProtocol?: boolean;
    };

export type Direction = "ingress" | "egress";

/** A compiled policy rule with its provenance: the unit explanations and emitters refer to. */
export interface Rule {
  readonly direction: Direction;
  /** Index of the rule within the policy's ingress or egress list. */
  readonly index: number;
  readonly peers: readonly Peer[];
  readonly ports: readonly PortMatch[];
  readonly source: SourceRef;
}

/** A NetworkPolicy after defaulting (policyTypes, protocols) — its meaning, not its spelling. */
export interface NetworkPolicy {
  readonly tier: "networkpolicy";
  readonly ref: ObjectRef;
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  /** Whether the policy isolates its pods in each direction (defaulted policyTypes). */
  readonly isolates: { readonly ingress: boolean; readonly egress: boolean };
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
  readonly source: SourceRef;
}

/**
 * Tier actions (ClusterNetworkPolicy v1alpha2; v1alpha1's Allow is Accept):
 * | action | meaning in its direction                                                      |
 * |--------|-------------------------------------------------------------------------------|
 * | accept | allowed; no later rule of this direction (any tier) is consulted              |
 * | deny   | dropped; nothing later is consulted                                           |
 * | pass   | skip the rest of this tier; the next tier decides (Admin → NetworkPolicy →    |
 * |        | Baseline → default allow)                                                     |
 * Each direction is evaluated on its own: an egress Accept still needs the destination's ingress.
 */
export type TierAction = "accept" | "deny" | "pass";

export type Tier = "admin" | "baseline";

export interface TierRule extends Rule {
  readonly action: TierAction;
  readonly name?: string | undefined;
}

/**
 * A ClusterNetworkPolicy (or v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy) after
 * normalisation. Subject `namespaces: S` is written as `{namespaces: S, pods: {}}`.
 */
export interface ClusterPolicy {
  readonly tier: Tier;
  readonly ref: ObjectRef;
  /** Lower first. Baseline v1alpha1 policies have none (0). */
  readonly priority: number;
  readonly subject: { readonly namespaces: LabelSelector; readonly pods: LabelSelector };
  readonly ingress: readonly TierRule[];
  readonly egress: readonly TierRule[];
  readonly source: SourceRef;
}

export type Policy = NetworkPolicy | ClusterPolicy;

export interface Node {
  readonly name: string;
  readonly labels: Labels;
  readonly addresses: readonly IpAddress[];
  readonly source: SourceRef;
}

/**
 * A Service port. `targetPort` is a number or a container port name (resolved per endpoint pod,
 * which may give different numbers on different pods); absent in the manifest = `port`.
 */
export interface ServicePort {
  readonly name?: string | undefined;
  readonly protocol: Protocol;
  readonly port: number;
  readonly targetPort: number | string;
  readonly nodePort?: number | undefined;
}

export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";

export interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly type: ServiceType;
  /** Absent: endpoints come from EndpointSlices / Endpoints objects. */
  readonly selector?: Labels | undefined;
  readonly ports: readonly ServicePort[];
  /** Cluster IPs (empty for headless and ExternalName Services, or when not given). */
  readonly clusterIPs: readonly IpAddress[];
  /** `clusterIP: None`: clients connect to the endpoint pods' IPs directly. */
  readonly headless: boolean;
  readonly externalName?: string | undefined;
  readonly externalIPs: readonly IpAddress[];
  readonly loadBalancerIPs: readonly IpAddress[];
  readonly loadBalancerSourceRanges: readonly IpRange[];
  readonly ipFamilies: readonly IpFamilyName[];
  readonly sessionAffinity: "None" | "ClientIP";
  readonly externalTrafficPolicy: "Cluster" | "Local";
  readonly internalTrafficPolicy: "Cluster" | "Local";
  readonly publishNotReadyAddresses: boolean;
  readonly source: SourceRef;
}

export type IpFamilyName = "IPv4" | "IPv6";

/** An address of a selector-less Service, from an EndpointSlice or Endpoints object. */
export interface ExplicitEndpoints {
  readonly namespace: string;
  readonly service: string;
  readonly addresses: readonly {
    readonly ip: IpAddress;
    readonly ready: boolean;
    readonly nodeName?: string | undefined;
  }[];
  readonly ports: readonly {
    readonly name?: string | undefined;
    readonly protocol: Protocol;
    readonly port: number;
  }[];
  readonly source: SourceRef;
}

/** An Ingress or OpenShift Route: the ingress controller sends traffic to these Service ports. */
export interface IngressRoute {
  readonly kind: "Ingress" | "Route";
  readonly namespace: string;
  readonly name: string;
  /** Service name and Service port (number or name; absent for a Route: every port). */
  readonly backends: readonly { readonly service: string; readonly port?: number | string | undefined }[];
  readonly source: SourceRef;
}

export interface Cluster {
  readonly namespaces: readonly Namespace[];
  readonly pods: readonly Pod[];
  readonly workloads: readonly Workload[];
  /** NetworkPolicies (the middle tier). */
  readonly policies: readonly NetworkPolicy[];
  /**
   * Admin and Baseline tier policies, each tier sorted by evaluation order: priority, then name
   * (the API leaves equal priorities to the implementation; netpolc orders them by name, and
   * reports ties).
   */
  readonly clusterPolicies: readonly ClusterPolicy[];
  readonly nodes: readonly Node[];
  readonly services: readonly Service[];
  readonly endpoints: readonly ExplicitEndpoints[];
  readonly ingresses: readonly IngressRoute[];
}

export type IpBlockPods = "include" | "exclude";

/** Options of the semantics; one type built the same way by every front-end. */
export interface ModelOptions {
  /**
   * Whether an ipBlock also matches pods whose IP it contains. `include` (default) is what real CNIs
   * and the upstream e2e suite do; `exclude` is netpol-analyzer's convention (ipBlock = outside the cluster).
   */
  readonly ipBlockPods: IpBlockPods;
  /**
   * hostNetwork pods (the API leaves their treatment to the plugin, within two choices):
   * `node` — the plugin cannot tell them from their node: pod and namespace selectors never match
   * them, and policy does not isolate them; `distinguish` — they are policed like other pods.
   * Default: `node`, or `distinguish` under `ipBlockPods: "exclude"` (netpol-analyzer's conventions).
   */
  readonly hostNetwork: HostNetworkMode;
}

export type HostNetworkMode = "node" | "distinguish";

export const DEFAULT_MODEL_OPTIONS: ModelOptions = Object.freeze({
  ipBlockPods: "include",
  hostNetwork: "node",
});

/** Builds complete options from partial ones, applying the documented defaults. */
export function modelOptions(partial: Partial<ModelOptions> = {}): ModelOptions {
  const ipBlockPods = partial.ipBlockPods ?? DEFAULT_MODEL_OPTIONS.ipBlockPods;
  return Object.freeze({
    ipBlockPods,
    hostNetwork: partial.hostNetwork ?? (ipBlockPods === "exclude" ? "distinguish" : "node"),
  });
}
