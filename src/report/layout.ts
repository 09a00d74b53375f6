/**
 * DOT → SVG with Graphviz compiled to WebAssembly (@viz-js/viz), in this process: the HTML report
 * embeds the drawing, so viewing it needs no network and no Graphviz. The module is loaded only when
 * an HTML report is written, and its instance created once per process.
 */
import type { Viz } from "@viz-js/viz";

let viz: Promise<Viz> | undefined;

export async function layoutSvg(dot: string): Promise<string> {
  viz ??= import("@viz-js/viz").then((m) => m.instance());
  const r = (await viz).render(dot, { format: "svg" });
  if (r.status !== "success") throw new Error(`graphviz: ${r.errors.map((e) => e.message).join("; ")}`);
  // The XML prologue and DOCTYPE are not wanted inside HTML.
  return r.output.slice(r.output.indexOf("<svg"));
}
