/**
 * Equivalence classes of pods. Two pods are in one class when no policy can tell them apart: same
 * namespace (and so namespace labels), same pod labels, same named ports, same hostNetwork flag and
 * the same address atoms for their IPs. Replicas of a workload always share a class, so the engine's
 * work grows with distinct label sets and rules, never with replica counts.
 *
 * Selectors are evaluated once per distinct selector as bit-set algebra over an inverted index of
 * class labels.
 */
import type { AddressSpace } from "./addresses.js";
import { BitSet } from "./bitset.js";
import { getOrCreate } from "./maps.js";
import { assertNever } from "./selectors.js";
import type { Cluster, LabelSelector, Labels, NamedPort, NamespaceScope } from "./types.js";

export interface PodClass {
  readonly index: number;
  readonly namespace: string;
  readonly namespaceLabels: Labels;
  readonly labels: Labels;
  readonly ports: readonly NamedPort[];
  /** Key of `ports`: classes with equal keys resolve named ports equally. */
  readonly portsKey: string;
  readonly hostNetwork: boolean;
  /** Atom indexes of the pods' IPs (empty when the pods have no known IP). */
  readonly atoms: readonly number[];
  /** Indexes into Cluster.pods. */
  readonly pods: readonly number[];
}

export interface ClassIndex {
  readonly classes: readonly PodClass[];
  readonly classOfPod: Int32Array;
  /** Bit sets of classes selected by a pod selector, a namespace scope, or both. */
  select(scope: NamespaceScope | "all", pods: LabelSelector | undefined): BitSet;
  /** Classes that hold a pod whose IP is in one of the atoms. */
  classesInAtoms(atoms: readonly number[]): BitSet;
  /** Classes that NetworkPolicy may select (all but hostNetwork ones, unless those are policed). */
  readonly selectable: BitSet;
}

function labelsKey(l: Labels): string {
  return Object.keys(l)
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join("\u0001");
}

export function portsKeyOf(ports: readonly NamedPort[]): string {
  return ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(",");
}

/** `policeHostNetwork`: whether policy selects hostNetwork pods like others (see ModelOptions). */
export function buildClasses(cluster: Cluster, space: AddressSpace, policeHostNetwork = false): ClassIndex {
  const nsLabels = new Map(cluster.namespaces.map((n) => [n.name, n.labels]));
  const byKey = new Map<string, { c: Omit<PodClass, "pods">; pods: number[] }>();
  const classOfPod = new Int32Array(cluster.pods.length);
  // Template replicas share their label and port objects and have no IPs: the class of the first
  // replica is reused for the others by identity, so replicas cost one lookup each.
  const keyCache = new Map<object, Map<object, string>>();
  const replicaClass = new Map<object, Map<object, Map<string, { pods: number[]; index: number }>>>();
  cluster.pods.forEach((p, i) => {
    const shortcut = p.ips.length === 0 ? `${p.namespace}\u0002${p.hostNetwork ? 1 : 0}` : undefined;
    if (shortcut !== undefined) {
      const hit = replicaClass.get(p.labels)?.get(p.ports)?.get(shortcut);
      if (hit) {
        hit.pods.push(i);
        classOfPod[i] = hit.index;
        return;
      }
    }
    const atoms = [...new Set(p.ips.map((ip) => space.atomOf(ip)))].sort((a, b) => a - b);
    const byPorts = getOrCreate(keyCache, p.labels, () => new Map<object, string>());
    let base = byPorts.get(p.ports);
    if (base === undefined) {
      base = `${labelsKey(p.labels)}\u0002${portsKeyOf(p.ports)}`;
      byPorts.set(p.ports, base);
    }
    const key = `${p.namespace}\u0002${base}\u0002${p.hostNetwork ? 1 : 0}\u0002${atoms.join(",")}`;
    let e = byKey.get(key);
    if (!e) {
      e = {
        c: {
          index: byKey.size,
          namespace: p.namespace,
          namespaceLabels: nsLabels.get(p.namespace) ?? {},
          labels: p.labels,
          ports: p.ports,
          portsKey: portsKeyOf(p.ports),
          hostNetwork: p.hostNetwork,
          atoms,
        },
        pods: [],
      };
      byKey.set(key, e);
    }
    e.pods.push(i);
    classOfPod[i] = e.c.index;
    if (shortcut !== undefined) {
      const byPorts2 = getOrCreate(replicaClass, p.labels, () => new Map());
      getOrCreate(byPorts2, p.ports, () => new Map()).set(shortcut, { pods: e.pods, index: e.c.index });
    }
  });
  const classes: PodClass[] = [...byKey.values()].map((e) => ({ ...e.c, pods: e.pods }));
  return new Index(classes, classOfPod, space.atoms.length, policeHostNetwork);
}

