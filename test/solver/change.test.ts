/**
 * Policy changes (src/solver/change.ts): what a NetworkPolicy (or cluster-tier policy) change may add
 * and remove (`policyChangeEffect`), and whether it can break a guarantee that holds before it
 * (`changeMayBreak`). The webhook skips re-verifying a holding guarantee when `changeMayBreak` is
 * false, so the one thing that must never happen is: `changeMayBreak` false, and the guarantee fails
 * on the changed cluster.
 *
 * 1. A table of named changes on one small hand-written cluster (creations, deletions, updates;
 *    ingress and egress; deny, allow, within and isolated claims; ipBlock peers; cluster-tier
 *    policies). Each row states the expected answer of `changeMayBreak`, and is replayed with the
 *    Verifier (z3) on the whole cluster before and after the change, in both --ipblock-pods modes:
 *    the guarantee holds before, gets the stated verdict after, and holds after whenever
 *    `changeMayBreak` said it could not break.
 * 2. `selectorKeys`: which label keys selectors and claims mention.
 * 3. Soundness (fast-check): random small clusters (2–3 namespaces, 3–6 pods — now and then without
 *    an IP or on the host network —, 0–4 NetworkPolicies with pod / namespace / ipBlock peers, empty
 *    and absent from/to, policyTypes, and sometimes a ClusterNetworkPolicy), a random change of one
 *    NetworkPolicy (create, delete, replace, add or remove one rule keeping the selector, change
 *    policyTypes) or, less often, of one ClusterNetworkPolicy (create, delete); random guarantees
 *    (deny / allow / within / isolated over labels, namespaces, `not`, `any pod`, `existing`,
 *    `anything`, workloads, CIDRs, `external`, and or / and / except). Every guarantee that holds
 *    before the change (whole cluster, z3) and that `changeMayBreak` lets through must not fail on
 *    the changed cluster. Both --ipblock-pods modes. The counts (skipped vs re-checked, re-checked
 *    that do break) are printed, and must show the property is not vacuous. FC_RUNS sets the number
 *    of runs (default 25), FC_SEED replays one.
 * 4. Restricted re-checks (`restrictedClaims`): the webhook re-checks a `deny` or `within` guarantee
 *    that holds before a change by the smaller claims restrictedClaims derives from the change's
 *    added regions, each verified on its own slice (`sliceCluster(after, scopeOf(claim, after))`)
 *    with the whole changed cluster's pod network; "fails" if one fails. Named rows (an egress policy
 *    deleted in x against `deny from not namespace billing to pods(app=db) in namespace billing`; a
 *    new ingress policy in b admitting a against `egress of namespace a within { namespace a }`; one
 *    failing and one holding variant of each) pin the restricted claims' shape, their slices and
 *    counterexamples. In the property of 3, every guarantee that holds before and that
 *    restrictedClaims answers for gets the webhook's verdict, which must equal its verdict on the
 *    whole changed cluster; every counterexample of a restricted claim must be replayed by the engine
 *    and lie in the original claim's sets (which must then fail on the whole cluster too). A second
 *    fixed example makes restricted claims both hold and fail; the statistics are printed.
 *
 * Regression (two rows): a restricted `within` claim's `peers` were not among the guarantee's
 * mentions, so a label key or value only they named was missing from the slice's universe and the
 * Verifier threw (the webhook answered 500). Fixed in sets.ts claimParts.
 *
 * Regression: `ruleKey` used to JSON-stringify rules with their ipBlock ranges' bigints, so
 * `policyChangeEffect` threw "TypeError: Do not know how to serialize a BigInt" for every changed
 * NetworkPolicy with an ipBlock peer in a direction it isolates (the webhook then answered 500). The
 * ipBlock rows below, and the property's ipBlock peers, exercise those changes; the update rows
 * also check that equal ipBlocks compare equal and different ones do not.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  analyze,
  buildCluster,
  type Cluster,
  type ClusterPolicy,
  type IpRange,
  type LabelSelector,
  type ModelOptions,
  matches,
  NAMESPACE_NAME_LABEL,
  type NetworkPolicy,
  rangeHas,
} from "../../src/model/index.js";
import { type Guarantee, parseGuarantees } from "../../src/parser/guarantees/index.js";
import {
  type Claim,
  type ClusterPolicyRuleSpec,
  type LabelRequirement,
  type NetworkPolicySpec,
  parseText,
  type SetExpr,
} from "../../src/parser/index.js";
import {
  type ChangeEffect,
  changeMayBreak,
  type DecodedEndpoint,
  formatEndpoint,
  type GuaranteeResult,
  podNetworkOf,
  policyChangeEffect,
  restrictedClaims,
  scopeOf,
  selectorKeys,
  shutdownZ3,
  sliceCluster,
  type Verdict,
  Verifier,
} from "../../src/solver/index.js";
import { cidrRange, resolveRef } from "../../src/solver/sets.js";
import { labelsArb, podObject, selectorArb } from "../model/support/arbitraries.js";
import { type RawClusterPolicy, type RawObject, type RawPolicy, toObjects } from "../model/support/case.js";

const RUNS = Number(process.env.FC_RUNS ?? 25);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const TIMEOUT_MS = 30_000;

afterAll(shutdownZ3);

type Mode = "include" | "exclude";
const MODES: readonly Mode[] = ["include", "exclude"];
const modeOptions = (m: Mode): Partial<ModelOptions> => ({ ipBlockPods: m });

// --- helpers ---------------------------------------------------------------------------------------

function clusterOf(docs: readonly string[]): Cluster {
  const parsed = parseText(docs.join("\n---\n"), "change.yaml");
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return buildCluster(parsed.objects).cluster;
}

/** One policy object built alone, as the webhook builds the old and new object of a change. */
function policyOf(doc: string | undefined): NetworkPolicy | ClusterPolicy | undefined {
  if (doc === undefined) return undefined;
  const c = clusterOf([doc]);
  const p = c.policies[0] ?? c.clusterPolicies[0];
  if (!p) throw new Error(`not a policy: ${doc}`);
  return p;
}

function guarantees(claims: readonly string[]) {
  const parsed = parseGuarantees(claims.map((c, i) => `guarantee g${i}: ${c}`).join("\n"), "change.ng");
  expect(parsed.diagnostics).toEqual([]);
  return parsed.file;
}

/** Verdicts of claims on a whole cluster (z3); the verifier is released afterwards. */
async function verdictsOn(
  cluster: Cluster,
  file: ReturnType<typeof guarantees>,
  which: readonly Guarantee[],
  mode: Mode,
): Promise<Verdict[]> {
  const a = analyze(cluster, modeOptions(mode));
  const v = await Verifier.create(cluster, a.options, [file], { timeoutMs: TIMEOUT_MS }, a);
  try {
    const out: Verdict[] = [];
    for (const g of which) out.push((await v.verify(g)).verdict);
    return out;
  } finally {
    v.dispose();
  }
}

// --- a small hand-written cluster ------------------------------------------------------------------

const pod = (ns: string, name: string, app: string, ip: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {app: "${app}"}}
spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 80}]}]}
status: {podIP: ${ip}}`;

const netpol = (name: string, ns: string, selector: string, types: string, rules = "") => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec: {podSelector: ${selector}, policyTypes: [${types}]${rules}}`;

const from = (...peers: string[]) => `{from: [${peers.join(", ")}]}`;
const to = (...peers: string[]) => `{to: [${peers.join(", ")}]}`;
const ingress = (...rules: string[]) => `, ingress: [${rules.join(", ")}]`;
const egress = (...rules: string[]) => `, egress: [${rules.join(", ")}]`;
const app = (a: string) => `{podSelector: {matchLabels: {app: ${a}}}}`;
const team = (t: string) => `{namespaceSelector: {matchLabels: {team: ${t}}}}`;
const ipBlock = (cidr: string) => `{ipBlock: {cidr: ${cidr}}}`;
const sel = (a: string) => `{matchLabels: {app: ${a}}}`;

/** Namespaces a (team x) and b (team y); web, db, cache in a; client in b. */
const BASE = [
  `apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: "x"}}`,
  `apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: "y"}}`,
  pod("a", "web", "web", "10.0.0.1"),
  pod("a", "db", "db", "10.0.0.2"),
  pod("a", "cache", "cache", "10.0.0.3"),
  pod("b", "client", "client", "10.0.1.1"),
];

/** db in a accepts web only. */
const DB_IN = netpol("db-in", "a", sel("db"), "Ingress", ingress(from(app("web"))));
/** web in a may only reach db. */
const WEB_OUT = netpol("web-out", "a", sel("web"), "Egress", egress(to(app("db"))));
const DENY_IN_A = netpol("deny-in", "a", "{}", "Ingress");
const DENY_OUT_A = netpol("deny-out", "a", "{}", "Egress");

const clusterPolicy = (name: string, tier: "Admin" | "Baseline", body: string) => `
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: ${name}}
spec:
  tier: ${tier}
  priority: 10
${body}`;

type After = Verdict | Readonly<Record<Mode, Verdict>>;

interface Row {
  readonly name: string;
  /** Objects that stay (besides BASE). */
  readonly stay: readonly string[];
  /** The changed policy before (absent: a creation) and after (absent: a deletion). */
  readonly old?: string;
  readonly next?: string;
  readonly claim: string;
  readonly mayBreak: boolean;
  /** The verdict after the change (the verdict before is always `holds`). */
  readonly after: After;
}

const DENY_B_TO_DB = "deny from namespace b to pods(app=db) in namespace a";
const DENY_WEB_TO_B = "deny from pods(app=web) in namespace a to namespace b";

