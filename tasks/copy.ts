/**
 * `copy`: a file's content from `files/` (or an absolute path, or `remote_src` on the host) or
 * from `content`, as Ansible's copy. A `dest` ending in `/` or naming an existing directory means
 * a file inside it (a trailing `/` also creates the directory); a directory `src` is copied
 * recursively (`src/` copies its contents). `mode` (octal, symbolic or `preserve`), `owner`,
 * `group`, `directory_mode`, `backup`, `validate` (`%s` is a temp file with the new content),
 * `force: false` (only create), `follow` (write through a symlinked dest), `checksum`.
 *
 * @module
 */
import * as z from "zod";
import { basename, dirname, join, resolve } from "node:path";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask, type SourceContext, type TaskResult } from "../lib/apply/task.ts";
import {
  Accounts,
  applyAttr,
  type AttrOp,
  type AttrState,
  bool,
  currentUmask,
  idSchema,
  modeSchema,
  newMode,
  octal,
  planAttrs,
  readAttrState,
  type Resolved,
  resolveOwnership,
} from "./_attrs.ts";
import {
  applyWrite,
  type FileRef,
  type Fingerprint,
  fingerprintDiff,
  fingerprintOf,
  hostFingerprint,
  localFingerprint,
  resolveLinks,
  sameContent,
  validateSchema,
  type WriteOp,
} from "./_files.ts";
import { findSource, isSourceDir, readSourceTree, sourceMode } from "./_source.ts";

/** The copy task's parameters. */
export const copySchema = z.strictObject({
  src: z.string().min(1).optional(),
  content: z.string().optional(),
  dest: z.string().min(1),
  remote_src: bool.default(false),
  mode: modeSchema({ preserve: true }).optional(),
  owner: idSchema.optional(),
  group: idSchema.optional(),
  directory_mode: modeSchema().optional(),
  backup: bool.default(false),
  validate: validateSchema.optional(),
  force: bool.optional(),
  thirsty: bool.optional(),
  follow: bool.default(false),
  local_follow: bool.default(true),
  checksum: z.string().regex(/^[0-9a-fA-F]{40}$/, "expected a SHA-1 checksum (40 hex digits)")
    .optional(),
}).superRefine((p, ctx) => {
  if ((p.src === undefined) === (p.content === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["src"],
      message: p.src === undefined
        ? "src or content is required"
        : "src and content are mutually exclusive",
    });
  }
});

/** One file copy wants in place. */
export interface Target {
  readonly dest: string;
  /** The content: bytes (content, a template), or a file streamed when it is written. */
  readonly data: Uint8Array | FileRef;
  /** The content's size, digest and (when small) bytes. */
  readonly want: Fingerprint;
  /** Mode of the source (for `mode: preserve`). */
  readonly srcMode?: number | undefined;
  /** What is there now: null when absent. */
  readonly before: Fingerprint | null;
  /** The dest is a symlink that will be replaced by a file (follow: false). */
  readonly replacesLink: boolean;
  readonly attr?: AttrState | undefined;
}

/** A symlink of a source tree copied as a link (`local_follow: false`). */
export interface Link {
  readonly dest: string;
  readonly target: string;
  /** The link's target now; "" for something that is not a link, null when absent. */
  readonly current: string | null;
}

/** What copy (and template) read. */
export interface CopyCurrent {
  /** Directories to create, parents first. */
  readonly dirs: readonly string[];
  readonly files: readonly Target[];
  readonly links?: readonly Link[];
  readonly owner?: Resolved | undefined;
  readonly group?: Resolved | undefined;
  readonly umask: number;
}

/** One step of copy or template. */
export type CopyOp =
  | WriteOp
  | AttrOp
  | {
    readonly kind: "mkdir";
    readonly path: string;
    readonly mode: number;
    readonly uid: number | null;
    readonly gid: number | null;
  }
  | {
    readonly kind: "symlink";
    readonly path: string;
    readonly target: string;
    readonly replace: boolean;
  };

/** The settings copy and template share. */
export interface ContentParams {
  readonly mode?: string | undefined;
  readonly owner?: string | undefined;
  readonly group?: string | undefined;
  readonly directory_mode?: string | undefined;
  readonly backup: boolean;
  readonly validate?: string | undefined;
  readonly force?: boolean | undefined;
  readonly thirsty?: boolean | undefined;
  readonly follow: boolean;
}

/** A source for a target: bytes, or a file of the config repo or the host with its fingerprint. */
export type TargetSource = Uint8Array | {
  readonly ref: FileRef;
  readonly fingerprint: Fingerprint;
};

/** Reads one file target (exported for `template`). */
export async function readTarget(
  host: Host,
  dest: string,
  source: TargetSource,
  options: { follow: boolean; srcMode?: number | undefined; accounts: Accounts },
): Promise<Target> {
  let path = resolve("/", dest);
  const lst = await host.stat(path, { follow: false });
  if (lst?.isSymlink && options.follow) path = await resolveLinks(host, path);
  const replacesLink = lst?.isSymlink === true && !options.follow;
  const st = await host.stat(path);
  if (st?.isDirectory) throw new Error(`${path} is a directory`);
  const before = st?.isFile ? await hostFingerprint(host, path, st.size) : null;
  const inMemory = source instanceof Uint8Array;
  return {
    dest: path,
    data: inMemory ? source : source.ref,
    want: inMemory ? fingerprintOf(source) : source.fingerprint,
    srcMode: options.srcMode,
    before,
    replacesLink,
    attr: st ? await readAttrState(host, path, options.accounts) : undefined,
  };
}

