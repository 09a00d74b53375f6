import { readFileSync, writeFileSync } from "node:fs";
import { generateCstDts } from "chevrotain";
import { expect, it } from "vitest";
import { GuaranteeParser } from "../../../src/parser/guarantees/grammar.js";

const FILE = new URL("../../../src/parser/guarantees/cst.d.ts", import.meta.url);
const HEADER = [
  "// Generated from grammar.ts by chevrotain's generateCstDts; do not edit. Regenerate with",
  "// UPDATE_GOLDEN=1 npx vitest run test/parser/guarantees/cst-types.test.ts",
  "// biome-ignore-all format: generated",
  "// biome-ignore-all lint: generated",
  "",
].join("\n");

// The builder is typed by cst.d.ts; this keeps that file in step with the grammar.
it("cst.d.ts is what the grammar generates", () => {
  const generated =
    HEADER + generateCstDts(new GuaranteeParser().getGAstProductions(), { includeVisitorInterface: false });
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(FILE, generated);
  expect(readFileSync(FILE, "utf8")).toBe(generated);
});
