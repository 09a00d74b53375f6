/**
 * Mapping construction: `<<` merge keys (keys not already present are copied, earlier sources win, as
 * in go-yaml) and JavaScript's key order (integer-like keys enumerate first), which the position table
 * must follow.
 */
import { type Anchor, ComposeError } from "./composed.js";
import { findSlot, isPlainObject, type PositionTable, slotCount } from "./positions.js";

const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;

/** `<<: *a` or `<<: [*a, *b]` into `out`; returns the insertion order if it now differs from `Object.keys`. */
export function mergeInto(
  table: PositionTable,
  out: Record<string, unknown>,
  order: string[] | undefined,
  m: Anchor,
): string[] | undefined {
  const sources: { value: unknown; index: number }[] = [];
  if (Array.isArray(m.value)) {
    let idx = 1;
    for (const item of m.value) {
      sources.push({ value: item, index: idx });
      idx += slotCount(item);
    }
  } else sources.push({ value: m.value, index: 0 });
  const { entries, values } = m.slots;
  for (const { value, index } of sources) {
    if (!isPlainObject(value))
      throw new ComposeError("a << merge value must be a mapping or a list of mappings", values[0] ?? 0);
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(out, key)) continue;
      const s = findSlot(value, index, [key]).index;
      const n = slotCount(value[key]);
      for (let k = s; k < s + n; k++) table.push(entries[k] ?? 0, values[k] ?? 0);
      order = insert(out, order, key, value[key]);
    }
  }
  return order;
}

/** Adds an entry; returns the insertion order once it starts to differ from `Object.keys`. */
export function insert(
  out: Record<string, unknown>,
  order: string[] | undefined,
  key: string,
  value: unknown,
): string[] | undefined {
  if (!order && INDEX_KEY.test(key)) order = Object.keys(out);
  if (key === "__proto__")
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
  order?.push(key);
  return order;
}

/** Integer-like keys enumerate first in JavaScript; rearrange the children's slots to match. */
export function reorderSlots(
  t: PositionTable,
  out: Record<string, unknown>,
  order: readonly string[],
  slot: number,
): void {
  const ranges = new Map<string, [number, number]>();
  let idx = slot + 1;
  for (const key of order) {
    const n = slotCount(out[key]);
    ranges.set(key, [idx, idx + n]);
    idx += n;
  }
  const copy = t.slice(slot + 1, idx);
  let to = slot + 1;
  for (const key of Object.keys(out)) {
    const [s, e] = ranges.get(key) ?? [0, 0];
    for (let k = s; k < e; k++, to++)
      t.set(to, copy.entries[k - slot - 1] ?? 0, copy.values[k - slot - 1] ?? 0);
  }
}
