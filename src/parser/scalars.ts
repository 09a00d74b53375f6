/**
 * Scalar resolution. Documents are read with the YAML 1.2 core schema (js-yaml's default), but the
 * API server reads YAML 1.1 (sigs.k8s.io/yaml on go-yaml): there `yes`/`on`/`y`/`off`/`n` are booleans,
 * `0755` is octal 493, `1:20` is sexagesimal 80 and `1_000` is 1000. Plain scalars whose two readings
 * differ are reported so the validator can warn where the difference matters.
 */
import { CORE_SCHEMA, NOT_RESOLVED, SCALAR_STYLE, type ScalarEvent, YAML11_SCHEMA } from "js-yaml";

/** The value of a scalar, and its YAML 1.1 reading when that differs (`NO_DIFFERENCE` otherwise). */
export const NO_DIFFERENCE: unique symbol = Symbol("no YAML 1.1 difference");

/** Only empty scalars or scalars starting with one of these can be anything but a string in YAML 1.2. */
const MAY_RESOLVE = /^(?:$|[-+.0-9~nNtTfF])/;
/** Only scalars starting with one of these can read differently under YAML 1.1 (bool, int, float). */
const MAY_DIFFER = /^[-+.0-9yYnNoO]/;
/** Plain decimal integers read the same in both versions (the common case: ports, replicas). */
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;
const YAML_TAG_PREFIX = "tag:yaml.org,2002:";

export class ScalarTagError extends Error {}

/** The scalar's value. `text` is its decoded source text. */
export function readScalar(source: string, ev: ScalarEvent, text: string): unknown {
  if (ev.tagStart >= 0) return resolveTagged(source.slice(ev.tagStart, ev.tagEnd), text);
  if (ev.style !== SCALAR_STYLE.PLAIN || !MAY_RESOLVE.test(text)) return text;
  return CORE_SCHEMA.resolveImplicitScalarTag(text).value;
}

/** The YAML 1.1 reading of an untagged plain scalar, when it differs from `value`. */
export function yaml11Reading(ev: ScalarEvent, text: string, value: unknown): unknown {
  if (ev.tagStart >= 0 || ev.style !== SCALAR_STYLE.PLAIN || !MAY_DIFFER.test(text) || DECIMAL.test(text))
    return NO_DIFFERENCE;
  const yaml11 = YAML11_SCHEMA.resolveImplicitScalarTag(text).value;
  return sameReading(value, yaml11) ? NO_DIFFERENCE : yaml11;
}

function sameReading(a: unknown, b: unknown): boolean {
  // YAML 1.1 timestamps become strings again in the JSON the API server decodes.
  if (b instanceof Date) return true;
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

function resolveTagged(tag: string, text: string): unknown {
  if (tag === "!") return text;
  const name = tag.startsWith("!!")
    ? YAML_TAG_PREFIX + tag.slice(2)
    : tag.startsWith("!<")
      ? tag.slice(2, -1)
      : tag;
  const def = CORE_SCHEMA.lookupScalarTag(name);
  // Unknown local tags (`!foo`) carry no meaning for Kubernetes: keep the text.
  if (!def) return text;
  const value = def.resolve(text, true, name);
  if (value === NOT_RESOLVED) throw new ScalarTagError(`cannot read ${JSON.stringify(text)} as ${tag}`);
  return value;
}

/** Where the scalar's source text starts (the opening quote for quoted scalars). */
export function scalarStart(ev: ScalarEvent): number {
  return ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED
    ? ev.valueStart - 1
    : ev.valueStart;
}
