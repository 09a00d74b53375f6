/**
 * Bad queries never crash the session: queries made of the language's words, names, operators and
 * stray characters (fast-check) are all answered — possibly as errors, never as internal errors —
 * and a good query is still answered after them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadSession, replOptions } from "../../src/repl/index.js";

const WORDS = [
  "can",
  "reach",
  "who",
  "what",
  "if",
  "why",
  "not",
  "->",
  "on",
  "check",
  "show",
  "policies",
  "for",
  "workload",
  "apply",
  "delete",
  "label",
  "pod",
  "namespace",
  "undo",
  "reset",
  "list",
  "x/a",
  "y/b",
  "z/c",
  "a",
  "x",
  "tcp/80",
  "udp",
  "tcp/http",
  "tcp/0",
  "pods(pod=a)",
  "pods(",
  ")",
  "(",
  "{",
  "}",
  "allow",
  "deny",
  "from",
  "to",
  "isolated",
  "ingress",
  "egress",
  "within",
  "external",
  "10.0.0.0/8",
  "svc/x/a:80",
  "networkpolicy",
  "k=v",
  "k-",
  "?",
  "\\",
  '"',
  "#",
  "[Pod]",
  "x/a[Pod]",
  "::1",
  "",
];

describe("the session survives any query", () => {
  it("answers every generated query without an internal error", async () => {
    const { session } = await loadSession(
      ["fixtures/repl/e2e/topology.yaml", "fixtures/repl/e2e/allow-b-updated.yaml"],
      replOptions({ timeoutMs: 2000 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...WORDS), { maxLength: 9 }),
        fc.string({ maxLength: 4 }),
        async (ws, junk) => {
          const query = `${ws.join(" ")}${junk}`;
          // `what if apply` of a random path and `check FILE` read files: harmless here.
          const answer = await session.answer(query);
          expect(JSON.stringify(answer.json)).not.toContain("internal error");
          if (answer.verdict === "error") expect(answer.error).toBeDefined();
        },
      ),
      { numRuns: 300, seed: 20261123 },
    );
    await session.answer("reset");
    expect((await session.answer("can x/b reach x/a on tcp/80")).verdict).toBe("no");
  }, 120_000);
});
