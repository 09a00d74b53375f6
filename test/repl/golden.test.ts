/**
 * Every query form, answered on the README demo and on the e2e topology: transcripts of
 * fixtures/repl/<case>/queries.txt compared with expected.txt (`UPDATE_GOLDEN=1` rewrites them for
 * review). Also: bad queries never end the session, and the exit code of each answer.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSession, renderText, replOptions, splitQueries } from "../../src/repl/index.js";
import { expectGolden } from "../cli/golden.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CASES = {
  demo: ["fixtures/demo"],
  e2e: ["fixtures/repl/e2e/topology.yaml", "fixtures/repl/e2e/allow-b-updated.yaml"],
} as const;

async function transcript(name: keyof typeof CASES): Promise<{ text: string; verdicts: string[] }> {
  process.chdir(ROOT);
  const { session } = await loadSession(CASES[name], replOptions());
  const queries = splitQueries(readFileSync(join(ROOT, "fixtures/repl", name, "queries.txt"), "utf8"));
  const out: string[] = [];
  const verdicts: string[] = [];
  for (const q of queries) {
    const answer = await session.answer(q);
    verdicts.push(answer.verdict);
    out.push(
      q
        .split("\n")
        .map((l, i) => `${i === 0 ? "netpolc> " : "     ... "}${l}`)
        .join("\n"),
    );
    const text = renderText(q, answer, false);
    if (text !== "") out.push(text);
  }
  return { text: `${out.join("\n")}\n`, verdicts };
}

describe("REPL transcripts", () => {
  for (const name of Object.keys(CASES) as (keyof typeof CASES)[])
    it(`${name}: every query form answers as fixtures/repl/${name}/expected.txt`, async () => {
      const { text, verdicts } = await transcript(name);
      expectGolden(join(ROOT, "fixtures/repl", name, "expected.txt"), text);
      // Bad queries are answered as errors, and the session goes on answering after them.
      const firstError = verdicts.indexOf("error");
      expect(firstError).toBeGreaterThan(0);
      expect(verdicts.slice(0, firstError)).not.toContain("error");
    });

  it("demo: the verdicts of the documented examples", async () => {
    const { session } = await loadSession(CASES.demo, replOptions());
    const cases: [string, string][] = [
      ["can frontend/web reach backend/api on tcp/8080?", "yes"],
      ["can frontend/smoke-test reach backend/api on tcp/8080", "no"],
      ["can frontend/web reach backend/api on tcp/8080, tcp/9113", "partial"],
      ["can backend/checkout reach svc/payments/payments-api:443", "yes"],
      ["can frontend/web reach svc/payments/payments-api", "no"],
      ["can namespace frontend reach backend/api on tcp/8080", "yes"],
      ["can not namespace backend reach payments/payments-api", "no"],
      ["who can reach backend/db", "info"],
      ["why not frontend/smoke-test -> backend/api tcp/8080", "no"],
      ["why backend/api -> backend/db tcp/5432", "yes"],
      ["check deny from not namespace backend to workload payments/payments-api", "yes"],
      ["check isolated both for namespace(team)", "no"],
      ["can frontend/wbe reach backend/api", "error"],
      ["what if label pod backend/debug-shell tier=backend", "no"],
      ["what if label pod backend/debug-shell tier=backend", "yes"],
      ["reset", "info"],
    ];
    const got: [string, string][] = [];
    for (const [q] of cases) got.push([q, (await session.answer(q)).verdict]);
    expect(got).toEqual(cases);
  });
});
