/**
 * ClusterNetworkPolicies (policy.networking.k8s.io/v1alpha2) of the kinds cluster administrators
 * write as guardrails, against the labels the topology really generates: every subject selects pods
 * and every namespace or pod peer matches some. Field limits follow the CRD
 * (apis/v1alpha2/clusternetworkpolicy_types.go): at most 25 rules per direction, `from`/`to` never
 * empty, a range's start below its end, no destinationNamedPort beside a `networks` peer.
 *
 * Admin tier, in order of precedence (priority 0, 10, 20, … — distinct, at most 1000):
 * | policy                        | subject                        | rules                                                  |
 * |-------------------------------|--------------------------------|--------------------------------------------------------|
 * | deny-cloud-metadata           | namespaces {}                  | egress Deny networks 169.254.169.254/32                |
 * | allow-dns                     | namespaces {}                  | egress Accept kube-system kube-dns on udp/tcp 53       |
 * | allow-monitoring-scrape       | namespaces {}                  | ingress Accept Prometheus on named port metrics and    |
 * |                               |                                | tcp 9100-9199                                          |
 * | deny-outbound-smtp            | namespaces env Exists          | egress Deny networks 0.0.0.0/0, ::/0 on tcp 25, 465,   |
 * |                               |                                | 587                                                    |
 * | <team>-db-owners              | pods team T, component db      | ingress Pass from team T on the db port (the namespace |
 * |                               |                                | owners' NetworkPolicies decide); Deny the named db     |
 * |                               |                                | port from everyone else                                |
 * | <ns>-<app>-api-guard[-rN]     | pods of one app's api          | ingress Accept own app on named http/grpc; Pass team T |
 * |                               |                                | on tcp 8000-8999 (or one port)                         |
 * | deny-dev-to-prod              | namespaces env=dev             | egress Deny namespaces env In [prod], team NotIn       |
 * |                               |                                | [platform]                                             |
 * | pci-egress-lockdown           | namespaces compliance=pci      | egress Pass namespaces {}; Accept partners on tcp 443; |
 * |                               |                                | Deny networks 0.0.0.0/0                                |
 * | <team>-tenant-isolation       | namespaces team T              | ingress Pass from team T, Deny from other tenants;     |
 * |                               |                                | egress Deny to other tenants                           |
 *
 * Baseline tier (applies where no NetworkPolicy selects the pod in that direction):
 * | policy                        | subject                        | rules                                                  |
 * |-------------------------------|--------------------------------|--------------------------------------------------------|
 * | baseline-allow-dns            | namespaces {}                  | egress Accept kube-dns on udp/tcp 53                   |
 * | baseline-allow-monitoring     | namespaces {}                  | ingress Accept Prometheus on named port metrics        |
 * | baseline-<ns>-db              | pods of a namespace's dbs      | ingress Accept backend tier on the db port; Deny the   |
 * |                               |                                | named db port from everyone else                       |
 * | baseline-<ns>-pass-dev        | a dev namespace                | ingress Pass from dev namespaces (to the default)      |
 * | baseline-<ns>-<app>-api[-rN]  | pods of one app's api          | ingress Accept own app on named ports; Deny grpc       |
 * | baseline-<team>-default-deny  | namespaces team T              | Accept own tenant, ingress controller on http, https   |
 * |                               |                                | out; Deny every other namespace                        |
 *
 * Which policies exist is decided by the count: fixed ones first, then per team, per namespace and
 * per application round-robin (rounds `-rN` when the applications run out), cut at the count. Each
 * tier draws on a PRNG of its own, so one tier's count does not change the other's policies.
 */
import { partnerRanges } from "./app-policies.js";
import { COMPONENT, DNS_PEER, type Json, match, NAME, nsByName, PART_OF, podIn } from "./netpol.js";
import type { Rng } from "./prng.js";
import type { AppPlan, NamespacePlan } from "./topology.js";

/** Admin priorities must be distinct within 0..1000, so at most 1001 policies per tier. */
export const MAX_TIER_POLICIES = 1001;

type TierName = "Admin" | "Baseline";

