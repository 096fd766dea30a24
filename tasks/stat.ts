/**
 * `stat`: facts about a path for `register` (Ansible's stat module); it never changes anything.
 * Registers `stat` with Ansible's keys: exists, path, mode ("0644"), isdir, isreg, islnk,
 * uid, gid, pw_name, gr_name, size, inode, dev, nlink, atime, mtime, the r/w/x bits, isuid,
 * isgid, lnk_source/lnk_target for links, and the checksum (sha1 by default) of regular files.
 * `get_mime` (runs `file`) and `get_attributes` (runs `lsattr`) are off unless asked for, so a
 * stat forks nothing (and works in a dry run without `--allow-run`).
 *
 * @module
 */
import * as z from "zod";
import { createHash } from "node:crypto";
import type { FileStat, Host } from "../lib/apply/host.ts";
import { defineTask } from "../lib/apply/task.ts";
import { Accounts, bool, octal } from "./_attrs.ts";
import { oneOf, pathParam, resolveLinks } from "./_files.ts";

const ALGORITHMS = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"] as const;

/** The stat task's parameters. */
export const statSchema = z.strictObject({
  path: z.string().min(1).optional(),
  dest: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  follow: bool.default(false),
  get_checksum: bool.default(true),
  checksum_algorithm: z.enum(ALGORITHMS).optional(),
  checksum: z.enum(ALGORITHMS).optional(),
  checksum_algo: z.enum(ALGORITHMS).optional(),
  get_mime: bool.default(false),
  mime: bool.optional(),
  mime_type: bool.optional(),
  mime_type_get: bool.optional(),
  get_attributes: bool.default(false),
  attr: bool.optional(),
  attributes: bool.optional(),
}).superRefine(oneOf(["path", "dest", "name"]));

/** Ansible's names for lsattr's flags. */
const FILE_ATTRIBUTES: Record<string, string> = {
  A: "noatime",
  a: "append",
  c: "compressed",
  C: "nocow",
  d: "nodump",
  D: "dirsync",
  e: "extents",
  E: "encrypted",
  h: "blocksize",
  i: "immutable",
  I: "indexed",
  j: "journalled",
  N: "inline",
  s: "zero",
  S: "synchronous",
  t: "notail",
  T: "blockroot",
  u: "undelete",
  X: "compressedraw",
  Z: "compresseddirty",
};

/** The stat dict as Ansible registers it. */
export type StatResult = Record<string, unknown>;

/** The stat task. */
export const stat = defineTask({
  type: "stat",
  schema: statSchema,
  mainParam: "path",
  async read(params, host): Promise<StatResult> {
    const path = pathParam(params, ["path", "dest", "name"]);
    const st = await host.stat(path, { follow: params.follow });
    if (!st) return { exists: false };
    const accounts = new Accounts(host);
    const out = describe(path, st);
    const user = await accounts.user(st.uid);
    const group = await accounts.group(st.gid);
    if (user) out.pw_name = user.name;
    if (group) out.gr_name = group.name;
    if (st.isSymlink) {
      out.lnk_target = await host.readLink(path);
      out.lnk_source = await resolveLinks(host, path);
    }
    const algorithm = params.checksum_algorithm ?? params.checksum ?? params.checksum_algo ??
      "sha1";
    if (st.isFile && params.get_checksum) {
      out.checksum = createHash(algorithm).update(await host.readBytes(path)).digest("hex");
    }
    if (params.get_mime || params.mime || params.mime_type || params.mime_type_get) {
      Object.assign(out, await mime(host, path));
    }
    if (params.get_attributes || params.attr || params.attributes) {
      Object.assign(out, await attributes(host, path));
    }
    return out;
  },
  plan: () => [],
  apply: () => Promise.resolve(),
  result: (_params, current) => ({ stat: current }),
});

/** The stat dict Ansible reports for a path (stat's `stat`, find's `files`). */
export function describe(path: string, st: FileStat): StatResult {
  const m = st.mode;
  const out: StatResult = {
    exists: true,
    path,
    mode: octal(m & 0o7777),
    isdir: st.isDirectory,
    isreg: st.isFile,
    islnk: st.isSymlink,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    inode: st.ino,
    dev: st.dev,
    nlink: st.nlink,
    atime: st.atime ? st.atime.getTime() / 1000 : null,
    mtime: st.mtime ? st.mtime.getTime() / 1000 : null,
    wusr: (m & 0o200) !== 0,
    rusr: (m & 0o400) !== 0,
    xusr: (m & 0o100) !== 0,
    wgrp: (m & 0o020) !== 0,
    rgrp: (m & 0o040) !== 0,
    xgrp: (m & 0o010) !== 0,
    woth: (m & 0o002) !== 0,
    roth: (m & 0o004) !== 0,
    xoth: (m & 0o001) !== 0,
    isuid: (m & 0o4000) !== 0,
    isgid: (m & 0o2000) !== 0,
  };
  // A regular file, directory or link is none of the special kinds; for a special file the
  // host's stat does not say which kind it is, so those keys are left out.
  if (st.isFile || st.isDirectory || st.isSymlink) {
    Object.assign(out, { ischr: false, isblk: false, isfifo: false, issock: false });
  }
  return out;
}

async function mime(host: Host, path: string): Promise<StatResult> {
  try {
    const r = await host.run("file", ["--brief", "--mime", "--", path]);
    const [type, charset] = r.stdout.trim().split(";").map((s) => s.trim());
    if (r.code === 0 && type) {
      return { mimetype: type, charset: charset?.replace(/^charset=/, "") ?? "unknown" };
    }
  } catch {
    // `file` is not installed: Ansible reports "unknown" when libmagic is missing too.
  }
  return { mimetype: "unknown", charset: "unknown" };
}

async function attributes(host: Host, path: string): Promise<StatResult> {
  try {
    const r = await host.run("lsattr", ["-vd", "--", path]);
    const [version, flags] = r.stdout.trim().split(/\s+/);
    if (r.code !== 0 || flags === undefined) return {};
    const attrFlags = flags.replace(/-/g, "");
    return {
      version,
      attr_flags: attrFlags,
      attributes: [...attrFlags].map((f) => FILE_ATTRIBUTES[f] ?? f),
    };
  } catch {
    return {};
  }
}
