/**
 * The solver behind `check` and set-valued `can` queries. Each state encodes its cluster once (the
 * `Verifier`), lazily on the first query that needs it. The encoding's finite vocabulary is built
 * from what queries mention (label keys and values, namespaces, port names): a query that mentions
 * something new re-encodes the state with every mention so far — rare after the first few queries.
 * z3 is used by one check at a time: its API is not thread-safe, and a check runs on a worker thread.
 */

import { explanationText } from "../cli/explain-text.js";
import { formatIp } from "../model/index.js";
import type { Claim, Guarantee, LabelRequirement, PortSpec, SetExpr } from "../parser/index.js";
import { type DecodedEndpoint, formatEndpoint, type GuaranteeResult, Verifier } from "../solver/index.js";
import { QUERY_FILE } from "./query-error.js";
import type { State } from "./state.js";

/** Cancels a running query (ctrl-C): the REPL stops waiting for it. */
export class Cancellation {
  private listeners: (() => void)[] = [];
  cancelled = false;
  /** Progress of a long query (the interactive loop shows it; ctrl-C cancels). */
  constructor(readonly progress: (message: string) => void = () => {}) {}
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const f of this.listeners) f();
  }
  onCancel(f: () => void): () => void {
    this.listeners.push(f);
    return () => {
      this.listeners = this.listeners.filter((g) => g !== f);
    };
  }
}

export class Interrupted extends Error {
  constructor() {
    super("interrupted");
  }
}

/** What a claim mentions that the encoding's vocabulary must contain. */
export function mentions(claim: Claim): Set<string> {
  const out = new Set<string>();
  const labels = (prefix: string, ls: readonly LabelRequirement[]) => {
    for (const l of ls) {
      out.add(`${prefix}:${l.key}`);
      for (const v of l.values) out.add(`${prefix}:${l.key}=${v}`);
    }
  };
  const ports = (ps: readonly PortSpec[] | undefined) => {
    for (const p of ps ?? []) if (p.kind === "named") out.add(`port:${p.protocol}/${p.name}`);
  };
  const walk = (x: SetExpr): void => {
    switch (x.kind) {
      case "or":
      case "and":
      case "except":
        walk(x.left);
        walk(x.right);
        return;
      case "not":
        walk(x.operand);
        return;
      case "pods":
        labels("pod", x.labels ?? []);
        if (x.namespace?.kind === "name") out.add(`ns:${x.namespace.name}`);
        if (x.namespace?.kind === "labels") labels("nsl", x.namespace.labels);
        return;
      case "workload":
      case "ref":
      case "service":
        out.add(`ns:${x.namespace}`);
        return;
      default:
        return;
    }
  };
  if (claim.kind === "reach") {
    walk(claim.from);
    walk(claim.to);
    ports(claim.ports);
  } else if (claim.kind === "isolated") walk(claim.subject);
  else {
    walk(claim.subject);
    for (const e of claim.entries) {
      walk(e.peers);
      ports(e.ports);
    }
  }
  return out;
}

export interface SolverOptions {
  readonly timeoutMs: number;
}

/** The last z3 check started, settled or not (a cancelled one runs on until interrupted). */
let inFlight: Promise<unknown> = Promise.resolve();

async function z3Idle(cancel: Cancellation): Promise<void> {
  let settled = false;
  void inFlight.then(() => {
    settled = true;
  });
  await new Promise((r) => setImmediate(r));
  if (!settled) cancel.progress("waiting for the cancelled check to finish (at most the time limit);");
  await Promise.race([inFlight, new Promise((r) => cancel.onCancel(() => r(undefined)))]);
  if (cancel.cancelled) throw new Interrupted();
}

function mentionsOfAll(guarantees: readonly Guarantee[]): Set<string> {
  const out = new Set<string>();
  for (const g of guarantees) for (const m of mentions(g.claim)) out.add(m);
  return out;
}

/** The state's encoding, covering the guarantees' mentions (re-encoded when they are new). */
async function verifierFor(
  state: State,
  guarantees: readonly Guarantee[],
  o: SolverOptions,
): Promise<Verifier> {
  const wanted = mentionsOfAll(guarantees);
  const current = state.verifier;
  if (current && [...wanted].every((m) => current.mentions.has(m))) return current.verifier;
  const all = new Set([...(current?.mentions ?? []), ...wanted]);
  const previous = state.seenGuarantees;
  state.seenGuarantees = [...previous, ...guarantees];
  const files = [{ file: QUERY_FILE, guarantees: state.seenGuarantees }];
  const verifier = Verifier.create(
    state.cluster,
    state.options,
    files,
    { timeoutMs: o.timeoutMs },
    state.analysis,
  );
  state.verifier = { verifier, mentions: all };
  // A failed creation must not stay cached.
  verifier.catch(() => {
    if (state.verifier?.verifier === verifier) state.verifier = undefined;
  });
  return verifier;
}

