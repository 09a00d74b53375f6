/**
 * The finite vocabulary of the encoding. Selectors only compare labels with constants, so a label
 * key ranges over: absent, every value some selector or existing object uses, and one "any other
 * value". Only keys some selector mentions matter; others are left out. Namespaces range over every
 * name an input or a selector mentions plus one "any other name" (a namespace that does not exist yet).
 */
import {
  type Analysis,
  type Cluster,
  type LabelSelector,
  type Labels,
  NAMESPACE_NAME_LABEL,
  type Peer,
  type Protocol,
} from "../model/index.js";
import { bitsFor } from "./z3.js";

/** Values of one key: index 0 = absent, 1..n = `values`, n + 1 = any other value. */
export interface KeyDomain {
  readonly key: string;
  readonly values: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly other: number;
  readonly bits: number;
}

/** One named container port slot: a pod has at most `count` ports with this name and protocol. */
export interface PortSlot {
  readonly name: string;
  readonly protocol: Protocol;
  readonly count: number;
}

export interface Universe {
  readonly podKeys: ReadonlyMap<string, KeyDomain>;
  readonly nsKeys: ReadonlyMap<string, KeyDomain>;
  /** Namespace names; index `namespaces.length` is "a namespace with any other name". */
  readonly namespaces: readonly string[];
  readonly namespaceIndex: ReadonlyMap<string, number>;
  readonly nsBits: number;
  readonly slots: readonly PortSlot[];
}

/** What guarantees (or other queries) mention beyond the policies. */
export interface Mentions {
  readonly podSelectors: readonly LabelSelector[];
  readonly nsSelectors: readonly LabelSelector[];
  readonly namespaces: readonly string[];
  readonly portNames: readonly { readonly name: string; readonly protocol: Protocol }[];
}

export const NO_MENTIONS: Mentions = { podSelectors: [], nsSelectors: [], namespaces: [], portNames: [] };

class KeyCollector {
  readonly values = new Map<string, Set<string>>();
  mention(s: LabelSelector): void {
    for (const [k, v] of Object.entries(s.matchLabels ?? {})) this.add(k, v);
    for (const r of s.matchExpressions ?? []) {
      this.addKey(r.key);
      for (const v of r.values ?? []) this.add(r.key, v);
    }
  }
  addKey(k: string): Set<string> {
    let set = this.values.get(k);
    if (!set) {
      set = new Set();
      this.values.set(k, set);
    }
    return set;
  }
  add(k: string, v: string): void {
    this.addKey(k).add(v);
  }
  /** Existing objects' values for mentioned keys (so existing objects are represented exactly). */
  observe(labels: Labels): void {
    for (const [k, set] of this.values) {
      const v = labels[k];
      if (v !== undefined) set.add(v);
    }
  }
  domains(): Map<string, KeyDomain> {
    const out = new Map<string, KeyDomain>();
    for (const k of [...this.values.keys()].sort()) {
      const values = [...this.values.get(k)!].sort();
      const index = new Map(values.map((v, i) => [v, i + 1]));
      out.set(k, { key: k, values, index, other: values.length + 1, bits: bitsFor(values.length + 1) });
    }
    return out;
  }
}

function policyPeers(c: Cluster): Peer[] {
  return [...c.policies, ...c.clusterPolicies].flatMap((p) =>
    [...p.ingress, ...p.egress].flatMap((r) => r.peers),
  );
}

export function buildUniverse(analyses: readonly Analysis[], mentions: Mentions = NO_MENTIONS): Universe {
  const pod = new KeyCollector();
  const ns = new KeyCollector();
  const names = new Set<string>(mentions.namespaces);
  const ports = new Map<string, PortSlot>();
  const mentionPort = (name: string, protocol: Protocol) => {
    const key = `${name}/${protocol}`;
    if (!ports.has(key)) ports.set(key, { name, protocol, count: 1 });
  };
  const nsSelector = (s: LabelSelector) => {
    ns.mention(s);
    for (const v of s.matchLabels?.[NAMESPACE_NAME_LABEL] !== undefined
      ? [s.matchLabels[NAMESPACE_NAME_LABEL]]
      : [])
      names.add(v);
    for (const r of s.matchExpressions ?? [])
      if (r.key === NAMESPACE_NAME_LABEL) for (const v of r.values ?? []) names.add(v);
  };
  for (const s of mentions.podSelectors) pod.mention(s);
  for (const s of mentions.nsSelectors) nsSelector(s);
  for (const p of mentions.portNames) mentionPort(p.name, p.protocol);
  for (const a of analyses) {
    const c = a.cluster;
    for (const p of c.policies) {
      names.add(p.namespace);
      pod.mention(p.podSelector);
    }
    for (const p of c.clusterPolicies) {
      nsSelector(p.subject.namespaces);
      pod.mention(p.subject.pods);
    }
    for (const peer of policyPeers(c)) {
      if (peer.kind !== "pods") continue;
      pod.mention(peer.pods);
      if (peer.namespaces.kind === "selector") nsSelector(peer.namespaces.selector);
      else names.add(peer.namespaces.namespace);
    }
    for (const r of [...c.policies, ...c.clusterPolicies].flatMap((p) => [...p.ingress, ...p.egress]))
      for (const m of r.ports)
        if (m.kind === "named") {
          if (m.anyProtocol) for (const q of ["TCP", "UDP", "SCTP"] as const) mentionPort(m.name, q);
          else mentionPort(m.name, m.protocol);
        }
  }
  // The namespace-name label is the namespace's identity: it is encoded by the namespace variable.
  ns.values.delete(NAMESPACE_NAME_LABEL);
  for (const a of analyses) {
    for (const n of a.cluster.namespaces) {
      names.add(n.name);
      ns.observe(n.labels);
    }
    for (const c of a.index.classes) {
      pod.observe(c.labels);
      const counts = new Map<string, number>();
      for (const p of c.ports) {
        const key = `${p.name}/${p.protocol}`;
        const slot = ports.get(key);
        if (!slot) continue;
        const n = (counts.get(key) ?? 0) + 1;
        counts.set(key, n);
        if (n > slot.count) ports.set(key, { ...slot, count: n });
      }
    }
  }
  const namespaces = [...names].sort();
  return {
    podKeys: pod.domains(),
    nsKeys: ns.domains(),
    namespaces,
    namespaceIndex: new Map(namespaces.map((n, i) => [n, i])),
    nsBits: bitsFor(namespaces.length),
    slots: [...ports.values()].sort((a, b) =>
      a.name === b.name ? a.protocol.localeCompare(b.protocol) : a.name.localeCompare(b.name),
    ),
  };
}
