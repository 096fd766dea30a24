/**
 * `unarchive`: extracts a tar (plain, gz, bz2, xz, zst) or zip archive into a directory, with
 * Ansible's parameters (src, dest, remote_src and its old spelling `copy: false`, creates,
 * list_files, exclude, keep_newer, extra_opts, and mode/owner/group, which apply to every
 * extracted member, as in Ansible). Whether anything would change is decided from the
 * archive's contents: `tar --diff` against dest for tars (the archive is fed on stdin, so
 * nothing is written), size and CRC-32 of each member for zips, and each member's mode and
 * owner. Without `remote_src`, src is a file of the config repo.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask, type TaskContext } from "../lib/apply/task.ts";
import { bool, list } from "./_ansible_params.ts";
import { applyAttr, type AttrOp, attrShape, planPathAttrs } from "./_attrs.ts";
import { type ArchiveFormat, crc32, detectFormat, tarFlag, zipEntries } from "./_archives.ts";
import { query, runChecked } from "./_run.ts";
import { proxyFetch } from "./_http.ts";
import { findSource, readSourceFile } from "./_source.ts";

const schema = z.strictObject({
  src: z.string().min(1),
  dest: z.string().min(1),
  /** src is on the managed host (or an http(s) URL) rather than in the config repo. */
  remote_src: bool().default(false),
  creates: z.string().optional(),
  list_files: bool().default(false),
  exclude: list().optional(),
  keep_newer: bool().default(false),
  extra_opts: list().optional(),
  /** Ansible's old name: `copy: false` means the archive is already on the host. */
  copy: bool().optional(),
  ...attrShape,
}).transform(({ copy, ...p }) => ({ ...p, remote_src: p.remote_src || copy === false }));
type Params = z.output<typeof schema>;

interface UnarchiveCurrent {
  readonly skip?: string;
  /** Members whose mode or owner differ from mode/owner/group (once extracted). */
  readonly attrs: readonly Change<AttrOp>[];
  /** Every member, relative to dest, when mode/owner/group need them. */
  readonly members: readonly string[];
  readonly format?: ArchiveFormat;
  /** Members that differ from dest (path and why). */
  readonly differ: readonly string[];
  readonly files: readonly string[];
  readonly data?: Uint8Array;
}

interface UnarchiveOp {
  readonly src: string;
  readonly remote: boolean;
  readonly dest: string;
  readonly format: ArchiveFormat;
  readonly data: Uint8Array;
  readonly args: readonly string[];
  /** mode/owner/group to give every member once extracted. */
  readonly attrs?: AttrTarget;
}

/** The members and attributes mode/owner/group ask for. */
interface AttrTarget {
  readonly dest: string;
  readonly members: readonly string[];
  readonly params: Params;
}

/** The chmod/chown steps that bring every existing member to mode/owner/group. */
function attrSteps(host: Host, t: AttrTarget): Promise<Change<AttrOp>[]> {
  const paths = t.members.map((m) => `${t.dest}/${m}`.replace(/\/+$/, ""));
  return planPathAttrs(host, paths, t.params, { noFollow: true });
}

