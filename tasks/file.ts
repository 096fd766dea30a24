/**
 * `file`: the state of a path (Ansible's file module): `file` (attributes of an existing file),
 * `directory` (mkdir -p, each new directory gets the mode and owner), `link`, `hard`, `touch`,
 * `absent`; with mode (octal or symbolic), owner, group, `recurse`, `follow`, `force`, `src`,
 * and `access_time`/`modification_time` (`now`, `preserve` or a time in `*_time_format`).
 *
 * Times set to `now` are converged when they are within two seconds of the time the state was
 * read: a touch in an earlier run changes them again (Ansible reports every touch as a change),
 * and the check right after applying sees the touch it just made.
 *
 * @module
 */
import * as z from "zod";
import { basename, dirname, join, resolve } from "node:path";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask, type Diff } from "../lib/apply/task.ts";
import {
  Accounts,
  applyAttr,
  type AttrOp,
  attrShape,
  type AttrState,
  bool,
  currentUmask,
  newMode,
  octal,
  planAttrs,
  readAttrState,
  type Resolved,
  resolveOwnership,
} from "./_attrs.ts";
import { oneOf, pathParam, resolveLinks } from "./_files.ts";

const STATES = ["file", "directory", "link", "hard", "touch", "absent"] as const;
type State = (typeof STATES)[number];
type Kind = "file" | "directory" | "link" | "hard" | "absent";

const NOW_TOLERANCE_MS = 2000;

/** The file task's parameters. */
export const fileSchema = z.strictObject({
  path: z.string().min(1).optional(),
  dest: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  state: z.enum(STATES).optional(),
  src: z.string().min(1).optional(),
  ...attrShape,
  recurse: bool.default(false),
  follow: bool.default(true),
  force: bool.default(false),
  access_time: z.string().min(1).optional(),
  access_time_format: z.string().default("%Y%m%d%H%M.%S"),
  modification_time: z.string().min(1).optional(),
  modification_time_format: z.string().default("%Y%m%d%H%M.%S"),
}).superRefine(oneOf(["path", "dest", "name"]));

/** Parsed file params. */
export type FileParams = z.output<typeof fileSchema>;

/** What the file task read. */
export interface FileCurrent {
  readonly path: string;
  readonly state: State;
  /** What the path itself is now (a symlink is `link`). */
  readonly kind: Kind;
  /** The path attributes apply to: the link target when following. */
  readonly attrPath: string;
  readonly attr?: AttrState | undefined;
  /** Directories to create, top first (state directory). */
  readonly missing: readonly string[];
  /** Current symlink target (state link). */
  readonly linkTarget?: string | undefined;
  /** The hard link already points at src. */
  readonly sameInode?: boolean;
  /** Attributes of everything below a directory (recurse). */
  readonly children: readonly AttrState[];
  readonly owner?: Resolved | undefined;
  readonly group?: Resolved | undefined;
  readonly umask: number;
  /** When the state was read (ms), what `now` means. */
  readonly now: number;
  readonly atime?: number | undefined;
  readonly mtime?: number | undefined;
}

/** One step of the file task. */
export type FileOp =
  | AttrOp
  | {
    readonly kind: "mkdir";
    readonly paths: readonly string[];
    readonly modes: readonly number[];
    readonly uid: number | null;
    readonly gid: number | null;
  }
  | {
    readonly kind: "touch";
    readonly path: string;
    readonly mode: number;
    readonly uid: number | null;
    readonly gid: number | null;
  }
  | {
    readonly kind: "utime";
    readonly path: string;
    readonly atime: number;
    readonly mtime: number;
  }
  | {
    readonly kind: "symlink";
    readonly path: string;
    readonly target: string;
    readonly replace: Kind;
  }
  | {
    readonly kind: "hardlink";
    readonly path: string;
    readonly src: string;
    readonly replace: Kind;
  }
  | { readonly kind: "remove"; readonly path: string; readonly recursive: boolean };