const ROWS: readonly Row[] = [
  // --- ingress, deny claims ---
  {
    name: "create: an ingress policy whose peers are outside the claim's source cannot break a deny",
    stay: [DB_IN],
    next: netpol("db-from-cache", "a", sel("db"), "Ingress", ingress(from(app("cache")))),
    claim: DENY_B_TO_DB,
    mayBreak: false,
    after: "holds",
  },
  {
    name: "create: an ingress policy admitting the claim's source may break a deny",
    stay: [DB_IN],
    next: netpol("db-from-y", "a", sel("db"), "Ingress", ingress(from(team("y")))),
    claim: DENY_B_TO_DB,
    mayBreak: true,
    after: "fails",
  },
  {
    name: "create: an ingress rule with an empty from admits everything",
    stay: [DB_IN],
    next: netpol("db-open", "a", sel("db"), "Ingress", ingress("{ports: [{port: 80}]}")),
    claim: DENY_B_TO_DB,
    mayBreak: true,
    after: "fails",
  },
  {
    name: "delete: the destination's only ingress-isolating policy (isolation lost) may break a deny",
    stay: [],
    old: DB_IN,
    claim: DENY_B_TO_DB,
    mayBreak: true,
    after: "fails",
  },
  {
    name: "delete: another policy of the namespace with an empty podSelector still isolates ingress",
    stay: [DENY_IN_A],
    old: DB_IN,
    claim: DENY_B_TO_DB,
    mayBreak: false,
    after: "holds",
  },
  {
    name: "delete: another policy with the same podSelector still isolates ingress",
    stay: [netpol("db-closed", "a", sel("db"), "Ingress")],
    old: DB_IN,
    claim: DENY_B_TO_DB,
    mayBreak: false,
    after: "holds",
  },
  {
    // Today db is the only pod with both labels, but a future app=db pod without tier=db would not
    // be isolated: covering is decided on selectors.
    name: "delete: a policy isolating today's pods by other labels does not cover (selectors, not pods)",
    stay: [netpol("tier-closed", "a", `{matchLabels: {tier: db}}`, "Ingress")],
    old: DB_IN,
    claim: DENY_B_TO_DB,
    mayBreak: true,
    after: "fails",
  },
  {
    name: "delete: an egress-isolating policy of the namespace does not keep ingress isolation",
    stay: [DENY_OUT_A],
    old: DB_IN,
    claim: DENY_B_TO_DB,
    mayBreak: true,
    after: "fails",
  },
  {
    name: "update: adding a rule from peers unrelated to the claim cannot break a deny",
    stay: [],
    old: DB_IN,
    next: netpol("db-in", "a", sel("db"), "Ingress", ingress(from(app("web")), from(app("cache")))),
    claim: DENY_B_TO_DB,
    mayBreak: false,
    after: "holds",
  },
  {
    name: "update: adding a rule from the claim's source may break a deny",
    stay: [],
    old: DB_IN,
    next: netpol("db-in", "a", sel("db"), "Ingress", ingress(from(app("web")), from(team("y")))),
    claim: DENY_B_TO_DB,
    mayBreak: true,
    after: "fails",
  },
  {
    name: "update: removing a rule cannot break a deny",
    stay: [],
    old: netpol("db-in", "a", sel("db"), "Ingress", ingress(from(app("web")), from(app("cache")))),
    next: DB_IN,
    claim: DENY_B_TO_DB,
    mayBreak: false,
    after: "holds",
  },
  {
    name: "update: widening the podSelector keeps isolation (the new selector covers the old)",
    stay: [],
    old: DB_IN,
    next: netpol("db-in", "a", "{}", "Ingress", ingress(from(app("web")))),
    claim: DENY_B_TO_DB,
    mayBreak: false,
    after: "holds",
  },
  {
    name: "update: narrowing the podSelector loses isolation of the pods left out",
    stay: [],
    old: netpol("a-in", "a", "{}", "Ingress", ingress(from(app("web")))),
    next: netpol("a-in", "a", sel("web"), "Ingress", ingress(from(app("web")))),
    claim: DENY_B_TO_DB,
    mayBreak: true,
    after: "fails",
  },
  {
    name: "update: dropping Ingress from policyTypes loses ingress isolation",
    stay: [],
    old: DB_IN,
    next: netpol("db-in", "a", sel("db"), "Egress"),
    claim: DENY_B_TO_DB,
    mayBreak: true,
    after: "fails",
  },
  // --- egress mirror, deny claims ---
  {
    name: "egress create: peers outside the claim's destination cannot break a deny",
    stay: [WEB_OUT],
    next: netpol("web-to-cache", "a", sel("web"), "Egress", egress(to(app("cache")))),
    claim: DENY_WEB_TO_B,
    mayBreak: false,
    after: "holds",
  },
  {
    name: "egress create: a rule to the claim's destination may break a deny",
    stay: [WEB_OUT],
    next: netpol("web-to-y", "a", sel("web"), "Egress", egress(to(team("y")))),
    claim: DENY_WEB_TO_B,
    mayBreak: true,
    after: "fails",
  },
  {
    name: "egress delete: the source's only egress-isolating policy may break a deny",
    stay: [],
    old: WEB_OUT,
    claim: DENY_WEB_TO_B,
    mayBreak: true,
    after: "fails",
  },
  {
    name: "egress delete: an empty-podSelector egress policy of the namespace still isolates",
    stay: [DENY_OUT_A],
    old: WEB_OUT,
    claim: DENY_WEB_TO_B,
    mayBreak: false,
    after: "holds",
  },
  {
    name: "egress update: a rule to unrelated peers cannot break a deny",
    stay: [],
    old: WEB_OUT,
    next: netpol("web-out", "a", sel("web"), "Egress", egress(to(app("db")), to(app("cache")))),
    claim: DENY_WEB_TO_B,
    mayBreak: false,
    after: "holds",
  },
  {
    name: "ingress-only change of the claim's source cannot break a deny about its egress",
    stay: [WEB_OUT],
    next: netpol("web-in", "a", sel("web"), "Ingress", ingress(from(team("y")))),
    claim: DENY_WEB_TO_B,
    mayBreak: false,
    after: "holds",
  },
  // --- allow claims (broken by removed connections) ---
  {
    name: "allow: a new isolating ingress policy on the destination may break it",
    stay: [],
    next: netpol("db-in", "a", sel("db"), "Ingress", ingress(from(app("web")))),
    claim: "allow from workload b/client to workload a/db on tcp/80",
    mayBreak: true,
    after: "fails",
  },
  {
    name: "allow: a new isolating policy on other pods cannot break it",
    stay: [],
    next: netpol("web-in", "a", sel("web"), "Ingress", ingress(from(app("db")))),
    claim: "allow from workload b/client to workload a/db on tcp/80",
    mayBreak: false,
    after: "holds",
  },
  {
    name: "allow: a new policy on pods a covering policy already isolates only adds rules",
    stay: [netpol("a-from-y", "a", "{}", "Ingress", ingress(from(team("y"))))],
    next: netpol("db-in", "a", sel("db"), "Ingress", ingress(from(app("web")))),
    claim: "allow from workload b/client to workload a/db on tcp/80",
    mayBreak: false,
    after: "holds",
  },
  {
    name: "allow: deleting the rule it depends on may break it",
    stay: [DENY_IN_A],
    old: netpol("db-from-y", "a", sel("db"), "Ingress", ingress(from(team("y")))),
    claim: "allow from workload b/client to workload a/db on tcp/80",
    mayBreak: true,
    after: "fails",
  },
  {
    name: "allow: adding a rule cannot break it",
    stay: [],
    old: netpol("db-from-y", "a", sel("db"), "Ingress", ingress(from(team("y")))),
    next: netpol("db-from-y", "a", sel("db"), "Ingress", ingress(from(team("y")), from(app("web")))),
    claim: "allow from workload b/client to workload a/db on tcp/80",
    mayBreak: false,
    after: "holds",
  },
  {
    name: "allow: new egress isolation of the source may break it",
    stay: [],
    next: netpol("client-out", "b", sel("client"), "Egress"),
    claim: "allow from workload b/client to workload a/db on tcp/80",
    mayBreak: true,
    after: "fails",
  },
  // --- within claims (broken by added connections of the subject) ---
  {
    name: "within: a new rule into the subject from outside the listed peers may break it",
    stay: [],
    old: DB_IN,
    next: netpol("db-in", "a", sel("db"), "Ingress", ingress(from(app("web")), from(app("cache")))),
    claim: "ingress of pods(app=db) in namespace a within { pods(app=web) in namespace a }",
    mayBreak: true,
    after: "fails",
  },
  {
    name: "within: a new rule into other pods cannot break it",
    stay: [DB_IN],
    next: netpol("web-in", "a", sel("web"), "Ingress", ingress(from(team("y")))),
    claim: "ingress of pods(app=db) in namespace a within { pods(app=web) in namespace a }",
    mayBreak: false,
    after: "holds",
  },
  {
    name: "egress within: an ingress rule from peers other than the subject cannot break it",
    stay: [WEB_OUT],
    next: netpol("db-from-cache", "a", sel("db"), "Ingress", ingress(from(app("cache")))),
    claim: "egress of pods(app=web) in namespace a within { pods(app=db) in namespace a }",
    mayBreak: false,
    after: "holds",
  },
  {
    name: "egress within: deleting the subject's egress isolation may break it",
    stay: [],
    old: WEB_OUT,
    claim: "egress of pods(app=web) in namespace a within { pods(app=db) in namespace a }",
    mayBreak: true,
    after: "fails",
  },
  // --- isolated claims ---
  {
    name: "isolated: deleting a policy when an empty-podSelector policy still isolates cannot break it",
    stay: [DENY_IN_A],
    old: DB_IN,
    claim: "isolated ingress for pods(app=db) in namespace a",
    mayBreak: false,
    after: "holds",
  },
  {
    name: "isolated: deleting the only isolating policy may break it",
    stay: [],
    old: DB_IN,
    claim: "isolated ingress for pods(app=db) in namespace a",
    mayBreak: true,
    after: "fails",
  },
  {
    // Isolation stays: a new rule adds connections, not lost isolation.
    name: "isolated: a new rule into the isolated pods cannot break it",
    stay: [],
    old: DB_IN,
    next: netpol("db-in", "a", sel("db"), "Ingress", ingress(from(app("web")), from(app("cache")))),
    claim: "isolated ingress for pods(app=db) in namespace a",
    mayBreak: false,
    after: "holds",
  },
  {
    name: "isolated egress: a new ingress rule from peers other than the subject cannot break it",
    stay: [netpol("db-out", "a", sel("db"), "Egress")],
    old: DB_IN,
    next: netpol("db-in", "a", sel("db"), "Ingress", ingress(from(app("web")), from(app("cache")))),
    claim: "isolated egress for pods(app=db) in namespace a",
    mayBreak: false,
    after: "holds",
  },
  {
    // Lost ingress isolation says nothing of egress isolation.
    name: "isolated egress: losing ingress isolation cannot break it",
    stay: [netpol("db-out", "a", sel("db"), "Egress")],
    old: DB_IN,
    claim: "isolated egress for pods(app=db) in namespace a",
    mayBreak: false,
    after: "holds",
  },
  {
    name: "isolated both: losing egress isolation may break it",
    stay: [DENY_IN_A],
    old: netpol("db-out", "a", sel("db"), "Egress"),
    claim: "isolated both for pods(app=db) in namespace a",
    mayBreak: true,
    after: "fails",
  },
  // --- ipBlock peers: addresses and pods (and rules holding bigints compared by key) ---
  {
    name: "ipBlock: a new ipBlock peer reaches addresses",
    stay: [DB_IN],
    next: netpol("db-from-block", "a", sel("db"), "Ingress", ingress(from(ipBlock("192.168.0.0/16")))),
    claim: "deny from 192.168.0.0/16 to pods(app=db) in namespace a",
    mayBreak: true,
    after: "fails",
  },
  {
    name: "ipBlock: a new ipBlock peer reaches pods too (--ipblock-pods include)",
    stay: [DB_IN],
    next: netpol("db-from-block", "a", sel("db"), "Ingress", ingress(from(ipBlock("10.0.1.0/24")))),
    claim: DENY_B_TO_DB,
    mayBreak: true,
    after: { include: "fails", exclude: "holds" },
  },
  {
    name: "ipBlock: deleting a policy with an ipBlock rule, another policy still isolating",
    stay: [DENY_IN_A],
    old: netpol("db-from-block", "a", sel("db"), "Ingress", ingress(from(ipBlock("192.168.0.0/16")))),
    claim: DENY_B_TO_DB,
    mayBreak: false,
    after: "holds",
  },
  {
    name: "ipBlock: an update keeping the ipBlock rule and adding an unrelated one cannot break a deny",
    stay: [],
    old: netpol("db-in", "a", sel("db"), "Ingress", ingress(from(ipBlock("192.168.0.0/16")))),
    next: netpol(
      "db-in",
      "a",
      sel("db"),
      "Ingress",
      ingress(from(app("cache")), from(ipBlock("192.168.0.0/16"))),
    ),
    claim: DENY_B_TO_DB,
    mayBreak: false,
    after: "holds",
  },
  {
    name: "ipBlock: dropping an except makes the rule a new one (it reaches the excepted pods)",
    stay: [],
    old: netpol(
      "db-in",
      "a",
      sel("db"),
      "Ingress",
      ingress(from(`{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.1.0/24]}}`)),
    ),
    next: netpol("db-in", "a", sel("db"), "Ingress", ingress(from(ipBlock("10.0.0.0/8")))),
    claim: "deny from workload b/client to pods(app=db) in namespace a",
    mayBreak: true,
    after: { include: "fails", exclude: "holds" },
  },
  {
    name: "ipBlock: a new pod-selector rule does not reach an address claim",
    stay: [DB_IN, netpol("stays", "b", "{}", "Ingress", ingress(from(ipBlock("192.168.0.0/16"))))],
    next: netpol("db-from-y", "a", sel("db"), "Ingress", ingress(from(team("y")))),
    claim: "deny from 192.168.0.0/16 to pods(app=db) in namespace a",
    mayBreak: false,
    after: "holds",
  },
  // --- cluster-tier policies (coarse: their subjects may gain or lose anything) ---
  {
    name: "tier: a new Admin policy with ingress rules for the destination may break a deny",
    stay: [DB_IN],
    next: clusterPolicy(
      "open-x",
      "Admin",
      `  subject: {namespaces: {matchLabels: {team: x}}}
  ingress: [{name: all, action: Accept, from: [{namespaces: {}}]}]`,
    ),
    claim: DENY_B_TO_DB,
    mayBreak: true,
    after: "fails",
  },
  {
    // Coarse: even a Deny rule counts as a possible addition.
    name: "tier: a new Admin Deny policy on the destination is treated coarsely",
    stay: [DB_IN],
    next: clusterPolicy(
      "close-x",
      "Admin",
      `  subject: {namespaces: {matchLabels: {team: x}}}
  ingress: [{name: none, action: Deny, from: [{namespaces: {}}]}]`,
    ),
    claim: DENY_B_TO_DB,
    mayBreak: true,
    after: "holds",
  },
  {
    name: "tier: an Admin policy with egress rules for other pods cannot break a deny",
    stay: [DB_IN],
    next: clusterPolicy(
      "web-egress",
      "Admin",
      `  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}}
  egress: [{name: all, action: Accept, to: [{namespaces: {}}]}]`,
    ),
    claim: "deny from pods(app=client) in namespace b to pods(app=db) in namespace a",
    mayBreak: false,
    after: "holds",
  },
  {
    name: "tier: deleting a Baseline policy that closed the destination may break a deny",
    stay: [],
    old: clusterPolicy(
      "closed-x",
      "Baseline",
      `  subject: {namespaces: {matchLabels: {team: x}}}
  ingress: [{name: none, action: Deny, from: [{namespaces: {}}]}]`,
    ),
    claim: "deny from namespace b to pods(app=db) in namespace a on tcp/80",
    mayBreak: true,
    after: "fails",
  },
  {
    name: "tier: deleting an Admin policy cannot break an allow outside its subjects",
    stay: [],
    old: clusterPolicy(
      "close-web",
      "Admin",
      `  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}}
  ingress: [{name: none, action: Deny, from: [{namespaces: {}}]}]`,
    ),
    claim: "allow from workload b/client to workload a/db on tcp/80",
    mayBreak: false,
    after: "holds",
  },
  {
    // Footprints know a named namespace's name, not its labels: team=y may be a's labels.
    name: "tier: subjects by namespace labels meet a named namespace (over-approximation)",
    stay: [],
    old: clusterPolicy(
      "close-y",
      "Admin",
      `  subject: {namespaces: {matchLabels: {team: y}}}
  ingress: [{name: none, action: Deny, from: [{namespaces: {}}]}]`,
    ),
    claim: "allow from workload b/client to workload a/db on tcp/80",
    mayBreak: true,
    after: "holds",
  },
];

