/**
 * Incremental evaluation of one change against the guarantees.
 *
 * The evaluator keeps a base: the cluster as the state holds it, its pod network, and each
 * guarantee's verdict there. A change (an object created, replaced or deleted) touches a guarantee
 * only if the objects it changes can meet the guarantee's footprint (solver/slice.ts): a policy
 * whose subjects may lie on the side where its direction applies, a pod or namespace the guarantee's
 * sets may contain, a Service it names. Only those guarantees are verified again, each on the slice
 * of the changed cluster that decides it, with z3 given what is left of the request's deadline.
 * Everything else keeps its verdict. The verdicts after a change are adopted as the new base when
 * the change is applied.
 */
import type { Diagnostic } from "../common/index.js";
import {
  type Analysis,
  analyze,
  buildCluster,
  type Cluster,
  getOrCreate,
  type IpRange,
  type Labels,
  type ModelOptions,
  type Namespace,
  type NetworkPolicy,
  type Pod,
} from "../model/index.js";
import {
  type Claim,
  type Guarantee,
  type GuaranteeFile,
  type K8sObject,
  WORKLOAD_KINDS as PARSER_WORKLOAD_KINDS,
} from "../parser/index.js";
import {
  type ChangeEffect,
  changeMayBreak,
  containsNamespace,
  containsPod,
  decidesAlone,
  exclusive,
  existingViolation,
  type GuaranteeResult,
  holdsEndpoint,
  narrowClaims,
  podNetworkOf,
  policyChangeEffect,
  policyReach,
  policyTouches,
  restrictedClaims,
  type Scope,
  scopeOf,
  searchExisting,
  selectorKeys,
  shutByIngress,
  sliceCluster,
  Verifier,
  withinByPolicies,
} from "../solver/index.js";
import { keyOfObject } from "./state.js";

/** An object created or replaced (`old` set when replaced), or deleted. */
export type Change =
  | { readonly op: "upsert"; readonly object: K8sObject; readonly old?: K8sObject | undefined }
  | { readonly op: "delete"; readonly old: K8sObject };

export interface Outcome {
  readonly guarantee: Guarantee;
  /** The verdict before the change. */
  readonly before: GuaranteeResult["verdict"];
  /** After the change (re-verified), or the base verdict when the change does not touch it. */
  readonly after: GuaranteeResult;
  readonly reverified: boolean;
}

export interface Evaluation {
  readonly outcomes: readonly Outcome[];
  /** Held before, fails after. */
  readonly broken: readonly Outcome[];
  /** Undecided after the change (timeout, deadline, unknown). */
  readonly undecided: readonly Outcome[];
  /** Failed before and still fails (not caused by this change). */
  readonly stillFailing: readonly Outcome[];
  readonly reverified: number;
  readonly solveMs: number;
  readonly buildMs: number;
  /** False when evaluation stopped at the first broken guarantee (`stopAtBroken`). */
  readonly complete: boolean;
  /** The base version the change was evaluated on. */
  readonly baseVersion: number;
  /** The changed cluster, and its verdicts, to adopt when the change is applied. */
  readonly next: Base;
}

export interface EvaluatorOptions {
  readonly model: ModelOptions;
  /** z3 per check, at most (the request's deadline also bounds it). */
  readonly timeoutMs?: number | undefined;
}

export interface EvaluateOptions {
  /**
   * Stop at the first guarantee the change breaks (enforce mode: one suffices to deny, and a denied
   * change is never applied). Guarantees are checked narrowest first.
   */
  readonly stopAtBroken?: boolean | undefined;
}

/** A state of the cluster with every guarantee's verdict in it. */
export interface Base {
  readonly version: number;
  readonly objects: ReadonlyMap<string, K8sObject>;
  readonly cluster: Cluster;
  readonly podNetwork: readonly IpRange[];
  readonly verdicts: ReadonlyMap<Guarantee, GuaranteeResult>;
}

/** Below this many milliseconds left, a check is not started: the answer would come too late. */
const MIN_CHECK_MS = 25;
/** A check without a request deadline (the base, applied changes) still ends. */
const UNBOUNDED_CHECK_MS = 60_000;