/** Reads what the file task needs (exported for `directory`). */
export async function readFileState(params: FileParams, host: Host): Promise<FileCurrent> {
  let path = resolve("/", pathParam(params, ["path", "dest", "name"]));
  const accounts = Accounts.for(host, params);
  const { owner, group } = await resolveOwnership(params, accounts);
  const umask = currentUmask();
  const now = Date.now();

  // Ansible: a hard link into an existing directory goes inside it, named after src.
  if (params.state === "hard" && params.src && (await host.stat(path))?.isDirectory) {
    path = join(path, basename(params.src));
  }
  const kind = await kindOf(host, path);
  const state: State = params.state ??
    (kind !== "absent" ? kind : params.recurse ? "directory" : "file");
  if (params.recurse && state !== "directory") {
    throw new Error("recurse option requires state to be 'directory'");
  }
  if (params.src !== undefined && state !== "link" && state !== "hard") {
    throw new Error("src option requires state to be 'link' or 'hard'");
  }
  const base = { path, state, kind, owner, group, umask, now, missing: [], children: [] };

  switch (state) {
    case "absent":
      return { ...base, attrPath: path };
    case "file": {
      const attrPath = params.follow && kind === "link" ? await resolveLinks(host, path) : path;
      const targetKind = attrPath === path ? kind : await kindOf(host, attrPath);
      if (targetKind !== "file" && targetKind !== "hard") {
        throw new Error(`file (${attrPath}) is ${targetKind}, cannot continue`);
      }
      return { ...base, attrPath, ...await attrsAndTimes(host, attrPath, accounts) };
    }
    case "touch": {
      const attrPath = params.follow && kind === "link" ? await resolveLinks(host, path) : path;
      const exists = (await host.stat(attrPath)) !== undefined;
      if (!exists && kind === "link") throw new Error(`symlink target of ${path} does not exist`);
      if (!exists && !(await host.stat(dirname(attrPath)))?.isDirectory) {
        throw new Error(
          `Error, could not touch target: No such file or directory: '${attrPath}' (${
            dirname(attrPath)
          } is not a directory)`,
        );
      }
      return {
        ...base,
        attrPath,
        ...(exists ? await attrsAndTimes(host, attrPath, accounts) : {}),
      };
    }
    case "directory": {
      const attrPath = params.follow && kind === "link" ? await resolveLinks(host, path) : path;
      const targetKind = attrPath === path ? kind : await kindOf(host, attrPath);
      if (targetKind === "absent") {
        return { ...base, attrPath, missing: await missingDirs(host, attrPath) };
      }
      if (targetKind !== "directory") {
        throw new Error(`${attrPath} already exists as a ${targetKind}`);
      }
      const children = params.recurse
        ? await walkAttrs(host, attrPath, params.follow, accounts)
        : [];
      return { ...base, attrPath, children, ...await attrsAndTimes(host, attrPath, accounts) };
    }
    case "link":
      return readLinkState(params, host, accounts, base);
    case "hard":
      return readHardState(params, host, accounts, base);
  }
}

async function readLinkState(
  params: FileParams,
  host: Host,
  accounts: Accounts,
  base: Omit<FileCurrent, "attrPath">,
): Promise<FileCurrent> {
  const { path, kind } = base;
  const linkTarget = kind === "link" ? await host.readLink(path) : undefined;
  const src = params.src ?? linkTarget;
  if (src === undefined) throw new Error("src is required for creating new symlinks");
  const absSrc = resolve(kind === "directory" ? path : dirname(path), src);
  if (!params.force && params.src !== undefined && !(await host.stat(absSrc))) {
    throw new Error(
      `src file does not exist, use "force=yes" if you really want to create the link: ${absSrc}`,
    );
  }
  if (kind === "directory") {
    if (!params.force) throw new Error(`refusing to convert from directory to symlink for ${path}`);
    if ((await host.readDir(path)).length > 0) {
      throw new Error(`the directory ${path} is not empty, refusing to convert it`);
    }
  } else if ((kind === "file" || kind === "hard") && !params.force) {
    throw new Error(`refusing to convert from ${kind} to symlink for ${path}`);
  }
  // Attributes go to the target when following (and it exists), else to the link itself.
  const target = resolve(dirname(path), src);
  const attrPath = params.follow ? target : path;
  const exists = params.follow ? (await host.stat(target)) !== undefined : kind === "link";
  const wantsAttrs = params.mode !== undefined || base.owner || base.group;
  return {
    ...base,
    attrPath,
    linkTarget,
    ...(exists && wantsAttrs
      ? { attr: await readAttrState(host, attrPath, accounts, { follow: params.follow }) }
      : {}),
  };
}