async function checkRow(r: Row): Promise<void> {
  const before = clusterOf([...BASE, ...r.stay, ...(r.old ? [r.old] : [])]);
  const after = clusterOf([...BASE, ...r.stay, ...(r.next ? [r.next] : [])]);
  const file = guarantees([r.claim]);
  const g = file.guarantees[0]!;
  const others = clusterOf([...BASE, ...r.stay]).policies;
  const effect = policyChangeEffect(policyOf(r.old), policyOf(r.next), others);
  const mayBreak = changeMayBreak(g.claim, after, effect);
  expect(mayBreak, "changeMayBreak").toBe(r.mayBreak);
  for (const mode of MODES) {
    const [b] = await verdictsOn(before, file, [g], mode);
    expect(b, `[${mode}] before`).toBe("holds");
    const [a] = await verdictsOn(after, file, [g], mode);
    const expected = typeof r.after === "string" ? r.after : r.after[mode];
    expect(a, `[${mode}] after`).toBe(expected);
    if (!mayBreak) expect(a, `[${mode}] after, changeMayBreak false`).toBe("holds");
  }
}

describe("policyChangeEffect and changeMayBreak, named changes", () => {
  it("the table is large and covers both answers", () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(12);
    expect(ROWS.some((r) => r.mayBreak)).toBe(true);
    expect(ROWS.some((r) => !r.mayBreak)).toBe(true);
  });

  for (const r of ROWS)
    it(r.name, async () => {
      await checkRow(r);
    });

  it("an unchanged policy has no effect; a deletion and re-creation are mirror images", () => {
    const effect = policyChangeEffect(policyOf(DB_IN), policyOf(DB_IN), []);
    expect(effect).toEqual({ added: [], removed: [] });
    const created = policyChangeEffect(undefined, policyOf(DB_IN), []);
    const deleted = policyChangeEffect(policyOf(DB_IN), undefined, []);
    expect(created.added.length).toBe(deleted.removed.length);
    expect(created.removed.length).toBe(deleted.added.length);
  });

  it("rules are compared without their positions", () => {
    const two = (first: string, second: string) =>
      netpol("db-in", "a", sel("db"), "Ingress", ingress(from(app(first)), from(app(second))));
    expect(policyChangeEffect(policyOf(two("web", "cache")), policyOf(two("cache", "web")), [])).toEqual({
      added: [],
      removed: [],
    });
  });
});

// --- restricted claims: the webhook's re-check of a holding deny / within guarantee ---------------

/**
 * What the webhook does with a guarantee that holds before a change (src/webhook/evaluate.ts): each
 * restricted claim verified on its own slice of the changed cluster, with the whole changed cluster's
 * pod network; every Verifier released.
 */
async function restrictedResults(
  after: Cluster,
  g: Guarantee,
  claims: readonly Claim[],
  mode: Mode,
  podNetwork: readonly IpRange[] = podNetworkOf(analyze(after, modeOptions(mode))),
): Promise<{ result: GuaranteeResult; slice: Cluster }[]> {
  const out: { result: GuaranteeResult; slice: Cluster }[] = [];
  for (const claim of claims) {
    const rg: Guarantee = { ...g, claim };
    const slice = sliceCluster(after, scopeOf(claim, after));
    const a = analyze(slice, modeOptions(mode));
    const v = await Verifier.create(
      slice,
      a.options,
      [{ file: "", guarantees: [rg] }],
      { timeoutMs: TIMEOUT_MS, podNetwork },
      a,
    );
    try {
      out.push({ result: await v.verify(rg), slice });
    } finally {
      v.dispose();
    }
  }
  return out;
}

/** The webhook's verdict from the restricted claims' verdicts: a failure wins, then unknown. */
const combined = (vs: readonly Verdict[]): Verdict =>
  vs.includes("fails") ? "fails" : vs.includes("unknown") ? "unknown" : "holds";

