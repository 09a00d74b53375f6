/**
 * Guarantees, proved. The input's policies are encoded once (one World over two symbolic endpoints
 * `s`, `d` and a connection `k`); each guarantee adds its violation and asks z3 for a model:
 * unsat → the guarantee holds for every pod that exists or could exist; sat → the model is decoded
 * into a counterexample, replayed through the connectivity engine (with the hypothetical pods added
 * to the cluster) and explained; unknown → reported as such, never as "holds".
 */
import { type Diagnostic, diagnostic, type SourcePosition } from "../common/index.js";
import {
  type Analysis,
  analyze,
  type Cluster,
  connContains,
  explainPair,
  type IpRange,
  type ModelOptions,
  NAMESPACE_NAME_LABEL,
  type PairExplanation,
  type Pod,
} from "../model/index.js";
import type { Claim, Domain, Guarantee, GuaranteeFile, SetExpr } from "../parser/index.js";
import { type DecodedConn, type DecodedEndpoint, type Decoder, FreshNames } from "./decode.js";
import { checkNames } from "./names.js";
import { readablePreferences, type Solved, solveReadable } from "./readable.js";
import { defaultDomain, mentionsOf, portsPredicate, serviceMentions, setPredicate } from "./sets.js";
import { buildUniverse } from "./universe.js";
import { type Endpoint, KIND, podEntities, Space, World } from "./world.js";
import { and, type B, type CheckResult, type Ctx, is, isnt, or, z3, z3StartupMs } from "./z3.js";

export type Verdict = "holds" | "fails" | "unknown";

export interface Counterexample {
  /** The source; for `isolated` claims, the pod that is not isolated. */
  readonly src: DecodedEndpoint;
  readonly dst?: DecodedEndpoint | undefined;
  readonly conn?: DecodedConn | undefined;
  /** What the policies do with the connection (reach and within claims). */
  readonly allowed?: boolean | undefined;
  /** The engine's explanation of the pair, on the cluster with the hypothetical pods added. */
  readonly explanation?: PairExplanation | undefined;
  /** The engine agreed with the solver on the replayed counterexample. */
  readonly replayed: boolean;
}

export interface GuaranteeResult {
  readonly guarantee: Guarantee;
  readonly verdict: Verdict;
  readonly counterexample?: Counterexample | undefined;
  /** Why z3 gave up (unknown verdicts). */
  readonly reason?: string | undefined;
  readonly ms: number;
}

export interface VerifyOptions {
  /** Per check, in milliseconds. */
  readonly timeoutMs?: number | undefined;
  /**
   * Where new pods' IPs may lie (default: the atoms of the input's pod IPs). A slice of a larger
   * input passes the larger input's pod network (solver/slice.ts).
   */
  readonly podNetwork?: readonly IpRange[] | undefined;
}

export interface VerifyReport {
  readonly results: readonly GuaranteeResult[];
  readonly diagnostics: readonly Diagnostic[];
  readonly timings: { readonly z3StartupMs: number; readonly encodeMs: number };
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Above this many pod classes each check gets its own solver (memory over incremental speed). */
const FRESH_SOLVER_CLASSES = 3_000;

/** The encoded input, shared by every guarantee (and by REPL queries). */
export class Verifier {
  readonly space: Space;
  readonly world: World;
  readonly s: Endpoint;
  readonly d: Endpoint;
  readonly k: ReturnType<Space["conn"]>;
  private readonly solver;
  private added = 0;
  readonly encodeMs: number;

  private constructor(
    readonly ctx: Ctx,
    readonly input: Cluster,
    readonly analysis: Analysis,
    files: readonly GuaranteeFile[],
    readonly timeoutMs: number,
    podNetwork?: readonly IpRange[],
  ) {
    const t0 = performance.now();
    const mentions = mentionsOf(files);
    const universe = buildUniverse([analysis], {
      ...mentions,
      podSelectors: [...mentions.podSelectors, ...serviceMentions(analysis.cluster)],
    });
    const entityPods = podEntities(analysis);
    const entityClass = Int32Array.from(entityPods, (pods) => analysis.index.classOfPod[pods[0]!]!);
    this.space = new Space(ctx, universe, entityPods.length);
    this.world = new World(this.space, analysis, entityClass, "in", false, entityPods);
    this.world.podNetwork = podNetwork;
    this.s = this.space.endpoint("s");
    this.d = this.space.endpoint("d");
    this.k = this.space.conn("k");
    this.space.sameNamespaceSameLabels(this.s, this.d);
    const singles: number[] = [];
    entityPods.forEach((pods, i) => {
      if (pods.length === 1) singles.push(i);
    });
    this.space.notSamePod(this.s, this.d, singles);
    // New pods get IPs from the pod network (see World.podAddresses).
    for (const e of [this.s, this.d]) {
      const podIps = this.world.podAddresses(e);
      if (podIps) this.space.defs.push(ctx.Implies(is(e.kind, KIND.hypothetical), podIps));
    }
    // Encode once: the connection verdict and isolation for the shared endpoints.
    this.allowed = this.world.allowed(this.s, this.d, this.k);
    for (const e of [this.s, this.d])
      for (const dir of ["ingress", "egress"] as const) this.world.isolated(e, dir);
    this.solver = new ctx.Solver();
    this.solver.set("timeout", timeoutMs);
    this.flushDefs();
    this.encodeMs = performance.now() - t0;
  }