async function load(p: Params, host: Host, ctx: TaskContext): Promise<Uint8Array> {
  if (/^https?:\/\//.test(p.src)) {
    const res = await proxyFetch(p.src, { signal: AbortSignal.timeout(300_000) }, ctx.environment);
    if (!res.ok) throw new Error(`src: GET ${p.src} answered ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  if (p.remote_src) return await host.readBytes(p.src);
  return (await readSourceFile(await findSource(ctx, p.src, "files"))).data;
}

function tarOptions(p: Params): string[] {
  return [
    ...(p.exclude ?? []).map((e) => `--exclude=${e}`),
    ...(p.keep_newer ? ["--keep-newer-files"] : []),
    ...(p.extra_opts ?? []),
  ];
}

async function zipDiffer(host: Host, dest: string, data: Uint8Array): Promise<string[]> {
  const out: string[] = [];
  for (const e of zipEntries(data)) {
    const path = `${dest}/${e.name}`.replace(/\/+$/, "");
    const st = await host.stat(path);
    if (!st) out.push(`${e.name}: missing`);
    else if (e.dir) {
      if (!st.isDirectory) out.push(`${e.name}: not a directory`);
    } else if (st.size !== e.size) out.push(`${e.name}: size differs`);
    else if (crc32(await host.readBytes(path)) !== e.crc) out.push(`${e.name}: contents differ`);
  }
  return out;
}

/** The unarchive task. */
export const unarchive = defineTask({
  type: "unarchive",
  schema,
  mainParam: "src",
  async check(p, ctx) {
    if (!p.remote_src && !/^https?:\/\//.test(p.src)) {
      await findSource(ctx, p.src, "files");
    }
  },
  async read(p, host, ctx): Promise<UnarchiveCurrent> {
    if (p.creates && (await host.stat(p.creates))) {
      return { skip: `${p.creates} exists`, differ: [], files: [], attrs: [], members: [] };
    }
    const st = await host.stat(p.dest);
    if (!st?.isDirectory) throw new Error(`dest ${p.dest} must be an existing directory`);
    const data = await load(p, host, ctx);
    const format = detectFormat(data);
    const withAttrs = p.mode !== undefined || p.owner !== undefined || p.group !== undefined;
    if (format === "zip") {
      const files = zipEntries(data).map((e) => e.name);
      const attrs = withAttrs
        ? await attrSteps(host, { dest: p.dest, members: files, params: p })
        : [];
      return {
        format,
        differ: await zipDiffer(host, p.dest, data),
        files,
        data,
        attrs,
        members: files,
      };
    }
    // tar --diff compares the archive (on stdin) with dest: exit 0 same, 1 different.
    const d = await query(host, "tar", [
      "--diff",
      ...tarFlag(format),
      "-f",
      "-",
      "-C",
      p.dest,
      ...tarOptions(p).filter((o) => o.startsWith("--exclude")),
    ], { stdin: data, env: { LC_ALL: "C" } });
    if (d.code > 1) throw new Error(`tar --diff: ${d.stderr.trim()}`);
    // Attributes that mode/owner/group set on purpose are not the archive's to judge.
    const set = [
      ...(p.mode !== undefined ? ["Mode differs"] : []),
      ...(p.owner !== undefined ? ["Uid differs"] : []),
      ...(p.group !== undefined ? ["Gid differs"] : []),
    ];
    const differ = d.code === 0 ? [] : `${d.stdout}${d.stderr}`.split("\n").filter(Boolean)
      .map((l) => l.replace(/^tar: /, ""))
      .filter((l) => !set.some((s) => l.endsWith(`: ${s}`)));
    let files: string[] = [];
    if (p.list_files || withAttrs) {
      const l = await query(host, "tar", ["-t", ...tarFlag(format), "-f", "-"], { stdin: data });
      files = l.stdout.split("\n").filter(Boolean);
    }
    const attrs = withAttrs
      ? await attrSteps(host, { dest: p.dest, members: files, params: p })
      : [];
    return { format, differ, files, data, attrs, members: withAttrs ? files : [] };
  },
  plan(p, cur): Change<UnarchiveOp | AttrOp>[] {
    if (cur.skip) return [];
    if (cur.differ.length === 0) return [...cur.attrs];
    const withAttrs = p.mode !== undefined || p.owner !== undefined || p.group !== undefined;
    return [{
      op: {
        src: p.src,
        remote: p.remote_src,
        dest: p.dest,
        format: cur.format!,
        data: cur.data!,
        args: tarOptions(p),
        ...(withAttrs ? { attrs: { dest: p.dest, members: cur.members, params: p } } : {}),
      },
      summary:
        `extract ${p.src} (${cur.format}) into ${p.dest}: ${cur.differ.length} member(s) differ`,
      diff: {
        before: cur.differ.map((l) => `${l}\n`).join(""),
        after: "",
        beforeLabel: `${p.dest} differs from ${p.src}`,
        afterLabel: `${p.dest} extracted`,
      },
    }];
  },
  async apply(op, host) {
    if ("kind" in op) return await applyAttr(op, host);
    await extract(op, host);
    if (op.attrs) {
      for (const step of await attrSteps(host, op.attrs)) await applyAttr(step.op, host);
    }
  },
  result: (p, cur) => ({ dest: p.dest, src: p.src, ...(p.list_files ? { files: cur.files } : {}) }),
});

async function extract(op: UnarchiveOp, host: Host): Promise<void> {
  if (op.format !== "zip") {
    await runChecked(host, {
      cmd: "tar",
      args: ["-x", ...tarFlag(op.format), "-f", "-", "-C", op.dest, ...op.args],
    }, { stdin: op.data });
    return;
  }
  // unzip needs a file: the archive itself on the host, or a staged copy of it.
  let path = op.src;
  const staged = !op.remote || /^https?:\/\//.test(op.src);
  if (staged) {
    path = `/tmp/.driftless-unarchive-${crypto.randomUUID().slice(0, 8)}.zip`;
    await host.writeAtomic(path, op.data, { mode: 0o600 });
  }
  try {
    await runChecked(host, { cmd: "unzip", args: ["-o", "-q", path, "-d", op.dest] });
  } finally {
    if (staged) await host.remove(path).catch(() => {});
  }
}
