/**
 * Synthetic clusters for benchmarks: `generate(options) => { text, counts }`, a pure function of its
 * options (seeded PRNG), producing multi-document Kubernetes YAML that goes through the real parser.
 *
 * Sizes are exact where the model counts them: `workloads` workloads, `workloads × replicas` pods
 * (DaemonSets, CronJobs and bare Pods are one pod each; Deployments and StatefulSets make up the
 * rest), `policies` NetworkPolicies, `namespaces` namespaces (three of them platform namespaces),
 * up to `services` Services, and `adminPolicies` + `baselinePolicies` ClusterNetworkPolicies
 * (tier-policies.ts). Cluster policies draw on a PRNG of their own, so adding them leaves the rest
 * of the text as it was.
 *
 * Services, as Helm charts write them: first one per workload that exposes ports (every port, by
 * its container port name); when more are asked for, then one per container port of those
 * workloads (`<service>-<port name>`, as charts add for metrics or admin ports), whose targetPort
 * alternates between the number and the name. Every Service selects exactly its workload's pods,
 * and every named targetPort resolves on them. Asking for more Services than that leaves the first
 * ones' text as it was.
 */
import { dump } from "js-yaml";
import { PLATFORM_NAMESPACES, PLATFORM_WORKLOADS, platformNamespaces } from "./platform.js";
import { planPolicies } from "./policies.js";
import { Rng } from "./prng.js";
import { MAX_TIER_POLICIES, planTierPolicies } from "./tier-policies.js";
import {
  appNamespaces,
  assignReplicas,
  type NamespacePlan,
  type PortPlan,
  type WorkloadPlan,
} from "./topology.js";

export interface GenerateOptions {
  readonly namespaces: number;
  readonly workloads: number;
  /** Pods per workload on average; the model then holds exactly workloads × replicas pods. */
  readonly replicas: number;
  readonly policies: number;
  readonly services: number;
  /** ClusterNetworkPolicies of the Admin tier (distinct priorities, so at most 1,001). */
  readonly adminPolicies: number;
  /** ClusterNetworkPolicies of the Baseline tier (at most 1,001). */
  readonly baselinePolicies: number;
  readonly seed: number;
}

export const DEFAULT_GENERATE_OPTIONS: GenerateOptions = Object.freeze({
  namespaces: 10,
  workloads: 100,
  replicas: 3,
  policies: 100,
  services: 50,
  adminPolicies: 0,
  baselinePolicies: 0,
  seed: 1,
});

export interface GeneratedCluster {
  readonly text: string;
  readonly counts: {
    readonly namespaces: number;
    readonly workloads: number;
    readonly pods: number;
    readonly policies: number;
    readonly adminPolicies: number;
    readonly baselinePolicies: number;
    readonly services: number;
    readonly documents: number;
  };
}

/** Every problem with the options (empty when they are valid). */
export function validateGenerateOptions(o: GenerateOptions): string[] {
  const errors: string[] = [];
  const int = (name: keyof GenerateOptions, min: number, max = Number.POSITIVE_INFINITY) => {
    if (!Number.isInteger(o[name]) || o[name] < min || o[name] > max)
      errors.push(
        `${name} must be an integer >= ${min}${max < Number.POSITIVE_INFINITY ? ` and <= ${max}` : ""} (got ${o[name]})`,
      );
  };
  int("namespaces", PLATFORM_NAMESPACES + 1);
  int("workloads", 0);
  int("replicas", 1);
  int("policies", 0);
  int("services", 0);
  int("adminPolicies", 0, MAX_TIER_POLICIES);
  int("baselinePolicies", 0, MAX_TIER_POLICIES);
  int("seed", 0);
  if (o.workloads < PLATFORM_WORKLOADS + o.namespaces - PLATFORM_NAMESPACES)
    errors.push(
      `workloads must be at least ${PLATFORM_WORKLOADS} + one per application namespace (${PLATFORM_WORKLOADS + o.namespaces - PLATFORM_NAMESPACES})`,
    );
  return errors;
}

/** Options not given take DEFAULT_GENERATE_OPTIONS; invalid options throw (a caller bug). */
export function generate(given: Partial<GenerateOptions> = {}): GeneratedCluster {
  const options: GenerateOptions = { ...DEFAULT_GENERATE_OPTIONS, ...given };
  const errors = validateGenerateOptions(options);
  if (errors.length > 0) throw new Error(`invalid generator options: ${errors.join("; ")}`);
  const root = new Rng(options.seed);
  // 1. Topology: platform and application namespaces with their workloads, then replica counts.
  const platform = platformNamespaces(root.fork(1));
  const apps = appNamespaces(
    root.fork(2),
    options.namespaces - PLATFORM_NAMESPACES,
    options.workloads - PLATFORM_WORKLOADS,
    { next: 10 },
  );
  const namespaces = [...platform, ...apps];
  const workloads = namespaces.flatMap((n) => n.workloads);
  assignReplicas(root.fork(3), workloads, options.replicas);
  // 2. Policies: platform, then per namespace, then per application round-robin, cut at the count.
  const policies = planPolicies(root.fork(4), apps, options.policies);
  const tiers = planTierPolicies(root.fork(5), apps, {
    admin: options.adminPolicies,
    baseline: options.baselinePolicies,
  });
  // 3. Services for the workloads that expose ports: one each, then one per port.
  const services = planServices(workloads, options.services);
  // 4. YAML.
  const docs = [
    ...namespaces.map(namespaceObject),
    ...workloads.map(workloadObject),
    ...services.map((p) =>
      p.port ? portServiceObject(p.workload, p.port, p.index) : serviceObject(p.workload),
    ),
    ...policies,
    ...tiers.admin,
    ...tiers.baseline,
  ];
  const text = docs.map((d) => dump(d, { noRefs: true, lineWidth: -1 })).join("---\n");
  return {
    text,
    counts: {
      namespaces: namespaces.length,
      workloads: workloads.length,
      pods: workloads.reduce(
        (n, w) => n + (w.kind === "Deployment" || w.kind === "StatefulSet" ? w.replicas : 1),
        0,
      ),
      policies: policies.length,
      adminPolicies: tiers.admin.length,
      baselinePolicies: tiers.baseline.length,
      services: services.length,
      documents: docs.length,
    },
  };
}

