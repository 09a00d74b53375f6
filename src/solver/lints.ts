/**
 * Lints, with stable codes (NP5xxx). Engine lints read the analysis; proved lints ask z3 about every
 * pod that exists or could exist:
 * | code   | what                                   | how                                                    |
 * |--------|----------------------------------------|--------------------------------------------------------|
 * | NP5001 | redundant rule                         | ∃ connection whose verdict changes without the rule? no → redundant |
 * | NP5002 | redundant policy                       | the same, without the whole policy                     |
 * | NP5003 | selector matches nothing in the input  | engine: policy subjects and pod peers                  |
 * | NP5004/5 | workload not isolated (ingress/egress) | engine: no policy of any tier selects it            |
 * | NP5006 | DNS unreachable from a namespace       | ∃ existing pod of the namespace denied UDP or TCP 53 to kube-dns? |
 * | NP5007 | ipBlock except inside another except   | address arithmetic                                     |
 * | NP5008 | rule shadowed by a higher tier         | ∃ connection the rule matches that reaches its tier? no → shadowed |
 * An ipBlock except outside its cidr is rejected by the API server: the parser reports it (NP2008).
 * Removal is modelled by one switch variable (`World.disabled`) in a second copy of the encoding, so
 * every removal is one check against the same formulas.
 */
import { type Diagnostic, diagnostic } from "../common/index.js";
import {
  type Analysis,
  analyze,
  type Cluster,
  type ClusterPolicy,
  type Direction,
  type LabelSelector,
  type ModelOptions,
  type NetworkPolicy,
  type Rule,
  rangeContains,
} from "../model/index.js";
import { buildUniverse } from "./universe.js";
import { type Endpoint, KIND, Space, World } from "./world.js";
import { and, type B, type Ctx, is, z3 } from "./z3.js";

export interface LintOptions {
  /** Per check, in milliseconds. */
  readonly timeoutMs?: number | undefined;
  /** All proved lints together, in milliseconds (the rest are reported as skipped). */
  readonly budgetMs?: number | undefined;
}

const DNS_NAMESPACE = "kube-system";
const DNS_SELECTOR: LabelSelector = { matchLabels: { "k8s-app": "kube-dns" } };

export async function lintCluster(
  input: Cluster,
  options: ModelOptions,
  lintOptions: LintOptions = {},
  analysis: Analysis = analyze(input, options),
): Promise<Diagnostic[]> {
  const out = [...engineLints(analysis), ...exceptLints(analysis.cluster)];
  out.push(...(await provedLints(await z3(), analysis, lintOptions)));
  return out;
}

// --- engine lints -------------------------------------------------------------------------------

function engineLints(a: Analysis): Diagnostic[] {
  const out: Diagnostic[] = [];
  const c = a.cluster;
  for (const p of c.policies) {
    if (a.index.select({ kind: "same", namespace: p.namespace }, p.podSelector).isEmpty())
      out.push(
        diagnostic(
          "NP5003",
          "warning",
          `NetworkPolicy ${p.namespace}/${p.ref.name} selects no pod of the input`,
          {
            source: p.source,
          },
        ),
      );
    peerLints(a, p, out);
  }
  for (const p of c.clusterPolicies) {
    if (a.index.select({ kind: "selector", selector: p.subject.namespaces }, p.subject.pods).isEmpty())
      out.push(
        diagnostic(
          "NP5003",
          "warning",
          `${p.ref.kind} ${p.ref.name}: its subject selects no pod of the input`,
          {
            source: p.source,
          },
        ),
      );
    peerLints(a, p, out);
  }
  // Workloads not isolated, per direction (hostNetwork pods and the ingress controller excepted).
  for (const w of c.workloads) {
    const classes = [...new Set(w.pods.map((i) => a.index.classOfPod[i]!))].filter(
      (ci) => !a.index.classes[ci]!.hostNetwork,
    );
    if (classes.length === 0) continue;
    for (const [dir, code] of [
      ["ingress", "NP5004"],
      ["egress", "NP5005"],
    ] as const)
      if (classes.some((ci) => !a.isolated(ci, dir)))
        out.push(
          diagnostic(
            code,
            "warning",
            `${w.namespace}/${w.name}[${w.kind}] is not isolated for ${dir}: no policy selects it`,
            {
              source: w.source,
            },
          ),
        );
  }
  return out;
}

