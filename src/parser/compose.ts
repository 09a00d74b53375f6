/**
 * Builds plain JavaScript values from js-yaml's event stream (`parseEvents`), recording for every node
 * its source offsets (see positions.ts), every duplicate mapping key and every scalar that YAML 1.1
 * reads differently. Aliases and `<<` merge keys are supported as go-yaml supports them; mapping keys
 * must be scalars, as JSON (and hence the API server) requires.
 */
import {
  EVENT_ID,
  type Event,
  getScalarValue,
  type MappingEvent,
  parseEvents,
  SCALAR_STYLE,
  type ScalarEvent,
  type SequenceEvent,
} from "js-yaml";
import {
  type Anchor,
  type ComposedDocument,
  ComposeError,
  type DuplicateKey,
  type Yaml11Scalar,
} from "./composed.js";
import { insert, mergeInto, reorderSlots } from "./mappings.js";
import {
  findSlot,
  isPlainObject,
  type PathSegment,
  PositionTable,
  type SlotRange,
  slotCount,
} from "./positions.js";
import { NO_DIFFERENCE, readScalar, scalarStart, yaml11Reading } from "./scalars.js";

export { type ComposedDocument, ComposeError, type DuplicateKey, type Yaml11Scalar } from "./composed.js";

/** Upper bound on slots produced by aliases, against "billion laughs" inputs. */
const ALIAS_BUDGET_FACTOR = 16;

/** Parses `text[start, end)` (one or more documents) into composed documents. */
export function composeChunk(text: string, start: number, end: number): ComposedDocument[] {
  const source = text.slice(start, end);
  let events: Event[];
  try {
    events = parseEvents(source, {});
  } catch (e) {
    throw new ComposeError(reasonOf(e), start + positionOf(e, source.length));
  }
  const docs: ComposedDocument[] = [];
  const c = new Composer(source, start, events);
  while (c.i < events.length) {
    if (events[c.i]?.type !== EVENT_ID.DOCUMENT) throw new ComposeError("unexpected YAML event", start);
    c.i++;
    docs.push(c.document());
  }
  return docs;
}

function reasonOf(e: unknown): string {
  if (e instanceof Error) return (e as { reason?: string }).reason ?? e.message;
  return String(e);
}

function positionOf(e: unknown, fallback: number): number {
  const pos = (e as { mark?: { position?: number } } | undefined)?.mark?.position;
  return typeof pos === "number" ? pos : fallback;
}

class Composer {
  i = 0;
  private readonly table = new PositionTable();
  private anchors = new Map<string, Anchor>();
  private path: PathSegment[] = [];
  private duplicates: DuplicateKey[] = [];
  private yaml11: Yaml11Scalar[] = [];
  private aliasBudget: number;
  private hasNull = false;

  constructor(
    private readonly source: string,
    private readonly base: number,
    private readonly events: Event[],
  ) {
    this.aliasBudget = events.length * ALIAS_BUDGET_FACTOR + 100_000;
  }

  document(): ComposedDocument {
    this.anchors = new Map();
    this.duplicates = [];
    this.yaml11 = [];
    this.hasNull = false;
    const slot = this.table.length;
    let value: unknown;
    if (this.events[this.i]?.type !== EVENT_ID.POP) value = this.node(-1);
    this.i++; // document POP
    return {
      value,
      table: this.table,
      slot,
      duplicates: this.duplicates,
      yaml11: this.yaml11,
      hasNull: this.hasNull,
    };
  }

  private next(): Event {
    const ev = this.events[this.i++];
    if (!ev)
      throw new ComposeError("unexpected end of the YAML event stream", this.base + this.source.length);
    return ev;
  }

  /** Composes the node at the cursor; `entryAt < 0` means the node introduces itself (a root). */
  private node(entryAt: number): unknown {
    const ev = this.next();
    switch (ev.type) {
      case EVENT_ID.SCALAR: {
        const value = this.scalar(ev, false);
        const at = this.base + scalarStart(ev);
        this.table.push(entryAt < 0 ? at : entryAt, at);
        return this.anchored(ev, value, this.table.length - 1);
      }
      case EVENT_ID.MAPPING:
        return this.mapping(ev, entryAt);
      case EVENT_ID.SEQUENCE:
        return this.sequence(ev, entryAt);
      case EVENT_ID.ALIAS:
        return this.alias(
          this.source.slice(ev.anchorStart, ev.anchorEnd),
          this.base + ev.anchorStart - 1,
          entryAt,
        );
      default:
        throw new ComposeError("unexpected YAML event", this.base);
    }
  }