function namespaceObject(n: NamespacePlan): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: n.name };
  if (Object.keys(n.labels).length > 0) metadata.labels = n.labels;
  return { apiVersion: "v1", kind: "Namespace", metadata };
}

function podSpec(w: WorkloadPlan): Record<string, unknown> {
  const container: Record<string, unknown> = { name: w.component, image: w.image };
  if (w.ports.length > 0)
    container.ports = w.ports.map((p) =>
      p.protocol === "TCP"
        ? { name: p.name, containerPort: p.port }
        : { name: p.name, containerPort: p.port, protocol: p.protocol },
    );
  const spec: Record<string, unknown> = { containers: [container] };
  if (w.hostNetwork) spec.hostNetwork = true;
  if (w.kind === "CronJob") spec.restartPolicy = "OnFailure";
  return spec;
}

/** Selects a workload's pods: by app.kubernetes.io/name when it has one, else by all its labels. */
function selectorOf(w: WorkloadPlan): Record<string, string> {
  const name = w.labels["app.kubernetes.io/name"];
  return name ? { "app.kubernetes.io/name": name } : { ...w.labels };
}

function workloadObject(w: WorkloadPlan): Record<string, unknown> {
  const selectorLabels = selectorOf(w);
  const objectLabels = Object.fromEntries(
    Object.entries(w.labels).filter(([k]) => k.startsWith("app.kubernetes.io/") || k === "k8s-app"),
  );
  const metadata = { name: w.name, namespace: w.namespace, labels: objectLabels };
  const template = { metadata: { labels: w.labels }, spec: podSpec(w) };
  switch (w.kind) {
    case "Deployment":
      return {
        apiVersion: "apps/v1",
        kind: w.kind,
        metadata,
        spec: { replicas: w.replicas, selector: { matchLabels: selectorLabels }, template },
      };
    case "StatefulSet":
      return {
        apiVersion: "apps/v1",
        kind: w.kind,
        metadata,
        spec: {
          serviceName: w.name,
          replicas: w.replicas,
          selector: { matchLabels: selectorLabels },
          template,
        },
      };
    case "DaemonSet":
      return {
        apiVersion: "apps/v1",
        kind: w.kind,
        metadata,
        spec: { selector: { matchLabels: selectorLabels }, template },
      };
    case "CronJob":
      return {
        apiVersion: "batch/v1",
        kind: w.kind,
        metadata,
        spec: { schedule: "*/15 * * * *", jobTemplate: { spec: { template } } },
      };
    case "Pod":
      return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: w.name, namespace: w.namespace, labels: w.labels },
        spec: podSpec(w),
        status: { phase: "Running", podIP: w.podIP, podIPs: [{ ip: w.podIP }] },
      };
  }
}

interface ServicePlan {
  readonly workload: WorkloadPlan;
  /** Set for the per-port Services of the second pass. */
  readonly port?: PortPlan;
  /** Position among the per-port Services (alternates numeric and named targetPorts). */
  readonly index: number;
}

function planServices(workloads: readonly WorkloadPlan[], count: number): ServicePlan[] {
  const exposed = workloads.filter((w) => w.kind !== "Pod" && w.kind !== "CronJob" && w.ports.length > 0);
  const main: ServicePlan[] = exposed.map((workload) => ({ workload, index: -1 }));
  const perPort: ServicePlan[] = exposed
    .flatMap((workload) => workload.ports.map((port) => ({ workload, port })))
    .map((p, index) => ({ ...p, index }));
  return [...main, ...perPort].slice(0, count);
}

function serviceName(w: WorkloadPlan): string {
  return w.labels["k8s-app"] ?? w.name;
}

/** A single-port Service (`<service>-<port name>`), targetPort by number or by name in turn. */
function portServiceObject(w: WorkloadPlan, p: PortPlan, index: number): Record<string, unknown> {
  const port = {
    name: p.name,
    port: p.port,
    protocol: p.protocol,
    targetPort: index % 2 === 0 ? p.port : p.name,
  };
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${serviceName(w)}-${p.name}`, namespace: w.namespace },
    spec: { type: "ClusterIP", selector: selectorOf(w), ports: [port] },
  };
}

function serviceObject(w: WorkloadPlan): Record<string, unknown> {
  const ports = w.ports.map((p) => ({
    name: p.name,
    port: p.name === "http" ? 80 : p.name === "https" ? 443 : p.port,
    protocol: p.protocol,
    targetPort: p.name,
  }));
  const spec: Record<string, unknown> = { selector: selectorOf(w), ports };
  if (w.kind === "StatefulSet" || w.kind === "DaemonSet") spec.clusterIP = "None";
  else spec.type = "ClusterIP";
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: serviceName(w), namespace: w.namespace },
    spec,
  };
}
