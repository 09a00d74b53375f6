import { describe, expect, it } from "vitest";
import type { DiagnosticCode } from "../../../src/common/index.js";
import {
  MAX_NESTING,
  MAX_OPERATORS,
  parseClaim,
  parseGuarantees,
  parsePortSpecs,
  parseSetExpr,
} from "../../../src/parser/guarantees/index.js";

const NEXT = "guarantee next: isolated both for pods";

interface ErrorCase {
  readonly name: string;
  /** A bad statement; a valid one follows it on the next line. */
  readonly text: string;
  readonly code: DiagnosticCode;
  /** Where the diagnostic points: the first occurrence of this text, or an offset in `text`. */
  readonly at: string | number;
  readonly message: string;
  readonly hint?: string;
}

const ERRORS: ErrorCase[] = [
  {
    name: "missing `:`",
    text: "guarantee a deny from a/b to c/d",
    code: "NP4001",
    at: "deny",
    message: "expected `:` after `a`, found `deny`",
  },
  {
    name: "missing name",
    text: "guarantee : deny from a/b to c/d",
    code: "NP4001",
    at: ":",
    message: "expected a name after `guarantee`, found `:`",
  },
  {
    name: "unknown claim keyword",
    text: "guarantee a: permit from a/b to c/d",
    code: "NP4001",
    at: "permit",
    message:
      "expected a claim (`allow`, `deny`, `isolated`, `ingress` or `egress`) after `:`, found `permit`",
  },
  {
    name: "unknown set keyword",
    text: "guarantee a: deny from everything to c/d",
    code: "NP4001",
    at: "everything",
    message:
      "expected a set of endpoints (`pods`, `namespace …`, `ns/name`, an address, `external` or `anything`) after `from`, found `everything`",
  },
  {
    name: "misspelt keyword",
    text: "guarantee a: deny form a/b to c/d",
    code: "NP4001",
    at: "form",
    message: "expected `from` after `deny`, found `form`; did you mean `from`?",
  },
  {
    name: "misspelt claim keyword",
    text: "guarantee a: alow from a/b to c/d",
    code: "NP4001",
    at: "alow",
    message: "found `alow`; did you mean `allow`?",
  },
  {
    name: "misspelt workload kind",
    text: "guarantee a: isolated both deployement ns/web",
    code: "NP4001",
    at: "deployement",
    message: "found `deployement`; did you mean `deployment`?",
  },
  {
    name: "missing `from`",
    text: "guarantee a: deny a/b to c/d",
    code: "NP4001",
    at: "a/b",
    message: "expected `from` after `deny`, found `a/b`",
  },
  {
    name: "missing `to`",
    text: "guarantee a: deny from a/b c/d",
    code: "NP4001",
    at: "c/d",
    message: "expected `to` after `a/b`, found `c/d`",
  },
  {
    name: "bad isolation direction",
    text: "guarantee a: isolated inbound for pods",
    code: "NP4001",
    at: "inbound",
    message: "expected `ingress`, `egress` or `both` after `isolated`, found `inbound`",
  },
  {
    name: "unclosed `(`",
    text: "guarantee a: deny from (a/b to c/d",
    code: "NP4001",
    at: "to",
    message: "expected `)` after `a/b`, found `to`",
    hint: "`(` at 1:24 is still open here",
  },
  {
    name: "unmatched `)`",
    text: "guarantee a: deny from a/b) to c/d",
    code: "NP4001",
    at: ")",
    message: "expected `to` after `a/b`, found `)`",
    hint: "`)` has no matching `(`",
  },
  {
    name: "unclosed `{`",
    text: "guarantee a: egress of pods within { a/b on tcp/80",
    code: "NP4001",
    at: "$",
    message: "expected `}` after `tcp/80`, found the next statement",
    hint: "`{` at 1:36 is never closed",
  },
  {
    name: "unclosed selector at the end of a line",
    text: "guarantee a: deny from pods(a=b to c/d",
    code: "NP4001",
    at: "to",
    message: "expected `)` after `b`, found `to`",
  },
  {
    name: "empty `within {}`",
    text: "guarantee a: egress of pods within {}",
    code: "NP4001",
    at: "}",
    message: "expected a set of endpoints",
  },
  {
    name: "empty selector `pods()`",
    text: "guarantee a: isolated both pods()",
    code: "NP4001",
    at: ")",
    message: "expected `!` or a name after `(`, found `)`",
  },
  {
    name: "empty value list",
    text: "guarantee a: isolated both pods(k in ())",
    code: "NP4001",
    at: "))",
    message: "expected a name or a string after `(`, found `)`",
  },
  {
    name: "trailing garbage",
    text: "guarantee a: deny from a/b to c/d on tcp/80 foo",
    code: "NP4001",
    at: "foo",
    message: "expected the end of the statement after `tcp/80`, found `foo`",
  },
  {
    name: "trailing comma in a port list",
    text: "guarantee a: deny from a/b to c/d on tcp/80,",
    code: "NP4001",
    at: "$",
    message:
      "expected a port (`tcp`, `udp` or `sctp`, optionally with `/port`, `/from-to` or `/name`; or `any`) after `,`, found the next statement",
  },
  {
    name: "unknown protocol",
    text: "guarantee a: deny from a/b to c/d on icmp/8",
    code: "NP4001",
    at: "icmp",
    message: "found `icmp/8`",
  },
  {
    name: "`namespace` without a name",
    text: "guarantee a: isolated both pods in namespace",
    code: "NP4001",
    at: "$",
    message: "expected a namespace name or `(` after `namespace`, found the next statement",
  },
  {
    name: "bad port name",
    text: "guarantee a: deny from a/b to c/d on tcp/Http_1",
    code: "NP4004",
    at: "tcp/Http",
    message: "invalid port `Http_1`",
  },
  {
    name: "bad range 9-1",
    text: "guarantee a: deny from a/b to c/d on udp/9-1",
    code: "NP4004",
    at: "udp/9-1",
    message: "port range `9-1` ends before it starts",
    hint: "write `1-9`",
  },
  {
    name: "port 70000",
    text: "guarantee a: deny from a/b to c/d on tcp/70000",
    code: "NP4004",
    at: "tcp/70000",
    message: "port 70000 is out of range 1-65535",
  },
  {
    name: "port 0",
    text: "guarantee a: deny from a/b to c/d on tcp/0-10",
    code: "NP4004",
    at: "tcp/0",
    message: "port 0 is out of range",
  },
  {
    name: "missing port after `/`",
    text: "guarantee a: deny from a/b to c/d on sctp/",
    code: "NP4004",
    at: "sctp/",
    message: "missing port after `sctp/`",
  },
  {
    name: "bad IPv4 CIDR",
    text: "guarantee a: deny from 10.0.0.300/8 to c/d",
    code: "NP4003",
    at: "10.0",
    message: "invalid CIDR `10.0.0.300/8`",
  },
  {
    name: "IPv4 prefix too long",
    text: "guarantee a: deny from 10.0.0.0/33 to c/d",
    code: "NP4003",
    at: "10.0",
    message: "invalid CIDR `10.0.0.0/33`",
  },
  {
    name: "IPv4 with three parts",
    text: "guarantee a: deny from 10.0.1 to c/d",
    code: "NP4003",
    at: "10.0",
    message: "invalid IP address `10.0.1`",
  },
  {
    name: "IPv4 with a leading zero",
    text: "guarantee a: deny from 010.0.0.1 to c/d",
    code: "NP4003",
    at: "010",
    message: "invalid IP address `010.0.0.1`",
  },
  {
    name: "bad IPv6",
    text: "guarantee a: deny from fd00:::1/129 to c/d",
    code: "NP4003",
    at: "fd00",
    message: "invalid CIDR `fd00:::1/129`",
  },
  {
    name: "bad label key",
    text: "guarantee a: isolated both pods(app_=x)",
    code: "NP4002",
    at: "app_",
    message: "invalid label key `app_`: name part must consist of alphanumeric characters",
  },
  {
    name: "bad label key prefix",
    text: "guarantee a: isolated both pods(Example.com/app=x)",
    code: "NP4002",
    at: "Example",
    message: "invalid label key `Example.com/app`: prefix part must be a lowercase RFC 1123 subdomain",
  },
  {
    name: "bad label value",
    text: "guarantee a: isolated both namespace(team=-x)",
    code: "NP4007",
    at: "-x",
    message: "unexpected character `-`",
  },
  {
    name: "bad quoted label value",
    text: 'guarantee a: isolated both namespace(team="a b")',
    code: "NP4002",
    at: '"a b"',
    message: 'invalid label value "a b": must be empty or consist of alphanumeric characters',
  },
  {
    name: "label value too long",
    text: `guarantee a: isolated both pods(k=${"v".repeat(64)})`,
    code: "NP4002",
    at: "vvv",
    message: "must be no more than 63 characters",
  },
  {
    name: "unterminated string",
    text: 'guarantee a: isolated both pods(k="abc)',
    code: "NP4007",
    at: '"abc',
    message: 'unterminated string: missing the closing `"`',
  },
  {
    name: "unknown character",
    text: "guarantee a: deny from a/b to c/d on tcp/80 ;",
    code: "NP4007",
    at: ";",
    message: "unexpected character `;`",
  },
  {
    name: "`existing` on an address",
    text: "guarantee a: deny from existing 10.0.0.0/8 to c/d",
    code: "NP4006",
    at: "existing",
    message: "`existing` applies to pod sets, not to an address",
  },
  {
    name: "`any` on a Service",
    text: "guarantee a: deny from any service a/b to c/d",
    code: "NP4006",
    at: "any",
    message: "`any` applies to pod sets, not to a service",
  },
  {
    name: "contradicting domains",
    text: "guarantee a: deny from any (existing pods) to c/d",
    code: "NP4006",
    at: "any",
    message: "`any` contradicts the `existing` inside",
  },
  {
    name: "invalid namespace name",
    text: "guarantee a: deny from namespace Prod to c/d",
    code: "NP4010",
    at: "Prod",
    message: "invalid namespace name `Prod`: must be a lowercase RFC 1123 label",
  },
  {
    name: "reference with two slashes",
    text: "guarantee a: deny from a/b/c to c/d",
    code: "NP4010",
    at: "a/b/c",
    message: "invalid reference `a/b/c`: expected `namespace/name`",
  },
  {
    name: "Service name not a DNS-1035 label",
    text: "guarantee a: deny from service ns/1api to c/d",
    code: "NP4010",
    at: "ns/1api",
    message: "invalid Service name `1api`: must be a lowercase RFC 1035 label",
  },
  {
    name: "invalid guarantee name",
    text: "guarantee a/b: deny from a/b to c/d",
    code: "NP4009",
    at: "a/b",
    message: "invalid guarantee name `a/b`",
  },
  {
    name: "nesting too deep",
    text: `guarantee a: deny from ${"(".repeat(10_000)}a/b${")".repeat(10_000)} to c/d`,
    code: "NP4008",
    at: "guarantee a: deny from ".length + MAX_NESTING,
    message: `parentheses nested more than ${MAX_NESTING} levels deep`,
  },
  {
    name: "too many operators",
    text: `guarantee a: deny from ${"not ".repeat(MAX_OPERATORS + 1)}a/b to c/d`,
    code: "NP4008",
    at: "guarantee a: deny from ".length + 4 * MAX_OPERATORS,
    message: `more than ${MAX_OPERATORS} set operators`,
  },
];