class LabelIndex {
  private readonly byKey = new Map<string, { all: BitSet; values: Map<string, BitSet> }>();
  constructor(
    private readonly size: number,
    labelsOf: (i: number) => Labels,
  ) {
    this.empty = new BitSet(size);
    for (let i = 0; i < size; i++) {
      const l = labelsOf(i);
      for (const k of Object.keys(l)) {
        const e = getOrCreate(this.byKey, k, () => ({
          all: new BitSet(size),
          values: new Map<string, BitSet>(),
        }));
        e.all.add(i);
        getOrCreate(e.values, l[k]!, () => new BitSet(size)).add(i);
      }
    }
  }

  private readonly empty: BitSet;

  /** Classes whose label `key` has one of `values` (a shared set: do not mutate). */
  private valueSet(key: string, values: readonly string[]): BitSet {
    const e = this.byKey.get(key);
    if (!e) return this.empty;
    if (values.length === 1) return e.values.get(values[0]!) ?? this.empty;
    const out = new BitSet(this.size);
    for (const v of values) {
      const b = e.values.get(v);
      if (b) out.orInPlace(b);
    }
    return out;
  }

  select(s: LabelSelector): BitSet {
    const out = BitSet.full(this.size);
    for (const [k, v] of Object.entries(s.matchLabels ?? {})) out.andInPlace(this.valueSet(k, [v]));
    for (const r of s.matchExpressions ?? []) {
      const vals = r.values ?? [];
      switch (r.operator) {
        case "In":
          out.andInPlace(this.valueSet(r.key, vals));
          break;
        case "NotIn":
          out.andNotInPlace(this.valueSet(r.key, vals));
          break;
        case "Exists":
          out.andInPlace(this.byKey.get(r.key)?.all ?? this.empty);
          break;
        case "DoesNotExist":
          out.andNotInPlace(this.byKey.get(r.key)?.all ?? this.empty);
          break;
        default:
          assertNever(r.operator);
      }
    }
    return out;
  }
}

class Index implements ClassIndex {
  readonly selectable: BitSet;
  private readonly podLabels: LabelIndex;
  private readonly nsLabelsIndex: LabelIndex;
  private readonly byNamespace = new Map<string, BitSet>();
  private readonly byAtom = new Map<number, number[]>();
  private readonly cache = new Map<string, BitSet>();

  constructor(
    readonly classes: readonly PodClass[],
    readonly classOfPod: Int32Array,
    atomCount: number,
    policeHostNetwork: boolean,
  ) {
    const n = classes.length;
    this.podLabels = new LabelIndex(n, (i) => classes[i]!.labels);
    this.nsLabelsIndex = new LabelIndex(n, (i) => classes[i]!.namespaceLabels);
    this.selectable = BitSet.of(
      n,
      classes.filter((c) => policeHostNetwork || !c.hostNetwork).map((c) => c.index),
    );
    for (const c of classes) {
      getOrCreate(this.byNamespace, c.namespace, () => new BitSet(n)).add(c.index);
      for (const a of c.atoms) {
        if (a >= atomCount) continue;
        const list = this.byAtom.get(a) ?? [];
        list.push(c.index);
        this.byAtom.set(a, list);
      }
    }
  }

  select(scope: NamespaceScope | "all", pods: LabelSelector | undefined): BitSet {
    const key = JSON.stringify([scope, pods ?? null]);
    let out = this.cache.get(key);
    if (out) return out;
    const n = this.classes.length;
    out = this.selectable;
    if (scope !== "all") {
      if (scope.kind === "same") out = out.and(this.byNamespace.get(scope.namespace) ?? new BitSet(n));
      else out = out.and(this.nsLabelsIndex.select(scope.selector));
    }
    if (pods) out = out.and(this.podLabels.select(pods));
    this.cache.set(key, out);
    return out;
  }

  classesInAtoms(atoms: readonly number[]): BitSet {
    const out = new BitSet(this.classes.length);
    for (const a of atoms) for (const c of this.byAtom.get(a) ?? []) out.add(c);
    return out;
  }
}
