/**
 * Builders for NetworkPolicy manifests (plain objects, dumped to YAML by the generator) and the
 * label keys and peers every generated policy shares.
 */
import type { WorkloadPlan } from "./topology.js";

export type Json = Record<string, unknown>;

export const NAME = "app.kubernetes.io/name";
export const PART_OF = "app.kubernetes.io/part-of";
export const COMPONENT = "app.kubernetes.io/component";
export const NS_NAME = "kubernetes.io/metadata.name";
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

export const match = (labels: Record<string, string>): Json => ({ matchLabels: labels });
export const byName = (w: WorkloadPlan | string): Json =>
  match({ [NAME]: typeof w === "string" ? w : w.name });
export const nsByName = (name: string): Json => match({ [NS_NAME]: name });
/** One peer, both selectors (AND): pods with the app name in the named namespace. */
export const podIn = (namespace: string, name: string): Json => ({
  namespaceSelector: nsByName(namespace),
  podSelector: byName(name),
});

export const DNS_PEER: Json = {
  namespaceSelector: nsByName("kube-system"),
  podSelector: match({ "k8s-app": "kube-dns" }),
};
export const DNS_PORTS: Json[] = [
  { protocol: "UDP", port: 53 },
  { protocol: "TCP", port: 53 },
];
export const SCRAPE_PORTS: Json[] = [{ protocol: "TCP", port: 9100, endPort: 9110 }];

/**
 * A NetworkPolicy. policyTypes lists each direction that is given: a direction given with no
 * rules isolates and allows nothing (a deny), an absent direction is not isolated.
 */
export function netpol(
  namespace: string,
  name: string,
  podSelector: Json,
  rules: { ingress?: Json[]; egress?: Json[] },
): Json {
  const spec: Json = { podSelector, policyTypes: [] as string[] };
  const types = spec.policyTypes as string[];
  if (rules.ingress) types.push("Ingress");
  if (rules.egress) types.push("Egress");
  if (rules.ingress && rules.ingress.length > 0) spec.ingress = rules.ingress;
  if (rules.egress && rules.egress.length > 0) spec.egress = rules.egress;
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}