export class Evaluator {
  readonly guarantees: readonly Guarantee[];
  private base: Base | undefined;
  private version = 0;
  /** Label keys some selector mentions, per base (see selectorKeys). */
  /**
   * Label keys some selector mentions: those of the first base, plus those of every policy and
   * Service a change has brought since — a superset of any later base's (selectorKeys), which only
   * makes fewer relabels count as inert.
   */
  private readonly keys = new Set<string>();

  constructor(
    readonly files: readonly GuaranteeFile[],
    private readonly options: EvaluatorOptions,
  ) {
    this.guarantees = files.flatMap((f) => f.guarantees);
  }

  get ready(): boolean {
    return this.base !== undefined;
  }

  get current(): Base | undefined {
    return this.base;
  }

  /** Builds the base from every object and verifies every guarantee on it. */
  async reset(objects: readonly K8sObject[], deadline = Number.POSITIVE_INFINITY): Promise<Base> {
    const map = new Map(objects.map((o) => [keyOfObject(o), o]));
    const cluster = rebuilt([...map.values()]);
    const analysis = analyze(cluster, this.options.model);
    const podNetwork = podNetworkOf(analysis);
    const verdicts = new Map<Guarantee, GuaranteeResult>();
    for (const g of this.guarantees) verdicts.set(g, await this.verifyOn(cluster, podNetwork, g, deadline));
    this.base = { version: ++this.version, objects: map, cluster, podNetwork, verdicts };
    this.keys.clear();
    for (const k of selectorKeys(cluster, this.files)) this.keys.add(k);
    return this.base;
  }

  /** Adopts an evaluated change as the new base (when it was evaluated on the current one). */
  adopt(e: Evaluation): boolean {
    if (!this.base || !e.complete || e.baseVersion !== this.base.version) return false;
    this.base = { ...e.next, version: ++this.version };
    return true;
  }

  /** Evaluates a change on the current base; `deadline` is a `performance.now()` time. */
  async evaluate(change: Change, deadline: number, options: EvaluateOptions = {}): Promise<Evaluation> {
    const base = this.base;
    if (!base) throw new Error("the evaluator has no base yet");
    const t0 = performance.now();
    const old =
      change.op === "upsert" ? (change.old ?? base.objects.get(keyOfObject(change.object))) : change.old;
    const next = change.op === "upsert" ? change.object : undefined;
    // The objects after the change: copied only when needed (a rebuild, or the change adopted).
    let after: Map<string, K8sObject> | undefined;
    const objects = (): ReadonlyMap<string, K8sObject> => {
      if (!after) {
        after = new Map(base.objects);
        if (old) after.delete(keyOfObject(old));
        if (next) after.set(keyOfObject(next), next);
      }
      return after;
    };
    const samePods = samePodAddresses(old, next);
    // A relabel no selector can see changes no verdict: the changed cluster is built only if the
    // change is adopted.
    if (next) for (const k of selectorKeys(clusterOf(next), [])) this.keys.add(k);
    const inert = samePods && inertRelabel(old, next, this.keys);
    if (inert) return this.unchanged(base, objects, old, next, performance.now() - t0);
    const cluster = changedCluster(base, objects, old, next);
    const podNetwork = samePods ? base.podNetwork : podNetworkOf(analyze(cluster, this.options.model));
    const buildMs = performance.now() - t0;
    const effect = podNetwork === base.podNetwork ? policyEffect(base.cluster, old, next) : undefined;
    const touched = (g: Guarantee, before: GuaranteeResult) => {
      // A guarantee that holds breaks only one way: ask whether the change can go that way.
      if (effect && before.verdict === "holds") return changeMayBreak(g.claim, cluster, effect);
      return (
        podNetwork !== base.podNetwork ||
        touches(scopeOf(g.claim, base.cluster), base.cluster, old) ||
        touches(scopeOf(g.claim, cluster), cluster, next)
      );
    };
    const verdicts = new Map(base.verdicts);
    const checks: { g: Guarantee; before: GuaranteeResult; claims: readonly Claim[]; broad: boolean }[] = [];
    const kept = new Map<Guarantee, Outcome>();
    for (const g of this.guarantees) {
      const before = base.verdicts.get(g)!;
      if (!touched(g, before)) {
        kept.set(g, { guarantee: g, before: before.verdict, after: before, reverified: false });
        continue;
      }
      const claims = (effect && before.verdict === "holds" && restrictedClaims(g.claim, cluster, effect)) || [
        g.claim,
      ];
      const broad = claims.some((c) => scopeOf(c, cluster).pods.all);
      checks.push({ g, before, claims, broad });
    }
    // Narrow checks first: with `stopAtBroken`, a cheap broken guarantee spares the broad ones.
    checks.sort((a, b) => Number(a.broad) - Number(b.broad));
    let solveMs = 0;
    let complete = true;
    const checked = new Map<Guarantee, Outcome>();
    for (const { g, before, claims } of checks) {
      if (!complete) break;
      const t1 = performance.now();
      let after: GuaranteeResult = { guarantee: g, verdict: "holds", ms: 0 };
      for (const claim of claims) {
        const r = await this.verifyOn(cluster, podNetwork, claim === g.claim ? g : { ...g, claim }, deadline);
        // A restricted claim's counterexample is one of the guarantee's.
        const result = { ...r, guarantee: g };
        if (result.verdict === "fails") {
          after = result;
          break;
        }
        if (result.verdict === "unknown") after = result;
      }
      after = { ...after, ms: performance.now() - t1 };
      solveMs += after.ms;
      verdicts.set(g, after);
      checked.set(g, { guarantee: g, before: before.verdict, after, reverified: true });
      if (options.stopAtBroken && before.verdict === "holds" && after.verdict === "fails") complete = false;
    }
    // Guarantees not reached (stopped at a broken one) keep their verdict, and the evaluation is
    // marked incomplete: it cannot become a base.
    const outcomes = this.guarantees.map(
      (g) =>
        checked.get(g) ??
        kept.get(g) ?? {
          guarantee: g,
          before: base.verdicts.get(g)!.verdict,
          after: base.verdicts.get(g)!,
          reverified: false,
        },
    );
    return {
      ...byVerdict(outcomes),
      solveMs,
      buildMs,
      complete,
      baseVersion: base.version,
      next: {
        version: base.version,
        get objects() {
          return objects();
        },
        cluster,
        podNetwork,
        verdicts,
      },
    };
  }

