/**
 * DOT → SVG with Graphviz compiled to WebAssembly (@viz-js/viz), in this process: the HTML report
 * embeds the drawing, so viewing it needs no network and no Graphviz. The instance is created once
 * per process.
 */
import { instance, type Viz } from "@viz-js/viz";

let viz: Promise<Viz> | undefined;

export async function layoutSvg(dot: string): Promise<string> {
  viz ??= instance();
  const r = (await viz).render(dot, { format: "svg" });
  if (r.status !== "success") throw new Error(`graphviz: ${r.errors.map((e) => e.message).join("; ")}`);
  // The XML prologue and DOCTYPE are not wanted inside HTML.
  return r.output.slice(r.output.indexOf("<svg"));
}