/** The 1-based position of `at` in `text`: an offset, the first occurrence of a string, or `$`: just after the first line. */
function pointOf(text: string, at: string | number): { line: number; column: number } {
  const offset = typeof at === "number" ? at : at === "$" ? text.indexOf("\n") : text.indexOf(at);
  if (offset < 0) throw new Error(`test bug: ${JSON.stringify(at)} not in ${text}`);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

describe("parseGuarantees: every error class", () => {
  it.each(ERRORS)("$name", ({ text, code, at, message, hint }) => {
    const file = `${text}\n${NEXT}\n`;
    const { file: parsed, diagnostics } = parseGuarantees(file, "bad.np");
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0]!;
    expect(d.code).toBe(code);
    expect(d.severity).toBe("error");
    expect(d.source).toEqual({ file: "bad.np", ...pointOf(file, at) });
    expect(d.message).toContain(message);
    if (hint) expect(d.hint).toBe(hint);
    // The bad statement is dropped; the next one is still read.
    expect(parsed.guarantees.map((g) => g.name)).toEqual(["next"]);
  });

  it("reports a duplicate name at the second statement and keeps the first", () => {
    const text = "guarantee a: isolated both pods\n# again\nguarantee  a: isolated ingress pods\n" + NEXT;
    const { file, diagnostics } = parseGuarantees(text, "dup.np");
    expect(diagnostics).toMatchObject([
      {
        code: "NP4005",
        source: { file: "dup.np", line: 3, column: 12 },
        message: "duplicate guarantee name `a`: first defined at 1:1",
      },
    ]);
    expect(file.guarantees.map((g) => [g.name, g.claim.kind === "isolated" && g.claim.direction])).toEqual([
      ["a", "both"],
      ["next", "both"],
    ]);
  });

  it("reports an error at the end of the input just after the last token", () => {
    const { diagnostics } = parseGuarantees("guarantee a: deny from  \n", "end.np");
    expect(diagnostics).toMatchObject([
      {
        code: "NP4001",
        source: { line: 1, column: 23 },
        message: expect.stringContaining("found the end of the input"),
      },
    ]);
  });

  it("reports junk before the first statement, and every broken statement of a file", () => {
    const text = [
      "junk here",
      "guarantee a: allow",
      "guarantee b: isolated both pods",
      "guarantee c deny",
      NEXT,
    ].join("\n");
    const { file, diagnostics } = parseGuarantees(text, "many.np");
    expect(diagnostics.map((d) => [d.code, d.source?.line, d.source?.column])).toEqual([
      ["NP4001", 1, 1],
      ["NP4001", 2, 19],
      ["NP4001", 4, 13],
    ]);
    expect(diagnostics[0]?.message).toBe("expected `guarantee`, found `junk`");
    expect(file.guarantees.map((g) => g.name)).toEqual(["b", "next"]);
  });

  it("reports every check that fails in one statement", () => {
    const { diagnostics } = parseGuarantees(
      "guarantee a: deny from 1.2.3.4/40 to pods(K_=v_) on tcp/0, tcp/9-1",
      "x",
    );
    expect(diagnostics.map((d) => d.code)).toEqual(["NP4003", "NP4002", "NP4002", "NP4004", "NP4004"]);
  });

  it("does not add a syntax error where a lexical error explains it", () => {
    const { diagnostics } = parseGuarantees(
      'guarantee a: isolated both pods(k="x\nguarantee b: isolated both pods',
      "s",
    );
    expect(diagnostics.map((d) => d.code)).toEqual(["NP4007"]);
  });
});