async function readHardState(
  params: FileParams,
  host: Host,
  accounts: Accounts,
  base: Omit<FileCurrent, "attrPath">,
): Promise<FileCurrent> {
  const { path, kind } = base;
  if (kind !== "hard" && params.src === undefined) {
    throw new Error("src is required for creating new hardlinks");
  }
  const src = params.src === undefined ? undefined : resolve("/", params.src);
  const srcStat = src === undefined ? undefined : await host.stat(src);
  if (src !== undefined && !srcStat) throw new Error(`src does not exist: ${src}`);
  const pathStat = await host.stat(path, { follow: false });
  const sameInode = srcStat === undefined
    ? kind === "hard"
    : pathStat !== undefined && !pathStat.isSymlink && pathStat.ino === srcStat.ino &&
      pathStat.dev === srcStat.dev;
  if (!sameInode && kind !== "absent" && !params.force) {
    throw new Error(
      kind === "hard"
        ? "Cannot link, different hard link exists at destination"
        : `Cannot link, ${kind} exists at destination`,
    );
  }
  if (kind === "directory" && !sameInode) {
    throw new Error(`Cannot link: ${path} is a directory`);
  }
  return {
    ...base,
    attrPath: path,
    sameInode,
    ...(sameInode ? await attrsAndTimes(host, path, accounts) : {}),
  };
}

async function kindOf(host: Host, path: string): Promise<Kind> {
  const st = await host.stat(path, { follow: false });
  if (!st) return "absent";
  if (st.isSymlink) return "link";
  if (st.isDirectory) return "directory";
  return st.nlink > 1 ? "hard" : "file";
}

async function attrsAndTimes(host: Host, path: string, accounts: Accounts) {
  const attr = await readAttrState(host, path, accounts);
  return {
    attr,
    atime: attr?.stat.atime?.getTime(),
    mtime: attr?.stat.mtime?.getTime(),
  };
}

async function missingDirs(host: Host, path: string): Promise<string[]> {
  const out: string[] = [];
  for (let p = path; p !== "/"; p = dirname(p)) {
    const st = await host.stat(p);
    if (st) {
      if (!st.isDirectory) {
        throw new Error(
          `There was an issue creating ${path} as requested: ${p} is not a directory`,
        );
      }
      break;
    }
    out.unshift(p);
  }
  return out;
}

/** Everything under a directory, as os.walk sees it; followed links add their targets. */
async function walkAttrs(
  host: Host,
  top: string,
  follow: boolean,
  accounts: Accounts,
): Promise<AttrState[]> {
  const out: AttrState[] = [];
  const seen = new Set<string>([top]);
  const walk = async (dir: string): Promise<void> => {
    for (const name of await host.readDir(dir)) {
      const p = join(dir, name);
      const st = await readAttrState(host, p, accounts, { follow: false });
      if (!st) continue;
      out.push(st);
      if (st.stat.isDirectory) {
        await walk(p);
      } else if (st.stat.isSymlink && follow) {
        const target = resolve(dir, await host.readLink(p));
        const t = await readAttrState(host, target, accounts);
        if (!t || seen.has(target)) continue;
        seen.add(target);
        if (t.stat.isDirectory) await walk(target);
        out.push(t);
      }
    }
  };
  await walk(top);
  return out;
}

