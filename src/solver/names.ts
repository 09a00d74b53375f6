/**
 * Names a guarantee file uses, checked against the input: a namespace, workload or Service the input
 * does not have, or a label key that no object or policy uses, is a warning with the closest known
 * name as a suggestion (the guarantee is still verified: such a set can only match future objects).
 */
import { type Diagnostic, diagnostic } from "../common/index.js";
import type { Cluster, LabelSelector } from "../model/index.js";
import type { GuaranteeFile, LabelRequirement } from "../parser/index.js";
import { closest } from "../parser/index.js";
import { claimParts, primaries, resolveRef } from "./sets.js";
import type { Universe } from "./universe.js";

export function checkNames(files: readonly GuaranteeFile[], cluster: Cluster, _u: Universe): Diagnostic[] {
  const namespaces = new Set(cluster.namespaces.map((n) => n.name));
  const podKeys = new Set<string>();
  const nsKeys = new Set<string>();
  for (const p of cluster.pods) for (const k of Object.keys(p.labels)) podKeys.add(k);
  for (const n of cluster.namespaces) for (const k of Object.keys(n.labels)) nsKeys.add(k);
  const selectorKeys = (s: LabelSelector, into: Set<string>) => {
    for (const k of Object.keys(s.matchLabels ?? {})) into.add(k);
    for (const r of s.matchExpressions ?? []) into.add(r.key);
  };
  for (const p of cluster.policies) {
    selectorKeys(p.podSelector, podKeys);
    for (const r of [...p.ingress, ...p.egress])
      for (const peer of r.peers)
        if (peer.kind === "pods") {
          selectorKeys(peer.pods, podKeys);
          if (peer.namespaces.kind === "selector") selectorKeys(peer.namespaces.selector, nsKeys);
        }
  }
  for (const p of cluster.clusterPolicies) {
    selectorKeys(p.subject.pods, podKeys);
    selectorKeys(p.subject.namespaces, nsKeys);
  }
  const refs = [
    ...cluster.workloads.map((w) => `${w.namespace}/${w.name}`),
    ...cluster.services.map((s) => `${s.namespace}/${s.name}`),
  ];
  const out: Diagnostic[] = [];
  /** `deployment ns/x` when ns/x is a StatefulSet: name the kind it has. */
  const kindHint = (x: { namespace: string; name: string }) => {
    const w = cluster.workloads.find((y) => y.namespace === x.namespace && y.name === x.name);
    return w ? { hint: `${x.namespace}/${x.name} is a ${w.kind}` } : undefined;
  };
  const hint = (word: string, known: Iterable<string>) => {
    const c = closest(word, known);
    return c ? { hint: `did you mean "${c}"?` } : {};
  };
  const labels = (reqs: readonly LabelRequirement[], keys: Set<string>, what: string) => {
    for (const r of reqs)
      if (!keys.has(r.key))
        out.push(
          diagnostic("NP4022", "warning", `no ${what} or policy uses the label key "${r.key}"`, {
            source: r.source,
            ...hint(r.key, keys),
          }),
        );
  };
  for (const f of files)
    for (const g of f.guarantees)
      for (const x of claimParts(g.claim).sets.flatMap(primaries)) {
        if (x.kind === "pods") {
          if (x.labels) labels(x.labels, podKeys, "pod");
          if (x.namespace?.kind === "labels") labels(x.namespace.labels, nsKeys, "namespace");
          if (x.namespace?.kind === "name" && !namespaces.has(x.namespace.name))
            out.push(
              diagnostic("NP4020", "warning", `no input object is in namespace "${x.namespace.name}"`, {
                source: x.namespace.source,
                ...hint(x.namespace.name, namespaces),
              }),
            );
        } else if (
          (x.kind === "workload" || x.kind === "ref" || x.kind === "service") &&
          !resolveRef(cluster, x)
        ) {
          const what =
            x.kind === "service"
              ? "Service"
              : x.kind === "workload"
                ? (x.workloadKind ?? "workload")
                : "workload or Service";
          out.push(
            diagnostic(
              "NP4021",
              "warning",
              `the input has no ${what} ${x.namespace}/${x.name}: the set is empty`,
              {
                source: x.source,
                ...(kindHint(x) ?? hint(`${x.namespace}/${x.name}`, refs)),
              },
            ),
          );
        }
      }
  return out;
}