describe("fragment entry points", () => {
  it("return no value, only diagnostics, on errors", () => {
    expect(parseClaim("deny from a/b")).toMatchObject({
      diagnostics: [{ code: "NP4001", message: "expected `to` after `a/b`, found the end of the input" }],
    });
    expect(parseClaim("deny from a/b").claim).toBeUndefined();
    expect(parseSetExpr("pods(a=b) extra").diagnostics[0]?.message).toBe(
      "expected the end of the input after `)`, found `extra`",
    );
    expect(parsePortSpecs("tcp/99999")).toMatchObject({ diagnostics: [{ code: "NP4004" }] });
    expect(parsePortSpecs("")).toMatchObject({
      diagnostics: [{ code: "NP4001", source: { line: 1, column: 1 } }],
    });
    expect(parseSetExpr(`${"(".repeat(10_000)}x/y`).diagnostics.map((d) => d.code)).toEqual(["NP4008"]);
  });

  it("word their messages for people (inline snapshots)", () => {
    const messages = [
      parseClaim("allow from pods(app=web to pods").diagnostics,
      parseClaim("isolated ingress for").diagnostics,
      parseClaim("egress of pods within { a/b on tcp/53, }").diagnostics,
      parseSetExpr("any external").diagnostics,
      parsePortSpecs("tcp/http--x").diagnostics,
    ].map((ds) =>
      ds.map(
        (d) => `${d.code} ${d.source?.line}:${d.source?.column} ${d.message}${d.hint ? ` (${d.hint})` : ""}`,
      ),
    );
    expect(messages).toMatchInlineSnapshot(`
      [
        [
          "NP4001 1:25 expected \`)\` after \`web\`, found \`to\` (\`(\` at 1:16 is still open here)",
        ],
        [
          "NP4001 1:21 expected a set of endpoints (\`pods\`, \`namespace …\`, \`ns/name\`, an address, \`external\` or \`anything\`) after \`for\`, found the end of the input",
        ],
        [
          "NP4001 1:40 expected a set of endpoints (\`pods\`, \`namespace …\`, \`ns/name\`, an address, \`external\` or \`anything\`) after \`,\`, found \`}\`",
        ],
        [
          "NP4006 1:1 \`any\` applies to pod sets, not to \`external\` (write it before \`pods(…)\`, \`pod\`, \`namespace …\` or a parenthesised pod set)",
        ],
        [
          "NP4004 1:1 invalid port \`http--x\`: not a number, a range or a port name (a port name must not contain consecutive hyphens)",
        ],
      ]
    `);
  });
});
