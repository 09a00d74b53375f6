/**
 * loadPaths: directory walks (sorted, extension filter), explicit files, unreadable and binary files,
 * the size limit, duplicates across files, and a 20 MB input.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { loadPaths } from "../../src/parser/index.js";
import { readStdin } from "../../src/parser/load.js";
import { resolveParseOptions } from "../../src/parser/options.js";
import { brief, names, pod } from "./support/manifests.js";

const TREE = join(import.meta.dirname, "cases", "tree");
const tmp = mkdtempSync(join(tmpdir(), "netpolc-parser-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

describe("loadPaths", () => {
  it("walks a directory in sorted order, reading only manifest extensions", async () => {
    const r = await loadPaths([TREE]);
    expect(names(r)).toEqual(["Namespace/shop", "Pod/db-0", "NetworkPolicy/db-from-web", "Pod/web-0"]);
    expect(
      r.diagnostics.map(
        (d) => `${d.code} ${d.severity} ${d.source?.file.slice(TREE.length + 1)}:${d.source?.line}`,
      ),
    ).toEqual(["NP1006 warning z-connlist.json:1", "NP2012 warning nested/d-web-v2.yaml:2"]);
  });

  it("lets the later of two definitions win and names the earlier one", async () => {
    const r = await loadPaths([TREE]);
    const web = r.objects.find((o) => o.metadata.name === "web-0");
    expect(web?.metadata.labels).toEqual({ app: "web", version: "v2" });
    expect(r.diagnostics.find((d) => d.code === "NP2012")?.message).toContain(
      `${join(TREE, "a-namespace.yaml")}:8:1`,
    );
    const strict = await loadPaths([TREE], { strict: true });
    expect(strict.objects.find((o) => o.metadata.name === "web-0")?.metadata.labels).toEqual({ app: "web" });
  });

  it("reads an explicitly named file whatever its extension, and each file once", async () => {
    const txt = write("pod.txt", pod("a"));
    const r = await loadPaths([txt, join(tmp, ".", "pod.txt")]);
    expect(names(r)).toEqual(["Pod/a"]);
    expect(r.diagnostics).toEqual([]);
  });

  it("reports missing paths, empty, binary and non-UTF-8 files", async () => {
    const r = await loadPaths([
      join(tmp, "missing.yaml"),
      write("empty.yaml", ""),
      write("nul.yaml", new Uint8Array([0x61, 0x3a, 0x00, 0x0a])),
      write("latin1.yaml", new Uint8Array([0x61, 0x3a, 0x20, 0xe9, 0x0a])),
      write("ok.yaml", pod("ok")),
    ]);
    expect(names(r)).toEqual(["Pod/ok"]);
    expect(brief(r.diagnostics)).toEqual([
      "NP1001 error 1:1",
      "NP1004 warning 1:1",
      "NP1005 error 1:1",
      "NP1005 error 1:1",
    ]);
  });

  it("reads stdin (`-`) as a file named <stdin>, within the size limit", async () => {
    const opts = resolveParseOptions({ maxFileBytes: 1000 });
    const r = await readStdin(
      opts,
      Readable.from([Buffer.from(pod("a").slice(0, 50)), Buffer.from(pod("a").slice(50))]),
    );
    expect(r.objects.map((o) => `${o.source.file}:${o.metadata.name}`)).toEqual(["<stdin>:a"]);
    const big = await readStdin(opts, Readable.from([Buffer.alloc(600, 32), Buffer.alloc(600, 32)]));
    expect(brief(big.diagnostics)).toEqual(["NP1009 error 1:1"]);
  });

  it("rejects a file above maxFileBytes without parsing it (NP1009)", async () => {
    const big = write("big.yaml", pod("big"));
    const r = await loadPaths([big], { maxFileBytes: 100 });
    expect(r.objects).toEqual([]);
    expect(brief(r.diagnostics)).toEqual(["NP1009 error 1:1"]);
    expect(r.diagnostics[0]?.message).toMatch(/larger than the input limit of 100 bytes/);
  });

  it("parses a 20 MB file completely in reasonable time", async () => {
    const parts: string[] = [];
    let size = 0;
    let count = 0;
    while (size < 20 * 1024 * 1024) {
      const doc = `---\n${pod(`pod-${count}`).replace("namespace: ns", `namespace: ns-${count % 50}`)}status: {podIP: 10.${(count >> 16) & 255}.${(count >> 8) & 255}.${count & 255}}\n`;
      parts.push(doc);
      size += doc.length;
      count++;
    }
    const path = write("twenty.yaml", parts.join(""));
    const started = performance.now();
    const r = await loadPaths([path]);
    const ms = performance.now() - started;
    console.info(`parser: ${count} pods, ${(size / 1048576).toFixed(1)} MiB in ${Math.round(ms)} ms`);
    expect(r.diagnostics).toEqual([]);
    expect(r.objects.length).toBe(count);
    expect(r.objects[count - 1]?.source.line).toBe((count - 1) * 13 + 2);
    expect(ms).toBeLessThan(45_000);
  }, 60_000);
});