/** A policy before its priority: `band` orders precedence (specific rules before broad ones). */
interface Draft {
  readonly band: number;
  readonly name: string;
  readonly subject: Json;
  readonly ingress?: Json[];
  readonly egress?: Json[];
}

// --- spelling helpers ----------------------------------------------------------------------------

const tcp = (number: number): Json => ({ tcp: { destinationPort: { number } } });
const udp = (number: number): Json => ({ udp: { destinationPort: { number } } });
const tcpRange = (start: number, end: number): Json => ({
  tcp: { destinationPort: { range: { start, end } } },
});
const named = (name: string): Json => ({ destinationNamedPort: name });

function rule(
  direction: "ingress" | "egress",
  name: string,
  action: string,
  peers: Json[],
  protocols?: Json[],
): Json {
  const r: Json = { name, action, [direction === "ingress" ? "from" : "to"]: peers };
  if (protocols) r.protocols = protocols;
  return r;
}
const ingress = (name: string, action: string, peers: Json[], protocols?: Json[]) =>
  rule("ingress", name, action, peers, protocols);
const egress = (name: string, action: string, peers: Json[], protocols?: Json[]) =>
  rule("egress", name, action, peers, protocols);

const ALL_NAMESPACES: Json = { namespaces: {} };
const DNS: Json = { pods: DNS_PEER };
const DNS_PROTOCOLS = [udp(53), tcp(53)];
const PROMETHEUS: Json = { pods: podIn("monitoring", "prometheus") };
const INGRESS_CONTROLLER: Json = { pods: podIn("ingress-nginx", "ingress-nginx") };

/** A namespace selector for one team, in one of two spellings. */
function teamSelector(rng: Rng, team: string): Json {
  return rng.chance(0.5)
    ? match({ team })
    : { matchExpressions: [{ key: "team", operator: "In", values: [team] }] };
}

/** Application namespaces of other teams (the platform team is no tenant). */
const otherTenants = (team: string): Json => ({
  matchExpressions: [
    { key: "team", operator: "Exists" },
    { key: "team", operator: "NotIn", values: [team, "platform"] },
  ],
});

// --- the two tiers -------------------------------------------------------------------------------

export function planTierPolicies(
  rng: Rng,
  apps: readonly NamespacePlan[],
  counts: { readonly admin: number; readonly baseline: number },
): { admin: Json[]; baseline: Json[] } {
  const teams = [...new Set(apps.map((n) => n.team))].sort();
  const partners = partnerRanges(rng.fork(1), 3).map((p) => p.cidr);
  const [admin, baseline] = [rng.fork(2), rng.fork(3)];
  return {
    admin: finish("Admin", take(adminDrafts(admin, apps, teams, partners), counts.admin)),
    baseline: finish("Baseline", take(baselineDrafts(baseline, apps, teams), counts.baseline)),
  };
}

