/**
 * Which pods a node's rules cover. Pods are placed by `spec.nodeName`:
 *
 * | EmitOptions.node | local pods                                                        |
 * |------------------|-------------------------------------------------------------------|
 * | undefined        | every pod, as if all ran on one node                              |
 * | "n1"             | the pods whose nodeName is n1                                     |
 *
 * `nodesOf` lists the nodes `--all-nodes` emits for: the nodeNames of the pods and the Node
 * objects, sorted; when no pod names a node (and no Node object exists) there is one, `""`.
 */
import type { Cluster, Pod } from "../model/index.js";

export function isLocal(pod: Pod, node: string | undefined): boolean {
  return node === undefined || pod.nodeName === node;
}

export function nodesOf(cluster: Cluster): string[] {
  const names = new Set<string>();
  for (const p of cluster.pods) if (p.nodeName) names.add(p.nodeName);
  for (const n of cluster.nodes) names.add(n.name);
  return names.size === 0 ? [""] : [...names].sort();
}

/** The pods `--all-nodes` leaves on no node (no nodeName while others have one). */
export function unplaced(cluster: Cluster): Pod[] {
  const nodes = nodesOf(cluster);
  if (nodes.length === 1 && nodes[0] === "") return [];
  return cluster.pods.filter((p) => !p.nodeName);
}
