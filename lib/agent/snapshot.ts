/**
 * Config snapshots: the agent validates a copy of the config dir (or of a Git revision) and
 * runs apply from that copy, so an edit made while it runs, or an invalid change, never
 * reaches a run: the last good snapshot stays in use until a new one validates.
 *
 * @module
 */
import { join } from "node:path";

/** A copy of a config, identified by its content. */
export interface Snapshot {
  readonly dir: string;
  /** SHA-256 over the paths, types, modes and contents of the tree. */
  readonly digest: string;
}

/** Copies a directory tree, leaving out `.git`; links are copied as links. */
export async function copyTree(src: string, dest: string): Promise<void> {
  await Deno.mkdir(dest, { recursive: true, mode: 0o700 });
  for await (const entry of Deno.readDir(src)) {
    if (entry.name === ".git") continue;
    const from = join(src, entry.name);
    const to = join(dest, entry.name);
    if (entry.isSymlink) await Deno.symlink(await Deno.readLink(from), to);
    else if (entry.isDirectory) {
      await copyTree(from, to);
      await Deno.chmod(to, (await Deno.stat(from)).mode! & 0o7777);
    } else if (entry.isFile) await Deno.copyFile(from, to);
  }
}

/** The content digest of a tree (hex), independent of where it lives and of mtimes. */
export async function treeDigest(dir: string): Promise<string> {
  const parts: string[] = [];
  await walk(dir, "", parts);
  parts.sort();
  const bytes = new TextEncoder().encode(parts.join("\n"));
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

async function walk(root: string, rel: string, out: string[]): Promise<void> {
  for await (const entry of Deno.readDir(join(root, rel))) {
    if (entry.name === ".git") continue;
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    const full = join(root, path);
    if (entry.isSymlink) out.push(`l ${path} ${await Deno.readLink(full)}`);
    else if (entry.isDirectory) await walk(root, path, out);
    else if (entry.isFile) {
      const mode = ((await Deno.stat(full)).mode ?? 0) & 0o7777;
      const sum = hex(await crypto.subtle.digest("SHA-256", await Deno.readFile(full)));
      out.push(`f ${path} ${mode.toString(8)} ${sum}`);
    }
  }
}

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The snapshots under one directory (`<state>/agent/config`). Each is made in a fresh
 * directory; the ones no run uses any more are removed.
 */
export class SnapshotStore {
  readonly root: string;
  readonly #inUse = new Map<string, number>();
  #seq = 0;

  constructor(root: string) {
    this.root = root;
  }

  /** Makes a new snapshot: `fill` writes the tree into the given (new, empty) directory. */
  async create(fill: (dir: string) => Promise<void>): Promise<Snapshot> {
    await Deno.mkdir(this.root, { recursive: true, mode: 0o700 });
    const dir = await Deno.makeTempDir({ dir: this.root, prefix: `${++this.#seq}-` });
    try {
      await fill(dir);
      return { dir, digest: await treeDigest(dir) };
    } catch (e) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw e;
    }
  }

  /** Marks a snapshot as used by a run; `release` undoes it. */
  retain(s: Snapshot): void {
    this.#inUse.set(s.dir, (this.#inUse.get(s.dir) ?? 0) + 1);
  }

  /** Ends a use of a snapshot. */
  release(s: Snapshot): void {
    const n = (this.#inUse.get(s.dir) ?? 1) - 1;
    if (n <= 0) this.#inUse.delete(s.dir);
    else this.#inUse.set(s.dir, n);
  }

  /** Removes every snapshot but `keep` and those in use. */
  async prune(keep: readonly Snapshot[]): Promise<void> {
    const kept = new Set([...keep.map((s) => s.dir), ...this.#inUse.keys()]);
    try {
      for await (const entry of Deno.readDir(this.root)) {
        const dir = join(this.root, entry.name);
        if (!kept.has(dir)) await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
}