function* adminDrafts(
  rng: Rng,
  apps: readonly NamespacePlan[],
  teams: readonly string[],
  partners: string[],
): Generator<Draft> {
  // 1. Cluster-wide guardrails.
  yield {
    band: 0,
    name: "deny-cloud-metadata",
    subject: ALL_NAMESPACES,
    egress: [egress("deny-instance-metadata", "Deny", [{ networks: ["169.254.169.254/32"] }])],
  };
  yield {
    band: 0,
    name: "allow-dns",
    subject: ALL_NAMESPACES,
    egress: [egress("allow-kube-dns", "Accept", [DNS], DNS_PROTOCOLS)],
  };
  yield {
    band: 0,
    name: "allow-monitoring-scrape",
    subject: ALL_NAMESPACES,
    ingress: [ingress("allow-prometheus", "Accept", [PROMETHEUS], [named("metrics"), tcpRange(9100, 9199)])],
  };
  yield {
    band: 0,
    name: "deny-outbound-smtp",
    subject: { namespaces: { matchExpressions: [{ key: "env", operator: "Exists" }] } },
    egress: [
      egress("deny-smtp", "Deny", [{ networks: ["0.0.0.0/0", "::/0"] }], [tcp(25), tcp(465), tcp(587)]),
    ],
  };
  if (apps.some((n) => n.env === "dev") && apps.some((n) => n.env === "prod"))
    yield {
      band: 2,
      name: "deny-dev-to-prod",
      subject: { namespaces: match({ env: "dev" }) },
      egress: [
        egress("deny-prod-tenants", "Deny", [
          {
            namespaces: {
              matchExpressions: [
                { key: "env", operator: "In", values: ["prod"] },
                { key: "team", operator: "NotIn", values: ["platform"] },
              ],
            },
          },
        ]),
      ],
    };
  if (apps.some((n) => n.labels.compliance === "pci"))
    yield {
      band: 2,
      name: "pci-egress-lockdown",
      subject: { namespaces: match({ compliance: "pci" }) },
      egress: [
        egress("in-cluster-to-networkpolicy", "Pass", [ALL_NAMESPACES]),
        egress("allow-payment-partners", "Accept", [{ networks: partners }], [tcp(443)]),
        egress("deny-internet", "Deny", [{ networks: ["0.0.0.0/0"] }]),
      ],
    };
  // 2. Per team: isolation from other tenants, and the database port left to its owners.
  for (const team of teams) {
    const ingressRules = [
      ingress("same-tenant-to-networkpolicy", "Pass", [{ namespaces: teamSelector(rng, team) }]),
    ];
    const egressRules: Json[] = [];
    if (teams.length > 1) {
      ingressRules.push(ingress("deny-other-tenants", "Deny", [{ namespaces: otherTenants(team) }]));
      egressRules.push(egress("deny-to-other-tenants", "Deny", [{ namespaces: otherTenants(team) }]));
    }
    yield {
      band: 2,
      name: `${team}-tenant-isolation`,
      subject: { namespaces: teamSelector(rng, team) },
      ingress: ingressRules,
      ...(egressRules.length > 0 ? { egress: egressRules } : {}),
    };
    const dbPorts = dbsOf(apps.filter((n) => n.team === team));
    if (dbPorts.size > 0)
      yield {
        band: 1,
        name: `${team}-db-owners`,
        subject: { pods: { namespaceSelector: match({ team }), podSelector: match({ [COMPONENT]: "db" }) } },
        ingress: [
          ingress(
            "pass-db-to-owners",
            "Pass",
            [{ namespaces: match({ team }) }],
            [...dbPorts.values()].map(tcp),
          ),
          ingress("deny-db-from-elsewhere", "Deny", [ALL_NAMESPACES], [...dbPorts.keys()].map(named)),
        ],
      };
  }
  // 3. Per application, round after round: its api admits its own app and passes its team.
  const all = apps.flatMap((n) => n.apps);
  for (let round = 0; all.length > 0; round++)
    for (const app of all)
      yield {
        band: 1,
        name: `${app.namespace.name}-${app.name}-api-guard${round === 0 ? "" : `-r${round + 1}`}`,
        subject: { pods: apiOf(app) },
        ingress: [
          ingress("allow-own-app", "Accept", [{ pods: sameApp(app) }], [named("http"), named("grpc")]),
          ingress(
            "team-to-networkpolicy",
            "Pass",
            [{ namespaces: match({ team: app.namespace.team }) }],
            [round % 2 === 0 ? tcpRange(8000, 8999) : tcp(8080 + (round % 10))],
          ),
        ],
      };
}

