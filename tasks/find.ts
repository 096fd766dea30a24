/**
 * `find`: the files (or directories, or links) under some paths that match, as Ansible's find
 * module: `patterns` (globs, or regexes with `use_regex`) on the name, `excludes`, `contains`
 * (a regex on the content), `age`, `size`, `hidden`, `recurse`, `depth`, `follow`. It
 * registers `files` (stat dicts with `path`), `matched` and `examined`; it never changes
 * anything.
 *
 * @module
 */
import * as z from "zod";
import { createHash } from "node:crypto";
import type { FileStat, Host } from "../lib/apply/host.ts";
import { defineTask } from "../lib/apply/task.ts";
import { fnmatchRegex } from "../lib/fnmatch.ts";
import { pyRegex } from "../lib/pyregex.ts";
import { Accounts, bool } from "./_attrs.ts";
import { describe } from "./stat.ts";

const list = z.union([z.string(), z.array(z.string())]).transform((v) =>
  typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v
);

const schema = z.strictObject({
  paths: list,
  patterns: list.default([]),
  excludes: list.default([]),
  contains: z.string().optional(),
  read_whole_file: bool.default(false),
  file_type: z.enum(["file", "directory", "link", "any"]).default("file"),
  recurse: bool.default(false),
  hidden: bool.default(false),
  follow: bool.default(false),
  get_checksum: bool.default(false),
  use_regex: bool.default(false),
  depth: z.number().int().positive().optional(),
  age: z.string().regex(/^-?\d+[smhdw]?$/, "expected an age like 3d or -1w").optional(),
  age_stamp: z.enum(["atime", "ctime", "mtime"]).default("mtime"),
  size: z.string().regex(/^-?\d+[bkmgt]?$/, "expected a size like 10m or -1k").optional(),
  mode: z.string().optional(),
  exact_mode: bool.default(true),
  encoding: z.string().optional(),
}).transform(({ patterns, ...p }) => ({
  ...p,
  patterns: patterns.length > 0 ? patterns : [p.use_regex ? ".*" : "*"],
}));

type Params = z.output<typeof schema>;

const AGE_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** Ansible's pfilter: a name matches a pattern and no exclude. */
function nameMatches(name: string, p: Params): boolean {
  const test = (pattern: string) =>
    p.use_regex ? pyRegex(pattern).match(name) !== null : fnmatchRegex(pattern).test(name);
  return p.patterns.some(test) && !p.excludes.some(test);
}

/** Ansible's agefilter: positive ages select older files, negative ones newer. */
function ageMatches(st: FileStat, p: Params, now: number): boolean {
  if (p.age === undefined) return true;
  const m = /^(-?\d+)([smhdw]?)$/.exec(p.age)!;
  const seconds = Number(m[1]) * AGE_UNITS[m[2] || "s"]!;
  const stamp = (p.age_stamp === "atime" ? st.atime : st.mtime)?.getTime() ?? 0;
  const age = (now - stamp) / 1000;
  return seconds >= 0 ? age >= seconds : age <= -seconds;
}

function sizeMatches(st: FileStat, p: Params): boolean {
  if (p.size === undefined) return true;
  const m = /^(-?\d+)([bkmgt]?)$/.exec(p.size)!;
  const bytes = Number(m[1]) * SIZE_UNITS[m[2] || "b"]!;
  return bytes >= 0 ? st.size >= bytes : st.size <= -bytes;
}

function modeMatches(st: FileStat, p: Params): boolean {
  if (p.mode === undefined) return true;
  const want = parseInt(p.mode, 8);
  return p.exact_mode ? (st.mode & 0o7777) === want : (st.mode & want) === want;
}

async function contentMatches(host: Host, path: string, p: Params): Promise<boolean> {
  if (p.contains === undefined) return true;
  const re = pyRegex(p.contains);
  const text = new TextDecoder().decode(await host.readBytes(path));
  // Ansible matches the whole file (read_whole_file) with search, else each line with match.
  return p.read_whole_file
    ? re.search(text) !== null
    : text.split("\n").some((line) => re.match(line) !== null);
}

function typeMatches(st: FileStat, type: Params["file_type"]): boolean {
  return type === "any" ||
    (type === "file" && st.isFile) ||
    (type === "directory" && st.isDirectory) ||
    (type === "link" && st.isSymlink);
}

/** What find found. */
interface Found {
  files: Record<string, unknown>[];
  examined: number;
  skipped_paths: Record<string, string>;
}

async function find(p: Params, host: Host): Promise<Found> {
  const out: Found = { files: [], examined: 0, skipped_paths: {} };
  const accounts = new Accounts(host);
  const now = Date.now();
  const walk = async (dir: string, depth: number): Promise<void> => {
    let names: string[];
    try {
      names = await host.readDir(dir);
    } catch (e) {
      out.skipped_paths[dir] = (e as Error).message;
      return;
    }
    const subdirs: string[] = [];
    for (const name of names) {
      const path = `${dir.replace(/\/$/, "")}/${name}`;
      const st = await host.stat(path, { follow: p.follow });
      if (!st) continue;
      if (st.isDirectory) subdirs.push(path);
      if (name.startsWith(".") && !p.hidden) continue;
      out.examined++;
      if (!typeMatches(st, p.file_type) || !nameMatches(name, p)) continue;
      if (!ageMatches(st, p, now) || !sizeMatches(st, p) || !modeMatches(st, p)) continue;
      if (st.isFile && !(await contentMatches(host, path, p))) continue;
      const { exists: _exists, ...info } = describe(path, st);
      const user = await accounts.user(st.uid);
      const group = await accounts.group(st.gid);
      out.files.push({
        ...info,
        ...(user ? { pw_name: user.name } : {}),
        ...(group ? { gr_name: group.name } : {}),
        ...(p.get_checksum && st.isFile
          ? { checksum: createHash("sha1").update(await host.readBytes(path)).digest("hex") }
          : {}),
      });
    }
    if (!p.recurse || (p.depth !== undefined && depth >= p.depth)) return;
    for (const sub of subdirs) {
      if (!p.hidden && sub.slice(sub.lastIndexOf("/") + 1).startsWith(".")) continue;
      await walk(sub, depth + 1);
    }
  };
  for (const path of p.paths) {
    const st = await host.stat(path);
    if (!st?.isDirectory) {
      out.skipped_paths[path] =
        `${path} was skipped as it does not seem to be a valid directory or it cannot be accessed`;
      continue;
    }
    await walk(path, 1);
  }
  return out;
}

/** The find task. */
export const findTask = defineTask({
  type: "find",
  schema,
  mainParam: "paths",
  read: find,
  plan: () => [],
  apply: () => Promise.resolve(),
  result: (_p, found) => ({ ...found, matched: found.files.length }),
});
