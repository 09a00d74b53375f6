/**
 * NetworkPolicies of the kinds found in real clusters, written against the labels the topology
 * really generates: every selector is derived from a concrete workload or namespace, so every
 * policy selects pods and every pod peer matches some (sizes are honest, not padded).
 *
 * | kind                     | shape                                                               |
 * |--------------------------|---------------------------------------------------------------------|
 * | default deny             | podSelector {}, policyTypes [Ingress] or [Ingress, Egress]          |
 * | DNS egress               | to kube-system/k8s-app=kube-dns (nsSelector AND podSelector), 53    |
 * | same namespace           | from podSelector {}                                                 |
 * | ingress controller       | tier=frontend from ingress-nginx pods on the named port http        |
 * | Prometheus scrape        | from monitoring/prometheus on TCP 9100-9110 (endPort)               |
 * | app ingress              | from the same app on named ports; from other namespaces by          |
 * |                          | namespaceSelector matchLabels / matchExpressions In, NotIn, Exists, |
 * |                          | DoesNotExist (app-policies.ts)                                      |
 * | app egress               | to the same app; to another namespace's api on a named port         |
 * | external egress          | ipBlock 0.0.0.0/0 except RFC 1918 on 443; partner /24 except a /28  |
 * | allow-all                | ingress [{}] (ingress controller); a public port without `from`     |
 * | deny-all to one workload | policyTypes [Ingress] and no rules                                  |
 *
 * Order: platform, then per namespace, then per application round-robin (each application's most
 * common kinds first), then extra peers for each api; the list is cut at the requested count.
 */
import { appPolicies, extraPolicy, type PolicyContext, partnerRanges } from "./app-policies.js";
import { DNS_PEER, DNS_PORTS, type Json, match, netpol, podIn, SCRAPE_PORTS } from "./netpol.js";
import { platformPolicies } from "./platform.js";
import type { Rng } from "./prng.js";
import type { AppPlan, NamespacePlan } from "./topology.js";

export function planPolicies(rng: Rng, apps: readonly NamespacePlan[], count: number): Json[] {
  const out: Json[] = [...platformPolicies()];
  const egressDenied = new Set<string>();
  for (const ns of apps) {
    const r = namespacePolicies(rng, ns);
    out.push(...r.policies);
    if (r.egressDenied) egressDenied.add(ns.name);
  }
  if (out.length >= count) return out.slice(0, count);
  const ctx: PolicyContext = { rng, namespaces: apps, egressDenied, partners: partnerRanges(rng, 40) };
  const all: AppPlan[] = apps.flatMap((n) => n.apps);
  const fixed = all.map((a) => appPolicies(ctx, a));
  for (let round = 0; out.length < count; round++)
    for (let i = 0; i < all.length && out.length < count; i++) {
      const list = fixed[i]!;
      out.push(round < list.length ? list[round]! : extraPolicy(ctx, all[i]!, round - list.length));
    }
  return out;
}

/** Per application namespace: default deny, DNS, same namespace, ingress controller, scraping. */
function namespacePolicies(rng: Rng, ns: NamespacePlan): { policies: Json[]; egressDenied: boolean } {
  const out: Json[] = [];
  let egressDenied = false;
  if (rng.chance(0.85)) {
    egressDenied = rng.chance(0.55);
    out.push(
      egressDenied
        ? netpol(ns.name, "default-deny-all", {}, { ingress: [], egress: [] })
        : netpol(ns.name, "default-deny-ingress", {}, { ingress: [] }),
    );
  }
  if (egressDenied)
    out.push(netpol(ns.name, "allow-dns-egress", {}, { egress: [{ to: [DNS_PEER], ports: DNS_PORTS }] }));
  if (rng.chance(0.4))
    out.push(netpol(ns.name, "allow-same-namespace", {}, { ingress: [{ from: [{ podSelector: {} }] }] }));
  if (ns.apps.some((a) => a.components.has("web") || a.components.has("admin")))
    out.push(
      netpol(ns.name, "allow-from-ingress-controller", match({ tier: "frontend" }), {
        ingress: [{ from: [podIn("ingress-nginx", "ingress-nginx")], ports: [{ port: "http" }] }],
      }),
    );
  if (rng.chance(0.5))
    out.push(
      netpol(
        ns.name,
        "allow-prometheus-scrape",
        {},
        {
          ingress: [{ from: [podIn("monitoring", "prometheus")], ports: SCRAPE_PORTS }],
        },
      ),
    );
  return { policies: out, egressDenied };
}
