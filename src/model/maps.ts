/** A Map or a WeakMap: what `getOrCreate` needs of one. */
export interface KeyedStore<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
}

/** The value at `key`, created by `make` and stored first when absent (memo tables too). */
export function getOrCreate<K, V>(map: KeyedStore<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}
