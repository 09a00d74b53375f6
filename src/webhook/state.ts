/**
 * The webhook's view of the cluster: the objects netpolc models, keyed by kind, namespace and name,
 * fed by a snapshot directory or by watches (live.ts) and read as one immutable list per version.
 *
 * Raw objects (from the API server or an AdmissionReview) are parsed by the same parser as files,
 * so they are validated the same way; an object that fails validation is reported and left out.
 */
import type { Diagnostic } from "../common/index.js";
import { type K8sObject, parseText } from "../parser/index.js";

/** `Kind/namespace/name` (namespace empty for cluster-scoped kinds). */
export type ObjectKey = string;

export function keyOf(kind: string, namespace: string | undefined, name: string): ObjectKey {
  return `${kind}/${namespace ?? ""}/${name}`;
}

export function keyOfObject(o: K8sObject): ObjectKey {
  return keyOf(o.kind, o.metadata.namespace, o.metadata.name);
}

/** Where watched objects go (live.ts writes, the evaluator reads). */
export interface StateSink {
  /** Adds or replaces an object given as the API server returns it (kind and apiVersion set). */
  upsert(raw: unknown, origin: string): readonly Diagnostic[];
  remove(kind: string, namespace: string | undefined, name: string): void;
  /** Replaces every object of these kinds at once (a re-list after a watch expired). */
  replaceKinds(kinds: readonly string[], raws: readonly unknown[], origin: string): readonly Diagnostic[];
}

/** Parses one raw object (a JSON value) into the model's input type. */
export function parseRaw(
  raw: unknown,
  origin: string,
): { object?: K8sObject; diagnostics: readonly Diagnostic[] } {
  const r = parseText(JSON.stringify(raw, null, 1), origin);
  return { object: r.objects[0], diagnostics: r.diagnostics };
}

export class ClusterState implements StateSink {
  private readonly objects = new Map<ObjectKey, K8sObject>();
  private list: readonly K8sObject[] | undefined;
  /** Increases with every change. */
  version = 0;
  private readonly listeners: ((keys: readonly ObjectKey[]) => void)[] = [];

  constructor(initial: readonly K8sObject[] = []) {
    for (const o of initial) this.objects.set(keyOfObject(o), o);
  }

  /** Called after every change with the keys it touched. */
  onChange(listener: (keys: readonly ObjectKey[]) => void): void {
    this.listeners.push(listener);
  }

  get(key: ObjectKey): K8sObject | undefined {
    return this.objects.get(key);
  }

  get size(): number {
    return this.objects.size;
  }

  /** Every object, in a stable order (the same list until the next change). */
  all(): readonly K8sObject[] {
    this.list ??= [...this.objects.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o);
    return this.list;
  }

  set(o: K8sObject): void {
    const key = keyOfObject(o);
    this.objects.set(key, o);
    this.changed([key]);
  }

  delete(key: ObjectKey): void {
    if (this.objects.delete(key)) this.changed([key]);
  }

  upsert(raw: unknown, origin: string): readonly Diagnostic[] {
    const { object, diagnostics } = parseRaw(raw, origin);
    if (object) this.set(object);
    return diagnostics;
  }

  remove(kind: string, namespace: string | undefined, name: string): void {
    this.delete(keyOf(kind, namespace, name));
  }

  replaceKinds(kinds: readonly string[], raws: readonly unknown[], origin: string): readonly Diagnostic[] {
    const touched: ObjectKey[] = [];
    for (const [key, o] of this.objects)
      if (kinds.includes(o.kind)) {
        this.objects.delete(key);
        touched.push(key);
      }
    const diagnostics: Diagnostic[] = [];
    for (const raw of raws) {
      const r = parseRaw(raw, origin);
      diagnostics.push(...r.diagnostics);
      if (r.object) {
        const key = keyOfObject(r.object);
        this.objects.set(key, r.object);
        touched.push(key);
      }
    }
    this.changed(touched);
    return diagnostics;
  }

  private changed(keys: readonly ObjectKey[]): void {
    this.version++;
    this.list = undefined;
    for (const l of this.listeners) l(keys);
  }
}
