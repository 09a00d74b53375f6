/**
 * The base of `netpolc check`: a directory (or file) as it is, or the same PATHs as they are in a git
 * commit, read with `git ls-tree` and `git cat-file` (no checkout, no change to the work tree or the
 * index) into a temporary directory that is removed once parsed. Files of a git base are named
 * `REF:path` (path from the repository's top) in messages.
 */
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export class UsageError extends Error {}

/** A base read into files: the paths to load, how to name its files, and the clean-up. */
export interface MaterialisedBase {
  readonly paths: readonly string[];
  readonly display: (file: string) => string;
  readonly cleanup: () => Promise<void>;
}

async function git(args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run("git", [...args], { cwd, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; code?: string | number };
    if (err.code === "ENOENT") throw new UsageError("--base-ref needs git, which was not found on PATH");
    throw new UsageError(`git ${args[0]} failed: ${(err.stderr ?? String(e)).trim()}`);
  }
}

interface TreeEntry {
  readonly object: string;
  readonly path: string;
}

/** Reads blobs through one `git cat-file --batch` process. */
function readBlobs(objects: readonly string[], cwd: string): Promise<Buffer[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => chunks.push(b));
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new UsageError(`git cat-file failed: ${stderr.trim()}`));
      const all = Buffer.concat(chunks);
      const out: Buffer[] = [];
      let at = 0;
      for (let i = 0; i < objects.length; i++) {
        const nl = all.indexOf(10, at);
        const header = all.subarray(at, nl).toString("utf8").split(" ");
        const size = Number(header[2]);
        if (header[1] !== "blob" || !Number.isInteger(size))
          return reject(new UsageError(`git cat-file: unexpected answer "${header.join(" ")}"`));
        out.push(all.subarray(nl + 1, nl + 1 + size));
        at = nl + 1 + size + 1;
      }
      resolvePromise(out);
    });
    child.stdin.end(objects.map((o) => `${o}\n`).join(""));
  });
}

/**
 * The head PATHs as they are in commit `ref`. A PATH that does not exist there (a new directory)
 * contributes nothing to the base.
 */
export async function materialiseGitBase(
  ref: string,
  headPaths: readonly string[],
): Promise<MaterialisedBase> {
  if (headPaths.includes("-")) throw new UsageError("--base-ref cannot be used with standard input ('-')");
  const cwd = process.cwd();
  const top = (await git(["rev-parse", "--show-toplevel"], cwd)).trim();
  const commit = (
    await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], top).catch(() => "")
  ).trim();
  if (!commit) throw new UsageError(`--base-ref ${ref}: no such commit`);
  // 1. Each PATH relative to the repository's top.
  const rels = headPaths.map((p) => {
    const rel = relative(top, resolve(cwd, p));
    if (rel.startsWith("..") || isAbsolute(rel))
      throw new UsageError(`--base-ref: ${p} is outside the git repository ${top}`);
    return rel.split(sep).join("/");
  });
  // 2. The blobs under them in the commit (symbolic links and submodules are left out).
  const listing = await git(
    ["ls-tree", "-r", "-z", "--full-tree", commit, "--", ...rels.map((r) => r || ".")],
    top,
  );
  const entries: TreeEntry[] = [];
  for (const line of listing.split("\0")) {
    const m = /^(\d+) blob ([0-9a-f]+)\t(.*)$/s.exec(line);
    if (m && m[1] !== "120000") entries.push({ object: m[2]!, path: m[3]! });
  }
  // 3. Written out under a temporary directory, mirroring the repository.
  const dir = await mkdtemp(join(tmpdir(), "netpolc-base-"));
  const blobs = await readBlobs(
    entries.map((e) => e.object),
    top,
  );
  for (let i = 0; i < entries.length; i++) {
    const file = join(dir, entries[i]!.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, blobs[i]!);
  }
  const paths: string[] = [];
  for (const r of rels) {
    const p = join(dir, r);
    if (
      await stat(p).then(
        () => true,
        () => false,
      )
    )
      paths.push(p);
  }
  const prefix = `${dir}${sep}`;
  return {
    paths,
    display: (file) =>
      file.startsWith(prefix) ? `${ref}:${file.slice(prefix.length).split(sep).join("/")}` : file,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Base directories or files, as they are. */
export async function directoryBase(paths: readonly string[]): Promise<MaterialisedBase> {
  for (const path of paths)
    try {
      await stat(path);
    } catch {
      throw new UsageError(`--base ${path}: no such file or directory`);
    }
  return { paths, display: (f) => f, cleanup: async () => {} };
}
