/**
 * The subset of the Kubernetes API that netpolc reads, as the parser hands it to the model.
 * Objects reach the model only after schema and semantic validation, so these types can be trusted:
 * what the API server would reject is an error diagnostic, and the smallest part of the object whose
 * meaning is lost is dropped (usually the whole object; see loss.ts).
 * Field names and meanings follow the upstream API types (core/v1, apps/v1, batch/v1, networking/v1,
 * discovery.k8s.io/v1, policy.networking.k8s.io v1alpha1/v1alpha2, route.openshift.io/v1).
 */
import type { SourceRef } from "../common/index.js";
import type { ClusterPolicyObject, NodeObject } from "./k8s-cluster-policy.js";
import type { ServiceKindObject } from "./k8s-services.js";

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Labels;
  readonly annotations?: Labels;
  readonly ownerReferences?: readonly {
    readonly kind: string;
    readonly name: string;
    readonly apiVersion?: string;
    readonly controller?: boolean;
  }[];
}

export type Protocol = "TCP" | "UDP" | "SCTP";

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: Protocol;
}

export interface PodSpec {
  readonly containers?: readonly { readonly name?: string; readonly ports?: readonly ContainerPort[] }[];
  readonly initContainers?: readonly { readonly name?: string; readonly ports?: readonly ContainerPort[] }[];
  readonly hostNetwork?: boolean;
  readonly nodeName?: string;
}

export interface PodTemplateSpec {
  readonly metadata?: Partial<ObjectMeta>;
  readonly spec?: PodSpec;
}

export interface NetworkPolicyPort {
  readonly protocol?: Protocol;
  /** Number or IANA_SVC_NAME (named container port). Absent: every port. */
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface IPBlock {
  readonly cidr: string;
  readonly except?: readonly string[];
}

export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: IPBlock;
}

export interface NetworkPolicyIngressRule {
  readonly from?: readonly NetworkPolicyPeer[];
  readonly ports?: readonly NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  readonly to?: readonly NetworkPolicyPeer[];
  readonly ports?: readonly NetworkPolicyPort[];
}

export interface NetworkPolicySpec {
  readonly podSelector: LabelSelector;
  readonly policyTypes?: readonly ("Ingress" | "Egress")[];
  readonly ingress?: readonly NetworkPolicyIngressRule[];
  readonly egress?: readonly NetworkPolicyEgressRule[];
}

/** Workload kinds whose pod template the model expands into pods. */
export type WorkloadKind =
  | "Deployment"
  | "ReplicaSet"
  | "StatefulSet"
  | "DaemonSet"
  | "Job"
  | "CronJob"
  | "ReplicationController";

interface Base<K extends string> {
  readonly kind: K;
  readonly apiVersion: string;
  readonly metadata: ObjectMeta;
  /** Where the object starts, and the object itself as `kind ns/name`. */
  readonly source: SourceRef;
  /** Position of a field inside the object (falls back to the nearest ancestor that exists). */
  readonly locate: (path: readonly (string | number)[]) => SourceRef;
}

export interface NamespaceObject extends Base<"Namespace"> {}

export interface PodObject extends Base<"Pod"> {
  readonly spec: PodSpec;
  readonly status?: {
    readonly podIP?: string;
    readonly podIPs?: readonly { readonly ip: string }[];
    readonly phase?: string;
    readonly hostIP?: string;
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
  };
}

export interface WorkloadObject extends Base<WorkloadKind> {
  readonly spec: {
    readonly replicas?: number;
    /** ReplicationController: a plain label map (`{app: web}`), not a LabelSelector. */
    readonly selector?: LabelSelector;
    /** Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController. */
    readonly template?: PodTemplateSpec;
    /** CronJob. */
    readonly jobTemplate?: { readonly spec?: { readonly template?: PodTemplateSpec } };
  };
}

export interface NetworkPolicyObject extends Base<"NetworkPolicy"> {
  readonly spec: NetworkPolicySpec;
}

/** Any object the parser validated but the model does not (yet) interpret, kept whole. */
export interface OtherObject extends Base<string> {
  readonly body: Readonly<Record<string, unknown>>;
}

/**
 * Every object the model interprets (cluster-scoped policies and Nodes: k8s-cluster-policy.ts;
 * Services, Endpoints, EndpointSlices, Ingresses and Routes: k8s-services.ts).
 */
export type K8sObject =
  | NamespaceObject
  | PodObject
  | WorkloadObject
  | NetworkPolicyObject
  | ClusterPolicyObject
  | NodeObject
  | ServiceKindObject;

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  "Deployment",
  "ReplicaSet",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
  "ReplicationController",
];