/** Where a file lands: inside `dest` when it ends in `/` or is a directory (exported for `template`). */
export async function fileDest(host: Host, dest: string, name: string): Promise<string> {
  if (dest.endsWith("/")) return join(dest, name);
  if ((await host.stat(dest))?.isDirectory) return join(dest, name);
  return dest;
}

/** The directories from `dir` up that do not exist yet, parents first. */
export async function missingDirs(host: Host, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (let p = resolve("/", dir); p !== "/"; p = dirname(p)) {
    const st = await host.stat(p);
    if (st) {
      if (!st.isDirectory) throw new Error(`${p} exists and is not a directory`);
      break;
    }
    out.unshift(p);
  }
  return out;
}

/** Fails like Ansible when the dest's directory is missing and nothing will create it. */
export async function requireParent(host: Host, dest: string, dirs: readonly string[]) {
  const parent = dirname(resolve("/", dest));
  if (dirs.includes(parent)) return;
  const st = await host.stat(parent);
  if (!st?.isDirectory) throw new Error(`Destination directory ${parent} does not exist`);
}

async function readCopy(
  params: z.output<typeof copySchema>,
  host: Host,
  ctx: SourceContext,
): Promise<CopyCurrent> {
  const accounts = Accounts.for(host, params);
  const { owner, group } = await resolveOwnership(params, accounts);
  const umask = currentUmask();
  const follow = params.follow;
  const base = { owner, group, umask };

  if (params.content !== undefined) {
    if (params.dest.endsWith("/") || (await host.stat(params.dest))?.isDirectory) {
      throw new Error("can not use content with a dir as dest");
    }
    const data = new TextEncoder().encode(params.content);
    verifyChecksum(params.checksum, fingerprintOf(data));
    await requireParent(host, params.dest, []);
    return {
      ...base,
      dirs: [],
      files: [await readTarget(host, params.dest, data, { follow, accounts })],
    };
  }

  const src = params.src!;
  if (params.remote_src) return readRemote(params, host, src, accounts, base);
  const local = await findSource(ctx, src, "files");
  if (await isSourceDir(local)) {
    const top = src.endsWith("/") ? params.dest : join(params.dest, basename(local));
    const dirs = await missingDirs(host, top);
    const files: Target[] = [];
    const links: Link[] = [];
    for (const e of await readSourceTree(local, { follow: params.local_follow })) {
      const dest = join(top, e.rel);
      if (e.kind === "dir") {
        dirs.push(...(await missingDirs(host, dest)).filter((d) => !dirs.includes(d)));
      } else if (e.kind === "file") {
        const source = await localSource(e.path);
        files.push(await readTarget(host, dest, source, { follow, srcMode: e.mode, accounts }));
      } else {
        const lst = await host.stat(dest, { follow: false });
        links.push({
          dest,
          target: e.target,
          current: lst?.isSymlink ? await host.readLink(dest) : lst ? "" : null,
        });
      }
    }
    return { ...base, dirs, files, links };
  }
  return await readFileCopy(params, host, {
    source: await localSource(local),
    name: basename(local),
    srcMode: await sourceMode(local),
    accounts,
    base,
  });
}

/** A file of the config repo as a target's source: fingerprinted now, streamed when written. */
async function localSource(path: string): Promise<TargetSource> {
  const fingerprint = await localFingerprint(path);
  return { ref: { local: path, size: fingerprint.size, sha1: fingerprint.sha1 }, fingerprint };
}

/** A file on the host as a target's source (remote_src). */
async function hostSource(host: Host, path: string, size: number): Promise<TargetSource> {
  const fingerprint = await hostFingerprint(host, path, size);
  return { ref: { onHost: path, size, sha1: fingerprint.sha1 }, fingerprint };
}

/** One source file (`name`, with its content and mode) copied to dest, or into dest if a dir. */
async function readFileCopy(
  params: z.output<typeof copySchema>,
  host: Host,
  src: {
    source: TargetSource;
    name: string;
    srcMode: number;
    accounts: Accounts;
    base: Omit<CopyCurrent, "dirs" | "files">;
  },
): Promise<CopyCurrent> {
  verifyChecksum(
    params.checksum,
    src.source instanceof Uint8Array ? fingerprintOf(src.source) : src.source.fingerprint,
  );
  const dest = await fileDest(host, params.dest, src.name);
  const dirs = params.dest.endsWith("/") ? await missingDirs(host, params.dest) : [];
  await requireParent(host, dest, dirs);
  const { follow } = params;
  const { source, srcMode, accounts } = src;
  return {
    ...src.base,
    dirs,
    files: [await readTarget(host, dest, source, { follow, srcMode, accounts })],
  };
}