const showReq = (r: LabelRequirement) =>
  r.operator === "In"
    ? `${r.key} in (${r.values.join(", ")})`
    : r.operator === "NotIn"
      ? `${r.key} notin (${r.values.join(", ")})`
      : r.operator === "Exists"
        ? r.key
        : `!${r.key}`;

/** A set in (roughly) the guarantee syntax, for failure reports. */
function showSet(e: SetExpr): string {
  switch (e.kind) {
    case "or":
    case "and":
    case "except":
      return `(${showSet(e.left)} ${e.kind} ${showSet(e.right)})`;
    case "not":
      return `not ${showSet(e.operand)}`;
    case "pods": {
      const labels = e.labels ? `(${e.labels.map(showReq).join(", ")})` : "";
      const ns = !e.namespace
        ? ""
        : e.namespace.kind === "name"
          ? ` in namespace ${e.namespace.name}`
          : ` in namespace(${e.namespace.labels.map(showReq).join(", ")})`;
      return `${e.domain === "existing" ? "existing " : ""}pods${labels}${ns}`;
    }
    case "workload":
    case "service":
      return `${e.kind} ${e.namespace}/${e.name}`;
    case "ref":
      return `${e.namespace}/${e.name}`;
    case "cidr":
      return e.text;
    case "external":
    case "anything":
      return e.kind;
  }
}

function showClaim(c: Claim): string {
  switch (c.kind) {
    case "reach":
      return `${c.verdict} from ${showSet(c.from)} to ${showSet(c.to)}${c.ports ? " on …" : ""}`;
    case "isolated":
      return `isolated ${c.direction} for ${showSet(c.subject)}`;
    case "within":
      return `${c.direction} of ${showSet(c.subject)} within { ${c.entries.map((e) => showSet(e.peers)).join(", ")} }${c.peers ? ` [peers ${showSet(c.peers)}]` : ""}`;
  }
}

const selectorOfReqs = (rs: readonly LabelRequirement[]): LabelSelector => ({
  matchExpressions: rs.map((r) => ({ key: r.key, operator: r.operator, values: [...r.values] })),
});

/**
 * Whether a decoded endpoint (of a counterexample) lies in a set of the claim, on the whole cluster
 * (the solver's set semantics, sets.ts); undefined where this test cannot tell (Services).
 */
function inSet(
  e: SetExpr,
  ep: DecodedEndpoint,
  cluster: Cluster,
  domain: "any" | "existing",
): boolean | undefined {
  // Three-valued: undefined is "cannot tell".
  const not3 = (x: boolean | undefined) => (x === undefined ? undefined : !x);
  const and3 = (x: boolean | undefined, y: boolean | undefined) =>
    x === false || y === false ? false : x === undefined || y === undefined ? undefined : true;
  const or3 = (x: boolean | undefined, y: boolean | undefined) => not3(and3(not3(x), not3(y)));
  const sub = (x: SetExpr) => inSet(x, ep, cluster, domain);
  switch (e.kind) {
    case "or":
      return or3(sub(e.left), sub(e.right));
    case "and":
      return and3(sub(e.left), sub(e.right));
    case "except":
      return and3(sub(e.left), not3(sub(e.right)));
    case "not":
      return not3(sub(e.operand));
    case "anything":
      return true;
    case "external":
      return ep.kind === "address";
    case "cidr": {
      const r = cidrRange(e.text);
      return ep.kind === "address" && r !== undefined && rangeHas(r, ep.ip);
    }
    case "pods": {
      if (ep.kind !== "pod") return false;
      if ((e.domain ?? domain) === "existing" && !ep.existing) return false;
      if (e.labels && !matches(selectorOfReqs(e.labels), ep.labels)) return false;
      if (e.namespace?.kind === "name") return ep.namespace === e.namespace.name;
      if (e.namespace?.kind === "labels")
        return matches(selectorOfReqs(e.namespace.labels), {
          ...ep.namespaceLabels,
          [NAMESPACE_NAME_LABEL]: ep.namespace,
        });
      return true;
    }
    case "workload":
    case "ref": {
      const target = resolveRef(cluster, e);
      if (!target) return false;
      if (target.kind === "service") return undefined;
      if (ep.kind !== "pod" || !ep.existing) return false;
      return target.pods.some((i) => {
        const p = cluster.pods[i]!;
        return p.namespace === ep.namespace && p.name === ep.name;
      });
    }
    case "service":
      return undefined;
  }
}

/**
 * Whether a restricted claim's counterexample lies in the original claim's sets (reach: source in
 * `from`, destination in `to`; within: the subject's end in the subject), on the whole cluster.
 */
function counterexampleIn(claim: Claim, r: GuaranteeResult, cluster: Cluster): boolean | undefined {
  const cex = r.counterexample;
  if (!cex) return false;
  if (claim.kind === "reach") {
    if (!cex.dst) return false;
    const a = inSet(claim.from, cex.src, cluster, "any");
    const b = inSet(claim.to, cex.dst, cluster, "any");
    return a === false || b === false ? false : a === undefined || b === undefined ? undefined : true;
  }
  if (claim.kind === "within") {
    const end = claim.direction === "egress" ? cex.src : cex.dst;
    return end ? inSet(claim.subject, end, cluster, "any") : false;
  }
  return undefined;
}

const showCex = (r: GuaranteeResult) =>
  r.counterexample
    ? `${formatEndpoint(r.counterexample.src)} → ${r.counterexample.dst ? formatEndpoint(r.counterexample.dst) : "?"}`
    : "no counterexample";

const NS = (name: string) => `apiVersion: v1
kind: Namespace
metadata: {name: ${name}}`;
const nsNamed = (n: string) => `{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${n}}}}`;

/** Namespaces x, billing, a, b: web and cache in x; db and api in billing; a1, a2 in a; srv, other in b. */
const RESTRICT_BASE = [
  NS("x"),
  NS("billing"),
  NS("a"),
  NS("b"),
  pod("x", "web", "web", "10.0.2.1"),
  pod("x", "cache", "cache", "10.0.2.2"),
  pod("billing", "db", "db", "10.0.3.1"),
  pod("billing", "api", "api", "10.0.3.2"),
  pod("a", "a1", "one", "10.0.4.1"),
  pod("a", "a2", "two", "10.0.4.2"),
  pod("b", "srv", "srv", "10.0.5.1"),
  pod("b", "other", "other", "10.0.5.2"),
];

/** web in x may only reach cache (x). */
const X_WEB_OUT = netpol("web-out", "x", sel("web"), "Egress", egress(to(app("cache"))));
const DENY_INTO_DB = "deny from not namespace billing to pods(app=db) in namespace billing";
const A_WITHIN_A = "egress of namespace a within { namespace a }";
/** b's srv accepts namespace a (a creation). */
const B_FROM_A = netpol("b-from-a", "b", sel("srv"), "Ingress", ingress(from(nsNamed("a"))));
const B_CLOSED = netpol("b-closed", "b", "{}", "Ingress");

interface RestrictedRow {
  readonly name: string;
  readonly stay: readonly string[];
  readonly old?: string;
  readonly next?: string;
  readonly claim: string;
  /** The guarantee's verdict after the change (it holds before); the webhook's must be the same. */
  readonly after: Verdict;
  /** What the restricted claims look like, and their slices and counterexamples. */
  readonly check: (
    g: Guarantee,
    claims: readonly Claim[],
    results: readonly { result: GuaranteeResult; slice: Cluster }[],
  ) => void;
}

const podNames = (c: Cluster) => c.pods.map((p) => `${p.namespace}/${p.name}`).sort();

/** `pods(LABEL=VALUE) in namespace NAME`, as sideExpr builds a NetworkPolicy's subjects. */
function expectSubjects(e: SetExpr, namespace: string, label: string, value: string): void {
  expect(e.kind).toBe("pods");
  if (e.kind !== "pods") return;
  expect(e.namespace).toMatchObject({ kind: "name", name: namespace });
  expect(e.labels?.map((r) => [r.key, r.operator, r.values])).toEqual([[label, "In", [value]]]);
}

