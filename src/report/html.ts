/**
 * `-o html`: one self-contained page — summary, guarantees, findings, connectivity changes and an
 * interactive graph of namespaces → workloads with allowed edges and ports, before/after
 * highlighting. The graph is laid out when the report is written (layout.ts, Graphviz in wasm) and
 * embedded as SVG with its data; style and script are inline and the Content-Security-Policy forbids
 * every network fetch, so the page works offline. `renderHtml` is a pure text builder.
 */
import { STATUS_COLORS } from "./dot.js";
import { SCRIPT, STYLE } from "./html-assets.js";
import type { ChangeEntry, CheckReport, Finding, GuaranteeEntry } from "./types.js";
import { CHANGE_MARK, locationText, plural, risksText, standaloneFindings, verdictLine } from "./words.js";

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** JSON inside a <script> element: `<` escaped so no `</script>` or `<!--` can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

function card(title: string, value: string, detail: string): string {
  return `<div class="card">${esc(title)}<b>${esc(value)}</b><span class="muted">${esc(detail)}</span></div>`;
}

function guaranteeRow(g: GuaranteeEntry): string {
  const details = [
    g.statement,
    ...(g.counterexample ? ["", "counterexample:", ...g.counterexample.text] : []),
  ];
  return `<tr><td class="v-${g.verdict}">${g.verdict}</td><td><b>${esc(g.name)}</b><pre>${esc(details.join("\n"))}</pre></td><td><code>${esc(locationText(g.location))}</code></td></tr>`;
}

function findingRow(f: Finding): string {
  return `<tr><td class="sev-${f.severity}">${f.severity}</td><td><code>${f.code}</code></td><td>${f.location ? `<code>${esc(locationText(f.location))}</code>` : ""}</td><td>${esc(f.message)}${f.hint ? `<br><span class="muted">hint: ${esc(f.hint)}</span>` : ""}</td></tr>`;
}

function changeRow(c: ChangeEntry): string {
  return `<tr class="t-${c.type}"><td>${CHANGE_MARK[c.type]} ${c.type}</td><td><code>${esc(c.src.name)}</code></td><td><code>${esc(c.dst.name)}</code></td><td>${esc(c.before)}</td><td>${esc(c.after)}</td><td class="risk">${esc(risksText(c))}</td><td>${c.location ? `<code>${esc(locationText(c.location))}</code>` : ""}</td></tr>`;
}

function table(head: readonly string[], rows: readonly string[]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

export function renderHtml(r: CheckReport, svg: string): string {
  const s = r.summary;
  const base = r.inputs.base;
  const findings = standaloneFindings(r);
  const legend = (["unchanged", "added", "removed", "changed"] as const)
    .map(
      (k) =>
        `<span><i style="border-color:${STATUS_COLORS[k]}${k === "removed" ? ";border-top-style:dashed" : ""}"></i>${k}</span>`,
    )
    .join("");
  const parts = [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>netpolc check: ${s.verdict === "pass" ? "passed" : "failed"}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    `<body data-view="${base ? "changes" : "after"}">`,
    `<header class="${s.verdict}"><h1>${s.verdict === "pass" ? "✓" : "✗"} netpolc ${esc(verdictLine(r))}</h1>`,
    `<p>${esc(r.inputs.head.join(" "))}${base ? ` compared with ${esc(base.name)}` : ""}${r.inputs.guarantees ? ` · guarantees ${esc(r.inputs.guarantees)}` : ""}${r.inputs.sensitiveNamespaces.length > 0 ? ` · sensitive: ${esc(r.inputs.sensitiveNamespaces.join(", "))}` : ""}</p></header>`,
    "<main>",
    '<section id="summary"><h2>Summary</h2><div class="cards">',
    card(
      "Guarantees",
      `${s.guarantees.holds} / ${s.guarantees.holds + s.guarantees.fails + s.guarantees.unknown} hold`,
      `${s.guarantees.fails} fail, ${s.guarantees.unknown} undecided`,
    ),
    card(
      "Findings",
      plural(s.findings.error, "error", "errors"),
      `${plural(s.findings.warning, "warning", "warnings")}, ${plural(s.findings.info, "note", "notes")}`,
    ),
    r.changes
      ? card(
          "Connectivity changes",
          `${r.changes.length}`,
          `${s.changes.added} added, ${s.changes.removed} removed, ${s.changes.changed} changed, ${s.changes.risky} risky`,
        )
      : card("Connectivity changes", "—", "no base given"),
    "</div></section>",
    '<section id="graph-section"><h2>Graph</h2>',
    r.graph.note ? `<p class="muted">${esc(r.graph.note)}</p>` : "",
    '<div id="graph-tools">',
    `<label><input type="radio" name="view" value="after"${base ? "" : " checked"}> after (head)</label>`,
    base ? '<label><input type="radio" name="view" value="before"> before (base)</label>' : "",
    base ? '<label><input type="radio" name="view" value="changes" checked> changes highlighted</label>' : "",
    '<input id="search" type="search" placeholder="find a workload" aria-label="find a workload">',
    '<button id="zoom-in" type="button">+</button><button id="zoom-out" type="button">−</button><button id="zoom-reset" type="button">fit</button>',
    `<span class="legend">${legend}</span>`,
    "</div>",
    `<div id="graph-box"><div id="graph">${svg}</div><div id="panel"></div></div>`,
    "</section>",
  ];
  if (r.guarantees.length > 0)
    parts.push(
      `<section id="guarantees"><h2>Guarantees</h2>${table(["verdict", "guarantee", "where"], r.guarantees.map(guaranteeRow))}</section>`,
    );
  parts.push(
    `<section id="findings"><h2>Findings (${findings.length})</h2>${findings.length > 0 ? table(["severity", "code", "where", "message"], findings.map(findingRow)) : '<p class="muted">None.</p>'}</section>`,
  );
  if (r.changes)
    parts.push(
      `<section id="changes"><h2>Connectivity changes (${r.changes.length})</h2>${r.changes.length > 0 ? table(["change", "source", "destination", "before", "after", "risk", "where"], r.changes.map(changeRow)) : '<p class="muted">No change.</p>'}</section>`,
    );
  parts.push(
    "</main>",
    `<script type="application/json" id="netpolc-graph">${scriptJson({ level: r.graph.level, nodes: r.graph.nodes, edges: r.graph.edges })}</script>`,
    `<script>${SCRIPT}</script>`,
    "</body>",
    "</html>",
    "",
  );
  return parts.filter((p) => p !== "").join("\n");
}