function* baselineDrafts(
  rng: Rng,
  apps: readonly NamespacePlan[],
  teams: readonly string[],
): Generator<Draft> {
  // 1. What every pod needs.
  yield {
    band: 0,
    name: "baseline-allow-dns",
    subject: ALL_NAMESPACES,
    egress: [egress("allow-kube-dns", "Accept", [DNS], DNS_PROTOCOLS)],
  };
  yield {
    band: 0,
    name: "baseline-allow-monitoring",
    subject: ALL_NAMESPACES,
    ingress: [ingress("allow-prometheus", "Accept", [PROMETHEUS], [named("metrics")])],
  };
  // 2. Per team: a default deny around the tenant.
  for (const team of teams)
    yield {
      band: 2,
      name: `baseline-${team}-default-deny`,
      subject: { namespaces: teamSelector(rng, team) },
      ingress: [
        ingress("allow-same-tenant", "Accept", [{ namespaces: match({ team }) }]),
        ingress("allow-ingress-controller", "Accept", [INGRESS_CONTROLLER], [named("http")]),
        ingress("deny-other-namespaces", "Deny", [ALL_NAMESPACES]),
      ],
      egress: [
        egress("allow-same-tenant", "Accept", [{ namespaces: match({ team }) }]),
        egress("allow-https-out", "Accept", [{ networks: ["0.0.0.0/0"] }], [tcp(443)]),
        egress("deny-other-namespaces", "Deny", [ALL_NAMESPACES]),
      ],
    };
  // 3. Per namespace: its databases, and a pass for dev-to-dev traffic in dev namespaces.
  for (const ns of apps) {
    const dbs = dbsOf([ns]);
    if (dbs.size > 0) {
      yield {
        band: 1,
        name: `baseline-${ns.name}-db`,
        subject: { pods: { namespaceSelector: nsByName(ns.name), podSelector: match({ tier: "db" }) } },
        ingress: [
          ingress(
            "allow-backend",
            "Accept",
            [{ pods: { namespaceSelector: nsByName(ns.name), podSelector: match({ tier: "backend" }) } }],
            [...dbs.values()].map(tcp),
          ),
          ingress("deny-db-port", "Deny", [ALL_NAMESPACES], [...dbs.keys()].map(named)),
        ],
      };
    }
    if (ns.env === "dev")
      yield {
        band: 1,
        name: `baseline-${ns.name}-pass-dev`,
        subject: { namespaces: nsByName(ns.name) },
        ingress: [ingress("dev-to-default", "Pass", [{ namespaces: match({ env: "dev" }) }])],
      };
  }
  // 4. Per application, round after round.
  const all = apps.flatMap((n) => n.apps);
  for (let round = 0; all.length > 0; round++)
    for (const app of all)
      yield {
        band: 1,
        name: `baseline-${app.namespace.name}-${app.name}-api${round === 0 ? "" : `-r${round + 1}`}`,
        subject: { pods: apiOf(app) },
        ingress: [
          ingress("allow-own-app", "Accept", [{ pods: sameApp(app) }], [named("http"), tcpRange(9090, 9102)]),
          ingress("deny-grpc", "Deny", [ALL_NAMESPACES], [named("grpc")]),
        ],
      };
}

// --- shared pieces -------------------------------------------------------------------------------

/** The databases' ports (postgres 5432, mysql 3306) in these namespaces: name → number, sorted. */
function dbsOf(namespaces: readonly NamespacePlan[]): Map<string, number> {
  const ports = namespaces.flatMap((n) =>
    n.apps.flatMap((a) => a.components.get("db")?.ports.slice(0, 1) ?? []),
  );
  return new Map(
    ports.map((p) => [p.name, p.port] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

const apiOf = (app: AppPlan): Json => ({
  namespaceSelector: nsByName(app.namespace.name),
  podSelector: match({ [NAME]: app.components.get("api")!.name }),
});
const sameApp = (app: AppPlan): Json => ({
  namespaceSelector: nsByName(app.namespace.name),
  podSelector: match({ [PART_OF]: app.name }),
});

function take(drafts: Iterable<Draft>, count: number): Draft[] {
  const out: Draft[] = [];
  if (count <= 0) return out;
  for (const d of drafts) if (out.push(d) >= count) break;
  return out;
}

/** Precedence: by band (stable), then priorities 0, 10, 20, … (closer when there are over 101). */
function finish(tier: TierName, drafts: readonly Draft[]): Json[] {
  const ordered = drafts.map((d, i) => ({ d, i })).sort((x, y) => x.d.band - y.d.band || x.i - y.i);
  const step = Math.min(10, Math.floor(1000 / Math.max(1, drafts.length - 1)));
  return ordered.map(({ d }, i) => {
    const spec: Json = { tier, priority: i * step, subject: d.subject };
    if (d.ingress) spec.ingress = d.ingress;
    if (d.egress) spec.egress = d.egress;
    return {
      apiVersion: "policy.networking.k8s.io/v1alpha2",
      kind: "ClusterNetworkPolicy",
      metadata: { name: d.name },
      spec,
    };
  });
}
