import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseClaim,
  parseGuarantees,
  parsePortSpecs,
  parseSetExpr,
} from "../../../src/parser/guarantees/index.js";
import * as arb from "./support/arbitrary.js";
import { printGuarantee, printPorts, printSet, withoutSource } from "./support/printer.js";

/** Replaces some of the single spaces between tokens by line breaks, indentation and comments. */
const layout = (text: string, breaks: readonly number[]): string => {
  const parts = text.split(" ");
  return parts
    .map((p, i) => (i === 0 ? p : [" ", "\n  ", " # note\n", "\t\n\n "][breaks[i % breaks.length]! % 4] + p))
    .join("");
};

describe("guarantee parser properties", () => {
  it("reads back every printed valid file as the same AST, with `text` the statement on one line", () => {
    fc.assert(
      fc.property(
        arb.guarantees,
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.record({ quoteValues: fc.boolean(), upperProtocols: fc.boolean() }),
        (gs, breaks, style) => {
          const statements = gs.map((g) => printGuarantee(g, style));
          const text = statements.map((s) => layout(s, breaks)).join("\n# between\n\n");
          const { file, diagnostics } = parseGuarantees(text, "gen.np");
          expect(diagnostics).toEqual([]);
          expect(file.guarantees.map((g) => g.text)).toEqual(statements);
          expect(withoutSource(file.guarantees.map((g) => ({ name: g.name, claim: g.claim })))).toEqual(
            withoutSource(gs),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads back printed sets and port lists through the fragment entry points", () => {
    fc.assert(
      fc.property(arb.setExpr, arb.ports, (set, ports) => {
        expect(withoutSource(parseSetExpr(printSet(set)))).toEqual({
          set: withoutSource(set),
          diagnostics: [],
        });
        expect(withoutSource(parsePortSpecs(printPorts(ports)))).toEqual({
          ports: withoutSource(ports),
          diagnostics: [],
        });
      }),
      { numRuns: 200 },
    );
  });

  it("never throws on random text, and always returns a file and diagnostics", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        const result = parseGuarantees(text, "random.np");
        expect(result.file.file).toBe("random.np");
        expect(Array.isArray(result.diagnostics)).toBe(true);
        parseClaim(text);
        parseSetExpr(text);
        parsePortSpecs(text);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on mutations of valid files; what it keeps reads back alone", () => {
    const edit = fc.record({
      at: fc.nat(),
      length: fc.nat({ max: 12 }),
      insert: fc.array(arb.fragment, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(arb.guarantees, fc.array(edit, { minLength: 1, maxLength: 4 }), (gs, edits) => {
        let text = gs.map((g) => printGuarantee(g)).join("\n");
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert.join(" ") + text.slice(at + e.length);
        }
        const { file, diagnostics } = parseGuarantees(text, "mutated.np");
        const lines = text.split("\n").length;
        for (const d of diagnostics) {
          expect(d.source?.line).toBeGreaterThanOrEqual(1);
          expect(d.source?.line).toBeLessThanOrEqual(lines);
          expect(d.source?.column).toBeGreaterThanOrEqual(1);
        }
        // A kept statement has a unique name and its `text` alone parses to the same claim.
        expect(new Set(file.guarantees.map((g) => g.name)).size).toBe(file.guarantees.length);
        for (const g of file.guarantees) {
          const again = parseGuarantees(g.text, "again.np");
          expect(again.diagnostics).toEqual([]);
          expect(withoutSource(again.file.guarantees[0]?.claim)).toEqual(withoutSource(g.claim));
        }
        for (const line of text.split("\n")) parseClaim(line);
      }),
      { numRuns: 500 },
    );
  });
});
