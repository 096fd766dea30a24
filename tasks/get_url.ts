/**
 * `get_url`: downloads a URL to a file on the host, with Ansible's parameters (url, dest,
 * checksum `algo:hex` or `algo:<url of a checksum file>`, mode, owner, group, headers, force,
 * timeout, basic auth, backup). Idempotent by checksum: an existing file is kept unless the
 * checksum differs, or `force` finds new content. The download is verified before it is written
 * atomically (temp file + rename).
 *
 * @module
 */
import * as z from "zod";
import { basename } from "node:path";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, mode } from "./_ansible_params.ts";
import { digest, request, type RequestParams, requestShape } from "./_http.ts";

const schema = z.strictObject({
  ...requestShape,
  dest: z.string().min(1),
  checksum: z.string().regex(/^\w+:\S+$/, "expected algorithm:value, like sha256:abc...")
    .optional(),
  mode: mode().optional(),
  owner: z.string().optional(),
  group: z.string().optional(),
  force: bool().default(false),
  backup: bool().default(false),
});
type Params = z.output<typeof schema>;

interface UrlCurrent {
  readonly path: string;
  readonly exists: boolean;
  /** Hex digest of the existing file (with the checksum's algorithm, else sha256). */
  readonly have?: string;
  /** The expected digest from `checksum`. */
  readonly want?: string;
  readonly algo: string;
  /** With force: the content fetched now and its digest. */
  readonly fetched?: { data: Uint8Array; digest: string; status: number };
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly wantUid?: number;
  readonly wantGid?: number;
}

type UrlOp =
  | {
    kind: "write";
    path: string;
    request: RequestParams;
    data?: Uint8Array;
    algo: string;
    want?: string;
    mode?: number;
    uid?: number;
    gid?: number;
    backup: boolean;
  }
  | { kind: "attrs"; path: string; mode?: number; uid?: number; gid?: number };

