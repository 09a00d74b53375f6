/**
 * Clusters for the eBPF tests: the README demo, the Services fixture, and the upstream e2e cases
 * (test/conformance/k8s-e2e) replayed step by step as k8s-e2e.test.ts replays them. Pods and
 * Services without addresses get deterministic ones before analysis, so the model and a kernel
 * loaded with the emitted maps talk about the same addresses.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dump, load, loadAll } from "js-yaml";
import {
  type Analysis,
  analyze,
  buildCluster,
  type Cluster,
  type IpAddress,
  type IpFamily,
  type Protocol,
} from "../../src/model/index.js";
import { loadPaths, parseText } from "../../src/parser/index.js";

export const ROOT = join(import.meta.dirname, "..", "..");

/** Pods without IPs: 10.244.0.1.. (and fd00:10:244::1.. with `ipv6`); Services: 10.96.0.1.. */
export function withAddresses(cluster: Cluster, families: readonly IpFamily[] = [4]): Cluster {
  const used = new Set<string>();
  const mark = (ip: IpAddress) => used.add(`${ip.family}/${ip.value}`);
  for (const p of cluster.pods) p.ips.forEach(mark);
  for (const s of cluster.services) [...s.clusterIPs, ...s.externalIPs, ...s.loadBalancerIPs].forEach(mark);
  for (const n of cluster.nodes) n.addresses.forEach(mark);
  const allocator = (base: Record<IpFamily, bigint>) => {
    const next: Record<IpFamily, bigint> = { 4: base[4] + 1n, 6: base[6] + 1n };
    return (family: IpFamily): IpAddress => {
      for (;;) {
        const ip = { family, value: next[family]++ };
        if (!used.has(`${family}/${ip.value}`)) {
          mark(ip);
          return ip;
        }
      }
    };
  };
  const pod = allocator({ 4: 0x0af40000n, 6: 0xfd000010024400000000000000000000n });
  const svc = allocator({ 4: 0x0a600000n, 6: 0xfd000010009600000000000000000000n });
  return {
    ...cluster,
    pods: cluster.pods.map((p) => (p.ips.length > 0 || p.hostNetwork ? p : { ...p, ips: families.map(pod) })),
    services: cluster.services.map((s) =>
      s.type === "ExternalName" || s.headless || s.clusterIPs.length > 0
        ? s
        : { ...s, clusterIPs: families.map(svc) },
    ),
  };
}

export async function loadCluster(paths: readonly string[]): Promise<Cluster> {
  const parsed = await loadPaths(paths.map((p) => join(ROOT, p)));
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join("\n"));
  return buildCluster(parsed.objects).cluster;
}

export async function demoAnalysis(): Promise<Analysis> {
  return analyze(withAddresses(await loadCluster(["fixtures/demo"])));
}

// --- the upstream e2e cases ---------------------------------------------------------------------

const E2E = join(ROOT, "test", "conformance", "k8s-e2e");
type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };
type Step =
  | { apply: Obj[] }
  | { update: Obj[] }
  | { delete: string[] }
  | { labelNamespace: { namespace: string; labels: Record<string, string> } }
  | { labelPod: { pod: string; labels: Record<string, string> } }
  | { probe: E2eProbe };

export interface E2eProbe {
  readonly protocol: Protocol;
  readonly port: number;
  readonly columns: string[];
  readonly rows: Record<string, string>;
}

export interface E2eStep {
  readonly cluster: Cluster;
  readonly probe: E2eProbe;
}

/** Every probe step of a case with the cluster as it stands then. */
export function e2eSteps(file: string): E2eStep[] {
  const topology = loadAll(readFileSync(join(E2E, "topology.yaml"), "utf8")) as Obj[];
  const c = load(readFileSync(join(E2E, "cases", file), "utf8")) as { steps: Step[] };
  let objects: Obj[] = structuredClone(topology);
  const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  const out: E2eStep[] = [];
  for (const step of c.steps) {
    if ("apply" in step) objects = [...objects, ...structuredClone(step.apply)];
    else if ("update" in step)
      for (const u of step.update) objects = objects.map((o) => (key(o) === key(u) ? structuredClone(u) : o));
    else if ("delete" in step)
      objects = objects.filter(
        (o) =>
          !(o.kind === "NetworkPolicy" && step.delete.includes(`${o.metadata.namespace}/${o.metadata.name}`)),
      );
    else if ("labelNamespace" in step) {
      const { namespace, labels } = step.labelNamespace;
      objects = objects.map((o) =>
        o.kind === "Namespace" && o.metadata.name === namespace
          ? { ...o, metadata: { ...o.metadata, labels } }
          : o,
      );
    } else if ("labelPod" in step) {
      const { pod, labels } = step.labelPod;
      objects = objects.map((o) =>
        o.kind === "Pod" && `${o.metadata.namespace}/${o.metadata.name}` === pod
          ? { ...o, metadata: { ...o.metadata, labels } }
          : o,
      );
    } else {
      const parsed = parseText(objects.map((o) => dump(o)).join("---\n"), file);
      out.push({ cluster: buildCluster(parsed.objects).cluster, probe: step.probe });
    }
  }
  return out;
}