  /** The evaluation of a change that keeps every verdict; its cluster is built when first asked for. */
  private unchanged(
    base: Base,
    objects: () => ReadonlyMap<string, K8sObject>,
    old: K8sObject | undefined,
    next: K8sObject | undefined,
    buildMs: number,
  ): Evaluation {
    const outcomes = this.guarantees.map((g) => {
      const after = base.verdicts.get(g)!;
      return { guarantee: g, before: after.verdict, after, reverified: false };
    });
    let built: Base | undefined;
    return {
      ...byVerdict(outcomes),
      solveMs: 0,
      buildMs,
      complete: true,
      baseVersion: base.version,
      get next(): Base {
        built ??= {
          version: base.version,
          objects: objects(),
          cluster: changedCluster(base, objects, old, next),
          podNetwork: base.podNetwork,
          verdicts: base.verdicts,
        };
        return built;
      },
    };
  }

  /**
   * One guarantee on the slice of `cluster` that decides it: first among the pods and addresses
   * that exist (the engine, no z3: a violation there is final), then by z3, exclusively.
   */
  private async verifyOn(
    cluster: Cluster,
    podNetwork: readonly IpRange[],
    g: Guarantee,
    deadline: number,
  ): Promise<GuaranteeResult> {
    const t0 = performance.now();
    // Narrow slices first: a change that opens a destination to everyone breaks the claim already
    // for sources in a namespace nothing restricts.
    for (const narrow of narrowClaims(cluster, g.claim)) {
      const a = analyze(sliceCluster(cluster, scopeOf(narrow, cluster)), this.options.model);
      const v = existingViolation(a, narrow);
      if (v) return { guarantee: g, verdict: "fails", counterexample: v, ms: performance.now() - t0 };
    }
    const slice = sliceCluster(cluster, scopeOf(g.claim, cluster));
    const analysis: Analysis = analyze(slice, this.options.model);
    const found = searchExisting(analysis, g.claim);
    if (found.violation)
      return { guarantee: g, verdict: "fails", counterexample: found.violation, ms: performance.now() - t0 };
    // Every endpoint the claim is about exists, and none violates it; or the destinations' ingress
    // admits none of the sources, existing or not.
    if (
      (found.exhaustive && decidesAlone(analysis, g.claim)) ||
      shutByIngress(analysis, g.claim) ||
      withinByPolicies(analysis, g.claim)
    )
      return { guarantee: g, verdict: "holds", ms: performance.now() - t0 };
    return exclusive(async () => {
      const left = Math.floor(deadline - performance.now());
      if (left < MIN_CHECK_MS)
        return {
          guarantee: g,
          verdict: "unknown",
          reason: "the request's deadline passed before the check",
          ms: 0,
        };
      const timeoutMs = Math.min(left, this.options.timeoutMs ?? UNBOUNDED_CHECK_MS);
      const file: GuaranteeFile = { file: "", guarantees: [g] };
      const v = await Verifier.create(slice, this.options.model, [file], { timeoutMs, podNetwork }, analysis);
      try {
        return await v.verify(g);
      } finally {
        v.dispose();
      }
    });
  }
}

