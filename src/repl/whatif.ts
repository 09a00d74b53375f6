/**
 * `what if …`: a change to the input, answered by the connectivity delta, after which the session
 * continues on the changed input (`undo`, `reset` go back).
 *
 * | edit                          | new objects                                    | delta computed over                    |
 * |-------------------------------|------------------------------------------------|----------------------------------------|
 * | `apply FILE`                  | same kind/namespace/name replaced, else added  | the policies' subjects (policy kinds only), else every pair |
 * | `delete KIND [NS/]NAME`       | the object removed                             | likewise                               |
 * | `label pod NS/NAME K=V K-`    | the Pod's labels, or the workload's template   | the relabelled workloads' rows and columns |
 * | `label namespace NS K=V K-`   | the Namespace's labels (created if implied)     | the namespace's workloads' rows and columns |
 *
 * A connection (s, d) depends only on the policies that select s (egress) and d (ingress) and on
 * whether their rules' peers match d and s; so a label change can only change rows and columns of
 * relabelled pods, and a policy change only those of its subjects (in the old or the new input).
 * Label edits patch the built cluster instead of rebuilding it (the same values `buildCluster`
 * would compute: a pod's labels are its object's or its template's). A differential test checks
 * every answer against `list`/`diff` of the edited files.
 */

import { renderDiff } from "../cli/formats.js";
import { formatDiagnostic } from "../cli/io.js";
import { resolvePeer } from "../cli/resolve.js";
import {
  buildCluster,
  type Cluster,
  type Connection,
  type ConnectionDiff,
  connEquals,
  connIsEmpty,
  diffConnections,
  EMPTY_ID,
  formatConn,
  formatPeer,
  type IpFamily,
  listConnections,
  NAMESPACE_NAME_LABEL,
  type Namespace,
} from "../model/index.js";
import { parseSetExpr } from "../parser/guarantees/index.js";
import { closest, type K8sObject, loadPaths } from "../parser/index.js";
import { type Answer, errorAnswer } from "./answer.js";
import type { Edit } from "./command.js";
import { focusRows } from "./focus.js";
import { type QueryError, queryError } from "./query-error.js";
import type { Session } from "./session.js";
import { State } from "./state.js";

type Affected = "all" | { readonly policies: ReadonlySet<string> } | { readonly peers: ReadonlySet<string> };

const POLICY_KINDS = new Set([
  "NetworkPolicy",
  "ClusterNetworkPolicy",
  "AdminNetworkPolicy",
  "BaselineAdminNetworkPolicy",
]);

const KIND_ALIASES: Readonly<Record<string, string>> = {
  networkpolicy: "NetworkPolicy",
  networkpolicies: "NetworkPolicy",
  netpol: "NetworkPolicy",
  np: "NetworkPolicy",
  clusternetworkpolicy: "ClusterNetworkPolicy",
  cnp: "ClusterNetworkPolicy",
  adminnetworkpolicy: "AdminNetworkPolicy",
  anp: "AdminNetworkPolicy",
  baselineadminnetworkpolicy: "BaselineAdminNetworkPolicy",
  banp: "BaselineAdminNetworkPolicy",
  svc: "Service",
  ns: "Namespace",
  deploy: "Deployment",
  sts: "StatefulSet",
  ds: "DaemonSet",
  po: "Pod",
};

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "ClusterNetworkPolicy",
  "AdminNetworkPolicy",
  "BaselineAdminNetworkPolicy",
]);

/** `Kind/ns/name`, the identity `kubectl apply` uses (a namespaced object's namespace defaults to `default`). */
function objectKey(o: K8sObject): string {
  const ns = CLUSTER_SCOPED.has(o.kind) ? "" : (o.metadata.namespace ?? "default");
  return `${o.kind}/${ns}/${o.metadata.name}`;
}

function policyKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ""}/${name}`;
}

export async function answerWhatIf(s: Session, query: string, edit: Edit, text: string): Promise<Answer> {
  const before = s.state;
  const made = await makeEdit(s, query, before, edit, text);
  if ("diagnostic" in made) return errorAnswer(query, made);
  const { state: after, affected, notes } = made;
  const diffs = delta(before, after, affected);
  s.push(after);
  const verdict = diffs.length === 0 ? "yes" : "no";
  const lines = [
    `what if ${text}: ${diffs.length === 0 ? "no connection changes" : `${diffs.length} connection${diffs.length === 1 ? "" : "s"} change`}`,
    ...notes.map((n) => `  note: ${n}`),
    ...diffs.map(diffText),
    "(the session now runs on the changed input: `undo` goes back, `reset` to the input as loaded)",
  ];
  return {
    verdict,
    lines,
    json: { query, verdict, edit: text, diff: JSON.parse(renderDiff(diffs, "json")) },
  };
}

export function diffText(d: ConnectionDiff): string {
  const pair = `${formatPeer(d.src)} => ${formatPeer(d.dst)}`;
  const peer = d.peerChange ? ` (workload ${formatPeer(d.peerChange.peer)} ${d.peerChange.change})` : "";
  switch (d.type) {
    case "added":
      return `  + ${pair} : ${formatConn(d.new)}${peer}`;
    case "removed":
      return `  - ${pair} : ${formatConn(d.old)}${peer}`;
    case "changed":
      return `  ~ ${pair} : ${formatConn(d.old)} -> ${formatConn(d.new)}`;
  }
}

/** The connectivity delta between two states: `netpolc diff` of the two inputs, over the affected peers. */
export function delta(before: State, after: State, affected: Affected): ConnectionDiff[] {
  const families = [...new Set<IpFamily>([...before.families, ...after.families])];
  const peersOf = (st: State) => st.peers.map((p) => p.ref);
  if (affected === "all") {
    const rows = (st: State) => listConnections(st.analysis, { families });
    return diffConnections(rows(before), rows(after), peersOf(before), peersOf(after));
  }
  const keys =
    "peers" in affected
      ? affected.peers
      : new Set([...subjects(before, affected.policies), ...subjects(after, affected.policies)]);
  if (samePeers(before, after)) return changedCells(before, after, keys, families);
  const rows = (st: State): Connection[] => {
    const out = new Map<string, Connection>();
    for (const p of st.peers) {
      if (!keys.has(formatPeer(p.ref))) continue;
      for (const dir of ["ingress", "egress"] as const)
        for (const r of focusRows(st, p, dir, undefined, families))
          out.set(`${formatPeer(r.src)} ${formatPeer(r.dst)}`, r);
    }
    return [...out.values()];
  };
  return diffConnections(rows(before), rows(after), peersOf(before), peersOf(after));
}

function samePeers(a: State, b: State): boolean {
  return (
    a.peers.length === b.peers.length &&
    a.peers.every((p, i) => formatPeer(p.ref) === formatPeer(b.peers[i]!.ref))
  );
}

/**
 * The delta when both states list the same peers: each cell of an affected peer's row and column
 * is compared across the two states, and only the cells that differ (with the external ranges and
 * the ingress controller's rows of the affected peers) go to `diffConnections`.
 */
function changedCells(
  before: State,
  after: State,
  keys: ReadonlySet<string>,
  families: readonly IpFamily[],
): ConnectionDiff[] {
  const [a0, a1] = [before.analysis, after.analysis];
  const cell = (a: typeof a0, src: readonly number[], dst: readonly number[]) => {
    let id = EMPTY_ID;
    for (const s of src) for (const d of dst) id = a.conns.union(id, a.connId(s, d));
    return id;
  };
  // Ids of the two tables are not comparable, but equal id pairs are equal answers: memoised.
  const same = new Map<number, boolean>();
  const oldRows: Connection[] = [];
  const newRows: Connection[] = [];
  const compare = (i: number, j: number) => {
    const [p0, q0, p1, q1] = [before.peers[i]!, before.peers[j]!, after.peers[i]!, after.peers[j]!];
    const id0 = cell(a0, p0.classes, q0.classes);
    const id1 = cell(a1, p1.classes, q1.classes);
    if (id0 === EMPTY_ID && id1 === EMPTY_ID) return;
    const key = id0 * 0x100000 + id1;
    let equal = same.get(key);
    const [c0, c1] = [a0.conns.get(id0), a1.conns.get(id1)];
    if (equal === undefined) {
      equal = connEquals(c0, c1);
      same.set(key, equal);
    }
    if (equal) return;
    if (!connIsEmpty(c0)) oldRows.push({ src: p0.ref, dst: q0.ref, conn: c0 });
    if (!connIsEmpty(c1)) newRows.push({ src: p1.ref, dst: q1.ref, conn: c1 });
  };
  const affected = before.peers.map((p) => keys.has(formatPeer(p.ref)));
  before.peers.forEach((_, i) => {
    if (!affected[i]) return;
    for (let j = 0; j < before.peers.length; j++) {
      if (j === i) continue;
      compare(i, j);
      if (!affected[j]) compare(j, i);
    }
    for (const dir of ["ingress", "egress"] as const) {
      oldRows.push(...focusRows(before, before.peers[i]!, dir, undefined, families, "outside"));
      newRows.push(...focusRows(after, after.peers[i]!, dir, undefined, families, "outside"));
    }
  });
  const refs = before.peers.map((p) => p.ref);
  return diffConnections(oldRows, newRows, refs, refs);
}

/** Listing peers with a class that one of the policies affects, in either direction (the engine's selection). */
function subjects(st: State, policies: ReadonlySet<string>): Set<string> {
  const a = st.analysis;
  const hit = new Set<number>();
  for (let c = 0; c < a.classCount; c++)
    for (const dir of ["ingress", "egress"] as const) {
      const sel = a.selection(c, dir);
      const all = [...sel.admin, ...sel.np, ...sel.baseline];
      if (all.some((p) => policies.has(policyKey(p.ref.kind, p.ref.namespace, p.ref.name)))) hit.add(c);
    }
  const out = new Set<string>();
  for (const p of st.peers) if (p.classes.some((c) => hit.has(c))) out.add(formatPeer(p.ref));
  return out;
}

interface Made {
  readonly state: State;
  readonly affected: Affected;
  readonly notes: readonly string[];
}

async function makeEdit(
  s: Session,
  query: string,
  st: State,
  edit: Edit,
  text: string,
): Promise<Made | QueryError> {
  switch (edit.kind) {
    case "apply": {
      const loaded = await loadPaths([edit.file.text], { strict: s.options.strict });
      const errors = loaded.diagnostics.filter((d) => d.severity === "error");
      if (loaded.objects.length === 0)
        return errors[0]
          ? queryError(errors[0].code, errors[0].message, edit.file, errors[0].hint)
          : queryError("NP9001", `${edit.file.text} holds no Kubernetes object`, edit.file);
      const incoming = new Map(loaded.objects.map((o) => [objectKey(o), o]));
      const kept = st.objects.filter((o) => !incoming.has(objectKey(o)));
      const objects = [...kept, ...incoming.values()];
      const policiesOnly = loaded.objects.every((o) => POLICY_KINDS.has(o.kind));
      const affected: Affected = policiesOnly
        ? {
            policies: new Set(
              loaded.objects.map((o) => policyKey(o.kind, o.metadata.namespace, o.metadata.name)),
            ),
          }
        : "all";
      const notes = loaded.diagnostics.filter((d) => d.severity !== "info").map(formatDiagnostic);
      const onlyNetworkPolicies = loaded.objects.every((o) => o.kind === "NetworkPolicy");
      const state = onlyNetworkPolicies
        ? patchedPolicies(st, objects, [...incoming.values()], new Set(incoming.keys()), text)
        : rebuilt(st, objects, text);
      return { state, affected, notes };
    }
    case "delete": {
      const typed = edit.objectKind.text;
      const kind = KIND_ALIASES[typed.toLowerCase()] ?? typed;
      const [ns, name] = edit.name.text.includes("/")
        ? edit.name.text.split("/", 2)
        : [undefined, edit.name.text];
      const sameKind = st.objects.filter((o) => o.kind.toLowerCase() === kind.toLowerCase());
      if (sameKind.length === 0) {
        const kinds = [...new Set(st.objects.map((o) => o.kind))];
        const hint = closest(typed, [...kinds, ...Object.keys(KIND_ALIASES)]);
        return queryError(
          "NP9002",
          `no object of kind \`${typed}\` in the input`,
          edit.objectKind,
          hint ? `did you mean ${hint}?` : undefined,
        );
      }
      const target = sameKind.find(
        (o) => o.metadata.name === name && (ns === undefined || (o.metadata.namespace ?? "default") === ns),
      );
      if (!target) {
        const names = sameKind.map((o) =>
          o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name,
        );
        const hint = closest(edit.name.text, names);
        return queryError(
          "NP9002",
          `no ${sameKind[0]!.kind} \`${edit.name.text}\` in the input`,
          edit.name,
          hint ? `did you mean ${hint}?` : undefined,
        );
      }
      const objects = st.objects.filter((o) => o !== target);
      const affected: Affected = POLICY_KINDS.has(target.kind)
        ? { policies: new Set([policyKey(target.kind, target.metadata.namespace, target.metadata.name)]) }
        : "all";
      const state =
        target.kind === "NetworkPolicy"
          ? patchedPolicies(st, objects, [], new Set([objectKey(target)]), text)
          : rebuilt(st, objects, text);
      return { state, affected, notes: [] };
    }
    case "label":
      return edit.target === "pod" ? labelPods(st, query, edit, text) : labelNamespace(st, edit, text);
  }
}

