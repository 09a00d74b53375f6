/**
 * Tab completion: command words, then — depending on the words before the cursor — `what if`
 * verbs, object kinds, namespaces, workloads (`ns/name`), Services (`svc/ns/name`), label keys
 * (`key=`) and values (`key=value`) of the current state.
 */
import type { State } from "./state.js";

const FIRST = ["can", "who", "what", "why", "check", "show", "list", "undo", "reset", ".help", ".exit"];
const AFTER: Readonly<Record<string, readonly string[]>> = {
  who: ["can"],
  "who can": ["reach"],
  what: ["can", "if"],
  "what if": ["apply", "delete", "label"],
  "what if label": ["pod", "namespace"],
  "what if delete": [
    "networkpolicy",
    "clusternetworkpolicy",
    "adminnetworkpolicy",
    "baselineadminnetworkpolicy",
    "pod",
    "deployment",
    "service",
    "namespace",
  ],
  why: ["not"],
  show: ["policies", "workload"],
  "show policies": ["for"],
};

export interface Vocabulary {
  readonly namespaces: readonly string[];
  readonly workloads: readonly string[];
  readonly services: readonly string[];
  readonly labels: ReadonlyMap<string, ReadonlySet<string>>;
  readonly policies: readonly string[];
}

export function vocabulary(st: State): Vocabulary {
  const c = st.cluster;
  const labels = new Map<string, Set<string>>();
  const add = (l: Readonly<Record<string, string>>) => {
    for (const [k, v] of Object.entries(l)) {
      const s = labels.get(k) ?? new Set<string>();
      labels.set(k, s);
      s.add(v);
    }
  };
  for (const p of c.pods) add(p.labels);
  for (const n of c.namespaces) add(n.labels);
  return {
    namespaces: c.namespaces.map((n) => n.name),
    workloads: [...new Set(c.workloads.map((w) => `${w.namespace}/${w.name}`))],
    services: c.services.map((s) => `svc/${s.namespace}/${s.name}`),
    labels,
    policies: [
      ...c.policies.map((p) => `${p.namespace}/${p.ref.name}`),
      ...c.clusterPolicies.map((p) => p.ref.name),
    ],
  };
}

/** readline's completer contract: candidates for the word before the cursor, and that word. */
export function complete(line: string, vocab: () => Vocabulary): [string[], string] {
  const m = /([^\s(,]*)$/.exec(line)!;
  const word = m[1]!;
  const before = line.slice(0, line.length - word.length);
  const words = before.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const key = words.join(" ");
  const pick = (xs: Iterable<string>) => [...new Set(xs)].filter((x) => x.startsWith(word)).sort();
  if (words.length === 0) return [pick(FIRST), word];
  const fixed = AFTER[key];
  if (fixed) return [pick(fixed), word];
  const v = vocab();
  const eq = word.indexOf("=");
  if (eq > 0) {
    const k = word.slice(0, eq);
    return [pick([...(v.labels.get(k) ?? [])].map((x) => `${k}=${x}`)), word];
  }
  const inSelector = /\([^)]*$/.test(before);
  const labelling = /^what if label (pod|namespace) \S+/.test(key);
  if (inSelector || labelling) return [pick([...v.labels.keys()].map((k) => `${k}=`)), word];
  if (key === "what if label namespace" || /(^| )namespace$/.test(key)) return [pick(v.namespaces), word];
  if (key.startsWith("what if delete ")) return [pick(v.policies), word];
  const names = [...v.workloads, ...v.namespaces.map((n) => `${n}/`)];
  const keywords = ["reach", "on", "->", "namespace", "pods(", "external"];
  return [pick([...names, ...v.services, ...keywords]), word];
}