/** An evaluation's outcomes, and those broken, undecided, still failing and re-verified. */
function byVerdict(outcomes: readonly Outcome[]) {
  return {
    outcomes,
    broken: outcomes.filter((o) => o.before === "holds" && o.after.verdict === "fails"),
    undecided: outcomes.filter((o) => o.after.verdict === "unknown"),
    stillFailing: outcomes.filter((o) => o.before !== "holds" && o.after.verdict === "fails"),
    reverified: outcomes.filter((o) => o.reverified).length,
  };
}

/**
 * The model of one object alone (its policies, pods, namespace): asked for by every guarantee's
 * touch test and by the change analyses, built once per object (objects are immutable).
 */
const singles = new WeakMap<K8sObject, Cluster>();
export function clusterOf(o: K8sObject): Cluster {
  return getOrCreate(singles, o, () => buildCluster([o]).cluster);
}

/** The base cluster with one object replaced: built incrementally where that is cheap. */
function changedCluster(
  base: Base,
  objectsAfter: () => ReadonlyMap<string, K8sObject>,
  old: K8sObject | undefined,
  next: K8sObject | undefined,
): Cluster {
  const all = () => [...objectsAfter().values()];
  const kind = (next ?? old)!.kind;
  const one = (o: K8sObject | undefined) => (o ? clusterOf(o) : undefined);
  if (kind === "NetworkPolicy") {
    const name = (next ?? old)!.metadata.name;
    const ns = (next ?? old)!.metadata.namespace ?? "default";
    const added = one(next)?.policies ?? [];
    // A policy in a namespace nothing else lives in implies the namespace: rebuild then.
    if (added.some((p) => !base.cluster.namespaces.some((n) => n.name === p.namespace)))
      return rebuilt(all());
    return { ...base.cluster, policies: withPolicies(base.cluster.policies, ns, name, added) };
  }
  if (
    kind === "ClusterNetworkPolicy" ||
    kind === "AdminNetworkPolicy" ||
    kind === "BaselineAdminNetworkPolicy"
  ) {
    const tierObjects = all().filter(
      (o) =>
        o.kind === "ClusterNetworkPolicy" ||
        o.kind === "AdminNetworkPolicy" ||
        o.kind === "BaselineAdminNetworkPolicy",
    );
    return { ...base.cluster, clusterPolicies: buildCluster(tierObjects).cluster.clusterPolicies };
  }
  if (WORKLOAD_KINDS.has(kind) && old && next) {
    const replaced = replacePods(base.cluster, clusterOf(old), clusterOf(next));
    if (replaced) return replaced;
  }
  if (kind === "Namespace" && next) {
    const ns = one(next)!.namespaces[0]!;
    return {
      ...base.cluster,
      namespaces: [...base.cluster.namespaces.filter((n) => n.name !== ns.name), ns].sort((a, b) =>
        cmp(a.name, b.name),
      ),
    };
  }
  return rebuilt(all());
}

const byName = (a: NetworkPolicy, b: NetworkPolicy) =>
  cmp(a.namespace, b.namespace) || cmp(a.ref.name, b.ref.name);

/**
 * The cluster with one workload's pods replaced in place, when that is exact: the workload built
 * alone gives the very pods the cluster holds for it (same count, same model), and its new version
 * as many pods. Undefined otherwise (the caller rebuilds).
 */