  private scalar(ev: ScalarEvent, isKey: boolean): unknown {
    const text = getScalarValue(this.source, ev);
    let value: unknown;
    try {
      value = readScalar(this.source, ev, text);
    } catch (e) {
      throw new ComposeError(reasonOf(e), this.base + scalarStart(ev));
    }
    if (value === null) this.hasNull = true;
    const yaml11 = yaml11Reading(ev, text, value);
    if (yaml11 !== NO_DIFFERENCE) {
      const path = isKey ? [...this.path, String(value)] : [...this.path];
      this.yaml11.push({ path, isKey, offset: this.base + scalarStart(ev), text, value, yaml11 });
    }
    return value;
  }

  private anchored(ev: ScalarEvent | MappingEvent | SequenceEvent, value: unknown, slot: number): unknown {
    if (ev.anchorStart >= 0)
      this.anchors.set(this.source.slice(ev.anchorStart, ev.anchorEnd), {
        value,
        slots: this.table.slice(slot),
      });
    return value;
  }

  private alias(name: string, at: number, entryAt: number): unknown {
    const anchor = this.anchors.get(name);
    if (!anchor) throw new ComposeError(`unknown alias *${name}`, at);
    const { entries, values } = anchor.slots;
    this.aliasBudget -= values.length;
    if (this.aliasBudget < 0) throw new ComposeError("too many alias expansions", at);
    this.table.push(entryAt < 0 ? at : entryAt, values[0] ?? at);
    for (let k = 1; k < values.length; k++) this.table.push(entries[k] ?? at, values[k] ?? at);
    return anchor.value;
  }

  private sequence(ev: SequenceEvent, entryAt: number): unknown[] {
    const at = this.base + ev.start;
    const slot = this.table.push(entryAt < 0 ? at : entryAt, at);
    const out: unknown[] = [];
    while (this.events[this.i]?.type !== EVENT_ID.POP) {
      const itemAt = this.itemStart(this.events[this.i]);
      this.path.push(out.length);
      out.push(this.node(itemAt));
      this.path.pop();
    }
    this.i++;
    return this.anchored(ev, out, slot) as unknown[];
  }

  private itemStart(ev: Event | undefined): number {
    if (!ev) return this.base;
    if (ev.type === EVENT_ID.SCALAR) return this.base + scalarStart(ev);
    if (ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE) return this.base + ev.start;
    if (ev.type === EVENT_ID.ALIAS) return this.base + ev.anchorStart - 1;
    return this.base;
  }

  private key(): { key: string; at: number; merge: boolean } {
    const ev = this.next();
    if (ev.type === EVENT_ID.SCALAR) {
      const at = this.base + scalarStart(ev);
      const merge =
        ev.style === SCALAR_STYLE.PLAIN &&
        ev.tagStart < 0 &&
        this.source.slice(ev.valueStart, ev.valueEnd) === "<<";
      return { key: String(this.scalar(ev, true)), at, merge };
    }
    if (ev.type === EVENT_ID.ALIAS) {
      const anchor = this.anchors.get(this.source.slice(ev.anchorStart, ev.anchorEnd));
      if (anchor && !isPlainObject(anchor.value) && !Array.isArray(anchor.value))
        return { key: String(anchor.value), at: this.base + ev.anchorStart - 1, merge: false };
    }
    const at = ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE ? ev.start : this.source.length;
    throw new ComposeError("mapping keys must be scalars (strings) in Kubernetes manifests", this.base + at);
  }

  private mapping(ev: MappingEvent, entryAt: number): Record<string, unknown> {
    const at = this.base + ev.start;
    const t = this.table;
    const slot = t.push(entryAt < 0 ? at : entryAt, at);
    const out: Record<string, unknown> = {};
    // Insertion order, kept only once an integer-like key makes it differ from `Object.keys`.
    let order: string[] | undefined;
    const merges: Anchor[] = [];
    while (this.events[this.i]?.type !== EVENT_ID.POP) {
      const { key, at: keyAt, merge } = this.key();
      const mark = t.length;
      this.path.push(key);
      const value = this.node(keyAt);
      this.path.pop();
      if (merge) {
        merges.push({ value, slots: t.slice(mark) });
        t.truncate(mark);
      } else if (Object.hasOwn(out, key)) {
        // Reported, and the entry is dropped so the table stays consistent; the owning object is
        // rejected by the validator anyway.
        const firstOffset = t.entryAt(findSlot(out, slot, [key]).index);
        this.duplicates.push({ path: [...this.path, key], key, offset: keyAt, firstOffset });
        t.truncate(mark);
      } else order = insert(out, order, key, value);
    }
    this.i++;
    for (const m of merges) order = mergeInto(t, out, order, m);
    if (order) reorderSlots(t, out, order, slot);
    return this.anchored(ev, out, slot) as Record<string, unknown>;
  }
}
