/** The query parser: named cases of what each form reads, and error positions (inline snapshots). */
import { describe, expect, it } from "vitest";
import { type Command, parseCommand } from "../../src/repl/index.js";
import { formatQueryError, type QueryError } from "../../src/repl/query-error.js";

/** A command with its segments as plain text, for readable tables. */
function shape(c: Command | QueryError): unknown {
  if ("diagnostic" in c) return { error: c.diagnostic.message };
  return JSON.parse(
    JSON.stringify(c, (k, v) => (["start", "end", "span", "lower"].includes(k) ? undefined : v)),
    (_k, v) => (v && typeof v === "object" && "text" in v && Object.keys(v).length === 1 ? v.text : v),
  );
}

const CASES: [name: string, query: string, expected: unknown][] = [
  [
    "can with ports and ?",
    "can frontend/web reach backend/api on tcp/8080?",
    { kind: "can", from: "frontend/web", to: "backend/api", ports: "tcp/8080" },
  ],
  ["can without ports", "can x/a reach x/b", { kind: "can", from: "x/a", to: "x/b" }],
  [
    "can with sets",
    "can pods(app=a, tier in (x, y)) in namespace n reach namespace m on tcp/80, udp/53",
    {
      kind: "can",
      from: "pods(app=a, tier in (x, y)) in namespace n",
      to: "namespace m",
      ports: "tcp/80, udp/53",
    },
  ],
  [
    "can a Service with a port",
    "can x/a reach svc/payments:443?",
    { kind: "can", from: "x/a", to: "svc/payments:443" },
  ],
  [
    "keywords are case-insensitive",
    "CAN x/a REACH x/b ON tcp/80",
    { kind: "can", from: "x/a", to: "x/b", ports: "tcp/80" },
  ],
  ["who", "who can reach payments/db?", { kind: "who", to: "payments/db" }],
  ["what", "what can frontend/web reach on tcp", { kind: "what", from: "frontend/web", ports: "tcp" }],
  [
    "why not with ports",
    "why not x/a -> y/b tcp/80",
    { kind: "why", not: true, from: "x/a", to: "y/b", ports: "tcp/80" },
  ],
  [
    "why with arrow glued",
    "why x/a->y/b on udp/53",
    { kind: "why", not: false, from: "x/a", to: "y/b", ports: "udp/53" },
  ],
  [
    "what if apply",
    "what if apply new.yaml",
    { kind: "whatif", text: "apply new.yaml", edit: { kind: "apply", file: "new.yaml" } },
  ],
  [
    "what if delete",
    "what if delete networkpolicy ns/name",
    {
      kind: "whatif",
      text: "delete networkpolicy ns/name",
      edit: { kind: "delete", objectKind: "networkpolicy", name: "ns/name" },
    },
  ],
  [
    "what if label pod",
    "what if label pod x/a app=db,tier=x old-",
    {
      kind: "whatif",
      text: "label pod x/a app=db,tier=x old-",
      edit: {
        kind: "label",
        target: "pod",
        name: "x/a",
        changes: [
          { key: "app", value: "db" },
          { key: "tier", value: "x" },
          { key: "old", value: null },
        ],
      },
    },
  ],
  [
    "what if label namespace",
    "what if label namespace y team=x",
    {
      kind: "whatif",
      text: "label namespace y team=x",
      edit: { kind: "label", target: "namespace", name: "y", changes: [{ key: "team", value: "x" }] },
    },
  ],
  [
    "check a claim",
    "check deny from namespace a to namespace b",
    { kind: "check", claim: "deny from namespace a to namespace b" },
  ],
  [
    "check a file",
    "check fixtures/demo/guarantees.ng",
    { kind: "check", file: "fixtures/demo/guarantees.ng" },
  ],
  ["show policies", "show policies", { kind: "show-policies" }],
  ["show policies for", "show policies for ns/w", { kind: "show-policies", for: "ns/w" }],
  ["show workload", "show workload ns/w", { kind: "show-workload", name: "ns/w" }],
  ["undo", "undo", { kind: "undo" }],
  ["reset", "reset", { kind: "reset" }],
  ["list", "list", { kind: "list" }],
  [".help", ".help", { kind: "help" }],
  [".exit", ".exit", { kind: "exit" }],
  ["empty", "   ", { kind: "empty" }],
  ["unknown command", "whom can reach x", { error: "unknown command `whom`" }],
  ["can without reach", "can x/a x/b", { error: "expected `reach`: can A reach B [on PORTS]" }],
  ["undo takes nothing", "undo 2", { error: "`undo` takes no arguments" }],
  ["label without changes", "what if label pod x/a", { error: "expected at least one KEY=VALUE or KEY-" }],
];

describe("parseCommand", () => {
  for (const [name, query, expected] of CASES)
    it(name, () => expect(shape(parseCommand(query))).toEqual(expected));
});

describe("errors point at the offending token", () => {
  const show = (q: string) => {
    const c = parseCommand(q);
    if (!("diagnostic" in c)) throw new Error("no error");
    return formatQueryError(q, c).join("\n");
  };
  it("an unknown command, with a suggestion", () => {
    expect(show("whta can x/a reach")).toMatchInlineSnapshot(`
      "  whta can x/a reach
        ^^^^
      1:1: error NP9001: unknown command \`whta\`
        hint: did you mean \`what\`? (.help lists the queries)"
    `);
  });
  it("a bad label change", () => {
    expect(show("what if label pod x/a app")).toMatchInlineSnapshot(`
      "  what if label pod x/a app
                              ^^^
      1:23: error NP9001: expected KEY=VALUE or KEY- (to remove), got \`app\`"
    `);
  });
  it("the end of a query that stops too early, on its second line", () => {
    expect(show("who can\n reach")).toMatchInlineSnapshot(`
      "   reach
              ^
      2:7: error NP9001: expected a destination after \`reach\`"
    `);
  });
});
