/**
 * Slices (src/solver/slice.ts): a guarantee verified on the input reduced to its scope must get the
 * verdict it gets on the whole input.
 *
 * 1. Tables of named cases for footprints (`setFootprint`, `containsPod`, `containsNamespace`,
 *    `overlaps`) and for which policies a claim depends on (`scopeOf`, `policyTouches`), on one
 *    small hand-written cluster: label operators, namespace labels, directions, tiers, addresses.
 * 2. The slice of that cluster for a narrow claim drops the policies and pods it should.
 * 3. Differential (fast-check): on random clusters (NetworkPolicies; tier policies with Nodes and
 *    hostNetwork pods), guarantees over existing endpoints (support/guarantee-arbitraries.ts) and
 *    over hypothetical pods (support/slice-arbitraries.ts) are verified on the input and on their
 *    slice (with the input's pod network); verdicts must be equal, and a slice's counterexample must
 *    be replayed. `unknown` pairs are skipped and counted (a few percent at most). Both
 *    --ipblock-pods modes. FC_RUNS extends the run (default 20 per generator), FC_SEED replays one;
 *    DEBUG_STATS=1 prints the counts.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { analyze, buildCluster, type Cluster, type ModelOptions } from "../../src/model/index.js";
import { type Guarantee, parseGuarantees } from "../../src/parser/guarantees/index.js";
import { parseText } from "../../src/parser/index.js";
import { shutdownZ3, type Verdict, Verifier } from "../../src/solver/index.js";
import { defaultDomain } from "../../src/solver/sets.js";
import {
  containsNamespace,
  containsPod,
  EVERY_POD,
  type Footprint,
  overlaps,
  podNetworkOf,
  policyReach,
  policyTouches,
  scopeOf,
  setFootprint,
  sliceCluster,
} from "../../src/solver/slice.js";
import { caseArb } from "../model/support/arbitraries.js";
import { type Case, dumpCase, toObjects } from "../model/support/case.js";
import { tierCaseArb } from "../model/support/tier-arbitraries.js";
import { caseWithGuaranteesArb, vocabularyOf } from "./support/guarantee-arbitraries.js";
import { hypotheticalGuaranteesArb } from "./support/slice-arbitraries.js";

const RUNS = Number(process.env.FC_RUNS ?? 20);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const TIMEOUT_MS = 30_000;

afterAll(shutdownZ3);

const MODES: readonly Partial<ModelOptions>[] = [{ ipBlockPods: "include" }, { ipBlockPods: "exclude" }];

// --- a small hand-written cluster ----------------------------------------------------------------

const pod = (ns: string, name: string, labels: string, ip: string, extra = "") => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}
spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 80}]}]${extra}}
status: {podIP: ${ip}}`;

const netpol = (name: string, ns: string, selector: string, types: string, rules = "") => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec: {podSelector: ${selector}, policyTypes: [${types}]${rules}}`;

const CLUSTER_YAML = [
  `apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: "x"}}`,
  `apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: "y"}}`,
  pod("a", "web", `app: "web"`, "10.0.0.1"),
  pod("a", "db", `app: "db"`, "10.0.0.2"),
  pod("a", "cache", `tier: "cache"`, "10.0.0.3"),
  pod("a", "agent", `app: "agent"`, "10.1.0.9", ", hostNetwork: true"),
  pod("b", "web", `app: "web"`, "10.0.1.1"),
  pod("b", "other", `app: "other"`, "10.0.1.2"),
  netpol(
    "web-in",
    "a",
    `{matchLabels: {app: "web"}}`,
    "Ingress",
    `, ingress: [{from: [{podSelector: {matchLabels: {app: "db"}}}]}]`,
  ),
  netpol(
    "web-out",
    "a",
    `{matchLabels: {app: "web"}}`,
    "Egress",
    `, egress: [{to: [{podSelector: {matchLabels: {app: "db"}}}]}]`,
  ),
  netpol(
    "db-in",
    "a",
    `{matchLabels: {app: "db"}}`,
    "Ingress",
    `, ingress: [{from: [{podSelector: {matchLabels: {app: "web"}}}], ports: [{port: 80}]}]`,
  ),
  netpol("not-db", "a", `{matchExpressions: [{key: app, operator: NotIn, values: ["db"]}]}`, "Ingress"),
  netpol("no-app", "a", `{matchExpressions: [{key: app, operator: DoesNotExist}]}`, "Ingress"),
  netpol("all-b", "b", "{}", "Ingress, Egress"),
  `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: team-x}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: "x"}}}
  ingress: [{name: open, action: Allow, from: [{namespaces: {}}]}]`,
].join("\n---\n");

function clusterOf(yaml: string): Cluster {
  const parsed = parseText(yaml, "slice.yaml");
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return buildCluster(parsed.objects).cluster;
}

const CLUSTER = clusterOf(CLUSTER_YAML);

function guarantee(claim: string): Guarantee {
  const parsed = parseGuarantees(`guarantee t: ${claim}`, "t.ng");
  expect(parsed.diagnostics).toEqual([]);
  return parsed.file.guarantees[0]!;
}

/** The footprint of a set, read through an `isolated` claim. */
function footprint(set: string, cluster = CLUSTER): Footprint {
  const c = guarantee(`isolated both for ${set}`).claim;
  if (c.kind !== "isolated") throw new Error("unreachable");
  return setFootprint(c.subject, cluster, defaultDomain(c));
}

