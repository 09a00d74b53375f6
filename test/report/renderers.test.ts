/**
 * Renderer details as tables of named cases: escaping in each format, what each shows or leaves out,
 * and the limits that keep a pull-request comment readable.
 */
import { describe, expect, it } from "vitest";
import {
  fileUri,
  MARKDOWN_LIMITS,
  renderGithub,
  renderHtml,
  renderMarkdown,
  renderText,
} from "../../src/report/index.js";
import { xmlAttr, xmlText } from "../../src/report/xml.js";
import { change, report } from "./support/sample.js";

describe("github workflow commands", () => {
  const lines = renderGithub(report()).trimEnd().split("\n");
  it("one annotation per error and warning, then the verdict", () => {
    expect(lines.map((l) => l.slice(0, l.indexOf(" ")))).toEqual([
      "::error",
      "::warning",
      "::warning",
      "::warning",
      "netpolc:",
    ]);
    expect(lines.at(-1)).toBe("netpolc: check failed: 1 guarantee fails (--fail-on error)");
  });
  it("escapes data (%, CR, LF) and properties (also : and ,)", () => {
    const w = lines.find((l) => l.includes("NP1008"))!;
    expect(w).toContain("::warning file=policies/api.yaml,line=5,col=1,title=netpolc NP1008::");
    expect(w).toContain("% percent".replace("%", "%25"));
    expect(w).toContain("line%0Abreak");
    expect(w).not.toMatch(/\n/);
    expect(
      renderGithub(
        report({
          diagnostics: [
            {
              code: "NP5003",
              severity: "warning",
              message: "m",
              source: { file: "a:b,c.yaml", line: 1, column: 1 },
            },
          ],
        }),
      ),
    ).toContain("::warning title=netpolc NP5003::m");
  });
  it("the guarantee's counterexample follows its message", () => {
    expect(lines[0]).toBe(
      "::error file=guarantees.ng,line=1,col=1,title=netpolc NP6001::guarantee api-sealed does not hold: 10.0.0.0 → shop/api-0 on TCP/443 is allowed%0Aingress: quote \" apostrophe ' <tag> & amp %25 percent, comma: colon | pipe `tick` line%0Abreak \u0007bell",
    );
  });
  it("notes only when they fail the check", () => {
    expect(renderGithub(report({}, "connectivity-change"))).toContain(
      "::notice file=policies/api.yaml,line=12,col=7,title=netpolc NP6007::",
    );
    expect(renderGithub(report())).not.toContain("::notice");
  });
});

describe("markdown", () => {
  it("verdict first, then the changes table, then folded details", () => {
    const md = renderMarkdown(report());
    expect(md.split("\n")[0]).toBe("### ❌ netpolc check failed");
    expect(md.indexOf("| | source | destination |")).toBeLessThan(md.indexOf("<details>"));
    expect(md).toContain("<summary>Guarantees: 1 hold, 1 fail, 0 undecided</summary>");
  });
  it("table cells hold no HTML, pipe or line break", () => {
    const md = renderMarkdown(report());
    const row = md.split("\n").find((l) => l.includes("NP1008"))!;
    expect(row).toContain("&lt;tag&gt; &amp; amp % percent, comma: colon \\| pipe `tick` line<br>break");
  });
  it("cuts long lists and stays under the comment limit", () => {
    const changes = Array.from({ length: 5000 }, (_, i) =>
      change({
        dst: { name: `shop/app-${i}[Deployment]`, kind: "workload", namespace: "shop" },
        fingerprint: `${i}`.padStart(32, "0"),
      }),
    );
    const md = renderMarkdown(report({ changes }));
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_LIMITS.chars + 200);
    expect(md).toContain(`…and ${5000 - MARKDOWN_LIMITS.table} more.`);
    expect(md).toContain(`<summary>All connectivity changes (5000)</summary>`);
  });
});

describe("text", () => {
  it("ends with the verdict; colours only when asked", () => {
    const plain = renderText(report());
    expect(plain.trimEnd().split("\n").at(-1)).toBe("✗ check failed: 1 guarantee fails (--fail-on error)");
    expect(plain).not.toContain("\x1b[");
    expect(renderText(report(), { color: true })).toContain("\x1b[31m✗ check failed");
  });
});

describe("html", () => {
  const html = renderHtml(report(), '<svg width="10pt" height="10pt" viewBox="0 0 10 10"></svg>');
  it("fetches nothing: a CSP forbidding the network, no external reference", () => {
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`,
    );
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
  it("escapes text, and the embedded data cannot close its script element", () => {
    expect(html).not.toContain("<tag>");
    expect(html).toContain("&lt;tag&gt;");
    const withScript = renderHtml(
      report({
        graph: {
          level: "workload",
          scope: "all",
          nodes: [{ id: "n0", label: "</script><b>", kind: "workload", status: "added" }],
          edges: [],
        },
      }),
      "<svg></svg>",
    );
    const data = withScript.slice(withScript.indexOf('id="netpolc-graph">'));
    expect(data.slice(0, data.indexOf("</script>"))).toContain("\\u003c/script>\\u003cb>");
  });
});

describe("escaping helpers", () => {
  it.each([
    ["XML text", xmlText("a<b>&c\u0001d\n"), "a&lt;b&gt;&amp;cd\n"],
    ["XML attribute", xmlAttr('say "hi"\n\tnow'), "say &quot;hi&quot;&#10;&#9;now"],
    ["relative file URI", fileUri("fixtures/my demo/a#1.yaml"), "fixtures/my%20demo/a%231.yaml"],
    ["absolute file URI", fileUri("/srv/repo/p.yaml"), "file:///srv/repo/p.yaml"],
    ["standard input has no URI", fileUri("<stdin>"), undefined],
  ])("%s", (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });
});