function peerLints(a: Analysis, p: NetworkPolicy | ClusterPolicy, out: Diagnostic[]): void {
  for (const r of [...p.ingress, ...p.egress])
    for (const peer of r.peers)
      if (peer.kind === "pods" && a.index.select(peer.namespaces, peer.pods).isEmpty())
        out.push(
          diagnostic(
            "NP5003",
            "warning",
            `a ${r.direction} peer of ${policyName(p)} matches no pod of the input`,
            {
              source: peer.source,
            },
          ),
        );
}

function exceptLints(c: Cluster): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const p of [...c.policies, ...c.clusterPolicies])
    for (const r of [...p.ingress, ...p.egress])
      for (const peer of r.peers) {
        if (peer.kind !== "ipBlock") continue;
        peer.except.forEach((e, i) => {
          const outer = peer.except.findIndex(
            (o, j) => j !== i && rangeContains(o, e) && !(rangeContains(e, o) && j > i),
          );
          if (outer >= 0)
            out.push(
              diagnostic(
                "NP5007",
                "warning",
                `${policyName(p)}: an except lies inside another except of the same ipBlock`,
                {
                  source: peer.source,
                },
              ),
            );
        });
      }
  return out;
}

function policyName(p: NetworkPolicy | ClusterPolicy): string {
  return p.tier === "networkpolicy"
    ? `NetworkPolicy ${p.namespace}/${p.ref.name}`
    : `${p.ref.kind} ${p.ref.name}`;
}

// --- proved lints -------------------------------------------------------------------------------

async function provedLints(ctx: Ctx, a: Analysis, o: LintOptions): Promise<Diagnostic[]> {
  const solver = new ctx.Solver();
  try {
    return await provedLintsWith(ctx, solver, a, o);
  } finally {
    // z3's memory lives in a wasm heap the JavaScript collector does not see (REPL, webhook).
    solver.release();
  }
}

