/**
 * `get_url`: downloads a URL to a file on the host, with Ansible's parameters (url, dest,
 * checksum `algo:hex` or `algo:<url of a checksum file>`, mode, owner, group, headers, force,
 * timeout, basic auth, backup). Idempotent without downloading: an existing file is kept unless
 * its checksum differs, or with `force` the server says it is newer (If-Modified-Since against the
 * file's mtime, which a download sets to the server's Last-Modified). The download happens in
 * apply, streamed into a temp file beside the dest and hashed on the way, and goes into place
 * only once the checksum matches.
 *
 * @module
 */
import * as z from "zod";
import { basename } from "node:path";
import type { ContentStream, FileStat, Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, mode } from "./_ansible_params.ts";
import { digestStream, hashing } from "./_digest.ts";
import { request, type RequestParams, requestShape } from "./_http.ts";

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

/** What the server says about the URL, asked without its body. */
type Remote =
  /** Not asked: no force, or the checksum decides. */
  | { readonly kind: "unasked" }
  /** 304, or a Last-Modified no newer than the file (and the same size): the file is current. */
  | { readonly kind: "current" }
  /** Newer (or another size) than the file: download. */
  | { readonly kind: "newer"; readonly lastModified?: string }
  /** No validator to compare: download to compare digests. */
  | { readonly kind: "unknown"; readonly lastModified?: string };

interface UrlCurrent {
  readonly path: string;
  readonly exists: boolean;
  /** Hex digest of the existing file (with the checksum's algorithm), when a checksum is set. */
  readonly have?: string;
  /** The expected digest from `checksum`. */
  readonly want?: string;
  readonly algo: string;
  readonly remote: Remote;
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
    algo: string;
    want?: string;
    /** Keep the file when the download has this digest (a server without validators). */
    same?: boolean;
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

/** The download has the content the file has: nothing to replace. */
class Unchanged extends Error {}

/**
 * Asks the server whether the URL is newer than the file, with If-Modified-Since (the file's
 * mtime, which a download sets to the server's Last-Modified), reading headers only.
 */
async function askRemote(
  p: Params,
  file: FileStat,
  env: Readonly<Record<string, string>> | undefined,
): Promise<Remote> {
  const since = file.mtime ?? new Date(0);
  const res = await request(
    { ...p, headers: { ...p.headers, "If-Modified-Since": since.toUTCString() } },
    { defaultTimeout: 10, env },
  );
  await res.body?.cancel();
  if (res.status === 304) return { kind: "current" };
  if (!res.ok) throw new Error(`GET ${p.url}: HTTP ${res.status}`);
  const header = res.headers.get("last-modified") ?? undefined;
  const length = res.headers.get("content-length");
  const lastModified = header === undefined ? NaN : Date.parse(header);
  if (Number.isNaN(lastModified)) {
    return { kind: "unknown", ...(header ? { lastModified: header } : {}) };
  }
  const sameSize = length === null || Number(length) === file.size;
  // HTTP dates have whole seconds.
  return lastModified <= Math.floor(since.getTime() / 1000) * 1000 && sameSize
    ? { kind: "current" }
    : { kind: "newer", lastModified: header! };
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
    const exists = file?.isFile ?? false;
    // The checksum decides without a request: the file is streamed through the hash.
    const have = exists && want ? await digestStream(algo, await host.readStream(path)) : undefined;
    const remote: Remote = exists && p.force && !want
      ? await askRemote(p, file!, ctx.environment)
      : { kind: "unasked" };
    const { uid, gid } = await ids(p, host);
    return {
      path,
      exists,
      ...(have ? { have } : {}),
      ...(want ? { want } : {}),
      algo,
      remote,
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
      before: cur.exists ? `${cur.have ? `${cur.algo}:${cur.have}` : "(present)"}\n` : "(absent)\n",
      after: `${after}\n`,
      beforeLabel: `${cur.path} before`,
      afterLabel: `${cur.path} after`,
    });
    const r = cur.remote;
    const stale = !cur.exists || (cur.want !== undefined && cur.have !== cur.want) ||
      r.kind === "newer" || r.kind === "unknown";
    if (stale) {
      const why = r.kind === "newer"
        ? `: newer on the server${r.lastModified ? ` (${r.lastModified})` : ""}`
        : r.kind === "unknown"
        ? ": the server gives no Last-Modified to compare, so it is fetched and compared"
        : "";
      return [{
        op: {
          kind: "write",
          path: cur.path,
          request: p,
          algo: cur.algo,
          ...(cur.want ? { want: cur.want } : {}),
          ...(r.kind === "unknown" ? { same: true } : {}),
          ...attrs,
          backup: p.backup,
        },
        summary: `download ${p.url} to ${cur.path}${
          cur.want ? ` (${cur.algo}:${cur.want.slice(0, 12)}…)` : ""
        }${why}`,
        diff: diff(cur.want ? `${cur.algo}:${cur.want}` : p.url),
        // Without validators the check is a download every run; not a failure to converge.
        ...(r.kind === "unknown" ? { action: true } : {}),
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
    // Streamed from the response into the temp file beside the dest, hashed on the way, and
    // put in place only once the checksum matches. A dry run's host never opens it: no request.
    const previous = op.same && (await host.stat(op.path))?.isFile
      ? await digestStream(op.algo, await host.readStream(op.path))
      : undefined;
    const hash = hashing(op.algo);
    let res: Response | undefined;
    let size = 0;
    const content: ContentStream = {
      source: op.request.url,
      remote: true,
      async open() {
        res = await request(op.request, { defaultTimeout: 10, env: ctx.environment });
        if (!res.ok || !res.body) {
          await res.body?.cancel();
          throw new Error(`GET ${op.request.url}: HTTP ${res.status}`);
        }
        return res.body.pipeThrough(hash.stream).pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              size += chunk.length;
              controller.enqueue(chunk);
            },
          }),
        );
      },
      verify() {
        const got = hash.hex();
        if (op.want && got !== op.want) {
          throw new Error(
            `the download of ${op.request.url} has ${op.algo}:${got}, expected ${op.want}; not written`,
          );
        }
        if (previous === got) throw new Unchanged();
      },
    };
    let backup: string | undefined;
    try {
      ({ backup } = await host.writeAtomic(op.path, content, {
        ...(op.mode !== undefined ? { mode: op.mode } : {}),
        ...(op.uid !== undefined ? { uid: op.uid } : {}),
        ...(op.gid !== undefined ? { gid: op.gid } : {}),
        backup: op.backup,
      }));
    } catch (e) {
      if (!(e instanceof Unchanged)) throw e;
      return { changed: false, dest: op.path, url: op.request.url, status_code: res!.status };
    }
    if (!res) return { dest: op.path, url: op.request.url };
    // The server's Last-Modified becomes the file's: the next run asks If-Modified-Since it.
    const lastModified = Date.parse(res.headers.get("last-modified") ?? "");
    if (!Number.isNaN(lastModified)) {
      await host.utime(op.path, new Date(), new Date(lastModified));
    }
    return {
      dest: op.path,
      url: op.request.url,
      status_code: res.status,
      size,
      [`checksum_${op.algo}`]: hash.hex(),
      ...(backup ? { backup_file: backup } : {}),
    };
  },
  result: (p, cur) => ({ dest: cur.path, url: p.url }),
});