const RESTRICTED_ROWS: readonly RestrictedRow[] = [
  {
    // The only way in to db from outside billing is x's web, whose egress policy keeps it in x;
    // deleting that policy lets web out: the one added region is web's egress, to anything.
    name: "deny, egress isolation lost in x: the restricted source is the deleted policy's subjects (fails)",
    stay: [
      netpol(
        "db-in",
        "billing",
        sel("db"),
        "Ingress",
        ingress(
          from(
            `{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: x}}, podSelector: {matchLabels: {app: web}}}`,
          ),
        ),
      ),
    ],
    old: X_WEB_OUT,
    claim: DENY_INTO_DB,
    after: "fails",
    check: (g, claims, results) => {
      expect(claims).toHaveLength(1);
      const c = claims[0]!;
      if (c.kind !== "reach" || g.claim.kind !== "reach") throw new Error("not a reach claim");
      expect(c.verdict).toBe("deny");
      expect(c.to, "the destination side is every endpoint: `to` is left alone").toBe(g.claim.to);
      expect(c.from.kind).toBe("and");
      if (c.from.kind !== "and") return;
      expect(c.from.left).toBe(g.claim.from);
      expectSubjects(c.from.right, "x", "app", "web");
      const { result, slice } = results[0]!;
      // A smaller slice: only web and db (the claim's sides), only db's policy.
      expect(podNames(slice)).toEqual(["billing/db", "x/web"]);
      expect(slice.policies.map((p) => p.ref.name)).toEqual(["db-in"]);
      expect(result.verdict).toBe("fails");
      const cex = result.counterexample!;
      expect(cex.replayed).toBe(true);
      expect(cex.src).toMatchObject({ kind: "pod", namespace: "x", labels: { app: "web" } });
      expect(cex.dst).toMatchObject({ kind: "pod", namespace: "billing", labels: { app: "db" } });
    },
  },
  {
    name: "deny, egress isolation lost in x, db admitting only billing: the restricted claim holds",
    stay: [netpol("db-in", "billing", sel("db"), "Ingress", ingress(from("{podSelector: {}}")))],
    old: X_WEB_OUT,
    claim: DENY_INTO_DB,
    after: "holds",
    check: (g, claims, results) => {
      expect(claims).toHaveLength(1);
      const c = claims[0]!;
      if (c.kind !== "reach" || c.from.kind !== "and") throw new Error("not a restricted reach claim");
      expect(c.from.left).toBe(g.claim.kind === "reach" ? g.claim.from : undefined);
      expectSubjects(c.from.right, "x", "app", "web");
      expect(podNames(results[0]!.slice)).toEqual(["billing/db", "x/web"]);
      expect(results[0]!.result.verdict).toBe("holds");
    },
  },
  {
    // a's egress may go to b, where nothing was admitted; b's srv now admits namespace a.
    name: "within, a new ingress policy in b admitting namespace a: the restricted claim fails (peers: b's srv)",
    stay: [netpol("a-out", "a", "{}", "Egress", egress(to(nsNamed("a")), to(nsNamed("b")))), B_CLOSED],
    next: B_FROM_A,
    claim: A_WITHIN_A,
    after: "fails",
    check: (g, claims, results) => {
      expect(claims).toHaveLength(1);
      const c = claims[0]!;
      if (c.kind !== "within" || g.claim.kind !== "within") throw new Error("not a within claim");
      expect(c.direction).toBe("egress");
      expect(c.entries).toBe(g.claim.entries);
      // The subject meets the rule's peers (namespace a, by its name label)…
      expect(c.subject.kind).toBe("and");
      if (c.subject.kind !== "and") return;
      expect(c.subject.left).toBe(g.claim.subject);
      expect(c.subject.right).toMatchObject({
        kind: "and",
        left: { kind: "pods", labels: [] },
        right: {
          kind: "pods",
          namespace: {
            kind: "labels",
            labels: [{ key: NAMESPACE_NAME_LABEL, operator: "In", values: ["a"] }],
          },
        },
      });
      // …and the other end is the new policy's subjects.
      expect(g.claim.peers).toBeUndefined();
      expectSubjects(c.peers!, "b", "app", "srv");
      const { result, slice } = results[0]!;
      expect(podNames(slice)).toEqual(["a/a1", "a/a2", "b/srv"]);
      expect(result.verdict).toBe("fails");
      const cex = result.counterexample!;
      expect(cex.replayed).toBe(true);
      expect(cex.src).toMatchObject({ kind: "pod", namespace: "a" });
      expect(cex.dst).toMatchObject({ kind: "pod", namespace: "b", labels: { app: "srv" } });
    },
  },
  {
    name: "within, the same new ingress policy in b, a's egress kept in a: the restricted claim holds",
    stay: [netpol("a-out", "a", "{}", "Egress", egress(to(nsNamed("a")))), B_CLOSED],
    next: B_FROM_A,
    claim: A_WITHIN_A,
    after: "holds",
    check: (_g, claims, results) => {
      expect(claims).toHaveLength(1);
      const c = claims[0]!;
      if (c.kind !== "within") throw new Error("not a within claim");
      expectSubjects(c.peers!, "b", "app", "srv");
      expect(results[0]!.result.verdict).toBe("holds");
    },
  },
];

async function checkRestrictedRow(r: RestrictedRow): Promise<void> {
  const before = clusterOf([...RESTRICT_BASE, ...r.stay, ...(r.old ? [r.old] : [])]);
  const after = clusterOf([...RESTRICT_BASE, ...r.stay, ...(r.next ? [r.next] : [])]);
  const file = guarantees([r.claim]);
  const g = file.guarantees[0]!;
  const others = clusterOf([...RESTRICT_BASE, ...r.stay]).policies;
  const effect = policyChangeEffect(policyOf(r.old), policyOf(r.next), others);
  expect(changeMayBreak(g.claim, after, effect), "changeMayBreak").toBe(true);
  const claims = restrictedClaims(g.claim, after, effect);
  expect(claims, "restrictedClaims").toBeDefined();
  for (const mode of MODES) {
    const [b] = await verdictsOn(before, file, [g], mode);
    expect(b, `[${mode}] before`).toBe("holds");
    const [a] = await verdictsOn(after, file, [g], mode);
    expect(a, `[${mode}] after, whole cluster`).toBe(r.after);
    const results = await restrictedResults(after, g, claims!, mode);
    expect(combined(results.map((x) => x.result.verdict)), `[${mode}] after, restricted claims`).toBe(
      r.after,
    );
    for (const { result } of results)
      if (result.verdict === "fails")
        expect(
          counterexampleIn(g.claim, result, after),
          `[${mode}] ${showCex(result)} in the claim's sets`,
        ).toBe(true);
    r.check(g, claims!, results);
  }
}

describe("restrictedClaims: the webhook's re-check of a holding guarantee, named changes", () => {
  for (const r of RESTRICTED_ROWS)
    it(r.name, async () => {
      await checkRestrictedRow(r);
    });

  /*
   * KNOWN BUG (src, not fixed here): a restricted `within` claim's `peers` are not among the
   * guarantee's mentions (solver/sets.ts `claimParts` / `mentionsOf` leave `claim.peers` out), so
   * when a label key only the peers name — here `app`, from the deleted policy's podSelector — is
   * selected by no policy of the slice and no other part of the claim, the slice's universe lacks
   * it and the Verifier throws "internal: label key app missing from the universe". The webhook's
   * `evaluate` then throws: the admission request gets a 500 (the failure policy decides) and, in
   * snapshot mode, the change is never adopted. The guarantee holds on the whole changed cluster
   * (a's egress is closed), so the re-check should say `holds`. Minimal: namespace a, one pod
   * a1 {app: one}; a-out (podSelector {}, Egress, no rules) stays; a1-in (podSelector app=one,
   * Ingress, no rules) is deleted; guarantee `egress of namespace a within { namespace a }`; the
   * restricted claim is `egress of namespace a within { namespace a }` with peers
   * `pods(app in (one)) in namespace a` (lost ingress isolation of a1 adds connections from anything
   * to it). Found by the property below (it counts such throws as knownBugThrows). A label value
   * only the peers name fails the same way, with z3-solver's "TypeError: Cannot read properties of
   * undefined (reading 'toString')" (World.selector looks the value up in the key's domain): second
   * row. Fixed: claimParts includes `peers`.
   */
  it("regression: a within claim's peers naming a label key nothing else mentions (Verifier throws)", async () => {
    const docs = [NS("a"), pod("a", "a1", "one", "10.0.4.1"), netpol("a-out", "a", "{}", "Egress")];
    const old = netpol("a1-in", "a", sel("one"), "Ingress");
    const before = clusterOf([...docs, old]);
    const after = clusterOf(docs);
    const file = guarantees([A_WITHIN_A]);
    const g = file.guarantees[0]!;
    const effect = policyChangeEffect(policyOf(old), undefined, after.policies);
    const claims = restrictedClaims(g.claim, after, effect)!;
    expect(claims.map(showClaim)).toEqual([
      "egress of pods in namespace a within { pods in namespace a } [peers pods(app in (one)) in namespace a]",
    ]);
    for (const mode of MODES) {
      expect(await verdictsOn(before, file, [g], mode)).toEqual(["holds"]);
      expect(await verdictsOn(after, file, [g], mode)).toEqual(["holds"]);
      const results = await restrictedResults(after, g, claims, mode); // throws today
      expect(combined(results.map((r) => r.result.verdict))).toBe("holds");
    }
  });

  it("regression: a within claim's peers naming a label value nothing else mentions (z3 TypeError)", async () => {
    // As above, but `app` is mentioned (by the claim, app=two; the pod, app=one) and the deleted
    // policy's value `ghost` is not: the restricted claim's peers are `pods(app in (ghost)) in namespace a`.
    const docs = [NS("a"), pod("a", "a1", "one", "10.0.4.1"), netpol("a-out", "a", "{}", "Egress")];
    const old = netpol("ghost-in", "a", sel("ghost"), "Ingress");
    const before = clusterOf([...docs, old]);
    const after = clusterOf(docs);
    const file = guarantees(["egress of (namespace a except pods(app=two)) within { namespace a }"]);
    const g = file.guarantees[0]!;
    const effect = policyChangeEffect(policyOf(old), undefined, after.policies);
    const claims = restrictedClaims(g.claim, after, effect)!;
    expect(claims).toHaveLength(1);
    expect(claims[0]!.kind === "within" && claims[0]!.peers && showSet(claims[0]!.peers)).toBe(
      "pods(app in (ghost)) in namespace a",
    );
    for (const mode of MODES) {
      expect(await verdictsOn(before, file, [g], mode)).toEqual(["holds"]);
      expect(await verdictsOn(after, file, [g], mode)).toEqual(["holds"]);
      const results = await restrictedResults(after, g, claims, mode); // throws today
      expect(combined(results.map((r) => r.result.verdict))).toBe("holds");
    }
  });

  it("is undefined for allow and isolated claims, and empty when no added region meets the claim", () => {
    const file = guarantees([
      "allow from workload b/client to workload a/db",
      "isolated ingress for namespace a",
      DENY_B_TO_DB,
    ]);
    const cluster = clusterOf([...BASE, DB_IN]);
    const [allowG, isolatedG, denyG] = file.guarantees;
    const effect = policyChangeEffect(policyOf(DB_IN), undefined, []);
    expect(restrictedClaims(allowG!.claim, cluster, effect)).toBeUndefined();
    expect(restrictedClaims(isolatedG!.claim, cluster, effect)).toBeUndefined();
    // A rule removed only: nothing added.
    const removing = policyChangeEffect(
      policyOf(netpol("db-in", "a", sel("db"), "Ingress", ingress(from(app("web")), from(app("cache"))))),
      policyOf(DB_IN),
      [],
    );
    expect(removing.added).toEqual([]);
    expect(restrictedClaims(denyG!.claim, cluster, removing)).toEqual([]);
  });
});

// --- selectorKeys ----------------------------------------------------------------------------------

