/**
 * Policies of one application (api, db, cache, web, worker, admin, consumer, cron components),
 * most common kinds first, and extra policies admitting one more peer to an api. Cross-namespace
 * peers are derived from a concrete remote application, so the selector always matches it.
 */
import { byName, COMPONENT, type Json, match, netpol, nsByName, PART_OF, PRIVATE_RANGES } from "./netpol.js";
import type { Rng } from "./prng.js";
import type { AppPlan, NamespacePlan } from "./topology.js";

export interface PolicyContext {
  readonly rng: Rng;
  readonly namespaces: readonly NamespacePlan[];
  /** Namespaces whose default deny covers egress (app egress policies are written there). */
  readonly egressDenied: ReadonlySet<string>;
  readonly partners: readonly { cidr: string; except: string }[];
}

/** Partner endpoints outside the cluster: a public /24 with one /28 carved out. */
export function partnerRanges(rng: Rng, count: number): { cidr: string; except: string }[] {
  const firsts = [34, 35, 52, 54, 104, 151, 185, 198, 203];
  const seen = new Set<string>();
  const out: { cidr: string; except: string }[] = [];
  while (out.length < count) {
    const prefix = `${rng.pick(firsts)}.${rng.int(256)}.${rng.int(256)}`;
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    out.push({ cidr: `${prefix}.0/24`, except: `${prefix}.${16 * rng.int(16)}/28` });
  }
  return out;
}

/** A namespace selector, in one of six spellings, that matches `ns` (and is seen from `from`). */
function namespaceSelector(rng: Rng, ns: NamespacePlan, from: NamespacePlan): Json {
  switch (rng.int(6)) {
    case 0:
      return match({ team: ns.team });
    case 1:
      return match({ team: ns.team, env: ns.env });
    case 2:
      return {
        matchExpressions: [{ key: "env", operator: "In", values: [...new Set([ns.env, "staging"])] }],
      };
    case 3:
      if (ns.team !== from.team)
        return {
          matchExpressions: [
            { key: "team", operator: "NotIn", values: [from.team] },
            { key: "env", operator: "Exists" },
          ],
        };
      return nsByName(ns.name);
    case 4:
      return {
        matchExpressions: [
          { key: "compliance", operator: ns.labels.compliance ? "Exists" : "DoesNotExist" },
          { key: "team", operator: "In", values: [ns.team] },
        ],
      };
    default:
      return nsByName(ns.name);
  }
}

/** Another application (in another namespace when there is one) and a peer that matches its api. */
function remote(ctx: PolicyContext, from: NamespacePlan): { app: AppPlan; peer: Json } {
  const { rng } = ctx;
  const ns = ctx.namespaces.length > 1 ? rng.pick(ctx.namespaces.filter((n) => n !== from)) : from;
  const app = rng.pick(ns.apps);
  const podSelector = rng.chance(0.5)
    ? match({ [PART_OF]: app.name })
    : {
        matchExpressions: [
          { key: COMPONENT, operator: "In", values: ["api", "worker"] },
          { key: "tier", operator: "In", values: ["backend"] },
        ],
      };
  return { app, peer: { namespaceSelector: namespaceSelector(rng, ns, from), podSelector } };
}

