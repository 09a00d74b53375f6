/**
 * Files, directories and stdin → one ParseResult. Directories are walked recursively in sorted order
 * (code-unit order of names, so results do not depend on the file system) and only `.yaml`, `.yml`
 * and `.json` files are read from them; a file named explicitly is read whatever its extension. `-` is
 * stdin. A file reached twice (named twice, or through a symbolic link) is read once.
 */
import { type Dirent, promises as fs } from "node:fs";
import { extname, join } from "node:path";
import { type Diagnostic, diagnostic } from "../common/index.js";
import { type FileResult, parseFile } from "./document.js";
import { resolveDuplicates } from "./duplicates.js";
import type { K8sObject, OtherObject } from "./k8s.js";
import {
  type ParseOptions,
  type ParseResult,
  type ResolvedParseOptions,
  resolveParseOptions,
} from "./options.js";

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);
export const STDIN_NAME = "<stdin>";

export async function loadPaths(paths: readonly string[], options?: ParseOptions): Promise<ParseResult> {
  const opts = resolveParseOptions(options);
  const objects: K8sObject[] = [];
  const others: OtherObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (r: FileResult) => {
    objects.push(...r.objects);
    others.push(...r.others);
    diagnostics.push(...r.diagnostics);
  };
  const visit = async (path: string, explicit: boolean): Promise<void> => {
    // 1. Identify the path (stdin, file, directory), reading each real file once.
    if (path === "-" && explicit) return add(await readStdin(opts));
    let real: string;
    let stat: Awaited<ReturnType<typeof fs.stat>>;
    try {
      real = await fs.realpath(path);
      stat = await fs.stat(real);
    } catch (e) {
      diagnostics.push(unreadable(path, e));
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    // 2. Directories: recurse in sorted order; only manifest extensions.
    if (stat.isDirectory()) {
      let entries: Dirent[];
      try {
        entries = await fs.readdir(path, { withFileTypes: true });
      } catch (e) {
        diagnostics.push(unreadable(path, e));
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const child = join(path, entry.name);
        if (entry.isDirectory() || (entry.isSymbolicLink() && (await isDirectory(child))))
          await visit(child, false);
        else if (MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) await visit(child, false);
      }
      return;
    }
    // 3. Files: size limit before reading, then decode strictly.
    if (stat.size > opts.maxFileBytes) {
      diagnostics.push(tooLarge(path, stat.size, opts.maxFileBytes));
      return;
    }
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(real);
    } catch (e) {
      diagnostics.push(unreadable(path, e));
      return;
    }
    add(parseBytes(bytes, path, opts));
  };
  for (const p of paths) await visit(p, true);
  return resolveDuplicates(objects, others, diagnostics, opts.strict);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Bytes → text: NUL bytes or invalid UTF-8 mean a binary file (NP1005). A UTF-8 BOM is dropped. */
export function parseBytes(bytes: Uint8Array, file: string, opts: ResolvedParseOptions): FileResult {
  const empty: FileResult = { objects: [], others: [], diagnostics: [] };
  const nul = bytes.indexOf(0);
  let text: string | undefined;
  if (nul < 0) {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      text = undefined;
    }
  }
  if (text === undefined) {
    const why = nul >= 0 ? "it contains NUL bytes" : "it is not valid UTF-8";
    empty.diagnostics.push(
      diagnostic("NP1005", "error", `${file} is not a text file (${why}); skipped`, {
        source: { file, line: 1, column: 1 },
      }),
    );
    return empty;
  }
  return parseFile(text, file, opts);
}

/** Reads a stream (stdin by default) to its end, within the size limit, and parses it. */
export async function readStdin(
  opts: ResolvedParseOptions,
  stream: AsyncIterable<unknown> = process.stdin,
): Promise<FileResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > opts.maxFileBytes)
      return {
        objects: [],
        others: [],
        diagnostics: [tooLarge(STDIN_NAME, size, opts.maxFileBytes, "at least ")],
      };
    chunks.push(b);
  }
  return parseBytes(Buffer.concat(chunks), STDIN_NAME, opts);
}

function tooLarge(file: string, size: number, limit: number, qualifier = ""): Diagnostic {
  return diagnostic(
    "NP1009",
    "error",
    `${file} is ${qualifier}${size} bytes, larger than the input limit of ${limit} bytes; skipped`,
    {
      source: { file, line: 1, column: 1 },
      hint: "raise the limit (maxFileBytes) if the file is meant to be read",
    },
  );
}

function unreadable(path: string, e: unknown): Diagnostic {
  const code = (e as { code?: string }).code;
  const why =
    code === "ENOENT"
      ? "no such file or directory"
      : code === "EACCES"
        ? "permission denied"
        : e instanceof Error
          ? e.message
          : String(e);
  return diagnostic("NP1001", "error", `cannot read ${path}: ${why}`, {
    source: { file: path, line: 1, column: 1 },
  });
}
