/**
 * Manifests → cluster model. Interprets validated objects: defaults what the API server defaults,
 * expands workload templates into pods, groups pods by owner, and compiles NetworkPolicies into
 * rules with provenance. Pure: `(objects, options) => { cluster, diagnostics }`.
 */
import { type Diagnostic, diagnostic } from "../common/index.js";
import type {
  ClusterPolicyObject,
  ContainerPort,
  K8sObject,
  NetworkPolicyObject,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NodeObject,
  PodObject,
  PodSpec,
  ServiceKindObject,
  WorkloadObject,
} from "../parser/index.js";
import { WORKLOAD_KINDS } from "../parser/index.js";
import { type IpAddress, parseCidr, parseIp } from "./addresses.js";
import {
  checkTargetPorts,
  endpointsFromObject,
  endpointsFromSlice,
  ingressFromObject,
  serviceFromObject,
} from "./build-services.js";
import { compileClusterPolicy, nodeFromObject } from "./build-tiers.js";
import { getOrCreate } from "./maps.js";
import type {
  Cluster,
  ClusterPolicy,
  NamedPort,
  Namespace,
  NetworkPolicy,
  Peer,
  Pod,
  PortMatch,
  Rule,
  Workload,
} from "./types.js";

/** What the model reads: the parser's validated objects. */
export type ModelInput = K8sObject | ClusterPolicyObject | NodeObject | ServiceKindObject;

export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
const DEFAULT_NAMESPACE = "default";

export interface BuildResult {
  readonly cluster: Cluster;
  readonly diagnostics: readonly Diagnostic[];
}

export function buildCluster(objects: readonly ModelInput[]): BuildResult {
  const diagnostics: Diagnostic[] = [];
  const namespaces = new Map<string, Namespace>();
  const pods: Pod[] = [];
  const policies: NetworkPolicy[] = [];

  // 1. Namespaces given explicitly; the API server always sets the metadata.name label.
  for (const o of objects) {
    if (o.kind !== "Namespace") continue;
    const name = o.metadata.name;
    namespaces.set(name, {
      name,
      labels: { ...(o.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: name },
      implied: false,
      source: o.source,
    });
  }

  // 2. Pods, from Pod objects and from workload templates.
  for (const o of objects) {
    if (o.kind === "Pod") pods.push(podFromObject(o));
    else if (isWorkload(o)) pods.push(...podsFromWorkload(o));
  }

  // 3. Policies of every tier, and the Nodes that `nodes` peers select.
  const clusterPolicies: ClusterPolicy[] = [];
  for (const o of objects) {
    if (o.kind === "NetworkPolicy") policies.push(compileNetworkPolicy(o));
    else if (isClusterPolicy(o)) {
      const p = compileClusterPolicy(o, diagnostics);
      if (p) clusterPolicies.push(p);
    }
  }
  const nodes = objects.filter((o): o is NodeObject => o.kind === "Node").map(nodeFromObject);

  // 4. Services, their explicit endpoints, and what the ingress controller routes to them.
  const services = [];
  const endpoints = [];
  const ingresses = [];
  for (const o of objects) {
    if (o.kind === "Service") {
      const svc = serviceFromObject(o, diagnostics);
      services.push(svc);
      diagnostics.push(...checkTargetPorts(o, svc, pods));
    } else if (o.kind === "EndpointSlice") {
      const e = endpointsFromSlice(o);
      if (e) endpoints.push(e);
    } else if (o.kind === "Endpoints") endpoints.push(...endpointsFromObject(o));
    else if (o.kind === "Ingress" || o.kind === "Route") ingresses.push(ingressFromObject(o));
  }

  // 5. Namespaces implied by objects that live in them.
  const implied = (ns: string) => {
    if (!namespaces.has(ns))
      namespaces.set(ns, { name: ns, labels: { [NAMESPACE_NAME_LABEL]: ns }, implied: true });
  };
  for (const p of pods) implied(p.namespace);
  for (const p of policies) implied(p.namespace);

  const sortedPods = pods.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  for (const p of sortedPods) {
    if (p.hostNetwork)
      diagnostics.push(
        diagnostic(
          "NP3002",
          "info",
          `Pod ${p.namespace}/${p.name} uses hostNetwork: NetworkPolicy does not select it`,
          {
            source: p.source,
            hint: "its traffic is seen as coming from its node's address",
          },
        ),
      );
  }
  return {
    cluster: {
      namespaces: [...namespaces.values()].sort((a, b) => cmp(a.name, b.name)),
      pods: sortedPods,
      workloads: groupWorkloads(sortedPods),
      policies: policies.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.ref.name, b.ref.name)),
      clusterPolicies: orderTiers(clusterPolicies, diagnostics),
      nodes: nodes.sort((a, b) => cmp(a.name, b.name)),
      services: services.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name)),
      endpoints,
      ingresses: ingresses.sort(
        (a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.kind, b.kind),
      ),
    },
    diagnostics,
  };
}

