/**
 * Names as users type them → endpoints of the analysis.
 * Accepted: `ns/name` (a workload, else a pod), `name` (unique across namespaces), `ns/name[Kind]`
 * (the listing's own form), and an IP address (the pod that has it, else an external address).
 */
import { type Diagnostic, diagnostic } from "../common/index.js";
import { type Analysis, formatPeer, type PeerRef, parseIp } from "../model/index.js";

export interface ResolvedPeer {
  readonly ref: PeerRef;
  /** Endpoint ids: class indexes, or classCount + atom index. */
  readonly endpoints: readonly number[];
  /** Set when the peer is one pod: connections to itself are always allowed. */
  readonly pod?: number | undefined;
}

export function resolvePeer(a: Analysis, text: string): ResolvedPeer | Diagnostic {
  const { cluster, index } = a;
  const ip = parseIp(text.trim());
  if (ip) {
    const podIndex = cluster.pods.findIndex((p) =>
      p.ips.some((x) => x.family === ip.family && x.value === ip.value),
    );
    if (podIndex >= 0) {
      const p = cluster.pods[podIndex]!;
      return {
        ref: { kind: "pod", namespace: p.namespace, name: p.name },
        endpoints: [index.classOfPod[podIndex]!],
        pod: podIndex,
      };
    }
    const atom = a.space.atomOf(ip);
    return {
      ref: { kind: "external", range: { family: ip.family, lo: ip.value, hi: ip.value } },
      endpoints: [a.classCount + atom],
    };
  }
  if (/^(?:svc|service)\/|\/(?:svc|service)\//.test(text.trim())) {
    const names = a.cluster.services.map((s) => `svc/${s.namespace}/${s.name}`);
    const suggestion = closest(text.trim(), names);
    return diagnostic("NP9002", "error", `no Service "${text}" in the input`, {
      hint: suggestion
        ? `did you mean ${suggestion}?`
        : "Services are named svc/ns/name, ns/svc/name or name.ns.svc.cluster.local",
    });
  }
  const m = /^(?:([^/\s]+)\/)?([^/[\s]+)(?:\[(\w+)\])?$/.exec(text.trim());
  if (!m)
    return diagnostic(
      "NP9002",
      "error",
      `cannot read peer "${text}": expected ns/name, name or an IP address`,
    );
  const [, ns, name, kind] = m;
  const workloads = cluster.workloads.filter(
    (w) => w.name === name && (!ns || w.namespace === ns) && (!kind || w.kind === kind),
  );
  const pods = cluster.pods
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.name === name && (!ns || p.namespace === ns) && (!kind || kind === "Pod"));
  if (workloads.length === 1 && (pods.length === 0 || workloads[0]!.kind === "Pod")) {
    const w = workloads[0]!;
    return {
      ref: { kind: "workload", namespace: w.namespace, name: w.name, workloadKind: w.kind },
      endpoints: [...new Set(w.pods.map((p) => index.classOfPod[p]!))],
      pod: w.pods.length === 1 ? w.pods[0] : undefined,
    };
  }
  if (workloads.length === 0 && pods.length === 1) {
    const { p, i } = pods[0]!;
    return {
      ref: { kind: "pod", namespace: p.namespace, name: p.name },
      endpoints: [index.classOfPod[i]!],
      pod: i,
    };
  }
  const candidates = [
    ...workloads.map((w) =>
      formatPeer({ kind: "workload", namespace: w.namespace, name: w.name, workloadKind: w.kind }),
    ),
    ...pods.map(({ p }) => formatPeer({ kind: "pod", namespace: p.namespace, name: p.name })),
  ];
  if (candidates.length > 1)
    return diagnostic("NP9003", "error", `"${text}" is ambiguous: ${candidates.join(", ")}`, {
      hint: "qualify it as ns/name or ns/name[Kind]",
    });
  const all = cluster.workloads.map((w) => `${w.namespace}/${w.name}`);
  const suggestion = closest(ns ? `${ns}/${name}` : name!, all);
  return diagnostic("NP9002", "error", `no workload, pod or IP address "${text}" in the input`, {
    hint: suggestion ? `did you mean ${suggestion}?` : undefined,
  });
}

/** The candidate with the smallest edit distance, when it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
