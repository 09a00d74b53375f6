/**
 * The webhook's logic, without the transport: a request body in, an HTTP status and JSON out. It
 * owns the evaluator's base: built once the state is known (a snapshot, or the first sync of the
 * watches), then moved on by every change — admitted requests in snapshot mode (the webhook is the
 * cluster's only writer there), watch events in live mode (the API server is the truth; an admitted
 * request is only applied when its object is seen).
 */
import { type Diagnostic, diagnostic } from "../common/index.js";
import type { GuaranteeFile, K8sObject } from "../parser/index.js";
import { holdsSomePod, policyReach } from "../solver/index.js";
import { type Change, clusterOf, type Evaluation, Evaluator, type EvaluatorOptions } from "./evaluate.js";
import type { Logger } from "./log.js";
import type { Metrics } from "./metrics.js";
import {
  type AdmissionRequest,
  type Answer,
  decide,
  type FailurePolicy,
  interpret,
  invalidAnswer,
  type Mode,
  readReview,
  reviewResponse,
} from "./review.js";
import { type ClusterState, keyOf, type ObjectKey } from "./state.js";

export interface WebhookOptions extends EvaluatorOptions {
  readonly mode: Mode;
  readonly failurePolicy: FailurePolicy;
  /** Budget of one request, from arrival to answer (under the API server's timeoutSeconds). */
  readonly deadlineMs: number;
  /** `snapshot`: admitted changes are applied; `live`: watch events are. */
  readonly source: "snapshot" | "live";
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** Time kept back from the deadline for answering (serialising, writing). */
const ANSWER_MS = 50;

export class Webhook {
  readonly evaluator: Evaluator;
  private applying: Promise<void> = Promise.resolve();
  private draining = false;
  private inFlight = 0;

  constructor(
    files: readonly GuaranteeFile[],
    private readonly options: WebhookOptions,
    private readonly state: ClusterState,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.evaluator = new Evaluator(files, options);
  }

  get ready(): boolean {
    return this.evaluator.ready && !this.draining;
  }

  get busy(): number {
    return this.inFlight;
  }

  /** Stops answering readiness (graceful shutdown): requests still get answers. */
  drain(): void {
    this.draining = true;
    this.metrics.ready.set(0);
  }

  /** Builds the base from the state (after a snapshot load or the first sync). */
  async start(): Promise<void> {
    const t0 = performance.now();
    const base = await this.evaluator.reset(this.state.all());
    const verdicts = [...base.verdicts.values()];
    this.log.info("base verified", {
      objects: this.state.size,
      guarantees: verdicts.length,
      holds: verdicts.filter((v) => v.verdict === "holds").length,
      fails: verdicts.filter((v) => v.verdict === "fails").map((v) => v.guarantee.name),
      unknown: verdicts.filter((v) => v.verdict === "unknown").map((v) => v.guarantee.name),
      ms: Math.round(performance.now() - t0),
    });
    this.metrics.objects.set(this.state.size);
    this.metrics.ready.set(1);
    if (this.options.source === "live") this.state.onChange((keys) => this.follow(keys));
  }

  /** Live mode: moves the base along with the watched state, one changed object at a time. */
  private follow(keys: readonly ObjectKey[]): void {
    this.metrics.objects.set(this.state.size);
    for (const key of keys)
      this.enqueue(async () => {
        const base = this.evaluator.current;
        if (!base) return;
        const old = base.objects.get(key);
        const now = this.state.get(key);
        if (sameObject(old, now)) return;
        const change: Change | undefined = now
          ? { op: "upsert", object: now, old }
          : old
            ? { op: "delete", old }
            : undefined;
        if (change) await this.applyChange(change, undefined);
      });
  }

  private enqueue(task: () => Promise<void>): void {
    this.applying = this.applying
      .then(task)
      .catch((e: unknown) => this.log.error("applying a change failed", { error: String(e) }));
  }

  /** Adopts an evaluated change, or evaluates it again on a base that moved meanwhile. */
  private async applyChange(change: Change, evaluated: Evaluation | undefined): Promise<void> {
    if (evaluated && this.evaluator.adopt(evaluated)) return;
    const again = await this.evaluator.evaluate(change, Number.POSITIVE_INFINITY);
    if (!this.evaluator.adopt(again)) this.enqueue(() => this.applyChange(change, undefined));
  }