function hasPod(f: Footprint, key: string): boolean {
  const p = CLUSTER.pods.find((x) => `${x.namespace}/${x.name}` === key);
  if (!p) throw new Error(`no pod ${key}`);
  const ns = CLUSTER.namespaces.find((n) => n.name === p.namespace);
  return containsPod(f, ns, p.namespace, p.labels);
}

const policyNamed = (name: string) => {
  const p = [...CLUSTER.policies, ...CLUSTER.clusterPolicies].find((x) => x.ref.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p;
};

const touches = (policy: string, claim: string) =>
  policyTouches(policyReach(policyNamed(policy)), scopeOf(guarantee(claim).claim, CLUSTER));

describe("footprints", () => {
  const cases: { name: string; set: string; in: string[]; out: string[] }[] = [
    {
      name: "namespace by labels",
      set: "namespace(team=x)",
      in: ["a/web", "a/db"],
      out: ["b/web", "b/other"],
    },
    {
      name: "namespace label NotIn",
      set: "namespace(team notin (x))",
      in: ["b/web"],
      out: ["a/web", "a/cache"],
    },
    { name: "namespace label absent", set: "namespace(!team)", in: [], out: ["a/web", "b/web"] },
    {
      name: "labels within a named namespace",
      set: "pods(app=web) in namespace a",
      in: ["a/web"],
      out: ["a/db", "b/web", "a/cache"],
    },
    {
      name: "NotIn admits the absent key",
      set: "pods(app notin (db))",
      in: ["a/web", "a/cache", "b/other"],
      out: ["a/db"],
    },
    { name: "DoesNotExist", set: "pods(!app)", in: ["a/cache"], out: ["a/web", "a/db", "b/web"] },
    { name: "Exists", set: "pods(app)", in: ["a/web", "b/other"], out: ["a/cache"] },
    { name: "a workload is its pods", set: "workload a/web", in: ["a/web"], out: ["a/db", "b/web"] },
    { name: "or", set: "pods(app=db) or namespace b", in: ["a/db", "b/web"], out: ["a/web", "a/cache"] },
    { name: "and", set: "namespace(team=x) and pods(app=web)", in: ["a/web"], out: ["b/web", "a/db"] },
    {
      name: "not: the complement of an exact set",
      set: "not pods(app=web)",
      in: ["a/db", "a/cache", "b/other"],
      out: ["a/web", "b/web"],
    },
    { name: "not a namespace", set: "not namespace a", in: ["b/web", "b/other"], out: ["a/web", "a/db"] },
    {
      name: "not a namespace by labels (NotIn admits the absent key)",
      set: "not namespace(team=x)",
      in: ["b/web"],
      out: ["a/web", "a/cache"],
    },
    {
      name: "not of a union",
      set: "not (pods(app=web) or namespace b)",
      in: ["a/db", "a/cache"],
      out: ["a/web", "b/web", "b/other"],
    },
    {
      name: "except an exact set",
      set: "any pod except namespace b",
      in: ["a/web"],
      out: ["b/web", "b/other"],
    },
    // Pods created later may share an existing set's (or a workload's) labels: not exact.
    {
      name: "not of an existing set is every pod",
      set: "not existing pods(app=web)",
      in: ["a/web", "a/db", "b/other"],
      out: [],
    },
    { name: "not of a workload is every pod", set: "not workload a/web", in: ["a/web", "a/db"], out: [] },
    {
      name: "except a workload keeps the left side",
      set: "namespace a except workload a/web",
      in: ["a/web"],
      out: ["b/web"],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const f = footprint(c.set);
      for (const p of c.in) expect(hasPod(f, p), `${c.set} ∋ ${p}`).toBe(true);
      for (const p of c.out) expect(hasPod(f, p), `${c.set} ∌ ${p}`).toBe(false);
    });

  it("namespaces by labels", () => {
    const f = footprint("namespace(team=x)");
    expect(containsNamespace(f, "a", { team: "x" })).toBe(true);
    expect(containsNamespace(f, "b", { team: "y" })).toBe(false);
    expect(containsNamespace(footprint("pods(app=web) in namespace a"), "b", { team: "x" })).toBe(false);
  });

  it("contradictory sets and address sets contain no pod", () => {
    for (const set of [
      "pods(app=web) and pods(app=db)",
      "pods(app=web, !app) in namespace a",
      "pods(app in (web), app notin (web)) in any namespace",
      "namespace a and namespace b",
      "namespace(team=x) and namespace(!team)",
      "10.0.0.0/8",
      "external",
      "fd00::/64 or 0.0.0.0/0",
    ])
      expect(overlaps(footprint(set), EVERY_POD), set).toBe(false);
    for (const set of ["pods(app=web) and pods(tier=db)", "pods(app notin (web), !tier)", "any pod"])
      expect(overlaps(footprint(set), EVERY_POD), set).toBe(true);
  });

  it("overlaps is symmetric and decides by label and namespace", () => {
    const pairs: [string, string, boolean][] = [
      ["pods(app=web) in namespace a", "pods(app=db) in namespace a", false],
      ["pods(app=web) in namespace a", "pods(app=web) in namespace b", false],
      ["pods(app=web)", "pods(!app)", false],
      ["pods(app notin (db))", "pods(app=db)", false],
      ["pods(app notin (db))", "pods(app=web)", true],
      ["namespace(team=x)", "namespace(team in (y))", false],
      ["namespace(env=prod)", "namespace(team=x)", true],
      ["not pods(app=web)", "pods(app=web)", false],
      ["not existing pods(app=web)", "pods(app=web)", true],
      ["not namespace a", "pods(app=web) in namespace b", true],
      ["not namespace a", "namespace a", false],
      ["not namespace a", "namespace(team=x)", true],
    ];
    for (const [x, y, expected] of pairs) {
      expect(overlaps(footprint(x), footprint(y)), `${x} ∩ ${y}`).toBe(expected);
      expect(overlaps(footprint(y), footprint(x)), `${y} ∩ ${x}`).toBe(expected);
    }
  });
});

describe("which policies a claim depends on", () => {
  const cases: [policy: string, claim: string, expected: boolean][] = [
    // web-in: ingress of app=web in a.
    ["web-in", "deny from pods(app=db) to pods(app=db) in namespace a", false],
    ["web-in", "deny from pods(app=db) to pods in namespace a", true],
    ["web-in", "deny from pods(app=db) to pods(app=web) in namespace b", false],
    ["web-in", "deny from pods(app=web) to pods(app=db)", false], // web is only the source
    ["web-in", "deny from any pod to not pods(app=db)", true],
    ["web-in", "deny from 10.0.0.0/8 to workload a/web on tcp/80", true],
    ["web-in", "isolated egress for pods(app=web)", false],
    ["web-in", "isolated ingress for pods(app=web)", true],
    ["web-in", "ingress of pods(app=db) within { pods(app=web) }", false],
    ["web-in", "egress of pods(app=db) within { pods(app=cache) }", true], // the peer is any pod
    // web-out: egress of app=web in a.
    ["web-out", "deny from pods(app=web) to pods(app=db)", true],
    ["web-out", "deny from 10.0.0.0/8 to pods(app=db) in namespace a", false],
    ["web-out", "deny from pods(app=db) to external on tcp/443", false],
    ["web-out", "ingress of pods(app=db) within { pods(app=web) }", true],
    // NotIn and DoesNotExist subjects.
    ["not-db", "isolated ingress for pods(app=db)", false],
    ["not-db", "isolated ingress for pods(!app) in namespace a", true],
    ["not-db", "isolated ingress for pods(app=web)", true],
    ["not-db", "isolated ingress for pods(app=db) in namespace a or namespace b", false],
    ["no-app", "isolated ingress for pods(app=db)", false],
    ["no-app", "isolated ingress for pods(app)", false],
    ["no-app", "isolated ingress for pods(app notin (db))", true],
    ["no-app", "isolated ingress for pods(tier=cache)", true],
    ["no-app", "isolated egress for pods(!app)", false], // ingress only
    // A namespace's policy and the namespace's labels.
    ["all-b", "isolated ingress for namespace a", false],
    ["all-b", "isolated ingress for namespace(team=y)", true],
    ["all-b", "isolated egress for pods(app=web) in namespace b", true],
    // A tier policy's subject namespaces (team=x), ingress rules only.
    ["team-x", "isolated ingress for pods in namespace(team=y)", false],
    ["team-x", "isolated ingress for pods in namespace(team notin (x))", false],
    ["team-x", "isolated ingress for pods in namespace(!team)", false],
    ["team-x", "isolated ingress for namespace(team=x)", true],
    ["team-x", "isolated ingress for pods(app=db) in namespace delta", true], // a new namespace may be team=x
    ["team-x", "isolated egress for namespace(team=x)", false],
    ["team-x", "deny from namespace(team=x) to namespace(team=y)", false],
  ];
  for (const [policy, claim, expected] of cases)
    it(`${policy} ${expected ? "touches" : "does not touch"}: ${claim}`, () => {
      expect(touches(policy, claim)).toBe(expected);
    });

  it("scopes follow the claim's sides", () => {
    const isIngress = scopeOf(guarantee("isolated ingress for pods(app=web)").claim, CLUSTER);
    expect(overlaps(isIngress.egress, EVERY_POD)).toBe(false);
    expect(overlaps(isIngress.ingress, footprint("pods(app=web)"))).toBe(true);
    const within = scopeOf(guarantee("egress of pods(app=web) within { pods(app=db) }").claim, CLUSTER);
    expect(within.ingress.all).toBe(true);
    expect(within.pods.all).toBe(true);
    expect(overlaps(within.egress, footprint("pods(app=db)"))).toBe(false);
    const reach = scopeOf(guarantee("deny from service a/x or a/y to 10.0.0.0/8").claim, CLUSTER);
    expect([...reach.services].sort()).toEqual(["a/x", "a/y"]);
    expect(overlaps(reach.ingress, EVERY_POD)).toBe(false);
  });
});

const podKeys = (c: Cluster) => c.pods.map((p) => `${p.namespace}/${p.name}`).sort();
const policyNames = (c: Cluster) => [...c.policies, ...c.clusterPolicies].map((p) => p.ref.name).sort();

/** Verdicts on the input and on its slice, for one claim in one mode. */
async function bothVerdicts(
  cluster: Cluster,
  claim: string,
  mode: Partial<ModelOptions>,
  withPodNetwork = true,
): Promise<{ full: Verdict; slice: Verdict; replayed: boolean | undefined }> {
  const parsed = parseGuarantees(`guarantee t: ${claim}`, "t.ng");
  expect(parsed.diagnostics).toEqual([]);
  const g = parsed.file.guarantees[0]!;
  const a = analyze(cluster, mode);
  const full = await Verifier.create(cluster, a.options, [parsed.file], { timeoutMs: TIMEOUT_MS }, a);
  const fr = await full.verify(g).finally(() => full.dispose());
  const sliced = sliceCluster(cluster, scopeOf(g.claim, cluster));
  const sa = analyze(sliced, a.options);
  const v = await Verifier.create(
    sliced,
    a.options,
    [parsed.file],
    { timeoutMs: TIMEOUT_MS, podNetwork: withPodNetwork ? podNetworkOf(a) : undefined },
    sa,
  );
  const sr = await v.verify(g).finally(() => v.dispose());
  return { full: fr.verdict, slice: sr.verdict, replayed: sr.counterexample?.replayed };
}

describe("sliceCluster", () => {
  it("keeps only the policies and pods a narrow claim depends on", () => {
    const g = guarantee("deny from pods(app=web) in namespace a to pods(app=db) in namespace a on tcp/80");
    const sliced = sliceCluster(CLUSTER, scopeOf(g.claim, CLUSTER));
    // web-out (the source's egress), db-in (the destination's ingress), team-x (subject team=x).
    expect(policyNames(sliced)).toEqual(["db-in", "team-x", "web-out"]);
    // The two sides' pods and every hostNetwork pod (it stands for its node).
    expect(podKeys(sliced)).toEqual(["a/agent", "a/db", "a/web"]);
    expect(policyNames(sliced).length).toBeLessThan(policyNames(CLUSTER).length);
    expect(sliced.pods.length).toBeLessThan(CLUSTER.pods.length);
    // Everything else is kept whole.
    expect(sliced.namespaces).toBe(CLUSTER.namespaces);
    expect(sliced.nodes).toBe(CLUSTER.nodes);
    expect(sliced.services).toBe(CLUSTER.services);
  });

  it("re-indexes workloads onto the kept pods", () => {
    const g = guarantee("deny from namespace b to pods(tier=cache)");
    const sliced = sliceCluster(CLUSTER, scopeOf(g.claim, CLUSTER));
    expect(podKeys(sliced)).toEqual(["a/agent", "a/cache", "b/other", "b/web"]);
    for (const w of sliced.workloads) {
      expect(w.pods.length).toBeGreaterThan(0);
      for (const i of w.pods)
        expect(sliced.pods[i]!.workload).toMatchObject({ namespace: w.namespace, name: w.name });
    }
    expect(sliced.workloads.map((w) => `${w.namespace}/${w.name}`).sort()).toEqual(podKeys(sliced));
  });

  it("keeps everything for an unbounded claim", () => {
    const g = guarantee("deny from not existing pods(app=web) to anything");
    const sliced = sliceCluster(CLUSTER, scopeOf(g.claim, CLUSTER));
    expect(podKeys(sliced)).toEqual(podKeys(CLUSTER));
    expect(policyNames(sliced)).toEqual(policyNames(CLUSTER));
  });

  // team-x accepts every ingress of namespace a (before its NetworkPolicies); all-b isolates b.
  const claims: [string, Verdict][] = [
    ["deny from pods(app=web) in namespace a to pods(app=db) in namespace a on tcp/443", "fails"],
    ["deny from pods(app=web) in namespace a to pods(tier=cache, !app)", "holds"], // web-out admits app=db only
    ["deny from any pod to pods(tier=cache) in namespace a on tcp/80", "fails"],
    ["deny from namespace b to any pod", "holds"],
    ["isolated ingress for pods(app=web) in namespace a", "holds"],
    ["isolated egress for pods(app=db) in namespace a", "fails"],
    ["egress of pods(app=web) in namespace a within { pods(app=db) in namespace a }", "holds"],
    ["egress of pods(app=web) in namespace a within { pods(app=db) in namespace a on tcp/80 }", "fails"],
    ["ingress of pods(tier=cache) within { namespace(team=x) }", "fails"],
  ];
  for (const [claim, verdict] of claims)
    it(`gives the input's verdict: ${claim}`, async () => {
      for (const mode of MODES) {
        const r = await bothVerdicts(CLUSTER, claim, mode);
        expect(r.full, `[${mode.ipBlockPods}] ${claim}`).toBe(verdict);
        expect(r.slice, `[${mode.ipBlockPods}] ${claim}`).toBe(r.full);
        if (r.slice === "fails") expect(r.replayed).toBe(true);
      }
    });

  it("needs the input's pod network: a new pod may take the address of a pod the slice drops", async () => {
    // web admits 192.168.0.0/16 only; the one pod there (b/far) is outside the claim's sets.
    const cluster = clusterOf(
      [
        pod("a", "web", `app: "web"`, "10.0.0.1"),
        pod("b", "far", `app: "far"`, "192.168.1.5"),
        netpol(
          "web-from-block",
          "a",
          `{matchLabels: {app: "web"}}`,
          "Ingress",
          `, ingress: [{from: [{ipBlock: {cidr: 192.168.0.0/16}}]}]`,
        ),
      ].join("\n---\n"),
    );
    const claim = "deny from pods(app=new) to pods(app=web) in namespace a";
    const g = guarantee(claim);
    expect(podKeys(sliceCluster(cluster, scopeOf(g.claim, cluster)))).toEqual(["a/web"]);
    // ipBlock matches pods: a new app=new pod at b/far's address is admitted.
    expect(await bothVerdicts(cluster, claim, { ipBlockPods: "include" })).toMatchObject({
      full: "fails",
      slice: "fails",
      replayed: true,
    });
    // Without the input's pod network, new pods of the slice could only take web's address.
    expect(await bothVerdicts(cluster, claim, { ipBlockPods: "include" }, false)).toMatchObject({
      full: "fails",
      slice: "holds",
    });
    expect(await bothVerdicts(cluster, claim, { ipBlockPods: "exclude" })).toMatchObject({
      full: "holds",
      slice: "holds",
    });
  });

  // A Service without a selector is its Endpoints' addresses, and the solver counts an existing pod
  // holding one of them as a member: the slice must keep that pod. Full input: x (10.0.0.5, the
  // endpoint) reaches y → fails; a slice without x would only hold the address 10.0.0.5, which y's
  // podSelector rule does not admit → holds (the bug this guards against).
  it("a selector-less Service's endpoint pods stay in the slice", async () => {
    const cluster = clusterOf(
      [
        pod("a", "x", `app: "x"`, "10.0.0.5"),
        pod("a", "web", `app: "web"`, "10.0.0.6"),
        netpol(
          "web-from-x",
          "a",
          `{matchLabels: {app: "web"}}`,
          "Ingress",
          `, ingress: [{from: [{podSelector: {matchLabels: {app: "x"}}}]}]`,
        ),
        `apiVersion: v1
kind: Service
metadata: {name: svc, namespace: a}
spec: {ports: [{port: 80, protocol: TCP}]}`,
        `apiVersion: v1
kind: Endpoints
metadata: {name: svc, namespace: a}
subsets: [{addresses: [{ip: 10.0.0.5}], ports: [{port: 80, protocol: TCP}]}]`,
      ].join("\n---\n"),
    );
    const claim = "deny from service a/svc to pods(app=web) in namespace a";
    for (const mode of MODES) {
      const r = await bothVerdicts(cluster, claim, mode);
      expect(r.full).toBe("fails");
      expect(r.slice, `[${mode.ipBlockPods}]`).toBe(r.full);
    }
  });
});

// --- differential ---------------------------------------------------------------------------------

const stats = {
  cases: 0,
  compared: 0,
  holds: 0,
  fails: 0,
  unknown: 0,
  disagreements: 0,
  /** Comparisons whose slice had fewer policies / fewer pods than the input. */
  fewerPolicies: 0,
  fewerPods: 0,
  /** Sums over comparisons, to report how much slices keep. */
  policiesKept: 0,
  policiesTotal: 0,
  podsKept: 0,
  podsTotal: 0,
};

/** Every disagreement between the input and its slices, on one cluster and guarantee file. */
async function disagreements(c: Case, text: string): Promise<string[]> {
  const parsed = parseGuarantees(text, "random.ng");
  if (parsed.diagnostics.length > 0)
    return [`the generated guarantees do not parse: ${JSON.stringify(parsed.diagnostics)}`];
  const { cluster } = buildCluster(toObjects(c.objects));
  stats.cases++;
  const out: string[] = [];
  const total = cluster.policies.length + cluster.clusterPolicies.length;
  for (const mode of MODES) {
    const a = analyze(cluster, mode);
    const podNetwork = podNetworkOf(a);
    const full = await Verifier.create(cluster, a.options, [parsed.file], { timeoutMs: TIMEOUT_MS }, a);
    try {
      for (const g of parsed.file.guarantees) {
        const where = `[${mode.ipBlockPods}] ${g.text}`;
        const fr = await full.verify(g);
        const sliced = sliceCluster(cluster, scopeOf(g.claim, cluster));
        // A slice only ever removes: its pods and policies are the input's own objects.
        if (!sliced.pods.every((p) => cluster.pods.includes(p))) out.push(`${where}: the slice invents pods`);
        const kept = sliced.policies.length + sliced.clusterPolicies.length;
        if (
          !sliced.policies.every((p) => cluster.policies.includes(p)) ||
          !sliced.clusterPolicies.every((p) => cluster.clusterPolicies.includes(p))
        )
          out.push(`${where}: the slice invents policies`);
        const sa = analyze(sliced, a.options);
        const v = await Verifier.create(
          sliced,
          a.options,
          [parsed.file],
          { timeoutMs: TIMEOUT_MS, podNetwork },
          sa,
        );
        const sr = await v.verify(g).finally(() => v.dispose());
        if (fr.verdict === "unknown" || sr.verdict === "unknown") {
          stats.unknown++;
          continue;
        }
        stats.compared++;
        stats[fr.verdict]++;
        stats.policiesKept += kept;
        stats.policiesTotal += total;
        stats.podsKept += sliced.pods.length;
        stats.podsTotal += cluster.pods.length;
        if (kept < total) stats.fewerPolicies++;
        if (sliced.pods.length < cluster.pods.length) stats.fewerPods++;
        const summary = `slice: pods [${podKeys(sliced).join(", ")}], policies [${policyNames(sliced).join(", ")}]`;
        if (sr.verdict !== fr.verdict) {
          stats.disagreements++;
          const x = fr.counterexample ?? sr.counterexample;
          out.push(
            `${where}: input ${fr.verdict}, slice ${sr.verdict}; ${summary}${x ? `; counterexample ${JSON.stringify({ src: x.src, dst: x.dst, conn: x.conn }, (_, val) => (typeof val === "bigint" ? val.toString() : val))}` : ""}`,
          );
          continue;
        }
        if (sr.verdict === "fails" && sr.counterexample?.replayed !== true)
          out.push(`${where}: the slice's counterexample is not replayed; ${summary}`);
      }
    } finally {
      full.dispose();
    }
  }
  return out;
}

/** Clusters with guarantees over existing endpoints (g0, …) and over hypothetical pods (h0, …). */
const withGuaranteesArb = (cases: fc.Arbitrary<Case>): fc.Arbitrary<[Case, string]> =>
  caseWithGuaranteesArb(cases, [1, 2]).chain(([c, existing]) =>
    hypotheticalGuaranteesArb(vocabularyOf(c), [2, 3]).map((h): [Case, string] => [c, `${existing}\n${h}`]),
  );

async function check(arb: fc.Arbitrary<Case>, runs: number) {
  await fc.assert(
    fc.asyncProperty(withGuaranteesArb(arb), async ([c, text]) => {
      const bad = await disagreements(c, text);
      if (bad.length > 0) throw new Error([...bad, "guarantees:", text, "cluster:", dumpCase(c)].join("\n"));
    }),
    { numRuns: runs, ...(SEED === undefined ? {} : { seed: SEED }) },
  );
}

describe("the slice decides a guarantee as the whole input does", () => {
  it(`on ${RUNS} random NetworkPolicy clusters`, async () => {
    await check(caseArb(), RUNS);
  }, 600_000);

  it(`on ${RUNS} random tier clusters`, async () => {
    await check(tierCaseArb(), RUNS);
  }, 600_000);

  it("compared both verdicts, on slices that were smaller, with few unknowns", () => {
    if (process.env.DEBUG_STATS) console.log(stats);
    expect(stats.holds).toBeGreaterThan(0);
    expect(stats.fails).toBeGreaterThan(0);
    expect(stats.fewerPolicies).toBeGreaterThan(0);
    expect(stats.fewerPods).toBeGreaterThan(0);
    expect(stats.unknown).toBeLessThanOrEqual(Math.max(2, 0.03 * (stats.compared + stats.unknown)));
  });
});
