/**
 * Entities finer than classes: pods of one class but different workloads (here two bare pods with
 * the same labels) are told apart by guarantees, counterexamples name the pod the set names, and a
 * pod paired with itself is never a counterexample.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { buildCluster, modelOptions } from "../../src/model/index.js";
import { parseGuarantees } from "../../src/parser/guarantees/index.js";
import { parseText } from "../../src/parser/index.js";
import { shutdownZ3, verifyGuarantees } from "../../src/solver/index.js";

afterAll(shutdownZ3);

const DIR = join(import.meta.dirname, "..", "..", "fixtures", "guarantees", "same-class-pods");

it("names the pod of the set, and excludes a pod with itself", async () => {
  const parsed = parseText(readFileSync(join(DIR, "cluster.yaml"), "utf8"), "cluster.yaml");
  const { cluster } = buildCluster(parsed.objects);
  const file = parseGuarantees(readFileSync(join(DIR, "guarantees.ng"), "utf8"), "guarantees.ng").file;
  const report = await verifyGuarantees(cluster, modelOptions({}), [file]);
  const by = new Map(report.results.map((r) => [r.guarantee.name, r]));
  const src = by.get("b-to-external")!.counterexample!.src;
  expect(src.kind === "pod" && `${src.namespace}/${src.name}`).toBe("ns/b");
  expect(by.get("b-to-itself")!.verdict).toBe("holds");
  const x = by.get("a-to-b")!.counterexample!;
  expect([x.src, x.dst].map((e) => (e?.kind === "pod" ? `${e.namespace}/${e.name}` : "?"))).toEqual([
    "ns/a",
    "ns/b",
  ]);
});
