/**
 * File globs for log sources: `*`, `?`, `[abc]`, `[!abc]`, `{a,b}` within a path segment and
 * `**` across directories. A glob is compiled once into a regular expression and the static
 * directory it starts from, which is where the walk (and the inotify watch) begins.
 *
 * @module
 */
import { join } from "node:path";

/** A compiled glob. */
export interface Glob {
  readonly pattern: string;
  /** The longest directory prefix without wildcards. */
  readonly base: string;
  /** Matches full paths. */
  readonly regex: RegExp;
  /** Per-segment matchers below `base`, or undefined when the glob has `**`. */
  readonly segments: readonly RegExp[] | undefined;
}

/** Deepest directory level `**` descends to (Filebeat stops at 8; deep trees are rare). */
export const MAX_DEPTH = 16;

const SPECIAL = /[*?[{]/;

/**
 * Compiles an absolute glob.
 *
 * @example
 * ```ts
 * const g = compileGlob("/var/log/**\/*.log");
 * g.base; // "/var/log"
 * g.regex.test("/var/log/nginx/access.log"); // true
 * ```
 */
export function compileGlob(pattern: string): Glob {
  const parts = pattern.split("/");
  let i = 0;
  while (i < parts.length - 1 && !SPECIAL.test(parts[i]!)) i++;
  if (!SPECIAL.test(parts[i] ?? "")) i = parts.length - 1; // no wildcard: the file itself
  const base = parts.slice(0, i).join("/") || "/";
  const rest = parts.slice(i);
  const recursive = rest.includes("**");
  return {
    pattern,
    base,
    regex: new RegExp(`^${globToRegex(pattern)}$`),
    segments: recursive ? undefined : rest.map((s) => new RegExp(`^${segmentToRegex(s)}$`)),
  };
}

/** A glob's regular expression source: `**` spans directories, `*` and `?` do not. */
export function globToRegex(pattern: string): string {
  let out = "";
  const parts = pattern.split("/");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const last = i === parts.length - 1;
    if (p === "**") {
      // `a/**/b` matches a/b, a/x/b, a/x/y/b; a trailing `**` matches everything below.
      out += last ? ".*" : "(?:[^/]*/)*";
      continue;
    }
    out += segmentToRegex(p) + (last ? "" : "/");
  }
  return out;
}

function segmentToRegex(segment: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end < 0) out += "\\[";
      else {
        let body = segment.slice(i + 1, end);
        if (body.startsWith("!")) body = "^" + body.slice(1);
        out += `[${body.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (c === "{") {
      depth++;
      out += "(?:";
    } else if (c === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (c === "," && depth > 0) out += "|";
    else out += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return out;
}

/** An exclude: a glob without "/" matches the file name, one with "/" the whole path. */
export function compileExclude(pattern: string): (path: string) => boolean {
  if (!pattern.includes("/")) {
    const re = new RegExp(`^${segmentToRegex(pattern)}$`);
    return (path) => re.test(path.slice(path.lastIndexOf("/") + 1));
  }
  const re = new RegExp(`^${globToRegex(pattern)}$`);
  return (path) => re.test(path);
}

/** Files never read: compressed rotations are not text. */
const COMPRESSED = /\.(gz|bz2|xz|zst|zip|lz4|z)$/i;

/** True when a path names a compressed file, which tailing skips. */
export function isCompressed(path: string): boolean {
  return COMPRESSED.test(path);
}

/**
 * The regular files a glob matches now. Symlinked files are followed; symlinked directories are
 * not descended into by `**` (loops). Unreadable directories are skipped.
 */
export async function expandGlob(glob: Glob): Promise<string[]> {
  const out: string[] = [];
  if (!SPECIAL.test(glob.pattern)) {
    try {
      if ((await Deno.stat(glob.pattern)).isFile) out.push(glob.pattern);
    } catch { /* not there (yet) */ }
    return out;
  }
  if (glob.segments) await walkSegments(glob.base, glob.segments, 0, out);
  else await walkAll(glob.base, glob.regex, 0, out);
  return out;
}

async function entries(dir: string): Promise<Deno.DirEntry[]> {
  const list: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) list.push(e);
  } catch { /* gone or unreadable */ }
  return list;
}

async function isFile(path: string, e: Deno.DirEntry): Promise<boolean> {
  if (e.isFile) return true;
  if (!e.isSymlink) return false;
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function walkSegments(dir: string, segs: readonly RegExp[], i: number, out: string[]) {
  const last = i === segs.length - 1;
  for (const e of await entries(dir)) {
    if (!segs[i]!.test(e.name)) continue;
    const path = join(dir, e.name);
    if (last) {
      if (await isFile(path, e)) out.push(path);
    } else if (e.isDirectory || e.isSymlink) {
      await walkSegments(path, segs, i + 1, out);
    }
  }
}

async function walkAll(dir: string, regex: RegExp, depth: number, out: string[]) {
  for (const e of await entries(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) {
      if (depth < MAX_DEPTH) await walkAll(path, regex, depth + 1, out);
    } else if (regex.test(path) && await isFile(path, e)) out.push(path);
  }
}