export function appPolicies(ctx: PolicyContext, app: AppPlan): Json[] {
  const { rng } = ctx;
  const ns = app.namespace.name;
  const c = (k: string) => app.components.get(k);
  const sameApp = { podSelector: match({ [PART_OF]: app.name }) };
  const egressDenied = ctx.egressDenied.has(ns);
  const out: Json[] = [];
  // 1. The api: from its own app on named ports, and often from another namespace.
  const api = c("api")!;
  const apiRules: Json[] = [{ from: [sameApp], ports: [{ port: "http" }, { port: "grpc" }] }];
  if (rng.chance(0.6))
    apiRules.push({ from: [remote(ctx, app.namespace).peer], ports: [{ protocol: "TCP", port: 8080 }] });
  out.push(netpol(ns, `${app.name}-api-ingress`, byName(api), { ingress: apiRules }));
  // 2. The database: from the app's backend tier on its named port.
  const db = c("db");
  if (db) {
    const appBackend = [
      { key: PART_OF, operator: "In", values: [app.name] },
      { key: "tier", operator: "In", values: ["backend"] },
    ];
    const rule = {
      from: [{ podSelector: { matchExpressions: appBackend } }],
      ports: [{ port: db.ports[0]!.name }],
    };
    out.push(netpol(ns, `${app.name}-db-ingress`, byName(db), { ingress: [rule] }));
  }
  // 3. Egress of the whole app where the namespace denies egress: its own pods and a remote api.
  if (egressDenied) {
    const target = remote(ctx, app.namespace).app;
    const to = {
      namespaceSelector: nsByName(target.namespace.name),
      podSelector: byName(target.components.get("api")!),
    };
    out.push(
      netpol(ns, `${app.name}-egress`, match({ [PART_OF]: app.name }), {
        egress: [{ to: [sameApp] }, { to: [to], ports: [{ port: "http" }] }],
      }),
    );
  }
  // 4. The cache: from the app on a numeric port.
  const cache = c("cache");
  if (cache)
    out.push(
      netpol(ns, `${app.name}-cache-ingress`, byName(cache), {
        ingress: [{ from: [sameApp], ports: [{ protocol: "TCP", port: 6379 }] }],
      }),
    );
  // 5. The public web: everyone on http, sometimes everything.
  const web = c("web");
  if (web)
    out.push(
      netpol(ns, `${app.name}-web-public`, byName(web), {
        ingress: [rng.chance(0.3) ? {} : { ports: [{ port: "http" }] }],
      }),
    );
  // 6. External egress from a worker (or the api): the internet minus private ranges, or a partner.
  const caller = c("worker") ?? api;
  const partner = rng.pick(ctx.partners);
  const external = rng.chance(0.6)
    ? {
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_RANGES } }],
        ports: [{ protocol: "TCP", port: 443 }],
      }
    : {
        to: [{ ipBlock: { cidr: partner.cidr, except: [partner.except] } }],
        ports: [{ protocol: "TCP", port: 8443, endPort: 8450 }],
      };
  const egress: Json[] = egressDenied ? [external, { to: [sameApp] }] : [external];
  out.push(netpol(ns, `${caller.name}-external-egress`, byName(caller), { egress }));
  // 7. The worker: from the app's api on a port range.
  const worker = c("worker");
  if (worker) {
    const from = { podSelector: match({ [PART_OF]: app.name, [COMPONENT]: "api" }) };
    const ports = [{ protocol: "TCP", port: 9000, endPort: 9102 }];
    out.push(
      netpol(ns, `${app.name}-worker-ingress`, byName(worker), { ingress: [{ from: [from], ports }] }),
    );
  }
  // 8. The admin UI: every pod of the namespaces of this team or of support.
  const admin = c("admin");
  if (admin) {
    const teams = [...new Set([app.namespace.team, "support"])];
    const from = {
      namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: teams }] },
    };
    out.push(
      netpol(ns, `${app.name}-admin-ingress`, byName(admin), {
        ingress: [{ from: [from], ports: [{ port: "http" }] }],
      }),
    );
  }
  // 9. The consumer takes no connections at all.
  const consumer = c("consumer");
  if (consumer) out.push(netpol(ns, `${app.name}-consumer-deny-ingress`, byName(consumer), { ingress: [] }));
  return out;
}

/** The k-th extra policy of an application: admits one more peer to its api. */
export function extraPolicy(ctx: PolicyContext, app: AppPlan, k: number): Json {
  const { rng } = ctx;
  const ns = app.namespace;
  const peer = rng.chance(0.5)
    ? { podSelector: byName(rng.pick(ns.workloads.filter((w) => w.kind !== "Pod"))) }
    : remote(ctx, ns).peer;
  const ports = rng.pick<Json[]>([
    [{ port: "http" }],
    [{ protocol: "TCP", port: 8080 }],
    [{ protocol: "TCP", port: 9090, endPort: 9099 }],
    [{ port: "grpc" }, { protocol: "UDP", port: 5353 }],
  ]);
  return netpol(ns.name, `${app.name}-api-extra-${k + 1}`, byName(app.components.get("api")!), {
    ingress: [{ from: [peer], ports }],
  });
}
