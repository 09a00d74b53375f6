/**
 * Cluster-scoped policy APIs of sig-network's network-policy-api, as netpolc reads them:
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, tiers Admin and Baseline) and its
 * predecessors AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1). Field names follow
 * apis/v1alpha2/clusternetworkpolicy_types.go and apis/v1alpha1/*_types.go.
 */
import type { SourceRef } from "../common/index.js";
import type { LabelSelector, ObjectMeta, Protocol } from "./k8s.js";

export interface NamespacedPod {
  readonly namespaceSelector: LabelSelector;
  readonly podSelector: LabelSelector;
}

/** Exactly one of the fields is set. */
export interface ClusterPolicySubject {
  readonly namespaces?: LabelSelector;
  readonly pods?: NamespacedPod;
}

/**
 * Ingress / egress peer: exactly one field set. A peer written with only fields netpolc does not know
 * reaches the model as `{}` (with error NP2017): the API docs say such a peer "fails closed".
 */
export interface ClusterPolicyPeer {
  readonly namespaces?: LabelSelector;
  readonly pods?: NamespacedPod;
  /** Egress only. */
  readonly networks?: readonly string[];
  /** Egress only: nodes by node labels (their status.addresses). */
  readonly nodes?: LabelSelector;
  /** Egress only, Accept only: cannot be resolved statically. */
  readonly domainNames?: readonly string[];
}

export interface PortNumberOrRange {
  readonly number?: number;
  readonly range?: { readonly start: number; readonly end: number };
}

/** v1alpha2 `protocols` entry: exactly one field set. */
export interface ClusterPolicyProtocol {
  readonly tcp?: { readonly destinationPort?: PortNumberOrRange };
  readonly udp?: { readonly destinationPort?: PortNumberOrRange };
  readonly sctp?: { readonly destinationPort?: PortNumberOrRange };
  readonly destinationNamedPort?: string;
}

/** v1alpha1 `ports` entry: exactly one field set. */
export interface AdminPolicyPort {
  readonly portNumber?: { readonly protocol?: Protocol; readonly port: number };
  readonly namedPort?: string;
  readonly portRange?: { readonly protocol?: Protocol; readonly start: number; readonly end: number };
}

export interface ClusterPolicyRuleSpec {
  readonly name?: string;
  /** v1alpha2: Accept | Deny | Pass; v1alpha1: Allow | Deny | Pass (Baseline: Allow | Deny). */
  readonly action: string;
  readonly from?: readonly ClusterPolicyPeer[];
  readonly to?: readonly ClusterPolicyPeer[];
  readonly protocols?: readonly ClusterPolicyProtocol[];
  readonly ports?: readonly AdminPolicyPort[];
}

export type ClusterPolicyKind = "ClusterNetworkPolicy" | "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy";

export interface ClusterPolicyObject {
  readonly kind: ClusterPolicyKind;
  readonly apiVersion: string;
  readonly metadata: ObjectMeta;
  readonly source: SourceRef;
  readonly locate: (path: readonly (string | number)[]) => SourceRef;
  readonly spec: {
    /** v1alpha2 only. */
    readonly tier?: "Admin" | "Baseline";
    /** v1alpha2 and AdminNetworkPolicy: 0..1000 (ANP v1alpha1: 0..1000 too). */
    readonly priority?: number;
    readonly subject: ClusterPolicySubject;
    readonly ingress?: readonly ClusterPolicyRuleSpec[];
    readonly egress?: readonly ClusterPolicyRuleSpec[];
  };
}

export interface NodeObject {
  readonly kind: "Node";
  readonly apiVersion: string;
  readonly metadata: ObjectMeta;
  readonly source: SourceRef;
  readonly locate: (path: readonly (string | number)[]) => SourceRef;
  readonly status?: { readonly addresses?: readonly { readonly type: string; readonly address: string }[] };
}
