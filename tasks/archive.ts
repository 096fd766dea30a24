/**
 * `archive` (community.general.archive): packs paths (globs in the last component) into a
 * tar, tar.gz, tar.bz2 or tar.xz, or compresses a single file (gz, bz2, xz). The archive is
 * rebuilt only when its listing (names, sizes, mtimes) no longer matches the sources, or, for a
 * compressed file, when the source is newer. Built beside dest and renamed into place.
 *
 * @module
 */
import * as z from "zod";
import { basename, dirname, relative } from "node:path";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, list, mode } from "./_ansible_params.ts";
import { type Cmd, cmdLine, query, runAll } from "./_run.ts";

const schema = z.strictObject({
  path: list(),
  dest: z.string().optional(),
  format: z.enum(["gz", "bz2", "xz", "tar"]).default("gz"),
  exclude_path: list().optional(),
  /** Archive a single file too, instead of compressing it. */
  force_archive: bool().default(false),
  remove: bool().default(false),
  mode: mode().optional(),
});
type Params = z.output<typeof schema>;

const TAR_FLAG = { gz: ["-z"], bz2: ["-j"], xz: ["-J"], tar: [] } as const;
const COMPRESSOR = { gz: "gzip", bz2: "bzip2", xz: "xz" } as const;

/** One archive member: name relative to the archive root, size and mtime (seconds). */
interface Member {
  readonly name: string;
  readonly size: number;
  readonly mtime: number;
  readonly dir: boolean;
}

interface ArchiveCurrent {
  readonly sources: readonly string[];
  readonly dest: string;
  readonly compress: boolean;
  readonly root: string;
  /** What the sources would put in the archive, and what dest holds. */
  readonly want: readonly Member[];
  readonly have?: readonly Member[];
  readonly upToDate: boolean;
  readonly destExists: boolean;
}

type ArchiveOp = {
  cmds: readonly Cmd[];
  rename?: [string, string];
  remove: readonly string[];
  dest: string;
  mode?: number;
};

async function expand(host: Host, pattern: string): Promise<string[]> {
  if (!/[*?]/.test(basename(pattern))) return (await host.stat(pattern)) ? [pattern] : [];
  const re = new RegExp(
    `^${
      basename(pattern).replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(
        /\?/g,
        ".",
      )
    }$`,
  );
  const names = await host.readDir(dirname(pattern)).catch(() => [] as string[]);
  return names.filter((n) => re.test(n)).map((n) => `${dirname(pattern)}/${n}`);
}

async function walk(host: Host, path: string, root: string, skip: Set<string>, out: Member[]) {
  if (skip.has(path)) return;
  const st = await host.stat(path, { follow: false });
  if (!st) return;
  const name = relative(root, path);
  const mtime = Math.floor((st.mtime?.getTime() ?? 0) / 1000);
  if (st.isDirectory) {
    out.push({ name: `${name}/`, size: 0, mtime, dir: true });
    for (const n of await host.readDir(path)) await walk(host, `${path}/${n}`, root, skip, out);
  } else out.push({ name, size: st.isSymlink ? 0 : st.size, mtime, dir: false });
}

/** Parses `tar -tv --full-time` (run with TZ=UTC). */
export function parseTarListing(text: string): Member[] {
  const out: Member[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\S)\S*\s+\S+\s+(\d+)\s+(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\s+(.*)$/.exec(line);
    if (!m) continue;
    const name = m[5]!.replace(/ -> .*$/, "");
    out.push({
      name,
      size: m[1] === "-" ? Number(m[2]) : 0,
      mtime: Math.floor(Date.parse(`${m[3]}T${m[4]}Z`) / 1000),
      dir: m[1] === "d",
    });
  }
  return out;
}

const key = (m: Member) => `${m.name}\t${m.dir ? 0 : m.size}\t${m.dir ? 0 : m.mtime}`;

function commonRoot(paths: readonly string[]): string {
  const parts = paths.map((p) => dirname(p).split("/"));
  const first = parts[0] ?? ["", ""];
  let n = 0;
  while (n < first.length && parts.every((p) => p[n] === first[n])) n++;
  return first.slice(0, n).join("/") || "/";
}