/**
 * NetworkPolicies replaced, added or removed without rebuilding the cluster: the new ones compiled
 * by `buildCluster` on their own, merged in its order (namespace, then name), with the namespaces
 * `buildCluster` would imply for policies (and no longer implies once nothing is in them).
 */
function patchedPolicies(
  st: State,
  objects: readonly K8sObject[],
  incoming: readonly K8sObject[],
  removed: ReadonlySet<string>,
  origin: string,
): State {
  const cluster = st.cluster;
  const compiled = buildCluster(incoming).cluster.policies;
  const policies = [
    ...cluster.policies.filter((p) => !removed.has(`NetworkPolicy/${p.namespace}/${p.ref.name}`)),
    ...compiled,
  ].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.ref.name, b.ref.name));
  const used = new Set([...cluster.pods.map((p) => p.namespace), ...policies.map((p) => p.namespace)]);
  const namespaces: Namespace[] = cluster.namespaces.filter((n) => !n.implied || used.has(n.name));
  for (const p of compiled)
    if (!namespaces.some((n) => n.name === p.namespace))
      namespaces.push({ name: p.namespace, labels: { [NAMESPACE_NAME_LABEL]: p.namespace }, implied: true });
  namespaces.sort((a, b) => cmp(a.name, b.name));
  return new State(objects, { ...cluster, policies, namespaces }, st.options, origin);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rebuilt(st: State, objects: readonly K8sObject[], origin: string): State {
  return new State(objects, buildCluster(objects).cluster, st.options, origin);
}

