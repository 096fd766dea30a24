/**
 * Finding where a followed file went (rotated while closed, or while driftless was stopped),
 * by its device and inode.
 *
 * @module
 */
import { dirname, join } from "node:path";

/**
 * Where moved files went, found by device and inode: first among the rotated siblings of a
 * scan, then by listing a file's directory (each directory once per scan).
 */
export class MovedFiles {
  readonly #candidates: readonly string[];
  #siblings: Map<string, string> | undefined;
  readonly #dirs = new Map<string, Map<string, string>>();

  constructor(candidates: readonly string[]) {
    this.#candidates = candidates;
  }

  /** Where the file with this device and inode is: a candidate, or in `oldPath`'s directory. */
  async find(oldPath: string, dev: number, ino: number): Promise<string | undefined> {
    const key = `${dev}:${ino}`;
    this.#siblings ??= await inodes(this.#candidates);
    const hit = this.#siblings.get(key);
    if (hit) return hit;
    const dir = dirname(oldPath);
    let byInode = this.#dirs.get(dir);
    if (!byInode) {
      const names: string[] = [];
      try {
        for await (const e of Deno.readDir(dir)) if (e.isFile) names.push(join(dir, e.name));
      } catch { /* dir gone */ }
      byInode = await inodes(names);
      this.#dirs.set(dir, byInode);
    }
    return byInode.get(key);
  }
}

async function inodes(paths: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const p of paths) {
    try {
      const st = await Deno.stat(p);
      out.set(`${st.dev}:${st.ino}`, p);
    } catch { /* gone */ }
  }
  return out;
}