/** Plans the file task (exported for `directory`). */
export function planFile(params: FileParams, cur: FileCurrent): Change<FileOp>[] {
  const { path, state, kind } = cur;
  const want = {
    mode: params.mode,
    owner: cur.owner,
    group: cur.group,
    umask: cur.umask,
  };
  const uid = cur.owner?.id ?? null;
  const gid = cur.group?.id ?? null;
  const out: Change<FileOp>[] = [];

  switch (state) {
    case "absent":
      if (kind === "absent") return [];
      return [{
        op: { kind: "remove", path, recursive: kind === "directory" },
        summary: kind === "directory" ? `remove directory ${path} recursively` : `remove ${path}`,
        diff: stateDiff(path, kind, "absent"),
      }];
    case "directory":
      if (cur.missing.length > 0) {
        const modes = cur.missing.map(() => newMode(params.mode, true, cur.umask));
        return [{
          op: { kind: "mkdir", paths: cur.missing, modes, uid, gid },
          summary: `mkdir ${cur.attrPath}${
            params.mode !== undefined ? ` (${octal(modes[0]!)})` : ""
          }`,
          diff: stateDiff(cur.attrPath, "absent", "directory"),
        }];
      }
      if (cur.attr) out.push(...planAttrs(cur.attr, want));
      out.push(...planTimes(params, cur));
      for (const child of cur.children) {
        out.push(...planAttrs(child, { ...want, noFollow: child.stat.isSymlink }));
      }
      return out;
    case "file":
      if (cur.attr) out.push(...planAttrs(cur.attr, want));
      out.push(...planTimes(params, cur));
      return out;
    case "touch":
      if (!cur.attr) {
        const mode = newMode(params.mode, false, cur.umask);
        return [{
          op: { kind: "touch", path: cur.attrPath, mode, uid, gid },
          summary: `touch ${cur.attrPath}`,
          diff: stateDiff(cur.attrPath, "absent", "touch"),
        }];
      }
      out.push(...planAttrs(cur.attr, want));
      out.push(...planTimes(params, cur));
      return out;
    case "link": {
      const target = params.src ?? cur.linkTarget!;
      if (kind !== "link" || cur.linkTarget !== target) {
        const replacing = kind === "link"
          ? `symlink ${path}: ${cur.linkTarget} -> ${target}`
          : kind === "absent"
          ? `symlink ${path} -> ${target}`
          : `replace ${kind} ${path} with symlink -> ${target}`;
        out.push({
          op: { kind: "symlink", path, target, replace: kind },
          summary: replacing,
          diff: stateDiff(path, kind, "link"),
        });
      }
      if (cur.attr) {
        out.push(...planAttrs(cur.attr, { ...want, noFollow: !params.follow }));
      } else if (!params.follow && (uid !== null || gid !== null)) {
        // The link is new: its own owner is set once it exists.
        out.push({
          op: { kind: "chown", path, uid, gid, follow: false },
          summary: `chown ${[cur.owner?.name, cur.group?.name].filter(Boolean).join(":")} ${path}`,
        });
      }
      return out;
    }
    case "hard":
      if (!cur.sameInode) {
        return [{
          op: { kind: "hardlink", path, src: resolve("/", params.src!), replace: kind },
          summary: kind === "absent"
            ? `hard link ${path} -> ${params.src}`
            : `replace ${kind} ${path} with hard link -> ${params.src}`,
          diff: stateDiff(path, kind, "hard"),
        }];
      }
      if (cur.attr) out.push(...planAttrs(cur.attr, want));
      out.push(...planTimes(params, cur));
      return out;
  }
}

/** Ansible's file diff: a small JSON document of path and state. */
function stateDiff(path: string, before: string, after: string): Diff {
  const doc = (state: string) => `${JSON.stringify({ path, state }, null, 4)}\n`;
  return { before: doc(before), after: doc(after) };
}

