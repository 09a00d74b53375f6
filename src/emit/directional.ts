/**
 * The two halves of the engine's answer. The engine computes
 *   conn(s, d) = egress(s → d) ∩ ingress(d ← s)
 * and a dataplane enforces each half where it applies: the source pod's egress where the packet
 * leaves it, the destination pod's ingress where it arrives (on another node, perhaps). The
 * Analysis answers only the intersection, so each half is obtained from the engine itself, run on
 * the same cluster with the other direction switched off: no NetworkPolicy isolates in that
 * direction, and cluster policies lose their rules of that direction (the engine's own rule: a
 * cluster policy without rules of a direction does not affect it). Those rules' CIDRs are carried
 * by an inert NetworkPolicy (it isolates nothing) so that the address atoms — and therefore the
 * class and atom numbering — stay exactly those of the original analysis.
 */
import {
  type Analysis,
  analyze,
  type Cluster,
  type Direction,
  type NetworkPolicy,
  type Rule,
} from "../model/index.js";

export interface DirectionalAnalyses {
  /** conn(s, d) = the egress half only. */
  readonly egress: Analysis;
  /** conn(s, d) = the ingress half only. */
  readonly ingress: Analysis;
}

const cache = new WeakMap<Analysis, DirectionalAnalyses>();

export function directional(a: Analysis): DirectionalAnalyses {
  let d = cache.get(a);
  if (!d) {
    d = { egress: only(a, "egress"), ingress: only(a, "ingress") };
    cache.set(a, d);
  }
  return d;
}

function only(a: Analysis, keep: Direction): Analysis {
  const drop: Direction = keep === "egress" ? "ingress" : "egress";
  const carried: Rule[] = [];
  const clusterPolicies = a.cluster.clusterPolicies.map((p) => {
    carried.push(...p[drop]);
    return { ...p, [drop]: [] };
  });
  const policies: NetworkPolicy[] = a.cluster.policies.map((p) => ({
    ...p,
    isolates: { ...p.isolates, [drop]: false },
  }));
  const first = a.cluster.clusterPolicies[0];
  if (carried.length > 0 && first)
    policies.push({
      tier: "networkpolicy",
      ref: first.ref,
      namespace: "\u0000netpolc-carrier",
      podSelector: {},
      isolates: { ingress: false, egress: false },
      ingress: carried,
      egress: [],
      source: first.source,
    });
  // The ingress controller's pod is already in a.cluster.pods: do not let analyze add another.
  const cluster: Cluster = { ...a.cluster, policies, clusterPolicies, ingresses: [] };
  const out = analyze(cluster, a.options);
  if (out.classCount !== a.classCount || out.space.atoms.length !== a.space.atoms.length)
    throw new Error("netpolc bug: a directional analysis numbers classes or atoms differently");
  return out;
}
