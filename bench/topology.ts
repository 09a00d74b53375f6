/**
 * The shape of a synthetic cluster before it becomes YAML: namespaces, applications and workloads
 * with the label scheme of real clusters.
 *
 * - The platform namespaces are in platform.ts.
 * - Application namespaces `<team>-<env>` labelled `team` and `env`, each holding a few
 *   applications (`app.kubernetes.io/part-of`) made of components: an api, and some of db, web,
 *   cache, worker, admin, consumer, cron. Some namespaces also run a log-shipper DaemonSet and a
 *   bare debugging Pod with a `status.podIP` in 10.244.0.0/16.
 * - Pod template labels: app.kubernetes.io/{name,part-of,component}, tier (frontend, backend, db,
 *   cache), team, env, version.
 */
import type { Rng } from "./prng.js";

export type Tier = "frontend" | "backend" | "db" | "cache";
export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "CronJob" | "Pod";

export interface PortPlan {
  readonly name: string;
  readonly port: number;
  readonly protocol: "TCP" | "UDP";
}

export interface WorkloadPlan {
  readonly namespace: string;
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly app: string;
  readonly component: string;
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly PortPlan[];
  /** Set by `assignReplicas`; only Deployments and StatefulSets scale. */
  replicas: number;
  readonly podIP?: string;
  readonly hostNetwork?: boolean;
}

export interface AppPlan {
  readonly name: string;
  readonly namespace: NamespacePlan;
  /** Components of this application, by component name. */
  readonly components: ReadonlyMap<string, WorkloadPlan>;
}

export interface NamespacePlan {
  readonly name: string;
  readonly team: string;
  readonly env: string;
  /** Namespace object labels (the API server adds kubernetes.io/metadata.name). */
  readonly labels: Readonly<Record<string, string>>;
  readonly platform: boolean;
  readonly workloads: WorkloadPlan[];
  readonly apps: AppPlan[];
}

const words = (text: string): string[] => text.trim().split(/\s+/);

export const TEAMS = words(`
  payments checkout catalog search identity orders inventory shipping billing reviews ads media
  growth risk fraud data ml mobile partners support loyalty pricing messaging content
`);
const ENVS = ["prod", "prod", "prod", "prod", "prod", "staging", "staging", "staging", "dev", "dev"];
const APP_NAMES = words(`
  cart catalog checkout search auth profile orders inventory billing shipping reviews recommend
  notify ads media pricing loyalty gateway reports ledger tax coupons wishlist sessions feeds geo
  quotes refunds returns fulfil
`);
const OPTIONAL_COMPONENTS = ["db", "web", "cache", "worker", "admin", "consumer", "cron"];

export const tcp = (name: string, port: number): PortPlan => ({ name, port, protocol: "TCP" });

/** Per component: tier, kind and container ports (named, so policies can use either spelling). */
const COMPONENTS: Readonly<
  Record<string, { tier: Tier; kind: WorkloadKind; ports: (rng: Rng) => PortPlan[] }>
> = {
  api: {
    tier: "backend",
    kind: "Deployment",
    ports: () => [tcp("http", 8080), tcp("grpc", 9090), tcp("metrics", 9102)],
  },
  web: { tier: "frontend", kind: "Deployment", ports: () => [tcp("http", 8080), tcp("metrics", 9113)] },
  admin: { tier: "frontend", kind: "Deployment", ports: () => [tcp("http", 8080)] },
  db: {
    tier: "db",
    kind: "StatefulSet",
    ports: (rng) => [rng.chance(0.7) ? tcp("postgres", 5432) : tcp("mysql", 3306), tcp("metrics", 9187)],
  },
  cache: { tier: "cache", kind: "Deployment", ports: () => [tcp("redis", 6379), tcp("metrics", 9121)] },
  worker: { tier: "backend", kind: "Deployment", ports: () => [tcp("metrics", 9102)] },
  consumer: { tier: "backend", kind: "Deployment", ports: () => [tcp("metrics", 9102)] },
  cron: { tier: "backend", kind: "CronJob", ports: () => [] },
};

export function podLabels(
  ns: NamespacePlan,
  name: string,
  app: string,
  component: string,
  tier: Tier | undefined,
  version: string,
): Record<string, string> {
  const labels: Record<string, string> = {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/part-of": app,
    "app.kubernetes.io/component": component,
  };
  if (tier) labels.tier = tier;
  labels.team = ns.team;
  labels.env = ns.env;
  labels.version = version;
  return labels;
}

export function version(rng: Rng): string {
  return `v${rng.between(1, 4)}.${rng.between(0, 30)}.${rng.between(0, 9)}`;
}