function planTimes(params: FileParams, cur: FileCurrent): Change<FileOp>[] {
  if (cur.mtime === undefined || cur.atime === undefined) return [];
  const dflt = cur.state === "touch" ? "now" : "preserve";
  const m = timeSpec(params.modification_time ?? dflt, params.modification_time_format, cur.now);
  const a = timeSpec(params.access_time ?? dflt, params.access_time_format, cur.now);
  if (m === undefined && a === undefined) return [];
  const close = (spec: { ms: number; now: boolean } | undefined, have: number) =>
    spec === undefined ||
    (spec.now ? Math.abs(have - spec.ms) <= NOW_TOLERANCE_MS : have === spec.ms);
  if (close(m, cur.mtime) && close(a, cur.atime)) return [];
  const mtime = m?.ms ?? cur.mtime;
  const atime = a?.ms ?? cur.atime;
  return [{
    op: { kind: "utime", path: cur.attrPath, atime, mtime },
    summary: m?.now && a?.now
      ? `touch ${cur.attrPath}`
      : `set times of ${cur.attrPath} (atime ${stamp(atime)}, mtime ${stamp(mtime)})`,
  }];
}

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${
    p(d.getMinutes())
  }:${p(d.getSeconds())}`;
}

/** `preserve` → undefined, `now` → the read time, else a time in the given strptime format. */
function timeSpec(
  value: string,
  format: string,
  now: number,
): { ms: number; now: boolean } | undefined {
  if (value === "preserve") return undefined;
  if (value === "now") return { ms: now, now: true };
  return { ms: strptime(value, format), now: false };
}

/** A small `time.strptime` + `mktime` (local time): %Y %y %m %d %H %M %S %%. */
export function strptime(value: string, format: string): number {
  const parts: Record<string, number> = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0 };
  let i = 0;
  const fail = (): never => {
    throw new Error(
      `Error while obtaining timestamp for time ${value} using format ${format}: time data '${value}' does not match format '${format}'`,
    );
  };
  for (let f = 0; f < format.length; f++) {
    const c = format[f]!;
    if (c !== "%") {
      if (value[i++] !== c) fail();
      continue;
    }
    const d = format[++f];
    if (d === "%") {
      if (value[i++] !== "%") fail();
      continue;
    }
    const width = d === "Y" ? 4 : 2;
    if (!d || !"YymdHMS".includes(d)) {
      throw new Error(`unsupported directive %${d ?? ""} in time format ${format}`);
    }
    const m = new RegExp(`^\\d{1,${width}}`).exec(value.slice(i));
    if (!m) fail();
    i += m![0].length;
    const n = Number(m![0]);
    if (d === "y") parts.Y = n < 69 ? 2000 + n : 1900 + n;
    else parts[d] = n;
  }
  if (i !== value.length) fail();
  const date = new Date(parts.Y!, parts.m! - 1, parts.d!, parts.H!, parts.M!, parts.S!);
  if (date.getMonth() !== parts.m! - 1 || date.getDate() !== parts.d!) fail();
  return date.getTime();
}

/** Applies one file step (exported for `directory`). */
export async function applyFile(op: FileOp, host: Host): Promise<void> {
  switch (op.kind) {
    case "chmod":
    case "chown":
      return applyAttr(op, host);
    case "mkdir":
      for (const [i, p] of op.paths.entries()) {
        await host.mkdir(p, { mode: op.modes[i]! });
        if (op.uid !== null || op.gid !== null) await host.chown(p, op.uid, op.gid);
      }
      return;
    case "touch":
      await host.writeAtomic(op.path, new Uint8Array(), {
        mode: op.mode,
        ...(op.uid !== null ? { uid: op.uid } : {}),
        ...(op.gid !== null ? { gid: op.gid } : {}),
      });
      return;
    case "utime":
      return host.utime(op.path, new Date(op.atime), new Date(op.mtime));
    case "remove":
      return host.remove(op.path, { recursive: op.recursive });
    case "symlink":
      if (op.replace === "absent") return host.symlink(op.target, op.path);
      if (op.replace === "directory") await host.remove(op.path);
      return replaceWith(host, op.path, (tmp) => host.symlink(op.target, tmp));
    case "hardlink":
      if (op.replace === "absent") return host.link(op.src, op.path);
      return replaceWith(host, op.path, (tmp) => host.link(op.src, tmp));
  }
}

/** Makes the new entry under a temp name beside the path, then renames it over (atomic). */
async function replaceWith(host: Host, path: string, make: (tmp: string) => Promise<void>) {
  const tmp = join(
    dirname(path),
    `.${basename(path)}.driftless-${crypto.randomUUID().slice(0, 8)}`,
  );
  await make(tmp);
  try {
    await host.rename(tmp, path);
  } catch (e) {
    await host.remove(tmp).catch(() => {});
    throw e;
  }
}

/** Result fields Ansible's file module registers (those known before the change). */
function fileResult(params: FileParams, cur: FileCurrent) {
  return {
    path: cur.path,
    state: cur.state,
    ...(params.src !== undefined ? { src: params.src } : {}),
  };
}

/** The file task. */
export const file = defineTask({
  type: "file",
  schema: fileSchema,
  mainParam: "path",
  read: (params, host) => readFileState(params, host),
  plan: planFile,
  apply: (op, host) => applyFile(op, host),
  result: fileResult,
});
