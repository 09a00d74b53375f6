/**
 * The HTML report's style sheet and script, inlined into the page (no network at view time; the
 * page's Content-Security-Policy allows nothing else). The script reads the graph's data from the
 * page, and makes the drawing interactive: before / after / changes-only views, a click on a node
 * highlights its edges and lists them, a search box finds a workload, zoom buttons.
 */

export const STYLE = `
:root { color-scheme: light; --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; --chg:#bc4c00; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif; color:var(--fg); background:#f6f8fa; }
header { padding:16px 24px; color:#fff; }
header.pass { background:var(--ok); } header.fail { background:var(--bad); }
header h1 { margin:0 0 4px; font-size:22px; } header p { margin:0; opacity:.95; }
main { padding:16px 24px 48px; max-width:1600px; }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 16px; margin:0 0 16px; }
h2 { font-size:16px; margin:0 0 8px; }
.cards { display:flex; gap:12px; flex-wrap:wrap; }
.card { flex:1 1 180px; background:#fff; border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
.card b { display:block; font-size:22px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; border-bottom:1px solid var(--line); padding:4px 8px; vertical-align:top; }
th { background:#f6f8fa; position:sticky; top:0; }
code, pre { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12px; }
pre { background:#f6f8fa; padding:8px; border-radius:6px; overflow:auto; margin:4px 0; white-space:pre-wrap; }
.sev-error, .v-fails { color:var(--bad); font-weight:600; } .sev-warning, .v-unknown { color:var(--warn); font-weight:600; }
.sev-info { color:var(--muted); } .v-holds { color:var(--ok); font-weight:600; }
.t-added { color:var(--ok); } .t-removed { color:var(--bad); } .t-changed { color:var(--chg); }
.risk { color:var(--bad); }
.muted { color:var(--muted); }
#graph-tools { display:flex; gap:12px; align-items:center; flex-wrap:wrap; margin:0 0 8px; }
#graph-tools label { cursor:pointer; }
#graph-box { display:flex; gap:12px; align-items:flex-start; }
#graph { flex:1; overflow:auto; max-height:80vh; border:1px solid var(--line); border-radius:6px; background:#fff; }
#graph svg { display:block; }
#panel { width:340px; flex:none; max-height:80vh; overflow:auto; font-size:12px; }
#panel td { overflow-wrap:anywhere; }
#panel:empty::before { content:"Click a workload to see its connections."; color:var(--muted); }
.legend span { margin-right:12px; white-space:nowrap; }
.legend i { display:inline-block; width:18px; height:0; border-top:3px solid; vertical-align:middle; margin-right:4px; }
body[data-view="after"] #graph .edge.st-removed, body[data-view="after"] #graph .node.st-removed { display:none; }
body[data-view="before"] #graph .edge.st-added, body[data-view="before"] #graph .node.st-added { display:none; }
body[data-view="changes"] #graph .edge.st-unchanged { opacity:.12; }
#graph svg.focus .node, #graph svg.focus .edge { opacity:.15; }
#graph svg.focus .hl { opacity:1 !important; }
#graph .node { cursor:pointer; }
#graph .node.match polygon, #graph .node.match path { stroke:#0969da; stroke-width:3; }
`;

export const SCRIPT = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("netpolc-graph").textContent);
  var svg = document.querySelector("#graph svg");
  var panel = document.getElementById("panel");
  if (!svg) return;
  var nodes = {}, edgesOf = {};
  data.nodes.forEach(function (n) { nodes[n.id] = n; edgesOf[n.id] = []; });
  data.edges.forEach(function (e) { edgesOf[e.src].push(e); if (e.dst !== e.src) edgesOf[e.dst].push(e); });
  function name(n) { return n.namespace !== undefined ? n.namespace + "/" + n.label : n.label; }
  function el(tag, text, cls) { var x = document.createElement(tag); if (text !== undefined) x.textContent = text; if (cls) x.className = cls; return x; }
  function clear() {
    svg.classList.remove("focus");
    svg.querySelectorAll(".hl").forEach(function (x) { x.classList.remove("hl"); });
    panel.textContent = "";
  }
  function focus(id) {
    clear();
    var n = nodes[id];
    if (!n) return;
    svg.classList.add("focus");
    document.getElementById(id).classList.add("hl");
    panel.appendChild(el("h2", name(n)));
    if (n.status !== "unchanged") panel.appendChild(el("p", "workload " + n.status, "t-" + n.status));
    var table = el("table");
    var head = el("tr");
    ["", "peer", "before", "after"].forEach(function (h) { head.appendChild(el("th", h)); });
    table.appendChild(head);
    edgesOf[id].forEach(function (e) {
      document.getElementById(e.id).classList.add("hl");
      var other = e.src === id ? e.dst : e.src;
      document.getElementById(other).classList.add("hl");
      var tr = el("tr", undefined, "t-" + e.status);
      tr.appendChild(el("td", e.src === id ? "→" : "←"));
      tr.appendChild(el("td", name(nodes[other]) + (e.risky ? " ⚠" : "")));
      tr.appendChild(el("td", e.before === undefined ? "—" : e.before));
      tr.appendChild(el("td", e.after === undefined ? "—" : e.after));
      table.appendChild(tr);
    });
    panel.appendChild(table);
  }
  svg.querySelectorAll(".node").forEach(function (g) {
    g.addEventListener("click", function (ev) { ev.stopPropagation(); focus(g.id); });
  });
  svg.addEventListener("click", clear);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") clear(); });
  document.querySelectorAll("input[name=view]").forEach(function (r) {
    r.addEventListener("change", function () { document.body.dataset.view = r.value; });
  });
  var search = document.getElementById("search");
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    data.nodes.forEach(function (n) {
      document.getElementById(n.id).classList.toggle("match", q !== "" && name(n).toLowerCase().indexOf(q) >= 0);
    });
  });
  // The drawing starts at its natural size, or narrower to fit the box; zoom scales that width
  // (the viewBox keeps the ratio).
  var natural = svg.viewBox.baseVal.width * 4 / 3, scale = 1;
  svg.removeAttribute("height");
  function zoom(f) {
    scale = f === 0 ? 1 : Math.min(8, Math.max(0.25, scale * f));
    var fit = Math.min(natural, document.getElementById("graph").clientWidth - 2);
    svg.setAttribute("width", Math.round(fit * scale) + "px");
  }
  zoom(0);
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(0.8); });
  document.getElementById("zoom-reset").addEventListener("click", function () { zoom(0); });
  document.body.dataset.ready = "1";
})();
`;