/** Application namespaces holding exactly `workloads` workloads between them. */
export function appNamespaces(
  rng: Rng,
  count: number,
  workloads: number,
  firstPodIp: { next: number },
): NamespacePlan[] {
  // 1. Names and labels.
  const taken = new Set<string>();
  const out: NamespacePlan[] = [];
  for (let i = 0; i < count; i++) {
    const team = rng.pick(TEAMS);
    const env = rng.pick(ENVS);
    let name = `${team}-${env}`;
    for (let k = 2; taken.has(name); k++) name = `${team}-${env}-${k}`;
    taken.add(name);
    const labels: Record<string, string> = { team, env };
    if (team === "payments" || team === "billing" || team === "fraud") labels.compliance = "pci";
    out.push({ name, team, env, labels, platform: false, workloads: [], apps: [] });
  }
  // 2. Sizes: every namespace gets one workload, the rest in proportion to a random weight.
  const weights = out.map(() => 0.5 + rng.next());
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => 1 + Math.floor(((workloads - count) * w) / total));
  for (let left = workloads - sizes.reduce((a, b) => a + b, 0); left > 0; left--) sizes[rng.int(count)]!++;
  // 3. Workloads.
  out.forEach((ns, i) => {
    fillNamespace(rng, ns, sizes[i]!, firstPodIp);
  });
  return out;
}

function fillNamespace(rng: Rng, ns: NamespacePlan, size: number, ip: { next: number }): void {
  let slots = size;
  // A node-level agent and a bare debugging pod in some namespaces.
  if (slots >= 6 && rng.chance(0.35)) {
    slots--;
    const labels = podLabels(ns, "log-shipper", "observability", "agent", "backend", version(rng));
    ns.workloads.push({
      namespace: ns.name,
      name: "log-shipper",
      kind: "DaemonSet",
      app: "observability",
      component: "agent",
      image: "fluent/fluent-bit:3.1",
      labels,
      ports: [tcp("metrics", 2020)],
      replicas: 1,
    });
  }
  let debugPod: WorkloadPlan | undefined;
  if (slots >= 4 && rng.chance(0.4)) {
    slots--;
    const n = ip.next++;
    const name = `debug-${((n * 2654435761) >>> 0).toString(36).padStart(6, "0").slice(0, 6)}`;
    debugPod = {
      namespace: ns.name,
      name,
      kind: "Pod",
      app: "debug",
      component: "shell",
      image: "busybox:1.36",
      labels: { "app.kubernetes.io/name": name, team: ns.team, env: ns.env },
      ports: [],
      replicas: 1,
      podIP: `10.244.${(n >> 8) & 255}.${n & 255}`,
    };
  }
  const names = rng.shuffle(APP_NAMES);
  for (let a = 0; slots > 0; a++) {
    const appSize = Math.min(slots, rng.between(2, 8));
    slots -= appSize;
    const base = names[a % names.length]!;
    const appName = a < names.length ? base : `${base}${Math.floor(a / names.length) + 1}`;
    const components = ["api", ...rng.shuffle(OPTIONAL_COMPONENTS)].slice(0, appSize);
    const byComponent = new Map<string, WorkloadPlan>();
    for (const component of components) {
      const c = COMPONENTS[component]!;
      const name = `${appName}-${component}`;
      const v = version(rng);
      const w: WorkloadPlan = {
        namespace: ns.name,
        name,
        kind: c.kind,
        app: appName,
        component,
        image: `registry.example.com/${ns.team}/${name}:${v}`,
        labels: podLabels(ns, name, appName, component, c.tier, v),
        ports: c.ports(rng),
        replicas: 1,
      };
      byComponent.set(component, w);
      ns.workloads.push(w);
    }
    ns.apps.push({ name: appName, namespace: ns, components: byComponent });
  }
  if (debugPod) ns.workloads.push(debugPod);
}

/**
 * Replicas so that the model sees exactly `workloads × replicas` pods: DaemonSets, CronJobs and bare
 * Pods stand for one pod each, and the difference is spread over the Deployments and StatefulSets.
 */
export function assignReplicas(rng: Rng, all: readonly WorkloadPlan[], replicas: number): void {
  const scalable = all.filter((w) => w.kind === "Deployment" || w.kind === "StatefulSet");
  const fixed = all.length - scalable.length;
  const target = all.length * replicas - fixed;
  if (scalable.length === 0) return;
  const base = Math.max(1, Math.floor(target / scalable.length));
  let extra = Math.max(0, target - base * scalable.length);
  for (const w of scalable) w.replicas = base;
  for (const w of rng.shuffle(scalable)) {
    if (extra-- <= 0) break;
    w.replicas++;
  }
}
