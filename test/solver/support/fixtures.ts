/**
 * Guarantee fixtures: `fixtures/guarantees/<case>/` holds
 * - the manifests: the case's own `*.yaml` files, or a `manifests` file naming other paths (one per
 *   line, relative to the case folder, e.g. `../../demo`);
 * - `options.json` (optional): model options, e.g. `{ "ipBlockPods": "exclude" }`;
 * - `guarantees.ng`: the guarantees, each with a `#` comment giving the hand-derived reasoning;
 * - `expected.json`: per guarantee, the verdict and what the counterexample must look like.
 * Counterexample fields are written only where the semantics force them (e.g. `srcHypothetical:
 * true` when no existing pod can violate the guarantee); absent fields are not checked.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Diagnostic } from "../../../src/common/index.js";
import { buildCluster, type Cluster, type ModelOptions, modelOptions } from "../../../src/model/index.js";
import { parseGuarantees } from "../../../src/parser/guarantees/index.js";
import { type GuaranteeFile, loadPaths } from "../../../src/parser/index.js";
import type { Counterexample, DecodedEndpoint } from "../../../src/solver/index.js";

export const FIXTURES = resolve(import.meta.dirname, "..", "..", "..", "fixtures", "guarantees");

export interface ExpectedCounterexample {
  readonly srcHypothetical?: boolean;
  readonly dstHypothetical?: boolean;
  /** The hypothetical pod is in a namespace the input does not have. */
  readonly srcNewNamespace?: boolean;
  readonly dstNewNamespace?: boolean;
  readonly allowed?: boolean;
  /** `PROTOCOL/port`, e.g. `TCP/8443`. */
  readonly conn?: string;
}

export interface Expected {
  readonly verdict: "holds" | "fails";
  readonly counterexample?: ExpectedCounterexample;
}

export interface FixtureCase {
  readonly name: string;
  readonly dir: string;
  /** Manifest paths, as given to `netpolc verify` (relative to the repository root). */
  readonly manifests: readonly string[];
  readonly options: Partial<ModelOptions>;
  readonly guaranteesFile: string;
  readonly expected: Readonly<Record<string, Expected>>;
}

export function fixtureCases(): FixtureCase[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map(readCase);
}

export function readCase(name: string): FixtureCase {
  const dir = join(FIXTURES, name);
  const pointer = join(dir, "manifests");
  const manifests = existsSync(pointer)
    ? readFileSync(pointer, "utf8")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"))
        .map((p) => resolve(dir, p))
    : readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(dir, f));
  const optionsFile = join(dir, "options.json");
  const options = existsSync(optionsFile)
    ? (JSON.parse(readFileSync(optionsFile, "utf8")) as Partial<ModelOptions>)
    : {};
  const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Record<string, Expected>;
  return { name, dir, manifests, options, guaranteesFile: join(dir, "guarantees.ng"), expected };
}

export interface LoadedCase {
  readonly cluster: Cluster;
  readonly options: ModelOptions;
  readonly files: readonly GuaranteeFile[];
  /** Manifest and guarantee-parser diagnostics. */
  readonly diagnostics: readonly Diagnostic[];
}

/** The pipeline of src/cli/pipeline.ts and src/cli/verify.ts, without the engine run. */
export async function loadCase(c: FixtureCase): Promise<LoadedCase> {
  const parsed = await loadPaths(c.manifests);
  const built = buildCluster(parsed.objects);
  const text = readFileSync(c.guaranteesFile, "utf8");
  const g = parseGuarantees(text, c.guaranteesFile);
  return {
    cluster: built.cluster,
    options: modelOptions(c.options),
    files: [g.file],
    diagnostics: [...parsed.diagnostics, ...built.diagnostics, ...g.diagnostics],
  };
}

function hypothetical(e: DecodedEndpoint | undefined): boolean | undefined {
  if (!e) return undefined;
  return e.kind === "pod" && !e.existing;
}

function newNamespace(e: DecodedEndpoint | undefined): boolean | undefined {
  if (!e) return undefined;
  return e.kind === "pod" && e.newNamespace;
}

/** The counterexample in the fields of ExpectedCounterexample, for comparison. */
export function shapeOf(x: Counterexample): Partial<ExpectedCounterexample> {
  return {
    srcHypothetical: hypothetical(x.src),
    dstHypothetical: hypothetical(x.dst),
    srcNewNamespace: newNamespace(x.src),
    dstNewNamespace: newNamespace(x.dst),
    allowed: x.allowed,
    conn: x.conn ? `${x.conn.protocol}/${x.conn.port}` : undefined,
  };
}

/** Only the fields the expectation names. */
export function pick(
  actual: Partial<ExpectedCounterexample>,
  wanted: ExpectedCounterexample,
): Partial<ExpectedCounterexample> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(wanted)) out[k] = actual[k as keyof ExpectedCounterexample];
  return out;
}
