/**
 * What the content tasks (copy, template, lineinfile, blockinfile, replace) share: path aliases,
 * symlink resolution through the host, content diffs (binary and secret aware) and the write
 * step with `validate` (run on a temp file beside the destination before it goes into place)
 * and `backup`.
 *
 * @module
 */
import * as z from "zod";
import { basename, dirname, join, resolve } from "node:path";
import type { Content, Host } from "../lib/apply/host.ts";
import { createHash } from "node:crypto";
import { digestStream, hashing } from "./_digest.ts";
import { shellQuote } from "../lib/shlex.ts";
import type { Diff, TaskResult } from "../lib/apply/task.ts";
import { shlexSplit } from "../lib/shlex.ts";

/** The value of the first alias given (`path`, `dest`, `name`): the schema made sure of one. */
export function pathParam(params: Readonly<Record<string, unknown>>, names: readonly string[]) {
  for (const n of names) {
    const v = params[n];
    if (typeof v === "string") return v;
  }
  throw new Error(`${names[0]} is required`);
}

/** A zod check that exactly one of a param's aliases is given. */
export function oneOf(names: readonly string[]) {
  return (params: Readonly<Record<string, unknown>>, ctx: z.RefinementCtx) => {
    const given = names.filter((n) => params[n] !== undefined);
    if (given.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: [names[0]!],
        message: `${names[0]} is required${
          names.length > 1 ? ` (aliases: ${names.slice(1).join(", ")})` : ""
        }`,
      });
    } else if (given.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: [given[1]!],
        message: `${given.join(" and ")} are aliases of one parameter; give only one`,
      });
    }
  };
}

/** `validate` must name the file with `%s`, as Ansible requires. */
export const validateSchema = z.string().refine((v) => v.includes("%s"), {
  message: "validate must contain %s (the file to check)",
});

/** Follows symlinks at the end of a path, as `os.path.realpath` does for the last component. */
export async function resolveLinks(host: Host, path: string): Promise<string> {
  let p = resolve("/", path);
  for (let i = 0; i < 40; i++) {
    const st = await host.stat(p, { follow: false });
    if (!st?.isSymlink) return p;
    p = resolve(dirname(p), await host.readLink(p));
  }
  throw new Error(`too many levels of symbolic links: ${path}`);
}

