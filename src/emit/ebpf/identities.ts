/**
 * Security identities, numbered as Cilium numbers them:
 *
 * | identity            | stands for                                                              |
 * |---------------------|-------------------------------------------------------------------------|
 * | 0                   | unknown; in a policy key: any peer (the wildcard entry)                 |
 * | 1 host              | reserved for the local node; not emitted (the model has no node peer)    |
 * | 2 world             | the external addresses that behave like 0.0.0.0 (its atom's group)       |
 * | 3..255              | reserved                                                                |
 * | 256 + i             | the i-th pod class in key order (namespace, labels, named ports,        |
 * |                     | hostNetwork, address atoms): pods no policy can tell apart              |
 * | 0x01000001 + j      | the j-th other group of external addresses, in address order            |
 *
 * External addresses: the model's atoms, grouped by behaviour. Two atoms every pod class treats
 * alike in both directions (equal `conn(class, atom)` and `conn(atom, class)` for every class) share
 * one identity, as Cilium's CIDR identities do for equal CIDR selections.
 */
import type { Analysis, PodClass } from "../../model/index.js";
import { FIRST_CIDR_ID, FIRST_CLASS_ID, ID_WORLD } from "./layout.js";

export interface AtomGroup {
  readonly identity: number;
  /** Atom indexes, ascending. */
  readonly atoms: readonly number[];
}

export interface Identities {
  /** Identity of each pod class, by class index. */
  readonly ofClass: readonly number[];
  /** Group index of each atom. */
  readonly groupOfAtom: Int32Array;
  /** Groups in order of their first atom; group 0 holds atom 0 and is `world`. */
  readonly groups: readonly AtomGroup[];
}

function labelsKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join("\u0001");
}

/** The content key a class is numbered by: independent of input order. */
export function classKey(c: PodClass): string {
  return [c.namespace, labelsKey(c.labels), c.portsKey, c.hostNetwork ? "1" : "0", c.atoms.join(",")].join(
    "\u0000",
  );
}

export function allocateIdentities(a: Analysis): Identities {
  const K = a.classCount;
  // 1. Classes in key order.
  const keys = a.index.classes.map(classKey);
  const order = keys
    .map((_, i) => i)
    .sort((x, y) => (keys[x]! < keys[y]! ? -1 : keys[x]! > keys[y]! ? 1 : 0));
  const ofClass = new Array<number>(K);
  order.forEach((c, rank) => {
    ofClass[c] = FIRST_CLASS_ID + rank;
  });
  // 2. Atoms grouped by their connection ids towards and from every class.
  const A = a.space.atoms.length;
  const groupOfAtom = new Int32Array(A);
  const bySignature = new Map<string, number>();
  const groups: { identity: number; atoms: number[] }[] = [];
  const sig = new Array<number>(2 * K);
  for (let atom = 0; atom < A; atom++) {
    const e = K + atom;
    for (let c = 0; c < K; c++) {
      sig[2 * c] = a.connId(c, e);
      sig[2 * c + 1] = a.connId(e, c);
    }
    const key = sig.join(",");
    let g = bySignature.get(key);
    if (g === undefined) {
      g = groups.length;
      bySignature.set(key, g);
      groups.push({ identity: g === 0 ? ID_WORLD : FIRST_CIDR_ID + g - 1, atoms: [] });
    }
    groups[g]!.atoms.push(atom);
    groupOfAtom[atom] = g;
  }
  return { ofClass, groupOfAtom, groups };
}