function replacePods(cluster: Cluster, was: Cluster, will: Cluster): Cluster | undefined {
  if (was.workloads.length !== 1 || will.workloads.length !== 1) return undefined;
  if (was.namespaces.some((n) => !n.implied) || will.namespaces.some((n) => !n.implied)) return undefined;
  const w = was.workloads[0]!;
  const target = cluster.workloads.findIndex(
    (x) => x.namespace === w.namespace && x.name === w.name && x.kind === w.kind,
  );
  if (target < 0) return undefined;
  const indexes = cluster.workloads[target]!.pods;
  if (indexes.length !== was.pods.length || will.pods.length !== was.pods.length) return undefined;
  const same = (a: unknown, b: unknown) => modelText(a) === modelText(b);
  if (!indexes.every((i, j) => same(cluster.pods[i], was.pods[j]))) return undefined;
  if (!same({ ...w, pods: indexes }, { ...cluster.workloads[target], pods: indexes })) return undefined;
  const pods = [...cluster.pods];
  indexes.forEach((i, j) => {
    pods[i] = will.pods[j]!;
  });
  const workloads = [...cluster.workloads];
  workloads[target] = { ...will.workloads[0]!, pods: indexes };
  return { ...cluster, pods, workloads };
}

/** A model value as text, without source positions (bigints as strings). */
function modelText(x: unknown): string {
  return JSON.stringify(x, (k, v) => (k === "source" ? undefined : typeof v === "bigint" ? String(v) : v));
}

/** The model of every object, its NetworkPolicies sorted by namespace and name (see withPolicies). */
function rebuilt(objects: readonly K8sObject[]): Cluster {
  const { cluster } = buildCluster(objects);
  const policies = [...cluster.policies].sort(byName);
  sortedLists.add(policies);
  return { ...cluster, policies };
}

/** Policy lists known to be sorted by namespace and name. */
const sortedLists = new WeakSet<readonly NetworkPolicy[]>();

/**
 * `all` without the policy `namespace/name` and with `added`, sorted by namespace and name: by
 * insertion when `all` is sorted (every list this returns is), else by sorting once.
 */
function withPolicies(
  all: readonly NetworkPolicy[],
  namespace: string,
  name: string,
  added: readonly NetworkPolicy[],
): NetworkPolicy[] {
  const policies = all.filter((p) => !(p.namespace === namespace && p.ref.name === name));
  let out: NetworkPolicy[];
  if (sortedLists.has(all)) {
    out = policies;
    for (const p of added) {
      let lo = 0;
      let hi = out.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (byName(out[mid]!, p) <= 0) lo = mid + 1;
        else hi = mid;
      }
      out.splice(lo, 0, p);
    }
  } else out = [...policies, ...added].sort(byName);
  sortedLists.add(out);
  return out;
}

/** Whether an object (as it was, or as it will be) can meet a guarantee's scope. */
function touches(scope: Scope, cluster: Cluster, o: K8sObject | undefined): boolean {
  if (!o) return false;
  switch (o.kind) {
    case "NetworkPolicy":
    case "ClusterNetworkPolicy":
    case "AdminNetworkPolicy":
    case "BaselineAdminNetworkPolicy": {
      const built = clusterOf(o);
      return [...built.policies, ...built.clusterPolicies].some((p) => policyTouches(policyReach(p), scope));
    }
    case "Namespace":
      return containsNamespace(scope.pods, o.metadata.name, {
        ...(o.metadata.labels ?? {}),
        "kubernetes.io/metadata.name": o.metadata.name,
      });
    case "Service":
      return scope.services.has(`${o.metadata.namespace ?? "default"}/${o.metadata.name}`);
    case "Pod":
    case "Deployment":
    case "ReplicaSet":
    case "StatefulSet":
    case "DaemonSet":
    case "Job":
    case "CronJob":
    case "ReplicationController": {
      const nsOf = new Map<string, Namespace>(cluster.namespaces.map((n) => [n.name, n]));
      const pods: readonly Pod[] = clusterOf(o).pods;
      return pods.some(
        (p) =>
          containsPod(scope.pods, nsOf.get(p.namespace), p.namespace, p.labels) ||
          // A Service named by the guarantee may select it.
          cluster.services.some(
            (s) =>
              scope.services.has(`${s.namespace}/${s.name}`) &&
              (s.selector === undefined
                ? // A selector-less Service's endpoint addresses may be this pod's.
                  holdsEndpoint(cluster, s.namespace, s.name, p)
                : s.namespace === p.namespace &&
                  Object.entries(s.selector).every(([k, v]) => p.labels[k] === v)),
          ),
      );
    }
    default:
      // Nodes, endpoints, routes: not sliced; every guarantee is checked again.
      return true;
  }
}