describe("selectorKeys", () => {
  const cluster = clusterOf([
    ...BASE,
    netpol(
      "np",
      "a",
      `{matchLabels: {app: db}}`,
      "Ingress",
      ingress(
        `{from: [{podSelector: {matchExpressions: [{key: role, operator: Exists}]}, namespaceSelector: {matchLabels: {team: x}}}]}`,
      ),
    ),
    clusterPolicy(
      "t",
      "Admin",
      `  subject: {namespaces: {matchLabels: {tenant: a}}}
  ingress: [{name: r, action: Accept, from: [{pods: {namespaceSelector: {matchLabels: {stage: s}}, podSelector: {matchLabels: {peer: p}}}}]}]`,
    ),
    `apiVersion: v1
kind: Service
metadata: {name: svc, namespace: a}
spec: {selector: {svcsel: x}, ports: [{port: 80}]}`,
  ]);

  it("collects the keys of policies, peers, tier subjects, Services and claims", () => {
    const file = guarantees([
      "deny from pods(tier=x) in namespace(env=prod) to not pods(color=red)",
      "ingress of pods(owner) within { pods(zone=a) }",
      "isolated ingress for namespace(region in (eu))",
    ]);
    const keys = selectorKeys(cluster, [file]);
    expect([...keys].sort()).toEqual(
      [
        "app",
        "role",
        "team",
        "tenant",
        "stage",
        "peer",
        "svcsel",
        "tier",
        "env",
        "color",
        "owner",
        "zone",
        "region",
      ].sort(),
    );
  });

  it("leaves out keys nothing selects on", () => {
    const keys = selectorKeys(cluster, []);
    expect(keys.has("version")).toBe(false);
    expect(keys.has("tier")).toBe(false);
  });
});

// --- soundness (fast-check) ------------------------------------------------------------------------

const NS_NAMES = ["alpha", "beta", "gamma"] as const;
const POD_VOCAB = { app: ["a", "b", "c"], tier: ["web", "db"] };
const NS_VOCAB = { team: ["x", "y"], env: ["prod", "dev"] };
const PREFIX: Record<string, string> = { alpha: "10.0.0", beta: "10.0.1", gamma: "192.168.1" };

const podSel = selectorArb(POD_VOCAB);
const nsSel = selectorArb({ ...NS_VOCAB, "kubernetes.io/metadata.name": [...NS_NAMES] });
const ipBlockArb = fc.constantFrom(
  { cidr: "10.0.0.0/24" },
  { cidr: "10.0.0.0/24", except: ["10.0.0.128/25"] },
  { cidr: "10.0.1.0/24" },
  { cidr: "10.0.0.0/8" },
  { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] },
  { cidr: "192.168.0.0/16" },
);
const peerArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ podSelector: podSel }) },
  { weight: 2, arbitrary: fc.record({ namespaceSelector: nsSel }) },
  { weight: 2, arbitrary: fc.record({ podSelector: podSel, namespaceSelector: nsSel }) },
  { weight: 2, arbitrary: fc.record({ ipBlock: ipBlockArb }) },
);
const portsArb = fc.constantFrom(
  undefined,
  undefined,
  [{ port: 80 }],
  [{ protocol: "UDP" as const, port: 53 }],
);
/** A rule: peers absent, [] (both: everything) or 1–2 peers; ports sometimes. */
const ruleArb = (key: "from" | "to") =>
  fc
    .record({
      peers: fc.oneof(
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constant([]) },
        { weight: 6, arbitrary: fc.array(peerArb, { minLength: 1, maxLength: 2 }) },
      ),
      ports: portsArb,
    })
    .map(({ peers, ports }) => ({ ...(peers ? { [key]: peers } : {}), ...(ports ? { ports } : {}) }));
const policyTypesArb = fc.constantFrom<("Ingress" | "Egress")[] | undefined>(
  undefined,
  ["Ingress"],
  ["Egress"],
  ["Ingress", "Egress"],
);
const specArb: fc.Arbitrary<NetworkPolicySpec> = fc
  .record({
    podSelector: podSel,
    policyTypes: policyTypesArb,
    ingress: fc.option(fc.array(ruleArb("from"), { maxLength: 2 }), { nil: undefined }),
    egress: fc.option(fc.array(ruleArb("to"), { maxLength: 2 }), { nil: undefined }),
  })
  .map((s) => JSON.parse(JSON.stringify(s)) as NetworkPolicySpec);

/** A ClusterNetworkPolicy (v1alpha2): Admin (Accept, Deny, Pass) or Baseline (Accept, Deny). */
const tierPolicyArb: fc.Arbitrary<RawClusterPolicy["spec"]> = fc
  .constantFrom("Admin" as const, "Baseline" as const)
  .chain((tier) => {
    const peer = fc.oneof(
      fc.record({ namespaces: nsSel }),
      fc.record({ pods: fc.record({ namespaceSelector: nsSel, podSelector: podSel }) }),
    );
    const rule = (key: "from" | "to"): fc.Arbitrary<ClusterPolicyRuleSpec> =>
      fc
        .tuple(
          tier === "Admin" ? fc.constantFrom("Accept", "Deny", "Pass") : fc.constantFrom("Accept", "Deny"),
          fc.array(key === "to" ? fc.oneof(peer, fc.constant({ networks: ["10.0.0.0/24"] })) : peer, {
            minLength: 1,
            maxLength: 2,
          }),
        )
        .map(([action, peers]) => ({ action, [key]: peers }));
    return fc.record({
      tier: fc.constant(tier),
      priority: fc.constantFrom(10, 20),
      subject: fc.oneof(
        fc.record({ namespaces: nsSel }),
        fc.record({ pods: fc.record({ namespaceSelector: nsSel, podSelector: podSel }) }),
      ),
      ingress: fc.array(rule("from"), { maxLength: 2 }),
      egress: fc.array(rule("to"), { maxLength: 2 }),
    });
  });

type ChangeOp =
  | "create"
  | "delete"
  | "replace"
  | "add-rule"
  | "remove-rule"
  | "types"
  | "tier-create"
  | "tier-delete";
const changeArb = fc.record({
  op: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom<ChangeOp>("create", "delete", "replace", "add-rule", "remove-rule", "types"),
    },
    { weight: 1, arbitrary: fc.constantFrom<ChangeOp>("tier-create", "tier-delete") },
  ),
  tier: tierPolicyArb,
  ns: fc.nat(),
  at: fc.nat(),
  spec: specArb,
  direction: fc.constantFrom("ingress" as const, "egress" as const),
  ingressRule: ruleArb("from"),
  egressRule: ruleArb("to"),
  index: fc.nat(),
  policyTypes: policyTypesArb,
});

interface Generated {
  readonly before: readonly RawObject[];
  readonly after: readonly RawObject[];
  readonly old: RawPolicy | RawClusterPolicy | undefined;
  readonly next: RawPolicy | RawClusterPolicy | undefined;
  /** What the change did (for the statistics and failure reports). */
  readonly op: string;
  readonly pods: readonly { ns: string; name: string }[];
  readonly namespaces: readonly string[];
}

const generatedArb: fc.Arbitrary<Generated> = fc
  .record({
    namespaces: fc.uniqueArray(
      fc.record({ name: fc.constantFrom(...NS_NAMES), labels: labelsArb(NS_VOCAB) }),
      {
        minLength: 2,
        maxLength: 3,
        selector: (n) => n.name,
      },
    ),
    pods: fc.array(
      fc.record({
        ns: fc.nat(),
        labels: labelsArb(POD_VOCAB),
        octet: fc.constantFrom(5, 70, 130, 200),
        /** Rarely: no IP yet, or hostNetwork (policies do not select it; it is its node's address). */
        variant: fc.constantFrom(
          "plain",
          "plain",
          "plain",
          "plain",
          "plain",
          "plain",
          "no-ip",
          "hostNetwork",
        ),
      }),
      { minLength: 3, maxLength: 6 },
    ),
    policies: fc.array(fc.record({ ns: fc.nat(), spec: specArb }), { maxLength: 4 }),
    /** Sometimes a cluster-tier policy that stays (or that the change deletes). */
    tiers: fc.oneof(
      { weight: 3, arbitrary: fc.constant<RawClusterPolicy["spec"][]>([]) },
      { weight: 1, arbitrary: fc.array(tierPolicyArb, { minLength: 1, maxLength: 1 }) },
    ),
    change: changeArb,
  })
  .map(({ namespaces, pods, policies, tiers, change }): Generated => {
    const nsOf = (i: number) => namespaces[i % namespaces.length]!.name;
    const fixed: RawObject[] = namespaces.map((n) => ({
      kind: "Namespace",
      apiVersion: "v1",
      metadata: { name: n.name, labels: n.labels },
    }));
    const podNames: { ns: string; name: string }[] = [];
    pods.forEach((p, i) => {
      const ns = nsOf(p.ns);
      podNames.push({ ns, name: `p${i}` });
      fixed.push(
        podObject(`p${i}`, ns, {
          labels: p.labels,
          containers: [[{ name: "http", protocol: "TCP", containerPort: 80 }]],
          ips: p.variant === "no-ip" ? [] : [`${PREFIX[ns]}.${p.octet + i}`],
          onlyPodIP: true,
          hostNetwork: p.variant === "hostNetwork",
        }),
      );
    });
    const policy = (name: string, ns: string, spec: NetworkPolicySpec): RawPolicy => ({
      kind: "NetworkPolicy",
      apiVersion: "networking.k8s.io/v1",
      metadata: { name, namespace: ns },
      spec,
    });
    const tierPolicy = (name: string, spec: RawClusterPolicy["spec"]): RawClusterPolicy => ({
      kind: "ClusterNetworkPolicy",
      apiVersion: "policy.networking.k8s.io/v1alpha2",
      metadata: { name },
      spec,
    });
    const tierObjects = tiers.map((t, i) => tierPolicy(`cnp${i}`, t));
    fixed.push(...tierObjects);
    const existing = policies.map((p, i) => policy(`np${i}`, nsOf(p.ns), p.spec));
    const shared = { pods: podNames, namespaces: namespaces.map((n) => n.name) };
    let op: string = change.op;
    if (op === "tier-delete" && tierObjects.length > 0) {
      const old = tierObjects[0]!;
      const stay = fixed.filter((o) => o !== old);
      return {
        before: [...fixed, ...existing],
        after: [...stay, ...existing],
        old,
        next: undefined,
        op,
        ...shared,
      };
    }
    if (op === "tier-create" || op === "tier-delete") {
      const next = tierPolicy("cnp-new", change.tier);
      op = "tier-create";
      return {
        before: [...fixed, ...existing],
        after: [...fixed, next, ...existing],
        old: undefined,
        next,
        op,
        ...shared,
      };
    }
    if (existing.length === 0) op = "create";
    if (op === "create") {
      const next = policy("np-new", nsOf(change.ns), change.spec);
      return {
        before: [...fixed, ...existing],
        after: [...fixed, ...existing, next],
        old: undefined,
        next,
        op,
        pods: podNames,
        namespaces: namespaces.map((n) => n.name),
      };
    }
    const at = change.at % existing.length;
    const old = existing[at]!;
    let next: RawPolicy | undefined;
    const spec = old.spec;
    const addRule = (): RawPolicy => {
      const d = change.direction;
      const rule = d === "ingress" ? change.ingressRule : change.egressRule;
      op = `add-${d}-rule`;
      return { ...old, spec: { ...spec, [d]: [...(spec[d] ?? []), rule] } };
    };
    switch (op) {
      case "delete":
        next = undefined;
        break;
      case "replace":
        next = { ...old, spec: change.spec };
        break;
      case "types":
        next = {
          ...old,
          spec: JSON.parse(JSON.stringify({ ...spec, policyTypes: change.policyTypes })) as NetworkPolicySpec,
        };
        break;
      case "remove-rule": {
        const dirs =
          change.direction === "ingress"
            ? (["ingress", "egress"] as const)
            : (["egress", "ingress"] as const);
        const d = dirs.find((x) => (spec[x]?.length ?? 0) > 0);
        if (d) {
          const rules = [...spec[d]!];
          rules.splice(change.index % rules.length, 1);
          next = { ...old, spec: { ...spec, [d]: rules } };
          op = `remove-${d}-rule`;
        } else next = addRule(); // nothing to remove
        break;
      }
      case "add-rule":
        next = addRule();
        break;
    }
    const after = existing.flatMap((p, i) => (i === at ? (next ? [next] : []) : [p]));
    return {
      before: [...fixed, ...existing],
      after: [...fixed, ...after],
      old,
      next,
      op,
      pods: podNames,
      namespaces: namespaces.map((n) => n.name),
    };
  });