/** The archive task. */
export const archive = defineTask({
  type: "archive",
  schema,
  mainParam: "path",
  async read(p, host): Promise<ArchiveCurrent> {
    const skip = new Set(p.exclude_path ?? []);
    const sources = (await Promise.all(p.path.map((x) => expand(host, x)))).flat()
      .filter((s) => !skip.has(s));
    const single = sources.length === 1 ? await host.stat(sources[0]!) : undefined;
    const one = p.format !== "tar" && !p.force_archive && p.path.length === 1 &&
      !/[*?]/.test(p.path[0]!);
    // A single file compresses; once removed (remove: true), its compressed copy is the sign.
    const compress = one &&
      (sources.length === 0
        ? (await host.stat(`${p.path[0]}.${p.format}`)) !== undefined
        : single?.isFile ?? false);
    const ext = compress ? p.format : p.format === "tar" ? "tar" : `tar.${p.format}`;
    const dest = p.dest ?? (p.path.length === 1 ? `${p.path[0]}.${ext}` : "");
    if (!dest) throw new Error("dest is required when path names several files or a glob");
    const destSt = await host.stat(dest);
    const root = commonRoot(sources);
    if (compress && sources.length === 0) {
      return { sources, dest, compress, root, want: [], upToDate: true, destExists: !!destSt };
    }
    if (compress) {
      const srcTime = single!.mtime?.getTime() ?? 0;
      return {
        sources,
        dest,
        compress,
        root,
        want: [],
        upToDate: (destSt?.mtime?.getTime() ?? -1) >= srcTime,
        destExists: destSt !== undefined,
      };
    }
    const want: Member[] = [];
    for (const s of sources) await walk(host, s, root, skip, want);
    let have: Member[] | undefined;
    if (destSt) {
      const l = await query(
        host,
        "tar",
        ["-tv", "--full-time", ...TAR_FLAG[p.format], "-f", dest],
        {
          env: { TZ: "UTC", LC_ALL: "C" },
        },
      );
      if (l.code === 0) have = parseTarListing(l.stdout);
    }
    const same = have !== undefined &&
      JSON.stringify(have.map(key).sort()) === JSON.stringify(want.map(key).sort());
    return {
      sources,
      dest,
      compress,
      root,
      want,
      ...(have ? { have } : {}),
      upToDate: same,
      destExists: destSt !== undefined,
    };
  },
  plan(p, cur): Change<ArchiveOp>[] {
    if (cur.sources.length === 0) {
      // Sources already archived and removed (remove: true): nothing left to do.
      if (cur.destExists) return [];
      throw new Error(`no files match ${p.path.join(", ")}`);
    }
    const remove = p.remove ? cur.sources : [];
    if (cur.upToDate && remove.length === 0) return [];
    const extra = p.mode !== undefined ? { mode: p.mode } : {};
    if (cur.compress) {
      const src = cur.sources[0]!;
      const made = `${src}.${p.format}`;
      const cmd: Cmd = { cmd: COMPRESSOR[p.format as "gz"], args: ["-k", "-f", src] };
      return [{
        op: {
          cmds: cur.upToDate ? [] : [cmd],
          ...(made !== cur.dest && !cur.upToDate
            ? { rename: [made, cur.dest] as [string, string] }
            : {}),
          remove,
          dest: cur.dest,
          ...extra,
        },
        summary: `${cur.upToDate ? "" : `${cmdLine(cmd)} -> ${cur.dest}`}${
          remove.length ? `${cur.upToDate ? "" : "; "}remove ${src}` : ""
        }`,
      }];
    }
    const tmp = `${dirname(cur.dest)}/.${basename(cur.dest)}.driftless-tmp`;
    const members = cur.sources.map((s) => relative(cur.root, s));
    const cmd: Cmd = {
      cmd: "tar",
      args: [
        "-c",
        ...TAR_FLAG[p.format],
        "-f",
        tmp,
        "-C",
        cur.root,
        ...(p.exclude_path ?? []).map((e) => `--exclude=${relative(cur.root, e)}`),
        "--",
        ...members,
      ],
    };
    const fmt = (ms: readonly Member[]) => ms.map((m) => `${m.name}\n`).sort().join("");
    return [{
      op: {
        cmds: cur.upToDate ? [] : [cmd],
        ...(cur.upToDate ? {} : { rename: [tmp, cur.dest] as [string, string] }),
        remove,
        dest: cur.dest,
        ...extra,
      },
      summary: cur.upToDate
        ? `remove ${remove.join(" ")}`
        : `${cur.have ? "rebuild" : "create"} ${cur.dest} from ${members.join(" ")}${
          remove.length ? " (then remove the sources)" : ""
        }`,
      diff: {
        before: fmt(cur.have ?? []),
        after: fmt(cur.want),
        beforeLabel: `${cur.dest} before`,
        afterLabel: `${cur.dest} after`,
      },
    }];
  },
  async apply(op, host) {
    await runAll(host, op.cmds);
    if (op.rename) await host.rename(op.rename[0], op.rename[1]);
    if (op.mode !== undefined) await host.chmod(op.dest, op.mode);
    for (const r of op.remove) await host.remove(r, { recursive: true });
  },
  result: (_p, cur) => ({ dest: cur.dest, archived: cur.sources }),
});