async function expected(p: Params, file: string): Promise<{ algo: string; want?: string }> {
  if (!p.checksum) return { algo: "sha256" };
  const i = p.checksum.indexOf(":");
  const algo = p.checksum.slice(0, i).toLowerCase();
  const value = p.checksum.slice(i + 1);
  if (!/^(https?|file):\/\//.test(value)) return { algo, want: value.toLowerCase() };
  // A checksum file: `<hex>  <name>` lines, or a single hex.
  const res = await request({ ...p, url: value, headers: {} }, { defaultTimeout: 10 });
  const text = await res.text();
  for (const line of text.split("\n")) {
    const [hex, name] = line.trim().split(/\s+/);
    if (hex && (!name || name.replace(/^\*|^\.\//, "") === file)) {
      return { algo, want: hex.toLowerCase() };
    }
  }
  throw new Error(`checksum: no entry for ${file} in ${value}`);
}

async function ids(p: Params, host: Host) {
  const uid = p.owner === undefined
    ? undefined
    : /^\d+$/.test(p.owner)
    ? Number(p.owner)
    : (await host.user(p.owner))?.id;
  const gid = p.group === undefined
    ? undefined
    : /^\d+$/.test(p.group)
    ? Number(p.group)
    : (await host.group(p.group))?.id;
  if (p.owner !== undefined && uid === undefined) {
    throw new Error(`owner "${p.owner}" does not exist`);
  }
  if (p.group !== undefined && gid === undefined) {
    throw new Error(`group "${p.group}" does not exist`);
  }
  return { uid, gid };
}

/** The get_url task. */
export const getUrl = defineTask({
  type: "get_url",
  schema,
  mainParam: "url",
  async read(p, host, ctx): Promise<UrlCurrent> {
    const st = await host.stat(p.dest);
    const name = decodeURIComponent(basename(new URL(p.url).pathname)) || "index.html";
    const path = st?.isDirectory ? `${p.dest.replace(/\/$/, "")}/${name}` : p.dest;
    const file = st?.isDirectory ? await host.stat(path) : st;
    const { algo, want } = await expected(p, name);
    const existing = file?.isFile ? await host.readBytes(path) : undefined;
    const have = existing && (want || p.force)
      ? await digest(algo, new Uint8Array(existing))
      : undefined;
    let fetched: UrlCurrent["fetched"];
    if (p.force) {
      const res = await request(p, { defaultTimeout: 10, env: ctx.environment });
      if (!res.ok) throw new Error(`GET ${p.url}: HTTP ${res.status}`);
      const data = new Uint8Array(await res.arrayBuffer());
      fetched = { data, digest: await digest(algo, data), status: res.status };
    }
    const { uid, gid } = await ids(p, host);
    return {
      path,
      exists: existing !== undefined,
      ...(have ? { have } : {}),
      ...(want ? { want } : {}),
      algo,
      ...(fetched ? { fetched } : {}),
      ...(file ? { mode: file.mode & 0o7777, uid: file.uid, gid: file.gid } : {}),
      ...(uid !== undefined ? { wantUid: uid } : {}),
      ...(gid !== undefined ? { wantGid: gid } : {}),
    };
  },
  plan(p, cur): Change<UrlOp>[] {
    const attrs = {
      ...(p.mode !== undefined ? { mode: p.mode } : {}),
      ...(cur.wantUid !== undefined ? { uid: cur.wantUid } : {}),
      ...(cur.wantGid !== undefined ? { gid: cur.wantGid } : {}),
    };
    const diff = (after: string) => ({
      before: cur.exists ? `${cur.algo}:${cur.have ?? "(not computed)"}\n` : "(absent)\n",
      after: `${after}\n`,
      beforeLabel: `${cur.path} before`,
      afterLabel: `${cur.path} after`,
    });
    if (cur.fetched && cur.want && cur.fetched.digest !== cur.want) {
      throw new Error(
        `the checksum of ${p.url} is ${cur.algo}:${cur.fetched.digest}, expected ${cur.want}`,
      );
    }
    const stale = !cur.exists ||
      (cur.want !== undefined && cur.have !== cur.want) ||
      (cur.fetched !== undefined && cur.fetched.digest !== cur.have);
    if (stale) {
      return [{
        op: {
          kind: "write",
          path: cur.path,
          request: p,
          ...(cur.fetched ? { data: cur.fetched.data } : {}),
          algo: cur.algo,
          ...(cur.want ? { want: cur.want } : {}),
          ...attrs,
          backup: p.backup,
        },
        summary: `download ${p.url} to ${cur.path}${
          cur.want ? ` (${cur.algo}:${cur.want.slice(0, 12)}…)` : ""
        }`,
        diff: diff(
          cur.fetched
            ? `${cur.algo}:${cur.fetched.digest}`
            : cur.want
            ? `${cur.algo}:${cur.want}`
            : p.url,
        ),
      }];
    }
    const wrongMode = p.mode !== undefined && p.mode !== cur.mode;
    const wrongOwner = (cur.wantUid !== undefined && cur.wantUid !== cur.uid) ||
      (cur.wantGid !== undefined && cur.wantGid !== cur.gid);
    if (!wrongMode && !wrongOwner) return [];
    return [{
      op: { kind: "attrs", path: cur.path, ...attrs },
      summary: [
        wrongMode ? `chmod ${p.mode!.toString(8).padStart(4, "0")}` : "",
        wrongOwner ? `chown ${cur.wantUid ?? ""}:${cur.wantGid ?? ""}` : "",
      ].filter(Boolean).join(", ") + ` ${cur.path}`,
    }];
  },
  async apply(op, host, ctx) {
    if (op.kind === "attrs") {
      if (op.mode !== undefined) await host.chmod(op.path, op.mode);
      if (op.uid !== undefined || op.gid !== undefined) {
        await host.chown(op.path, op.uid ?? null, op.gid ?? null);
      }
      return;
    }
    let data = op.data;
    let status = 200;
    if (!data) {
      const res = await request(op.request, { defaultTimeout: 10, env: ctx.environment });
      status = res.status;
      if (!res.ok) throw new Error(`GET ${op.request.url}: HTTP ${res.status}`);
      // Host.writeAtomic takes the whole content: the body is held in memory.
      data = new Uint8Array(await res.arrayBuffer());
    }
    const got = await digest(op.algo, new Uint8Array(data));
    if (op.want && got !== op.want) {
      throw new Error(
        `the download of ${op.request.url} has ${op.algo}:${got}, expected ${op.want}; not written`,
      );
    }
    const { backup } = await host.writeAtomic(op.path, data, {
      ...(op.mode !== undefined ? { mode: op.mode } : {}),
      ...(op.uid !== undefined ? { uid: op.uid } : {}),
      ...(op.gid !== undefined ? { gid: op.gid } : {}),
      backup: op.backup,
    });
    return {
      dest: op.path,
      url: op.request.url,
      status_code: status,
      size: data.length,
      [`checksum_${op.algo}`]: got,
      ...(backup ? { backup_file: backup } : {}),
    };
  },
  result: (p, cur) => ({ dest: cur.path, url: p.url }),
});