const PODS_IN = [
  `(app="a")`,
  `(app="b")`,
  `(app="c")`,
  `(tier="web")`,
  `(tier="db")`,
  `(app="a", tier="db")`,
  `(app notin ("a"))`,
  `(!tier)`,
  `(app in ("b", "c"))`,
];
const NS_EXPRS = [
  "namespace alpha",
  "namespace beta",
  "namespace gamma",
  `namespace(team="x")`,
  `namespace(env="prod")`,
  `namespace(team!="x")`,
];

function setArb(g: Generated): fc.Arbitrary<string> {
  const leaf = leafArb(g);
  return fc.oneof(
    { weight: 8, arbitrary: leaf },
    { weight: 1, arbitrary: fc.constant("anything") },
    {
      weight: 2,
      arbitrary: fc
        .tuple(leaf, fc.constantFrom("or", "and", "except", "and not"), leaf)
        .map(([l, op, r]) => `(${l} ${op} ${r})`),
    },
  );
}

function leafArb(g: Generated): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant("any pod") },
    {
      weight: 5,
      arbitrary: fc
        .tuple(
          fc.constantFrom("", "", "existing "),
          fc.constantFrom(...PODS_IN),
          fc.option(fc.constantFrom(...NS_EXPRS), { nil: undefined }),
        )
        .map(([d, p, n]) => `${d}pods${p}${n ? ` in ${n}` : ""}`),
    },
    { weight: 2, arbitrary: fc.constantFrom(...NS_EXPRS) },
    { weight: 1, arbitrary: fc.constantFrom(...NS_NAMES).map((n) => `not namespace ${n}`) },
    { weight: 2, arbitrary: fc.constantFrom(...g.pods).map((p) => `workload ${p.ns}/${p.name}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("10.0.0.0/24", "10.0.1.0/24", "192.168.0.0/16", "8.8.8.8", "external"),
    },
  );
}

function claimsArb(g: Generated): fc.Arbitrary<string[]> {
  const set = setArb(g);
  const on = fc.constantFrom("", "", " on tcp/80", " on udp/53");
  const claim = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(set, set, on).map(([a, b, p]) => `deny from ${a} to ${b}${p}`) },
    { weight: 3, arbitrary: fc.tuple(set, set, on).map(([a, b, p]) => `allow from ${a} to ${b}${p}`) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom("ingress", "egress"), set, set, on)
        .map(([d, a, b, p]) => `${d} of ${a} within { ${b}${p} }`),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom("ingress", "egress", "both"), set)
        .map(([d, a]) => `isolated ${d} for ${a}`),
    },
  );
  return fc.array(claim, { minLength: 6, maxLength: 6 });
}

const stats = {
  cases: 0,
  ops: {} as Record<string, number>,
  /** (guarantee, mode) pairs that hold before the change. */
  held: 0,
  /** …that changeMayBreak let through (the webhook would not re-verify them). */
  skipped: 0,
  /** …that changeMayBreak sent to re-verification, and how many of those do fail after. */
  rechecked: 0,
  broken: 0,
  /** Verdicts after that were unknown (not counted as holds or fails). */
  unknownAfter: 0,
  byKind: {} as Record<string, { skipped: number; rechecked: number; broken: number }>,
};

/** The webhook's re-check of holding deny / within guarantees by their restricted claims. */
const restrictedStats = {
  /** (guarantee, mode) pairs that hold before and for which restrictedClaims answers. */
  guarantees: 0,
  /** …with no restricted claim (no added region meets it: the webhook's verdict is holds). */
  empty: 0,
  /** Restricted claims verified (each on its slice), and their verdicts. */
  claims: 0,
  claimHolds: 0,
  claimFails: 0,
  claimUnknown: 0,
  /** Restricted claims whose slice has fewer pods, or fewer policies, than the changed cluster. */
  narrowerSlices: 0,
  /** The webhook's verdict (from the restricted claims) vs the guarantee's on the whole cluster. */
  verdictHolds: 0,
  verdictFails: 0,
  agree: 0,
  disagree: 0,
  /** Either side unknown: not compared. */
  unknown: 0,
  /** Counterexamples of restricted claims found in the original claim's sets (whole cluster). */
  counterexamplesInSets: 0,
  /**
   * Restricted claims the Verifier threw on: the known bug (see "KNOWN BUG" below) — a `within`
   * claim's `peers` are not among the guarantee's mentions, so a label key only they name is missing
   * from the slice's universe. Not compared; the first few are printed.
   */
  knownBugThrows: 0,
  knownBugExamples: [] as string[],
  byKind: {} as Record<string, { guarantees: number; claims: number; fails: number }>,
};

/**
 * The webhook's verdict for a guarantee that holds before the change, from its restricted claims
 * (each on its slice, with the changed cluster's pod network), against `whole`, the guarantee's
 * verdict on the whole changed cluster. Returns what is wrong.
 */
async function checkRestricted(
  after: Cluster,
  g: Guarantee,
  claims: readonly Claim[],
  whole: Verdict,
  mode: Mode,
  podNetwork: readonly IpRange[],
): Promise<string[]> {
  const rs = restrictedStats;
  const kind = g.claim.kind === "reach" ? g.claim.verdict : g.claim.kind;
  rs.byKind[kind] ??= { guarantees: 0, claims: 0, fails: 0 };
  const k = rs.byKind[kind];
  rs.guarantees++;
  k.guarantees++;
  if (claims.length === 0) rs.empty++;
  // Any error fails the property (a within claim's `peers` once missed the mentions: see the
  // regression rows).
  const results = await restrictedResults(after, g, claims, mode, podNetwork);
  const out: string[] = [];
  results.forEach(({ result, slice }, j) => {
    const shown = `[${mode}] ${g.text}: restricted claim ${j + 1}/${claims.length} ${showClaim(claims[j]!)}`;
    rs.claims++;
    k.claims++;
    if (slice.pods.length < after.pods.length || slice.policies.length < after.policies.length)
      rs.narrowerSlices++;
    if (result.verdict === "holds") rs.claimHolds++;
    else if (result.verdict === "unknown") rs.claimUnknown++;
    else {
      rs.claimFails++;
      k.fails++;
      // A counterexample of a restricted claim is one of the claim.
      if (whole === "holds")
        out.push(`${shown} fails (${showCex(result)}), the guarantee holds on the whole cluster`);
      if (!result.counterexample?.replayed)
        out.push(`${shown}: the engine does not replay ${showCex(result)}`);
      const inSets = counterexampleIn(g.claim, result, after);
      if (inSets === false) out.push(`${shown}: ${showCex(result)} is not in the guarantee's sets`);
      if (inSets === true) rs.counterexamplesInSets++;
    }
  });
  const verdict = combined(results.map((r) => r.result.verdict));
  if (verdict === "unknown" || whole === "unknown") {
    rs.unknown++;
    return out;
  }
  if (verdict === "holds") rs.verdictHolds++;
  else rs.verdictFails++;
  if (verdict === whole) rs.agree++;
  else {
    rs.disagree++;
    out.push(
      `[${mode}] ${g.text}: the webhook's restricted re-check says ${verdict}, the whole cluster ${whole}` +
        ` (restricted claims: ${claims.map(showClaim).join("; ") || "none"})`,
    );
  }
  return out;
}

