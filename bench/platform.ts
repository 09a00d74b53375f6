/**
 * The platform every synthetic cluster has: kube-system (coredns, a hostNetwork kube-proxy,
 * metrics-server), ingress-nginx (the controller, open to everything) and monitoring (Prometheus,
 * Grafana, node-exporter), with their policies. 3 namespaces, 7 workloads, 7 policies.
 */
import { DNS_PEER, DNS_PORTS, type Json, match, NAME, netpol, podIn, SCRAPE_PORTS } from "./netpol.js";
import type { Rng } from "./prng.js";
import { type NamespacePlan, type PortPlan, podLabels, tcp, version, type WorkloadKind } from "./topology.js";

export const PLATFORM_NAMESPACES = 3;
export const PLATFORM_WORKLOADS = 7;

export function platformNamespaces(rng: Rng): NamespacePlan[] {
  const ns = (name: string, labels: Record<string, string>): NamespacePlan => ({
    ...{ name, team: "platform", env: "prod", labels, platform: true },
    ...{ workloads: [], apps: [] },
  });
  const kubeSystem = ns("kube-system", {});
  const ingress = ns("ingress-nginx", { team: "platform", env: "prod" });
  const monitoring = ns("monitoring", { team: "platform", env: "prod" });
  const add = (
    n: NamespacePlan,
    name: string,
    kind: WorkloadKind,
    labels: Record<string, string>,
    ports: PortPlan[],
  ) =>
    n.workloads.push({
      ...{ namespace: n.name, name, kind, app: n.name, component: name, labels, ports, replicas: 1 },
      image: `registry.k8s.io/${name}:v1.${rng.between(0, 30)}.${rng.between(0, 9)}`,
      ...(name === "kube-proxy" ? { hostNetwork: true } : {}),
    });
  const labels = (n: NamespacePlan, name: string, component: string) =>
    podLabels(n, name, n.name, component, undefined, version(rng));
  const udp = (name: string, port: number): PortPlan => ({ name, port, protocol: "UDP" });

  add(kubeSystem, "coredns", "Deployment", { "k8s-app": "kube-dns" }, [
    udp("dns", 53),
    tcp("dns-tcp", 53),
    tcp("metrics", 9153),
  ]);
  add(kubeSystem, "kube-proxy", "DaemonSet", { "k8s-app": "kube-proxy" }, []);
  add(kubeSystem, "metrics-server", "Deployment", { "k8s-app": "metrics-server" }, [tcp("https", 10250)]);
  const controllerPorts = [tcp("http", 80), tcp("https", 443), tcp("metrics", 10254)];
  add(
    ingress,
    "ingress-nginx-controller",
    "Deployment",
    labels(ingress, "ingress-nginx", "controller"),
    controllerPorts,
  );
  add(monitoring, "prometheus", "StatefulSet", labels(monitoring, "prometheus", "server"), [
    tcp("http", 9090),
  ]);
  add(monitoring, "grafana", "Deployment", labels(monitoring, "grafana", "ui"), [tcp("http", 3000)]);
  add(monitoring, "node-exporter", "DaemonSet", labels(monitoring, "node-exporter", "exporter"), [
    tcp("metrics", 9100),
  ]);
  return [kubeSystem, ingress, monitoring];
}

export function platformPolicies(): Json[] {
  const prometheus = podIn("monitoring", "prometheus");
  const byAppName = (name: string) => match({ [NAME]: name });
  const fromPod = (name: string, ports: Json[]) => ({ from: [{ podSelector: byAppName(name) }], ports });
  const prodLike = { matchExpressions: [{ key: "env", operator: "In", values: ["prod", "staging"] }] };
  return [
    netpol("kube-system", "coredns-allow-dns", match({ "k8s-app": "kube-dns" }), {
      ingress: [
        { from: [{ namespaceSelector: {} }], ports: DNS_PORTS },
        { from: [prometheus], ports: [{ protocol: "TCP", port: 9153 }] },
      ],
    }),
    // An ingress controller admits everything: one empty rule.
    netpol("ingress-nginx", "allow-all-ingress", byAppName("ingress-nginx"), { ingress: [{}] }),
    netpol("monitoring", "default-deny-ingress", {}, { ingress: [] }),
    netpol("monitoring", "prometheus-allow-from-grafana", byAppName("prometheus"), {
      ingress: [fromPod("grafana", [{ port: "http" }])],
    }),
    netpol("monitoring", "grafana-allow-from-ingress", byAppName("grafana"), {
      ingress: [{ from: [podIn("ingress-nginx", "ingress-nginx")], ports: [{ port: "http" }] }],
    }),
    netpol("monitoring", "node-exporter-allow-scrape", byAppName("node-exporter"), {
      ingress: [fromPod("prometheus", [{ port: "metrics" }])],
    }),
    netpol("monitoring", "prometheus-scrape-egress", byAppName("prometheus"), {
      egress: [
        { to: [{ namespaceSelector: prodLike }], ports: SCRAPE_PORTS },
        { to: [{ podSelector: {} }] },
        { to: [DNS_PEER], ports: DNS_PORTS },
      ],
    }),
  ];
}