  readonly allowed: B;

  static async create(
    input: Cluster,
    options: ModelOptions,
    files: readonly GuaranteeFile[] = [],
    verifyOptions: VerifyOptions = {},
    analysis: Analysis = analyze(input, options),
  ): Promise<Verifier> {
    const ctx = await z3();
    return new Verifier(
      ctx,
      input,
      analysis,
      files,
      verifyOptions.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      verifyOptions.podNetwork,
    );
  }

  private flushDefs(): void {
    const defs = this.space.defs;
    for (; this.added < defs.length; this.added++) this.solver.add(defs[this.added]!);
  }

  /** Checks `query` under the encoding; decodes a readable model when satisfiable. */
  async check(query: B, preferences: readonly (readonly B[])[] = []): Promise<Solved> {
    if (!this.freshSolvers) {
      this.flushDefs();
      return solveReadable(this.ctx, this.solver, query, preferences, this.space.universe);
    }
    // Large inputs: a solver per check, released after it, so z3's heap (2 GiB in wasm) does not
    // accumulate what earlier checks learnt.
    const solver = new this.ctx.Solver();
    solver.set("timeout", this.timeoutMs);
    solver.add(...this.space.defs);
    try {
      return await solveReadable(this.ctx, solver, query, preferences, this.space.universe);
    } finally {
      solver.release();
    }
  }

  /** A solver per check (see `check`): for inputs with many classes. */
  private get freshSolvers(): boolean {
    return (
      process.env.NETPOLC_FRESH_SOLVERS === "1" ||
      (process.env.NETPOLC_FRESH_SOLVERS !== "0" && this.analysis.classCount > FRESH_SOLVER_CLASSES)
    );
  }

  /**
   * Frees the solver's memory in z3 (long-lived processes — REPL, webhook — create a Verifier per
   * state; z3-solver's own finalisers are not reliable). The Verifier must not be used afterwards.
   */
  dispose(): void {
    this.solver.release();
  }

  /** The violation of a claim, over the shared endpoints. */
  violation(claim: Claim): B {
    const c = this.ctx;
    const w = this.world;
    const dom: Domain = defaultDomain(claim);
    const set = (x: SetExpr, e: Endpoint) => setPredicate(w, x, e, dom);
    switch (claim.kind) {
      case "reach": {
        const inScope = and(c, [
          set(claim.from, this.s),
          set(claim.to, this.d),
          portsPredicate(w, claim.ports, this.d, this.k),
        ]);
        return c.And(inScope, claim.verdict === "deny" ? this.allowed : c.Not(this.allowed));
      }
      case "isolated": {
        const dirs = claim.direction === "both" ? (["ingress", "egress"] as const) : [claim.direction];
        return c.And(
          set(claim.subject, this.s),
          w.view(this.s).pod,
          or(
            c,
            dirs.map((d) => c.Not(w.isolated(this.s, d))),
          ),
        );
      }
      case "within": {
        const [subject, peer] = claim.direction === "egress" ? [this.s, this.d] : [this.d, this.s];
        const listed = or(
          c,
          claim.entries.map((e) => c.And(set(e.peers, peer), portsPredicate(w, e.ports, this.d, this.k))),
        );
        return and(c, [
          set(claim.subject, subject),
          w.view(subject).pod,
          ...(claim.peers ? [set(claim.peers, peer)] : []),
          this.allowed,
          c.Not(listed),
        ]);
      }
    }
  }

  async verify(g: Guarantee): Promise<GuaranteeResult> {
    const t0 = performance.now();
    const { result, decoder, reason } = await this.check(
      this.violation(g.claim),
      readablePreferences(this.space, this.s, this.d),
    );
    const ms = performance.now() - t0;
    if (result === "unsat") return { guarantee: g, verdict: "holds", ms };
    if (result === "unknown" || !decoder)
      return { guarantee: g, verdict: "unknown", reason: reason ?? "unknown", ms };
    return { guarantee: g, verdict: "fails", counterexample: this.counterexample(g.claim, decoder), ms };
  }

  /** Whether a set can match anything at all (in the claim's default domain). */
  async satisfiable(expr: SetExpr, claim: Claim): Promise<CheckResult> {
    return (await this.check(setPredicate(this.world, expr, this.s, defaultDomain(claim)))).result;
  }