function effectOf(g: Generated): ChangeEffect {
  const model = (p: RawPolicy | RawClusterPolicy | undefined) => {
    if (!p) return undefined;
    const c = buildCluster(toObjects([p])).cluster;
    const built = c.policies[0] ?? c.clusterPolicies[0];
    if (!built) throw new Error(`the changed policy does not build: ${JSON.stringify(p)}`);
    return built;
  };
  const old = model(g.old);
  const next = model(g.next);
  const changed = g.old ?? g.next!;
  // As the webhook: every other NetworkPolicy (all of them for a cluster-tier change).
  const others = buildCluster(toObjects(g.before)).cluster.policies.filter(
    (p) =>
      changed.kind !== "NetworkPolicy" ||
      !(p.namespace === changed.metadata.namespace && p.ref.name === changed.metadata.name),
  );
  return policyChangeEffect(old, next, others);
}

const dump = (objects: readonly RawObject[]) =>
  objects
    .filter((o) => o.kind !== "Pod" && o.kind !== "Namespace")
    .map(
      (o) =>
        `  ${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name} ${JSON.stringify((o as RawPolicy).spec)}`,
    )
    .join("\n");

/**
 * Every guarantee that holds before, is let through by changeMayBreak, and fails after; and every
 * holding deny / within guarantee whose restricted re-check (the webhook's) disagrees with its
 * verdict on the whole changed cluster, or whose restricted claims' counterexamples are not its own.
 */
async function unsound(g: Generated, claims: readonly string[]): Promise<string[]> {
  const file = guarantees(claims);
  const before = buildCluster(toObjects(g.before)).cluster;
  const after = buildCluster(toObjects(g.after)).cluster;
  const effect = effectOf(g);
  if (g.old && g.next && JSON.stringify(g.old.spec) === JSON.stringify(g.next.spec))
    expect(effect, "an unchanged policy has no effect").toEqual({ added: [], removed: [] });
  stats.cases++;
  stats.ops[g.op] = (stats.ops[g.op] ?? 0) + 1;
  const out: string[] = [];
  for (const mode of MODES) {
    const b = await verdictsOn(before, file, file.guarantees, mode);
    const holding = file.guarantees.filter((_, i) => b[i] === "holds");
    if (holding.length === 0) continue;
    const a = await verdictsOn(after, file, holding, mode);
    holding.forEach((gu, i) => {
      const mayBreak = changeMayBreak(gu.claim, after, effect);
      const kind = gu.claim.kind === "reach" ? gu.claim.verdict : gu.claim.kind;
      stats.byKind[kind] ??= { skipped: 0, rechecked: 0, broken: 0 };
      const k = stats.byKind[kind];
      stats.held++;
      if (a[i] === "unknown") stats.unknownAfter++;
      if (mayBreak) {
        stats.rechecked++;
        k.rechecked++;
        if (a[i] === "fails") {
          stats.broken++;
          k.broken++;
        }
        return;
      }
      stats.skipped++;
      k.skipped++;
      if (a[i] === "fails") out.push(`[${mode}] ${gu.text}: holds before, fails after, changeMayBreak false`);
    });
    // The webhook re-checks a holding deny / within guarantee by its restricted claims.
    const podNetwork = podNetworkOf(analyze(after, modeOptions(mode)));
    for (const [i, gu] of holding.entries()) {
      const claims = restrictedClaims(gu.claim, after, effect);
      if (claims) out.push(...(await checkRestricted(after, gu, claims, a[i]!, mode, podNetwork)));
    }
  }
  if (out.length > 0)
    out.push(
      `change (${g.op}): old ${JSON.stringify(g.old ?? null)}\n  next ${JSON.stringify(g.next ?? null)}`,
      `policies before:\n${dump(g.before)}`,
      `pods: ${JSON.stringify(g.before.filter((o) => o.kind === "Pod").map((o) => [o.metadata.namespace, o.metadata.name, o.metadata.labels, (o as { status?: unknown }).status]))}`,
      `namespaces: ${JSON.stringify(g.before.filter((o) => o.kind === "Namespace").map((o) => [o.metadata.name, o.metadata.labels]))}`,
    );
  return out;
}

/**
 * One hand-made run, always checked first (fc `examples`), so the statistics never depend on luck:
 * deleting alpha's only ingress policy breaks the first claim (re-checked) and leaves the second
 * alone (skipped).
 */
function handMade(): [Generated, string[]] {
  const pods = [
    { ns: "alpha", name: "p0", app: "a", ip: "10.0.0.5" },
    { ns: "beta", name: "p1", app: "b", ip: "10.0.1.6" },
    { ns: "alpha", name: "p2", app: "c", ip: "10.0.0.7" },
  ];
  const fixed: RawObject[] = [
    { kind: "Namespace", apiVersion: "v1", metadata: { name: "alpha", labels: { team: "x" } } },
    { kind: "Namespace", apiVersion: "v1", metadata: { name: "beta", labels: { team: "y" } } },
    ...pods.map((p) =>
      podObject(p.name, p.ns, {
        labels: { app: p.app },
        containers: [[{ name: "http", protocol: "TCP", containerPort: 80 }]],
        ips: [p.ip],
        onlyPodIP: true,
        hostNetwork: false,
      }),
    ),
  ];
  const old: RawPolicy = {
    kind: "NetworkPolicy",
    apiVersion: "networking.k8s.io/v1",
    metadata: { name: "np0", namespace: "alpha" },
    spec: {
      podSelector: { matchLabels: { app: "a" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: "c" } } }] }],
    },
  };
  return [
    {
      before: [...fixed, old],
      after: fixed,
      old,
      next: undefined,
      op: "delete",
      pods: pods.map((p) => ({ ns: p.ns, name: p.name })),
      namespaces: ["alpha", "beta"],
    },
    [
      `deny from namespace beta to pods(app="a") in namespace alpha`,
      "allow from workload beta/p1 to workload alpha/p2",
    ],
  ];
}

/**
 * A second hand-made run, for the restricted re-checks: alpha's egress stays in alpha and beta
 * accepts nothing, then beta's p1 admits namespaces of team x. Two guarantees break (a new pod in a
 * new team=x namespace reaches p1), two hold (alpha's own pods cannot leave alpha); each has one
 * restricted claim.
 */
function handMadeRestricted(): [Generated, string[]] {
  const pods = [
    { ns: "alpha", name: "p0", app: "a", ip: "10.0.0.5" },
    { ns: "beta", name: "p1", app: "b", ip: "10.0.1.6" },
    { ns: "alpha", name: "p2", app: "c", ip: "10.0.0.7" },
  ];
  const fixed: RawObject[] = [
    { kind: "Namespace", apiVersion: "v1", metadata: { name: "alpha", labels: { team: "x" } } },
    { kind: "Namespace", apiVersion: "v1", metadata: { name: "beta", labels: { team: "y" } } },
    ...pods.map((p) =>
      podObject(p.name, p.ns, {
        labels: { app: p.app },
        containers: [[{ name: "http", protocol: "TCP", containerPort: 80 }]],
        ips: [p.ip],
        onlyPodIP: true,
        hostNetwork: false,
      }),
    ),
  ];
  const policy = (name: string, namespace: string, spec: NetworkPolicySpec): RawPolicy => ({
    kind: "NetworkPolicy",
    apiVersion: "networking.k8s.io/v1",
    metadata: { name, namespace },
    spec,
  });
  const existing = [
    policy("np0", "alpha", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "alpha" } } }] }],
    }),
    policy("np1", "beta", { podSelector: {}, policyTypes: ["Ingress"] }),
  ];
  const next = policy("np-new", "beta", {
    podSelector: { matchLabels: { app: "b" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "x" } } }] }],
  });
  return [
    {
      before: [...fixed, ...existing],
      after: [...fixed, ...existing, next],
      old: undefined,
      next,
      op: "create",
      pods: pods.map((p) => ({ ns: p.ns, name: p.name })),
      namespaces: ["alpha", "beta"],
    },
    [
      `ingress of namespace beta within { namespace beta }`,
      `deny from namespace(team="x") to namespace beta`,
      `egress of namespace alpha within { namespace alpha }`,
      `deny from namespace alpha to namespace beta`,
    ],
  ];
}

describe("a guarantee that changeMayBreak lets through still holds after the change", () => {
  it(`on ${RUNS} random NetworkPolicy changes (both ipBlock modes); restricted re-checks agree`, async () => {
    await fc.assert(
      fc.asyncProperty(
        generatedArb.chain((g) => fc.tuple(fc.constant(g), claimsArb(g))),
        async ([g, claims]) => {
          const bad = await unsound(g, claims);
          if (bad.length > 0) throw new Error(bad.join("\n"));
        },
      ),
      {
        numRuns: RUNS,
        examples: [[handMade()], [handMadeRestricted()]],
        ...(SEED === undefined ? {} : { seed: SEED }),
      },
    );
  }, 600_000);

  it("the property is not vacuous: guarantees were skipped, and some changes broke guarantees", () => {
    console.log("change.test.ts soundness statistics:", JSON.stringify(stats, null, 1));
    expect(stats.held).toBeGreaterThan(0);
    expect(stats.skipped).toBeGreaterThan(0);
    expect(stats.rechecked).toBeGreaterThan(0);
    expect(stats.broken).toBeGreaterThan(0);
    expect(stats.unknownAfter).toBeLessThanOrEqual(Math.max(2, 0.03 * stats.held));
  });

  it("restricted re-checks: the webhook's verdict equals the whole cluster's, and both verdicts occur", () => {
    console.log("change.test.ts restricted re-check statistics:", JSON.stringify(restrictedStats, null, 1));
    const rs = restrictedStats;
    expect(rs.disagree).toBe(0);
    expect(rs.agree).toBeGreaterThan(0);
    expect(rs.claimHolds).toBeGreaterThan(0);
    expect(rs.claimFails).toBeGreaterThan(0);
    expect(rs.verdictHolds).toBeGreaterThan(0);
    expect(rs.verdictFails).toBeGreaterThan(0);
    expect(rs.byKind.deny?.claims ?? 0).toBeGreaterThan(0);
    expect(rs.byKind.within?.claims ?? 0).toBeGreaterThan(0);
    expect(rs.byKind.within?.fails ?? 0).toBeGreaterThan(0);
    expect(rs.narrowerSlices).toBeGreaterThan(0);
    expect(rs.counterexamplesInSets).toBeGreaterThan(0);
    expect(rs.unknown).toBeLessThanOrEqual(Math.max(2, 0.03 * rs.guarantees));
  });
});