  /**
   * Answers one POST /validate body, within the deadline counted from `arrivedAt` (a
   * `performance.now()` time: when the request's headers arrived). Never throws.
   */
  async handle(body: string, arrivedAt = performance.now()): Promise<Reply> {
    const t0 = arrivedAt;
    this.inFlight++;
    try {
      return await this.handleTimed(body, t0);
    } catch (e) {
      // A bug, never a crash: the failure policy decides, and the error is logged.
      this.log.error("request failed", { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      this.count("error", "", "", t0);
      return { status: 500, body: status(500, "InternalError", "netpolc: internal error (logged)") };
    } finally {
      this.inFlight--;
    }
  }

  private async handleTimed(body: string, t0: number): Promise<Reply> {
    const read = readReview(body);
    if ("error" in read) {
      this.log.warn("bad request", { error: read.error, uid: read.uid });
      this.count("bad_request", "", "", t0);
      return { status: 400, body: status(400, "BadRequest", read.error) };
    }
    const r = read.request;
    const deadline = t0 + this.options.deadlineMs - ANSWER_MS;
    if (!this.evaluator.ready) {
      const answer = this.failureAnswer("netpolc is not ready (the cluster state is still loading)");
      return this.reply(r, answer, t0, {});
    }
    const interpreted = interpret(r, (kind, ns, name) =>
      this.evaluator.current?.objects.get(keyOf(kind, ns, name)),
    );
    if (interpreted.kind === "skip")
      return this.reply(r, { allowed: true, warnings: [], verdict: "skipped" }, t0, { why: interpreted.why });
    if (interpreted.kind === "invalid")
      return this.reply(r, invalidAnswer(interpreted.diagnostics, this.options.mode), t0, {
        diagnostics: interpreted.diagnostics.map((d) => `${d.code} ${d.message}`),
      });
    const evaluation = await this.evaluateBefore(interpreted.change, deadline);
    if (evaluation === undefined) {
      const answer = this.failureAnswer(`netpolc could not decide within ${this.options.deadlineMs} ms`);
      return this.reply(r, answer, t0, { deadline: true });
    }
    const answer = decide(
      evaluation,
      [...lints(interpreted.diagnostics), ...selectsNothing(interpreted.change, evaluation)],
      this.options.mode,
      this.options.failurePolicy,
    );
    this.metrics.solver.observe(evaluation.solveMs / 1000);
    this.metrics.reverified.inc(evaluation.reverified);
    this.metrics.undecided.inc(evaluation.undecided.length);
    if (answer.allowed && !r.dryRun && this.options.source === "snapshot") {
      const change = interpreted.change;
      this.enqueue(() => this.applyChange(change, evaluation));
    }
    return this.reply(r, answer, t0, {
      reverified: evaluation.reverified,
      broken: evaluation.broken.map((o) => o.guarantee.name),
      undecided: evaluation.undecided.map((o) => ({ guarantee: o.guarantee.name, reason: o.after.reason })),
      solveMs: Math.round(evaluation.solveMs),
      buildMs: Math.round(evaluation.buildMs),
      dryRun: r.dryRun === true,
    });
  }

  /** The evaluation, or undefined when the deadline passes first (the work then stops at its next check). */
  private evaluateBefore(change: Change, deadline: number): Promise<Evaluation | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - performance.now()));
    });
    const stopAtBroken = this.options.mode === "enforce";
    return Promise.race([this.evaluator.evaluate(change, deadline, { stopAtBroken }), late]).finally(() =>
      clearTimeout(timer),
    );
  }

  private failureAnswer(why: string): Answer {
    if (this.options.failurePolicy === "Ignore" || this.options.mode !== "enforce")
      return {
        allowed: true,
        warnings: [`${why}; allowed (failure policy Ignore or ${this.options.mode} mode)`],
        verdict: "undecided",
      };
    return {
      allowed: false,
      code: 503,
      reason: "ServiceUnavailable",
      message: `${why}; denied (failure policy Fail)`,
      warnings: [],
      verdict: "undecided",
    };
  }

  private reply(r: AdmissionRequest, a: Answer, t0: number, extra: Record<string, unknown>): Reply {
    const ms = performance.now() - t0;
    this.count(a.verdict, r.kind.kind, r.operation, t0);
    this.log.info("admission", {
      uid: r.uid,
      kind: r.kind.kind,
      namespace: r.namespace,
      name: r.name,
      operation: r.operation,
      user: r.userInfo?.username,
      verdict: a.verdict,
      allowed: a.allowed,
      mode: this.options.mode,
      ms: Math.round(ms * 10) / 10,
      ...(a.message ? { message: a.message } : {}),
      ...extra,
    });
    return { status: 200, body: reviewResponse(r.uid, a) };
  }

  private count(verdict: string, kind: string, operation: string, t0: number): void {
    this.metrics.requests.inc({ verdict, kind, operation });
    this.metrics.latency.observe({ verdict }, (performance.now() - t0) / 1000);
  }

  /** Waits for queued state changes (tests, shutdown). */
  settled(): Promise<void> {
    return this.applying;
  }
}

/**
 * Whether two versions of an object are the same (a re-list after an expired watch hands every
 * object over again): by resourceVersion when both have one, else by content.
 */
function sameObject(a: K8sObject | undefined, b: K8sObject | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const va = (a.metadata as { resourceVersion?: unknown }).resourceVersion;
  const vb = (b.metadata as { resourceVersion?: unknown }).resourceVersion;
  if (typeof va === "string" && typeof vb === "string") return va === vb;
  const text = (o: K8sObject) =>
    JSON.stringify(o, (k, v) => (k === "source" || k === "locate" ? undefined : v));
  return text(a) === text(b);
}

/** A Kubernetes Status object for answers that are not AdmissionReviews. */
function status(code: number, reason: string, message: string): unknown {
  return { apiVersion: "v1", kind: "Status", status: "Failure", code, reason, message };
}

/** NP5003 for a policy whose subjects are no pod of the changed cluster (often a typo in a selector). */
function selectsNothing(change: Change, e: Evaluation): Diagnostic[] {
  if (change.op !== "upsert") return [];
  const o = change.object;
  const built = clusterOf(o);
  const policies = [...built.policies, ...built.clusterPolicies];
  if (policies.length === 0) return [];
  const cluster = e.next.cluster;
  const out: Diagnostic[] = [];
  for (const p of policies) {
    if (!holdsSomePod(cluster, policyReach(p).subjects))
      out.push(
        diagnostic(
          "NP5003",
          "warning",
          `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name} selects no pod of the cluster`,
          {
            source: o.source,
          },
        ),
      );
  }
  return out;
}

/** Parser warnings of the object that are worth a kubectl warning. */
function lints(diagnostics: readonly Diagnostic[]): readonly Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "warning");
}

export type { K8sObject };
