/**
 * Sources in the config dir (`files/`, `templates/`): copy's and script's `src` are files of the
 * config repo on this machine, not paths on the managed host, so they are read here with Deno's
 * file API, as the runner reads templates, while everything on the host goes through `Host`.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import type { SourceContext } from "../lib/apply/task.ts";

/**
 * Finds a source: absolute as given, else in each source dir (the role's dir, the task file's
 * dir, the config dir) under `<folder>/` first, then in the dir itself, as Ansible's
 * `_find_needle` does.
 */
export async function findSource(
  ctx: SourceContext,
  src: string,
  folder: "files" | "templates" | "vars",
): Promise<string> {
  if (isAbsolute(src)) {
    await Deno.lstat(src).catch((e) => {
      throw e instanceof Deno.errors.NotFound ? new Error(`could not find source ${src}`) : e;
    });
    return src;
  }
  const dirs = ctx.sourceDirs ?? [ctx.configDir];
  const candidates = dirs.flatMap((d) => [join(d, folder, src), join(d, src)]);
  for (const c of candidates) {
    try {
      await Deno.lstat(c);
      return c;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  const shown = dirs.map((d) => join(d, folder)).join(", ");
  throw new Error(
    `could not find ${JSON.stringify(src)} in ${shown} or ${dirs.join(", ")}`,
  );
}

/** One entry of a source tree, relative to its top. */
export type SourceEntry =
  | { readonly kind: "dir"; readonly rel: string; readonly mode: number }
  | {
    readonly kind: "file";
    readonly rel: string;
    readonly mode: number;
    /** Where it is: read when it is compared or copied, never held for the whole tree. */
    readonly path: string;
  }
  | { readonly kind: "symlink"; readonly rel: string; readonly target: string };

/** A local source file's bytes and permission bits. */
export async function readSourceFile(path: string): Promise<{ data: Uint8Array; mode: number }> {
  const info = await Deno.stat(path);
  if (info.isDirectory) throw new Error(`${path} is a directory`);
  return { data: await Deno.readFile(path), mode: (info.mode ?? 0o644) & 0o7777 };
}

/** A local source file's permission bits (following symlinks). */
export async function sourceMode(path: string): Promise<number> {
  const info = await Deno.stat(path);
  if (info.isDirectory) throw new Error(`${path} is a directory`);
  return (info.mode ?? 0o644) & 0o7777;
}

/** True when a local source is a directory (following symlinks). */
export async function isSourceDir(path: string): Promise<boolean> {
  return (await Deno.stat(path)).isDirectory;
}

/**
 * Every entry under a local directory, parents before children, sorted by name. Symlinks are
 * followed (Ansible's `local_follow: true`) unless `follow` is false, when they are kept as links.
 */
export async function readSourceTree(
  top: string,
  options: { follow?: boolean } = {},
): Promise<SourceEntry[]> {
  const follow = options.follow ?? true;
  const out: SourceEntry[] = [];
  const walk = async (dir: string, rel: string, depth: number) => {
    if (depth > 64) throw new Error(`source tree too deep (a symlink loop?): ${dir}`);
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    names.sort();
    for (const name of names) {
      const abs = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const l = await Deno.lstat(abs);
      if (l.isSymlink && !follow) {
        out.push({ kind: "symlink", rel: r, target: await Deno.readLink(abs) });
        continue;
      }
      const info = l.isSymlink ? await Deno.stat(abs).catch(() => undefined) : l;
      if (!info) continue; // a dangling link in the source: nothing to copy
      if (info.isDirectory) {
        out.push({ kind: "dir", rel: r, mode: (info.mode ?? 0o755) & 0o7777 });
        await walk(abs, r, depth + 1);
      } else {
        out.push({ kind: "file", rel: r, mode: (info.mode ?? 0o644) & 0o7777, path: abs });
      }
    }
  };
  await walk(top, "", 0);
  return out;
}