function isWorkload(o: ModelInput): o is WorkloadObject {
  return (WORKLOAD_KINDS as readonly string[]).includes(o.kind);
}

function isClusterPolicy(o: ModelInput): o is ClusterPolicyObject {
  return (
    o.kind === "ClusterNetworkPolicy" ||
    o.kind === "AdminNetworkPolicy" ||
    o.kind === "BaselineAdminNetworkPolicy"
  );
}

/**
 * Evaluation order within each tier: lower priority first; equal priorities (left to the
 * implementation by the API) are ordered by kind then name, and reported.
 */
function orderTiers(list: ClusterPolicy[], diagnostics: Diagnostic[]): ClusterPolicy[] {
  const sorted = [...list].sort(
    (a, b) =>
      cmp(a.tier, b.tier) ||
      a.priority - b.priority ||
      cmp(a.ref.kind, b.ref.kind) ||
      cmp(a.ref.name, b.ref.name),
  );
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a.tier === b.tier && a.priority === b.priority && a.tier === "admin")
      diagnostics.push(
        diagnostic(
          "NP3006",
          "warning",
          `${a.ref.kind} ${a.ref.name} and ${b.ref.kind} ${b.ref.name} both have priority ${a.priority} in the ${a.tier} tier: netpolc evaluates ${a.ref.name} first (by name); a dataplane may not`,
          { source: b.source, hint: "give every policy of a tier a distinct priority" },
        ),
      );
  }
  return sorted;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function namedPorts(spec: PodSpec | undefined): NamedPort[] {
  const out: NamedPort[] = [];
  const add = (p: ContainerPort) => {
    if (p.name) out.push({ name: p.name, protocol: p.protocol ?? "TCP", port: p.containerPort });
  };
  for (const c of spec?.containers ?? []) for (const p of c.ports ?? []) add(p);
  for (const c of spec?.initContainers ?? []) for (const p of c.ports ?? []) add(p);
  return out.sort((a, b) => cmp(a.name, b.name) || cmp(a.protocol, b.protocol) || a.port - b.port);
}

function podReady(o: PodObject): boolean {
  const phase = o.status?.phase;
  if (phase !== undefined && phase !== "Running") return false;
  return !(o.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "False");
}

function podFromObject(o: PodObject): Pod {
  const namespace = o.metadata.namespace ?? DEFAULT_NAMESPACE;
  const ips = new Map<string, IpAddress>();
  for (const text of [o.status?.podIP, ...(o.status?.podIPs ?? []).map((p) => p.ip)]) {
    const ip = text ? parseIp(text) : undefined;
    if (ip) ips.set(`${ip.family}:${ip.value}`, ip);
  }
  // Pods are grouped by the owner named in their first ownerReference (netpol-analyzer's convention);
  // an owner reference without a kind is shown as a Pod, as netpol-analyzer does. Static (mirror)
  // pods are owned by their Node, which is no workload: they stand for themselves.
  const first = o.metadata.ownerReferences?.[0];
  const owner = first && first.kind !== "Node" ? first : undefined;
  return {
    namespace,
    name: o.metadata.name,
    labels: o.metadata.labels ?? {},
    ports: namedPorts(o.spec),
    ips: [...ips.values()],
    hostNetwork: o.spec.hostNetwork === true,
    nodeName: o.spec.nodeName,
    workload: owner
      ? { namespace, name: owner.name, kind: owner.kind || "Pod" }
      : { namespace, name: o.metadata.name, kind: "Pod" },
    fromTemplate: false,
    ready: podReady(o),
    source: o.source,
  };
}

/**
 * A workload stands for `replicas` identical pods (default 1; DaemonSets, Jobs and CronJobs count as
 * one). A workload scaled to zero is analysed as one replica: scaling is not a policy change, and the
 * question "who may talk to it" still has an answer.
 */