async function provedLintsWith(
  ctx: Ctx,
  solver: InstanceType<Ctx["Solver"]>,
  a: Analysis,
  o: LintOptions,
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const started = performance.now();
  const budget = o.budgetMs ?? 60_000;
  let skipped = 0;
  const dnsService = a.cluster.services.find((s) => s.namespace === DNS_NAMESPACE && s.name === "kube-dns");
  const dnsSelector: LabelSelector = dnsService?.selector
    ? { matchLabels: dnsService.selector }
    : DNS_SELECTOR;
  const universe = buildUniverse([a], {
    podSelectors: [dnsSelector],
    nsSelectors: [],
    namespaces: [DNS_NAMESPACE],
    portNames: [],
  });
  const space = new Space(ctx, universe, a.classCount);
  const full = new World(space, a, undefined, "full");
  const cut = new World(space, a, undefined, "cut", true);
  const s = space.endpoint("s");
  const d = space.endpoint("d");
  const k = space.conn("k");
  space.sameNamespaceSameLabels(s, d);
  const singles: number[] = [];
  a.index.classes.forEach((cls, i) => {
    if (cls.pods.length === 1) singles.push(i);
  });
  space.notSamePod(s, d, singles);
  const allowed = full.allowed(s, d, k);
  const allowedCut = cut.allowed(s, d, k);
  solver.set("timeout", o.timeoutMs ?? 10_000);
  const check = async (query: B, ...assumptions: B[]) => {
    if (performance.now() - started > budget) {
      skipped++;
      return "skipped" as const;
    }
    // Definitions are permanent (outside the scope); the query is not.
    flush();
    solver.push();
    solver.add(query);
    const r = await solver.check(...assumptions);
    solver.pop();
    return r;
  };
  let added = 0;
  const flush = () => {
    for (; added < space.defs.length; added++) solver.add(space.defs[added]!);
  };
  const cluster = a.cluster;
  const policies: (NetworkPolicy | ClusterPolicy)[] = [...cluster.policies, ...cluster.clusterPolicies];
  // Shadowing first: a rule that never reaches its tier is reported as shadowed, not redundant.
  const shadowed = new Set<Rule>();
  const hasAdmin = cluster.clusterPolicies.some((p) => p.tier === "admin");
  for (const p of policies) {
    if (p.tier === "admin") continue;
    const higher = p.tier === "networkpolicy" ? hasAdmin : hasAdmin || cluster.policies.length > 0;
    if (!higher) continue;
    for (const r of [...p.ingress, ...p.egress]) {
      const [subject, peer] = orient(r.direction, s, d);
      const facts = full.tiers(r.direction, subject, peer, k);
      const fires = full.ruleFires(p, r, subject, peer, k);
      const reach =
        p.tier === "networkpolicy"
          ? facts.adminUndecided
          : ctx.And(facts.adminUndecided, ctx.Not(facts.npIsolated));
      if ((await check(fires)) !== "sat") continue;
      const res = await check(ctx.And(fires, reach));
      if (res === "unsat") {
        shadowed.add(r);
        out.push(
          diagnostic(
            "NP5008",
            "warning",
            `${policyName(p)} ${r.direction} rule ${r.index}: shadowed by a higher tier`,
            {
              source: r.source,
            },
          ),
        );
      }
    }
  }
  // Redundancy: removing the policy / the rule changes no verdict.
  const differs = allowed.neq(allowedCut);
  for (const p of policies) {
    const res = await check(differs, is(cut.disabled!, cut.switchId(p)));
    if (res === "unsat") {
      out.push(
        diagnostic("NP5002", "warning", `${policyName(p)} is redundant: removing it changes no connection`, {
          source: p.source,
        }),
      );
      continue;
    }
    if (res === "unknown") out.push(undecided(`redundancy of ${policyName(p)}`, p.source));
    for (const r of [...p.ingress, ...p.egress]) {
      if (shadowed.has(r)) continue;
      const rr = await check(differs, is(cut.disabled!, cut.switchId(r)));
      if (rr === "unsat")
        out.push(
          diagnostic(
            "NP5001",
            "warning",
            `${policyName(p)} ${r.direction} rule ${r.index} is redundant: removing it changes no connection`,
            {
              source: r.source,
            },
          ),
        );
    }
  }
  // DNS: every existing pod of each namespace reaches kube-dns on UDP and TCP 53.
  const dnsExisting = a.index.select({ kind: "same", namespace: DNS_NAMESPACE }, dnsSelector);
  // The DNS pods of the input; when it has none, a standard kube-dns pod: only the selector's labels,
  // in kube-system as the input gives it, or with no labels but its name when the input has none.
  const standard: B[] = [];
  if (dnsExisting.isEmpty()) {
    const keys = new Set(Object.keys(dnsSelector.matchLabels ?? {}));
    for (const [key, x] of d.lab) if (!keys.has(key)) standard.push(is(x, 0));
    for (const slot of d.slots) for (const present of slot.present) standard.push(ctx.Not(present));
    if (!a.cluster.namespaces.some((n) => n.name === DNS_NAMESPACE))
      for (const x of d.nsLab.values()) standard.push(is(x, 0));
  }
  const dns = and(ctx, [
    full.view(d).pod,
    full.inNamespace(d, DNS_NAMESPACE),
    full.podSelector(d, dnsSelector),
    dnsExisting.isEmpty() ? is(d.kind, KIND.hypothetical) : is(d.kind, KIND.existing),
    ...standard,
  ]);
  const namespaces = [...new Set(a.index.classes.map((c) => c.namespace))]
    .filter((n) => n !== DNS_NAMESPACE)
    .sort();
  for (const ns of namespaces) {
    const failing: string[] = [];
    for (const [proto, code] of [
      ["UDP", 1],
      ["TCP", 0],
    ] as const) {
      const q = ctx.And(
        is(s.kind, KIND.existing),
        full.inNamespace(s, ns),
        dns,
        is(k.proto, code),
        is(k.port, 53),
        ctx.Not(allowed),
      );
      if ((await check(q)) === "sat") failing.push(proto);
    }
    if (failing.length > 0) {
      const at =
        a.cluster.namespaces.find((n) => n.name === ns)?.source ??
        a.cluster.pods.find((p) => p.namespace === ns)?.source;
      out.push(
        diagnostic(
          "NP5006",
          "warning",
          `pods of namespace ${ns} cannot reach DNS (${DNS_NAMESPACE}/kube-dns) on ${failing.join(" and ")} 53`,
          {
            source: at,
            hint: "allow egress to namespace kube-system, pods k8s-app=kube-dns, on UDP and TCP 53",
          },
        ),
      );
    }
  }
  if (skipped > 0)
    out.push(
      diagnostic(
        "NP5009",
        "info",
        `${skipped} proved lint checks skipped: the time budget (${budget} ms) ran out`,
      ),
    );
  return out;
}

function orient(direction: Direction, s: Endpoint, d: Endpoint): [Endpoint, Endpoint] {
  return direction === "egress" ? [s, d] : [d, s];
}

function undecided(what: string, source: Diagnostic["source"]): Diagnostic {
  return diagnostic("NP5009", "info", `${what} could not be decided within the time limit`, { source });
}
