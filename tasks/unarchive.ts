/**
 * `unarchive`: extracts a tar (plain, gz, bz2, xz, zst) or zip archive into a directory, with
 * Ansible's parameters (src, dest, remote_src, creates, list_files, exclude, keep_newer,
 * extra_opts). Whether anything would change is decided from the archive's contents: `tar
 * --diff` against dest for tars (the archive is fed on stdin, so nothing is written), size and
 * CRC-32 of each member for zips. Without `remote_src`, src is a file of the config repo.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask, type SourceContext } from "../lib/apply/task.ts";
import { bool, list } from "./_ansible_params.ts";
import { type ArchiveFormat, crc32, detectFormat, tarFlag, zipEntries } from "./_archives.ts";
import { query, runChecked } from "./_run.ts";
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
});
type Params = z.output<typeof schema>;

interface UnarchiveCurrent {
  readonly skip?: string;
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
}

async function load(p: Params, host: Host, ctx: SourceContext): Promise<Uint8Array> {
  if (/^https?:\/\//.test(p.src)) {
    const res = await fetch(p.src, { signal: AbortSignal.timeout(300_000) });
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
      return { skip: `${p.creates} exists`, differ: [], files: [] };
    }
    const st = await host.stat(p.dest);
    if (!st?.isDirectory) throw new Error(`dest ${p.dest} must be an existing directory`);
    const data = await load(p, host, ctx);
    const format = detectFormat(data);
    if (format === "zip") {
      const files = zipEntries(data).map((e) => e.name);
      return { format, differ: await zipDiffer(host, p.dest, data), files, data };
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
    const differ = d.code === 0 ? [] : `${d.stdout}${d.stderr}`.split("\n").filter(Boolean)
      .map((l) => l.replace(/^tar: /, ""));
    let files: string[] = [];
    if (p.list_files) {
      const l = await query(host, "tar", ["-t", ...tarFlag(format), "-f", "-"], { stdin: data });
      files = l.stdout.split("\n").filter(Boolean);
    }
    return { format, differ, files, data };
  },
  plan(p, cur): Change<UnarchiveOp>[] {
    if (cur.skip || cur.differ.length === 0) return [];
    return [{
      op: {
        src: p.src,
        remote: p.remote_src,
        dest: p.dest,
        format: cur.format!,
        data: cur.data!,
        args: tarOptions(p),
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
  },
  result: (p, cur) => ({ dest: p.dest, src: p.src, ...(p.list_files ? { files: cur.files } : {}) }),
});
