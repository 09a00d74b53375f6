/**
 * Duplicate objects (same group, kind, namespace and name) across all inputs. The later definition
 * wins, as `kubectl apply -f` of the files in input order leaves the cluster: each apply replaces the
 * previous state. The later one gets warning NP2012 naming the earlier position. Under `strict` the
 * warning is an error, so the later object is dropped and the earlier one stays.
 * A namespaced object without a namespace is in `default`, where kubectl would create it.
 */
import { type Diagnostic, diagnostic, formatObjectRef, formatPosition } from "../common/index.js";
import type { K8sObject, OtherObject } from "./k8s.js";
import { classify, groupOf } from "./kinds.js";
import type { ParseResult } from "./options.js";

type AnyObject = K8sObject | OtherObject;

export function resolveDuplicates(
  objects: readonly K8sObject[],
  others: readonly OtherObject[],
  diagnostics: readonly Diagnostic[],
  strict: boolean,
): ParseResult {
  const extra: Diagnostic[] = [];
  const keep = <T extends AnyObject>(list: readonly T[]): T[] => {
    const winner = new Map<string, number>();
    const dropped = new Set<number>();
    list.forEach((o, i) => {
      const key = identity(o);
      const earlier = winner.get(key);
      if (earlier === undefined) {
        winner.set(key, i);
        return;
      }
      const prev = list[earlier] as T;
      const ref = o.source.object ?? { kind: o.kind, name: o.metadata.name };
      extra.push(
        diagnostic(
          "NP2012",
          strict ? "error" : "warning",
          `${formatObjectRef(ref)} is defined more than once; ${strict ? "this definition is dropped" : "this definition replaces the one"} at ${formatPosition(prev.source)}`,
          {
            source: o.source,
            object: ref,
            hint: "the later definition wins, as kubectl apply of the inputs in order would leave it",
          },
        ),
      );
      if (strict) dropped.add(i);
      else {
        dropped.add(earlier);
        winner.set(key, i);
      }
    });
    return dropped.size === 0 ? [...list] : list.filter((_, i) => !dropped.has(i));
  };
  const keptObjects = keep(objects);
  const keptOthers = keep(others);
  return { objects: keptObjects, others: keptOthers, diagnostics: [...diagnostics, ...extra] };
}

function identity(o: AnyObject): string {
  const cls = classify(o.apiVersion, o.kind);
  const namespaced = cls.status === "unknown" || cls.spec.namespaced;
  const namespace = namespaced ? (o.metadata.namespace ?? "default") : "";
  return `${groupOf(o.apiVersion)}\u0000${o.kind}\u0000${namespace}\u0000${o.metadata.name}`;
}