function podsFromWorkload(o: WorkloadObject): Pod[] {
  const template = o.kind === "CronJob" ? o.spec.jobTemplate?.spec?.template : o.spec.template;
  const namespace = o.metadata.namespace ?? DEFAULT_NAMESPACE;
  const replicas =
    o.kind === "Deployment" ||
    o.kind === "ReplicaSet" ||
    o.kind === "StatefulSet" ||
    o.kind === "ReplicationController"
      ? Math.max(1, o.spec.replicas ?? 1)
      : 1;
  const labels = template?.metadata?.labels ?? {};
  const ports = namedPorts(template?.spec);
  const workload = { namespace, name: o.metadata.name, kind: o.kind };
  const out: Pod[] = [];
  for (let i = 0; i < replicas; i++)
    out.push({
      namespace,
      name: `${o.metadata.name}-${i}`,
      labels,
      ports,
      ips: [],
      hostNetwork: template?.spec?.hostNetwork === true,
      nodeName: template?.spec?.nodeName,
      workload,
      fromTemplate: true,
      ready: true,
      source: o.source,
    });
  return out;
}

function groupWorkloads(pods: readonly Pod[]): Workload[] {
  const byKey = new Map<string, { w: Omit<Workload, "pods">; pods: number[] }>();
  pods.forEach((p, i) => {
    const key = `${p.workload.namespace}/${p.workload.kind}/${p.workload.name}`;
    getOrCreate(byKey, key, () => ({
      w: { ...p.workload, source: p.source },
      pods: [] as number[],
    })).pods.push(i);
  });
  return [...byKey.values()]
    .map((e) => ({ ...e.w, pods: e.pods }))
    .sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.kind, b.kind));
}

/**
 * policyTypes defaulting (networking.k8s.io/v1): when absent or empty, Ingress is always set and Egress is set
 * iff the policy has at least one egress rule. A type in policyTypes with no rules isolates and allows
 * nothing in that direction.
 */
export function compileNetworkPolicy(o: NetworkPolicyObject): NetworkPolicy {
  const spec = o.spec;
  const namespace = o.metadata.namespace ?? DEFAULT_NAMESPACE;
  // The API server defaults when the list is empty, not only when it is absent (len == 0).
  const types =
    spec.policyTypes && spec.policyTypes.length > 0
      ? spec.policyTypes
      : (spec.egress ?? []).length > 0
        ? ["Ingress", "Egress"]
        : ["Ingress"];
  const isolates = { ingress: types.includes("Ingress"), egress: types.includes("Egress") };
  const ref = { kind: "NetworkPolicy", namespace, name: o.metadata.name };
  const peers = (list: readonly NetworkPolicyPeer[] | undefined, base: (string | number)[]): Peer[] =>
    list && list.length > 0
      ? list.flatMap((p, i) => compilePeer(o, namespace, p, [...base, i]))
      : [{ kind: "any" }];
  const rules = (direction: "ingress" | "egress"): Rule[] => {
    if (!isolates[direction]) return [];
    const list = direction === "ingress" ? (spec.ingress ?? []) : (spec.egress ?? []);
    return list.map((r, index) => ({
      direction,
      index,
      peers: peers("from" in r ? r.from : (r as { to?: readonly NetworkPolicyPeer[] }).to, [
        "spec",
        direction,
        index,
        direction === "ingress" ? "from" : "to",
      ]),
      ports: compilePorts(r.ports),
      source: o.locate(["spec", direction, index]),
    }));
  };
  return {
    tier: "networkpolicy",
    ref,
    namespace,
    podSelector: spec.podSelector ?? {},
    isolates,
    ingress: rules("ingress"),
    egress: rules("egress"),
    source: o.source,
  };
}

function compilePeer(
  o: NetworkPolicyObject,
  namespace: string,
  p: NetworkPolicyPeer,
  path: (string | number)[],
): Peer[] {
  const source = o.locate(path);
  if (p.ipBlock) {
    const cidr = parseCidr(p.ipBlock.cidr);
    if (!cidr) return []; // rejected by validation; never reached for validated input
    const except = (p.ipBlock.except ?? []).map(parseCidr).filter((e) => e !== undefined);
    return [{ kind: "ipBlock", cidr, except, source }];
  }
  if (!p.podSelector && !p.namespaceSelector) return [];
  return [
    {
      kind: "pods",
      namespaces: p.namespaceSelector
        ? { kind: "selector", selector: p.namespaceSelector }
        : { kind: "same", namespace },
      pods: p.podSelector ?? {},
      source,
    },
  ];
}

function compilePorts(ports: readonly NetworkPolicyPort[] | undefined): PortMatch[] {
  if (!ports || ports.length === 0) return [{ kind: "all" }];
  return ports.map((p): PortMatch => {
    const protocol = p.protocol ?? "TCP";
    if (p.port === undefined) return { kind: "protocol", protocol };
    if (typeof p.port === "string") return { kind: "named", protocol, name: p.port };
    return { kind: "range", protocol, from: p.port, to: p.endPort ?? p.port };
  });
}