const POLICY_KINDS = new Set([
  "NetworkPolicy",
  "ClusterNetworkPolicy",
  "AdminNetworkPolicy",
  "BaselineAdminNetworkPolicy",
]);

/** What a policy change can add and remove (undefined for other kinds of change). */
function policyEffect(
  cluster: Cluster,
  old: K8sObject | undefined,
  next: K8sObject | undefined,
): ChangeEffect | undefined {
  const o = old ?? next;
  if (!o || !POLICY_KINDS.has(o.kind)) return undefined;
  const built = (x: K8sObject | undefined) => {
    if (!x) return undefined;
    const c = clusterOf(x);
    return c.policies[0] ?? c.clusterPolicies[0];
  };
  const before = built(old);
  const after = built(next);
  // An object that did not build (invalid) counts as every connection of everything.
  if ((old && !before) || (next && !after)) return undefined;
  const others =
    o.kind === "NetworkPolicy"
      ? cluster.policies.filter(
          (p) => !(p.namespace === (o.metadata.namespace ?? "default") && p.ref.name === o.metadata.name),
        )
      : cluster.policies;
  return policyChangeEffect(before, after, others);
}

/**
 * Whether old and next differ only in labels under keys no selector mentions (same kind, name and
 * everything else): then no selector's match changes, nor any verdict.
 */
function inertRelabel(
  old: K8sObject | undefined,
  next: K8sObject | undefined,
  keys: ReadonlySet<string>,
): boolean {
  if (!old || !next || old.kind !== next.kind) return false;
  if (!WORKLOAD_KINDS.has(old.kind) && old.kind !== "Namespace") return false;
  // Cheap first: the objects as written, every `labels` map cut to the keys that count and the
  // API server's bookkeeping left out, are equal.
  if (written(old, keys) === written(next, keys)) return true;
  const seen = (o: K8sObject) => {
    const c = clusterOf(o);
    const project = (l: Labels) => Object.fromEntries(Object.entries(l).filter(([k]) => keys.has(k)));
    return modelText({
      namespaces: c.namespaces.map((n) => ({ ...n, labels: project(n.labels) })),
      pods: c.pods.map((p) => ({ ...p, labels: project(p.labels) })),
      workloads: c.workloads,
    });
  };
  return seen(old) === seen(next);
}

const WORKLOAD_KINDS = new Set<string>(["Pod", ...PARSER_WORKLOAD_KINDS]);

/** Metadata the API server keeps for itself; the model reads none of it. */
const BOOKKEEPING = new Set(["resourceVersion", "generation", "managedFields", "creationTimestamp", "uid"]);

/** An object as JSON, its `labels` maps restricted to `keys`, without positions or bookkeeping. */
function written(o: K8sObject, keys: ReadonlySet<string>): string {
  return JSON.stringify(o, function (this: unknown, k, v: unknown) {
    if (k === "source" || k === "locate") return undefined;
    if (this === o.metadata && BOOKKEEPING.has(k)) return undefined;
    if (k === "labels" && v !== null && typeof v === "object")
      return Object.fromEntries(Object.entries(v).filter(([key]) => keys.has(key)));
    return v;
  });
}

/** Whether the change keeps the set of pod IPs (and so the pod network new pods draw from). */
function samePodAddresses(old: K8sObject | undefined, next: K8sObject | undefined): boolean {
  const ips = (o: K8sObject | undefined) =>
    o && o.kind === "Pod"
      ? clusterOf(o)
          .pods.flatMap((p) => p.ips.map((ip) => `${ip.family}:${ip.value}`))
          .sort()
          .join(",")
      : "";
  return ips(old) === ips(next);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export type { Diagnostic };