type LabelEdit = Extract<Edit, { kind: "label" }>;

/** Checks keys and values with the guarantee language's label rules (the API server's). */
function checkLabels(edit: LabelEdit): QueryError | undefined {
  for (const c of edit.changes) {
    if (c.key === NAMESPACE_NAME_LABEL && edit.target === "namespace")
      return queryError(
        "NP9001",
        `${NAMESPACE_NAME_LABEL} is set by the API server and cannot change`,
        c.span,
      );
    const text = c.value === null ? `pods(${c.key})` : `pods(${c.key}=${JSON.stringify(c.value)})`;
    const r = parseSetExpr(text);
    const bad = r.diagnostics.find((d) => d.severity === "error");
    if (bad) return queryError("NP9001", bad.message.replace(/`/g, ""), c.span, bad.hint);
  }
  return undefined;
}

function applyChanges(labels: Readonly<Record<string, string>>, edit: LabelEdit): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  for (const c of edit.changes) {
    if (c.value === null) delete out[c.key];
    else out[c.key] = c.value;
  }
  return out;
}

function labelPods(st: State, _query: string, edit: LabelEdit, text: string): Made | QueryError {
  const bad = checkLabels(edit);
  if (bad) return bad;
  const r = resolvePeer(st.analysis, edit.name.text);
  if ("code" in r) return queryError(r.code, r.message, edit.name, r.hint);
  const cluster = st.cluster;
  let podIndexes: number[];
  if (r.ref.kind === "workload") {
    const ref = r.ref;
    podIndexes =
      cluster.workloads
        .find((w) => w.namespace === ref.namespace && w.name === ref.name && w.kind === ref.workloadKind)
        ?.pods.slice() ?? [];
  } else if (r.ref.kind === "pod" && r.pod !== undefined) {
    const pod = cluster.pods[r.pod]!;
    if (pod.fromTemplate)
      return queryError(
        "NP9001",
        `${pod.namespace}/${pod.name} is a replica of ${pod.workload.kind} ${pod.workload.namespace}/${pod.workload.name}: label the workload`,
        edit.name,
        `what if label pod ${pod.workload.namespace}/${pod.workload.name} …`,
      );
    podIndexes = [r.pod];
  } else return queryError("NP9001", "`label pod` takes a workload or a pod (ns/name)", edit.name);
  // 1. Objects: a Pod's own labels, or its workload's template labels.
  const pods = podIndexes.map((i) => cluster.pods[i]!);
  const templated = new Set(
    pods.filter((p) => p.fromTemplate).map((p) => `${p.workload.kind}/${p.namespace}/${p.workload.name}`),
  );
  const bare = new Set(pods.filter((p) => !p.fromTemplate).map((p) => `Pod/${p.namespace}/${p.name}`));
  const objects = st.objects.map((o) => {
    const key = `${o.kind}/${o.metadata.namespace ?? "default"}/${o.metadata.name}`;
    if (o.kind === "Pod" && bare.has(key))
      return {
        ...o,
        metadata: { ...o.metadata, labels: applyChanges(o.metadata.labels ?? {}, edit) },
      } as K8sObject;
    if (templated.has(key) && "spec" in o) return relabelTemplate(o, edit);
    return o;
  });
  // 2. The cluster, patched the way buildCluster would build it.
  const wanted = new Set(podIndexes);
  const patched: Cluster = {
    ...cluster,
    pods: cluster.pods.map((p, i) => (wanted.has(i) ? { ...p, labels: applyChanges(p.labels, edit) } : p)),
  };
  const keys = new Set<string>();
  for (const w of st.peers) if (w.pods.some((i) => wanted.has(i))) keys.add(formatPeer(w.ref));
  return { state: new State(objects, patched, st.options, text), affected: { peers: keys }, notes: [] };
}

function relabelTemplate(o: K8sObject, edit: LabelEdit): K8sObject {
  const w = o as K8sObject & { spec: Record<string, unknown> };
  const relabel = (t: { metadata?: { labels?: Readonly<Record<string, string>> } } | undefined) => ({
    ...(t ?? {}),
    metadata: { ...(t?.metadata ?? {}), labels: applyChanges(t?.metadata?.labels ?? {}, edit) },
  });
  if (o.kind === "CronJob") {
    const jt = w.spec.jobTemplate as { spec?: { template?: never } } | undefined;
    return {
      ...w,
      spec: {
        ...w.spec,
        jobTemplate: { ...jt, spec: { ...jt?.spec, template: relabel(jt?.spec?.template) } },
      },
    } as K8sObject;
  }
  return { ...w, spec: { ...w.spec, template: relabel(w.spec.template as never) } } as K8sObject;
}

function labelNamespace(st: State, edit: LabelEdit, text: string): Made | QueryError {
  const bad = checkLabels(edit);
  if (bad) return bad;
  const name = edit.name.text;
  const ns = st.cluster.namespaces.find((n) => n.name === name);
  if (!ns) {
    const hint = closest(
      name,
      st.cluster.namespaces.map((n) => n.name),
    );
    return queryError(
      "NP9002",
      `no namespace \`${name}\` in the input`,
      edit.name,
      hint ? `did you mean ${hint}?` : undefined,
    );
  }
  const labels = applyChanges(ns.labels, edit);
  let found = false;
  const objects: K8sObject[] = st.objects.map((o) => {
    if (o.kind !== "Namespace" || o.metadata.name !== name) return o;
    found = true;
    const own = applyChanges(o.metadata.labels ?? {}, edit);
    return { ...o, metadata: { ...o.metadata, labels: own } } as K8sObject;
  });
  if (!found) {
    // An implied namespace: created, as `kubectl label` could not do, but `kubectl apply` of a Namespace would.
    const source = { file: "<what if>", line: 1, column: 1, object: { kind: "Namespace", name } };
    const own = { ...labels };
    delete own[NAMESPACE_NAME_LABEL];
    objects.push({
      kind: "Namespace",
      apiVersion: "v1",
      metadata: { name, labels: own },
      source,
      locate: () => source,
    });
  }
  const namespaces: Namespace[] = st.cluster.namespaces.map((n) =>
    n.name === name ? { ...n, labels: { ...labels, [NAMESPACE_NAME_LABEL]: name }, implied: false } : n,
  );
  const keys = new Set<string>();
  for (const w of st.peers)
    if (w.ref.kind === "workload" && w.ref.namespace === name) keys.add(formatPeer(w.ref));
  return {
    state: new State(objects, { ...st.cluster, namespaces }, st.options, text),
    affected: { peers: keys },
    notes: [],
  };
}