/** Verifies guarantees one by one; ctrl-C interrupts z3 and rejects with Interrupted. */
export async function verifyAll(
  state: State,
  guarantees: readonly Guarantee[],
  o: SolverOptions,
  cancel: Cancellation,
): Promise<GuaranteeResult[]> {
  // z3's API is not thread-safe: nothing may touch the context while a cancelled check still runs.
  await z3Idle(cancel);
  const fresh =
    !state.verifier || [...mentionsOfAll(guarantees)].some((m) => !state.verifier!.mentions.has(m));
  if (fresh) cancel.progress("encoding the cluster for the solver…");
  // Let a pending ctrl-C be read before the encoding (synchronous) starts.
  await new Promise((r) => setImmediate(r));
  if (cancel.cancelled) throw new Interrupted();
  const v = await verifierFor(state, guarantees, o);
  const results: GuaranteeResult[] = [];
  for (const g of guarantees) {
    if (cancel.cancelled) throw new Interrupted();
    // Let a pending ctrl-C be read before z3 starts (encoding is synchronous).
    await new Promise((r) => setImmediate(r));
    if (cancel.cancelled) throw new Interrupted();
    cancel.progress(`solving ${g.name === "query" ? "the query" : g.name}…`);
    // ctrl-C answers at once; the check itself runs on to its end or its time limit. z3's own
    // interrupt is not used: after `Context.interrupt()`, z3-solver 4.16 gives wrong verdicts in
    // later checks of the same process (even on a new solver), so a cancelled check is left to finish.
    const work = v.verify(g);
    inFlight = work.catch(() => undefined);
    results.push(
      await Promise.race([
        work,
        new Promise<never>((_, reject) => cancel.onCancel(() => reject(new Interrupted()))),
      ]),
    );
  }
  return results;
}

/** A claim written in a query, as a guarantee named `query`. */
export function queryGuarantee(claim: Claim, text: string, name = "query"): Guarantee {
  return { name, claim, text, source: { file: QUERY_FILE, line: 1, column: 1 } };
}

function endpointName(e: DecodedEndpoint): string {
  return e.kind === "address" ? formatIp(e.ip.family, e.ip.value) : `${e.namespace}/${e.name}`;
}

/** The counterexample of a failed guarantee, explained rule by rule. */
export function counterexampleLines(r: GuaranteeResult): string[] {
  const x = r.counterexample;
  if (!x) return [];
  if (!x.dst || !x.conn) return [`  counterexample: ${formatEndpoint(x.src)} is not isolated`];
  const conn = `${x.conn.protocol}/${x.conn.port}`;
  const lines = [
    `  counterexample: ${formatEndpoint(x.src)} → ${formatEndpoint(x.dst)} on ${conn} is ${x.allowed ? "allowed" : "denied"}`,
  ];
  if (x.explanation)
    lines.push(
      ...explanationText(x.explanation, endpointName(x.src), endpointName(x.dst), {
        protocol: x.conn.protocol,
        port: x.conn.port,
      }).map((l) => `  ${l}`),
    );
  return lines;
}

export function endpointJson(e: DecodedEndpoint): unknown {
  if (e.kind === "address") return { kind: "address", ip: formatIp(e.ip.family, e.ip.value) };
  return {
    kind: e.existing ? "pod" : "hypothetical-pod",
    namespace: e.namespace,
    name: e.name,
    ...(e.workload ? { workload: e.workload } : {}),
    labels: e.labels,
    namespaceLabels: e.namespaceLabels,
    newNamespace: e.newNamespace,
    ...(e.ip ? { ip: formatIp(e.ip.family, e.ip.value) } : {}),
  };
}

export function resultJson(r: GuaranteeResult): unknown {
  const x = r.counterexample;
  return {
    name: r.guarantee.name,
    verdict: r.verdict,
    statement: r.guarantee.text,
    ms: Math.round(r.ms),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(x
      ? {
          counterexample: {
            src: endpointJson(x.src),
            ...(x.dst ? { dst: endpointJson(x.dst) } : {}),
            ...(x.conn ? { connection: `${x.conn.protocol}/${x.conn.port}`, allowed: x.allowed } : {}),
          },
        }
      : {}),
  };
}