/** `remote_src`: the source is a file or directory on the host itself. */
async function readRemote(
  params: z.output<typeof copySchema>,
  host: Host,
  src: string,
  accounts: Accounts,
  base: Omit<CopyCurrent, "dirs" | "files">,
): Promise<CopyCurrent> {
  const st = await host.stat(src);
  if (!st) throw new Error(`Source ${src} not found`);
  const follow = params.follow;
  if (!st.isDirectory) {
    return await readFileCopy(params, host, {
      source: await hostSource(host, src, st.size),
      name: basename(src),
      srcMode: st.mode,
      accounts,
      base,
    });
  }
  const top = src.endsWith("/") ? params.dest : join(params.dest, basename(resolve("/", src)));
  const dirs = await missingDirs(host, top);
  const files: Target[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of await host.readDir(dir)) {
      const from = join(dir, name);
      const to = join(top, rel, name);
      const s = await host.stat(from);
      if (!s) continue;
      if (s.isDirectory) {
        dirs.push(...(await missingDirs(host, to)).filter((d) => !dirs.includes(d)));
        await walk(from, join(rel, name));
      } else {
        const source = await hostSource(host, from, s.size);
        files.push(await readTarget(host, to, source, { follow, srcMode: s.mode, accounts }));
      }
    }
  };
  await walk(resolve("/", src), "");
  return { ...base, dirs, files };
}

function verifyChecksum(expected: string | undefined, content: Fingerprint): void {
  if (expected === undefined) return;
  const got = content.sha1;
  if (got !== expected.toLowerCase()) {
    throw new Error(`Copied file does not match the expected checksum (${expected}, got ${got})`);
  }
}

/** Plans copy and template (exported for `template`). */
export function planContent(params: ContentParams, cur: CopyCurrent): Change<CopyOp>[] {
  const uid = cur.owner?.id ?? null;
  const gid = cur.group?.id ?? null;
  const force = params.force ?? params.thirsty ?? true;
  const out: Change<CopyOp>[] = [];
  for (const dir of cur.dirs) {
    const mode = newMode(params.directory_mode, true, cur.umask);
    out.push({ op: { kind: "mkdir", path: dir, mode, uid, gid }, summary: `mkdir ${dir}` });
  }
  for (const t of cur.files) {
    // Ansible's force: false leaves an existing file alone entirely, attributes included.
    if (t.before !== null && !force) continue;
    const modeSpec = params.mode === "preserve" ? octal(t.srcMode ?? 0o644) : params.mode;
    const diff = fingerprintDiff(t.dest, t.before, t.want);
    const write = {
      kind: "write" as const,
      path: t.dest,
      data: t.data,
      backup: params.backup,
      validate: params.validate,
    };
    if (t.before === null) {
      out.push({
        op: {
          ...write,
          mode: newMode(modeSpec, false, cur.umask),
          ...(uid !== null ? { uid } : {}),
          ...(gid !== null ? { gid } : {}),
        },
        summary: `create ${t.dest}`,
        diff,
      });
      continue;
    }
    if (t.replacesLink || !sameContent(t.before, t.want)) {
      out.push({
        op: write,
        summary: t.replacesLink ? `replace symlink ${t.dest} with a file` : `update ${t.dest}`,
        diff,
      });
    }
    if (t.attr) {
      out.push(...planAttrs(t.attr, {
        mode: modeSpec,
        owner: cur.owner,
        group: cur.group,
        umask: cur.umask,
      }));
    }
  }
  for (const l of cur.links ?? []) {
    if (l.current === l.target || (l.current !== null && !force)) continue;
    out.push({
      op: { kind: "symlink", path: l.dest, target: l.target, replace: l.current !== null },
      summary: `symlink ${l.dest} -> ${l.target}`,
    });
  }
  return out;
}

/** Applies one copy/template step (exported for `template`). */
export async function applyContent(op: CopyOp, host: Host): Promise<TaskResult | void> {
  switch (op.kind) {
    case "write":
      return applyWrite(op, host);
    case "mkdir":
      await host.mkdir(op.path, { mode: op.mode });
      if (op.uid !== null || op.gid !== null) await host.chown(op.path, op.uid, op.gid);
      return;
    case "symlink":
      if (op.replace) await host.remove(op.path);
      return host.symlink(op.target, op.path);
    default:
      return applyAttr(op, host);
  }
}

/** Result fields: dest, and for one file its checksum and size. */
export function contentResult(params: { src?: string | undefined }, cur: CopyCurrent) {
  const only = cur.files.length === 1 ? cur.files[0] : undefined;
  return {
    ...(only ? { dest: only.dest, checksum: only.want.sha1, size: only.want.size } : {}),
    ...(params.src !== undefined ? { src: params.src } : {}),
  };
}

/** The copy task. */
export const copy = defineTask({
  type: "copy",
  schema: copySchema,
  mainParam: "dest",
  async check(params, ctx) {
    if (params.src !== undefined && !params.remote_src) {
      await findSource(ctx, params.src, "files");
    }
  },
  read: (params, host, ctx) => readCopy(params, host, ctx),
  plan: planContent,
  apply: applyContent,
  result: contentResult,
});