/** Reads a file on the host, or `null` when it does not exist. */
export async function readOrNull(host: Host, path: string): Promise<Uint8Array | null> {
  try {
    return await host.readBytes(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Binary: a NUL byte in the first 8 KiB, or not valid UTF-8. */
export function isBinary(bytes: Uint8Array): boolean {
  if (bytes.subarray(0, 8192).includes(0)) return true;
  try {
    utf8.decode(bytes);
    return false;
  } catch {
    return true;
  }
}

/** Decodes UTF-8 (replacing invalid bytes: only for display). */
export function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/**
 * A content diff for a change; binary content is flagged instead of decoded. Secrets in it are
 * redacted line by line where it is shown, like any other output.
 */
export function contentDiff(
  path: string,
  before: Uint8Array | null,
  after: Uint8Array | null,
): Diff {
  if ((before && isBinary(before)) || (after && isBinary(after))) {
    return { before: "", after: "", path, binary: true };
  }
  return { before: before ? decode(before) : "", after: after ? decode(after) : "", path };
}

/** Files up to this size are read whole, for a line diff; larger ones are compared by hash. */
export const DIFF_LIMIT = 64 * 1024;

/** Content as compared: its size, its SHA-1, and its bytes when small enough to diff. */
export interface Fingerprint {
  readonly size: number;
  readonly sha1: string;
  readonly bytes?: Uint8Array;
}

/** The fingerprint of bytes in memory (a rendered template, `content`). */
export function fingerprintOf(bytes: Uint8Array): Fingerprint {
  return {
    size: bytes.length,
    sha1: createHash("sha1").update(bytes).digest("hex"),
    ...(bytes.length <= DIFF_LIMIT ? { bytes } : {}),
  };
}

/** A file's fingerprint, read whole when small and streamed through the hash when not. */
async function fingerprintFile(
  size: number,
  read: () => Promise<Uint8Array>,
  stream: () => Promise<ReadableStream<Uint8Array>>,
): Promise<Fingerprint> {
  if (size <= DIFF_LIMIT) return fingerprintOf(await read());
  return { size, sha1: await digestStream("sha1", await stream()) };
}

/** The fingerprint of a file on the host. */
export function hostFingerprint(host: Host, path: string, size: number): Promise<Fingerprint> {
  return fingerprintFile(size, () => host.readBytes(path), () => host.readStream(path));
}

/** The fingerprint of a file of the config repo (this machine). */
export async function localFingerprint(path: string): Promise<Fingerprint> {
  const size = (await Deno.stat(path)).size;
  return await fingerprintFile(
    size,
    () => Deno.readFile(path),
    async () => (await Deno.open(path)).readable,
  );
}

/** Same content: same size and SHA-1. */
export function sameContent(a: Fingerprint, b: Fingerprint): boolean {
  return a.size === b.size && a.sha1 === b.sha1;
}

/** The diff of a content change: lines when both sides are small, else sizes and digests. */
export function fingerprintDiff(
  path: string,
  before: Fingerprint | null,
  after: Fingerprint,
): Diff {
  if ((before === null || before.bytes) && after.bytes) {
    return contentDiff(path, before?.bytes ?? null, after.bytes);
  }
  const show = (f: Fingerprint | null) => (f ? `${f.size} bytes, sha1 ${f.sha1}\n` : "");
  return { before: show(before), after: show(after), path };
}

/** Byte equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A file's content by reference, streamed when it is written: a file of the config repo
 * (`local`) or one on the host (`onHost`, for remote_src), with the digest it had when read.
 */
export interface FileRef {
  readonly local?: string;
  readonly onHost?: string;
  readonly size: number;
  readonly sha1: string;
}

/** Writing a file's content: atomically, validated first when asked, with a backup when asked. */
export interface WriteOp {
  readonly kind: "write";
  readonly path: string;
  readonly data: Uint8Array | FileRef;
  /** Mode/owner for a new file; an existing file keeps its own unless set. */
  readonly mode?: number | undefined;
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  readonly backup: boolean;
  /** A command with `%s`, run on a temp file holding the new content; non-zero refuses it. */
  readonly validate?: string | undefined;
}

/** Applies a write; returns `backup_file` when a backup was made. */
export async function applyWrite(op: WriteOp, host: Host): Promise<TaskResult> {
  const options = {
    ...(op.mode !== undefined ? { mode: op.mode } : {}),
    ...(op.uid !== undefined ? { uid: op.uid } : {}),
    ...(op.gid !== undefined ? { gid: op.gid } : {}),
    backup: op.backup,
  };
  if (op.validate !== undefined) await validate(op, host);
  const { backup } = await host.writeAtomic(op.path, content(op.data, host), options);
  return backup ? { backup_file: backup } : {};
}

/**
 * What a write op writes: its bytes, or its file streamed, checked on the way against the
 * digest it had when it was planned (a source edited since is not written).
 */
function content(data: Uint8Array | FileRef, host: Host): Content {
  if (data instanceof Uint8Array) return data;
  const hash = hashing("sha1");
  const source = data.local ?? data.onHost!;
  return {
    source,
    size: data.size,
    open: async () => {
      const stream = data.local !== undefined
        ? (await Deno.open(data.local)).readable
        : await host.readStream(data.onHost!);
      return stream.pipeThrough(hash.stream);
    },
    verify() {
      if (hash.hex() !== data.sha1) {
        throw new Error(`${source} changed since it was read: not written (run again)`);
      }
    },
  };
}

/**
 * Runs `validate` on a temp file beside the destination, with the mode and owner the file will
 * have (visudo checks them). The destination is not touched unless the command exits 0; what
 * goes into place is the same bytes.
 */
async function validate(op: WriteOp, host: Host): Promise<void> {
  const tmp = join(
    dirname(op.path),
    `.${basename(op.path)}.driftless-validate-${crypto.randomUUID().slice(0, 8)}`,
  );
  const existing = await host.stat(op.path);
  const uid = op.uid ?? existing?.uid;
  const gid = op.gid ?? existing?.gid;
  await host.writeAtomic(tmp, content(op.data, host), {
    mode: op.mode ?? existing?.mode ?? 0o600,
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
  });
  try {
    // Python's `validate % tmp`: %s is the file, %% a percent sign.
    const line = op.validate!.replace(/%([%s])/g, (_, c) => c === "s" ? shellQuote(tmp) : "%");
    const [cmd, ...args] = shlexSplit(line);
    if (cmd === undefined) throw new Error("validate is empty");
    let r;
    try {
      r = await host.run(cmd, args);
    } catch (e) {
      throw new Error(`failed to validate: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (r.code !== 0) {
      throw new Error(
        `failed to validate: rc:${r.code} error:${r.stderr.trim() || r.stdout.trim()}`,
      );
    }
  } finally {
    await host.remove(tmp).catch(() => {});
  }
}
