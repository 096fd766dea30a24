/**
 * File globs for log sources: `*`, `?`, `[abc]`, `[!abc]`, `{a,b}` within a path segment and
 * `**` across directories. A glob is compiled once into a regular expression and the static
 * directory it starts from, which is where the walk (and the inotify watch) begins. The walk
 * also reports the rotated siblings of what the glob matches (`app.log.1`, `app.log-20240501`)
 * and the directories it could not read.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { expandHome } from "../config/paths.ts";

/** A compiled glob. */
export interface Glob {
  readonly pattern: string;
  /** The longest directory prefix without wildcards. */
  readonly base: string;
  /** Matches full paths. */
  readonly regex: RegExp;
  /** Per-segment matchers below `base`, or undefined when the glob has `**`. */
  readonly segments: readonly RegExp[] | undefined;
  /** Matches full paths of rotated siblings: a matched name plus a rotation suffix. */
  readonly rotated: RegExp;
  /** The same, for the last segment's name alone. */
  readonly rotatedName: RegExp;
}

/** What a walk found besides the matches. */
export interface WalkReport {
  /** Rotated siblings of matched names (not matched by the glob themselves). */
  readonly rotated: string[];
  /** Directories (or a named file) that exist but could not be read, and why. */
  readonly unreadable: { path: string; error: string }[];
}

/**
 * How logrotate and friends name a rotated file: `.1`, `-20240501`, `.2024-05-01`,
 * `.20240501T100000Z` (the file sink's own), with an optional time part.
 */
const ROTATION = String
  .raw`[._-](?:\d{1,4}|\d{8}(?:[T_-]?\d{2,6}Z?)?|\d{4}-\d{2}-\d{2}(?:[T_-][\d:-]{2,8})?)`;

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
  const last = parts.at(-1)!;
  return {
    pattern,
    base,
    regex: new RegExp(`^${globToRegex(pattern)}$`),
    segments: recursive ? undefined : rest.map((s) => new RegExp(`^${segmentToRegex(s)}$`)),
    rotated: new RegExp(`^${globToRegex(pattern)}${ROTATION}$`),
    rotatedName: new RegExp(`^${last === "**" ? ".*" : segmentToRegex(last)}${ROTATION}$`),
  };
}

/**
 * The globs and excludes of a source, `~/` expanded (other relative patterns stay as written).
 */
export function compileSourcePaths(
  source: { readonly paths: readonly string[]; readonly exclude?: readonly string[] | undefined },
): { globs: Glob[]; excludes: ((path: string) => boolean)[] } {
  return {
    globs: source.paths.map((p) => compileGlob(expandTilde(p))),
    excludes: (source.exclude ?? []).map((p) => compileExclude(expandTilde(p))),
  };
}

/** `~/x` is under the home dir; other paths are left as written. */
export function expandTilde(path: string): string {
  return path.startsWith("~/") ? expandHome(path) : path;
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
 * not descended into by `**` (loops). Directories that cannot be read are skipped, and listed
 * in `report` when one is given, with the rotated siblings of the matches.
 */
export async function expandGlob(glob: Glob, report?: WalkReport): Promise<string[]> {
  const out: string[] = [];
  if (!SPECIAL.test(glob.pattern)) {
    try {
      if ((await Deno.stat(glob.pattern)).isFile) out.push(glob.pattern);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        report?.unreadable.push({ path: glob.pattern, error: (e as Error).message });
      }
    }
    if (report) {
      // The rotated names beside a named file; an unlistable directory only hides those.
      const dir = dirname(glob.pattern);
      const name = basename(glob.pattern);
      for (const e of await entries(dir)) {
        if (e.name.startsWith(name) && glob.rotatedName.test(e.name)) {
          const path = join(dir, e.name);
          if (await isFile(path, e)) report.rotated.push(path);
        }
      }
    }
    return out;
  }
  if (glob.segments) await walkSegments(glob, glob.base, 0, out, report);
  else await walkAll(glob, glob.base, 0, out, report);
  return out;
}

async function entries(
  dir: string,
  unreadable?: WalkReport["unreadable"],
): Promise<Deno.DirEntry[]> {
  const list: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) list.push(e);
  } catch (e) {
    // Gone is normal (not created yet, removed); anything else is worth a warning.
    if (!(e instanceof Deno.errors.NotFound) && !(e instanceof Deno.errors.NotADirectory)) {
      unreadable?.push({ path: dir, error: (e as Error).message });
    }
  }
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

async function walkSegments(
  glob: Glob,
  dir: string,
  i: number,
  out: string[],
  report: WalkReport | undefined,
) {
  const segs = glob.segments!;
  const last = i === segs.length - 1;
  for (const e of await entries(dir, report?.unreadable)) {
    const path = join(dir, e.name);
    if (!segs[i]!.test(e.name)) {
      if (last && report && glob.rotatedName.test(e.name) && await isFile(path, e)) {
        report.rotated.push(path);
      }
      continue;
    }
    if (last) {
      if (await isFile(path, e)) out.push(path);
    } else if (e.isDirectory || e.isSymlink) {
      await walkSegments(glob, path, i + 1, out, report);
    }
  }
}

async function walkAll(
  glob: Glob,
  dir: string,
  depth: number,
  out: string[],
  report: WalkReport | undefined,
) {
  // Below the base, `**` reaches directories nobody named: an unreadable one is skipped quietly.
  for (const e of await entries(dir, depth === 0 ? report?.unreadable : undefined)) {
    const path = join(dir, e.name);
    if (e.isDirectory) {
      if (depth < MAX_DEPTH) await walkAll(glob, path, depth + 1, out, report);
    } else if (glob.regex.test(path)) {
      if (await isFile(path, e)) out.push(path);
    } else if (report && glob.rotated.test(path) && await isFile(path, e)) {
      report.rotated.push(path);
    }
  }
}