  private counterexample(claim: Claim, dec: Decoder): Counterexample {
    const fresh = new FreshNames([
      ...this.analysis.cluster.namespaces.map((n) => n.name),
      ...this.space.universe.namespaces,
      ...this.analysis.cluster.pods.map((p) => p.name),
    ]);
    const src = dec.endpoint(this.world, this.s, fresh);
    if (claim.kind === "isolated") {
      const replay = this.replay(src, undefined);
      const dirs = claim.direction === "both" ? (["ingress", "egress"] as const) : [claim.direction];
      const isolated = dirs.every((d) => replay.a.isolated(replay.src, d));
      return { src, replayed: !isolated };
    }
    const dst = dec.endpoint(this.world, this.d, fresh);
    const conn = dec.conn(this.k);
    const allowed = !(claim.kind === "reach" && claim.verdict === "allow");
    const replay = this.replay(src, dst);
    const engineAllowed = connContains(replay.a.conn(replay.src, replay.dst!), conn.protocol, conn.port);
    return {
      src,
      dst,
      conn,
      allowed,
      explanation: explainPair(replay.a, replay.src, replay.dst!),
      replayed: engineAllowed === allowed,
    };
  }

  /** Re-analyses the input with the counterexample's hypothetical pods added; engine endpoints. */
  private replay(src: DecodedEndpoint, dst: DecodedEndpoint | undefined) {
    const extra = [src, dst].filter(
      (e): e is DecodedEndpoint & { kind: "pod" } => e?.kind === "pod" && !e.existing,
    );
    let a = this.analysis;
    let podIndexOf = (e: DecodedEndpoint & { kind: "pod" }) => e.podIndex!;
    if (extra.length > 0) {
      const input = this.input;
      const namespaces = [...input.namespaces];
      for (const e of extra)
        if (e.newNamespace && !namespaces.some((n) => n.name === e.namespace))
          namespaces.push({
            name: e.namespace,
            labels: { ...e.namespaceLabels, [NAMESPACE_NAME_LABEL]: e.namespace },
            implied: false,
          });
      const pods: Pod[] = extra.map((e) => ({
        namespace: e.namespace,
        name: e.name,
        labels: e.labels,
        ports: e.ports,
        ips: e.ip ? [e.ip] : [],
        hostNetwork: false,
        workload: { namespace: e.namespace, name: e.name, kind: "Pod" },
        fromTemplate: false,
        ready: true,
        source: { file: "<counterexample>", line: 1, column: 1 },
      }));
      a = analyze({ ...input, namespaces, pods: [...input.pods, ...pods] }, this.analysis.options);
      const controllerBefore = this.analysis.ingressControllerPod;
      podIndexOf = (e) => {
        if (!e.existing) return input.pods.length + extra.indexOf(e);
        if (controllerBefore !== undefined && e.podIndex === controllerBefore) return a.ingressControllerPod!;
        return e.podIndex!;
      };
    }
    const endpoint = (e: DecodedEndpoint): number =>
      e.kind === "address" ? a.classCount + a.space.atomOf(e.ip) : a.index.classOfPod[podIndexOf(e)]!;
    return { a, src: endpoint(src), dst: dst ? endpoint(dst) : undefined };
  }
}

/** Verifies every guarantee of the files against the input. */
export async function verifyGuarantees(
  input: Cluster,
  options: ModelOptions,
  files: readonly GuaranteeFile[],
  verifyOptions: VerifyOptions = {},
  analysis?: Analysis,
): Promise<VerifyReport> {
  const v = await Verifier.create(input, options, files, verifyOptions, analysis);
  const diagnostics: Diagnostic[] = [...checkNames(files, v.analysis.cluster, v.space.universe)];
  const results: GuaranteeResult[] = [];
  for (const f of files)
    for (const g of f.guarantees) {
      diagnostics.push(...(await emptySets(v, g)));
      const r = await v.verify(g);
      if (r.verdict === "unknown")
        diagnostics.push(
          diagnostic("NP4025", "warning", `guarantee ${g.name} could not be decided: ${r.reason}`, {
            source: g.source,
          }),
        );
      if (r.counterexample && !r.counterexample.replayed)
        diagnostics.push(
          diagnostic(
            "NP4024",
            "error",
            `guarantee ${g.name}: the engine does not confirm the solver's counterexample`,
            { source: g.source },
          ),
        );
      results.push(r);
    }
  return { results, diagnostics, timings: { z3StartupMs: z3StartupMs(), encodeMs: v.encodeMs } };
}

/** Warnings for the claim's sets that can match nothing (the guarantee then holds vacuously). */
async function emptySets(v: Verifier, g: Guarantee): Promise<Diagnostic[]> {
  const c = g.claim;
  const sets: { expr: SetExpr; role: string }[] =
    c.kind === "reach"
      ? [
          { expr: c.from, role: "source set" },
          { expr: c.to, role: "destination set" },
        ]
      : [{ expr: c.subject, role: "subject set" }];
  const out: Diagnostic[] = [];
  for (const s of sets)
    if ((await v.satisfiable(s.expr, c)) === "unsat")
      out.push(
        diagnostic(
          "NP4023",
          "warning",
          `guarantee ${g.name}: the ${s.role} can match nothing, so the guarantee holds vacuously`,
          { source: s.expr.source as SourcePosition },
        ),
      );
  return out;
}

export { is, isnt, KIND };
