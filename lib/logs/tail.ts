/**
 * One tailed file: its identity (device + inode + a hash of its first bytes), its open
 * descriptor (kept across renames and deletion, so a rotated file is read to its end), the line
 * splitter and multiline state, and the tracker of acknowledged offsets.
 *
 * @module
 */
import type { Tracker } from "./ack.ts";
import type { Origin } from "./event.ts";
import { LineSplitter, type LongLines } from "./lines.ts";
import { Multiline, type MultilineOptions } from "./multiline.ts";

/** A file's identity. */
export interface Identity {
  readonly dev: number;
  readonly ino: number;
}

/** A hash of a file's first `len` bytes (and the bytes, to check shorter prefixes). */
export interface Fingerprint {
  readonly hash: string;
  readonly len: number;
  readonly head: Uint8Array;
}

/** Hex SHA-256 (first 16 bytes) of some bytes. */
export async function hashBytes(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  let out = "";
  for (let i = 0; i < 16; i++) out += digest[i]!.toString(16).padStart(2, "0");
  return out;
}

/** Reads up to `len` bytes at `offset` (moves the file position). */
export async function readAt(file: Deno.FsFile, offset: number, len: number): Promise<Uint8Array> {
  const buf = new Uint8Array(len);
  await file.seek(offset, Deno.SeekMode.Start);
  let n = 0;
  while (n < len) {
    const r = await file.read(buf.subarray(n));
    if (r === null || r === 0) break;
    n += r;
  }
  return buf.subarray(0, n);
}

/** The fingerprint of an open file: its first `max` bytes, or all of them when shorter. */
export async function fingerprintOf(file: Deno.FsFile, max: number): Promise<Fingerprint> {
  const head = await readAt(file, 0, max);
  return { hash: await hashBytes(head), len: head.length, head };
}

/** True when the first `len` bytes of `head` hash to `hash`. */
export async function prefixMatches(head: Uint8Array, len: number, hash: string): Promise<boolean> {
  if (head.length < len) return false;
  return (await hashBytes(head.subarray(0, len))) === hash;
}

/** Settings shared by the files of a source. */
export interface TailSettings {
  readonly source: string;
  readonly host: string;
  readonly maxLineBytes: number;
  readonly longLines: LongLines;
  readonly fingerprintBytes: number;
  readonly multiline?: MultilineOptions;
}

/** Where a file stands: on its path, moved off it (rotated), or unlinked. */
export type TailState = "live" | "rotated" | "deleted";

/** One file being read. */
export class FileTail implements Identity {
  readonly dev: number;
  readonly ino: number;
  path: string;
  fp: Fingerprint;
  file: Deno.FsFile | undefined;
  readonly splitter: LineSplitter;
  readonly multiline: Multiline | undefined;
  tracker: Tracker;
  origin: Origin;
  state: TailState = "live";
  /** When reading last found no new data (undefined while data flows). */
  eofSince: number | undefined;
  /** Last time data was read. */
  lastData: number;
  lastHeadCheck = 0;
  /** Size seen by the last stat. */
  size = 0;
  readonly #s: TailSettings;
  #position = -1;

  constructor(
    init: {
      path: string;
      id: Identity;
      file: Deno.FsFile;
      fp: Fingerprint;
      offset: number;
      /** The byte before `offset` is a newline (default: offset is 0). */
      boundary?: boolean;
      tracker: Tracker;
      now: number;
    },
    settings: TailSettings,
  ) {
    this.#s = settings;
    this.path = init.path;
    this.dev = init.id.dev;
    this.ino = init.id.ino;
    this.file = init.file;
    this.fp = init.fp;
    this.tracker = init.tracker;
    this.splitter = new LineSplitter(init.offset, {
      maxLineBytes: settings.maxLineBytes,
      longLines: settings.longLines,
      boundary: init.boundary ?? init.offset === 0,
    });
    this.multiline = settings.multiline ? new Multiline(settings.multiline) : undefined;
    this.origin = { source: settings.source, host: settings.host, path: init.path };
    this.lastData = init.now;
  }

  /** `dev:ino`. */
  get key(): string {
    return `${this.dev}:${this.ino}`;
  }

  /** Offset before which every line has been turned into events (the next fragment's end). */
  get emitOffset(): number {
    return this.multiline?.pendingOffset ?? this.splitter.lineStart;
  }

  /** The file was renamed (within the globs): later events carry the new path. */
  rename(path: string): void {
    this.path = path;
    this.origin = { source: this.#s.source, host: this.#s.host, path };
  }

  /**
   * Reads the next bytes after the pending ones into a buffer from `take` (filling it, at most
   * `chunk` bytes); n is 0 at the end of the file.
   */
  async read(
    take: (min: number) => Uint8Array,
    chunk: number,
  ): Promise<{ buffer: Uint8Array; n: number }> {
    const file = this.file!;
    const p = this.splitter.prepare(take, chunk);
    const at = this.splitter.readOffset;
    if (this.#position !== at) await file.seek(at, Deno.SeekMode.Start);
    const n = (await file.read(p.buffer.subarray(p.at))) ?? 0;
    this.#position = at + n;
    return { buffer: p.buffer, n };
  }

  /**
   * At the end of the data: was the file truncated (size below our offset, or its head or the
   * byte before our offset changed) or unlinked?
   */
  async checkAtEof(now: number, headEveryMs: number): Promise<"ok" | "truncated" | "deleted"> {
    const st = await this.file!.stat();
    this.size = st.size;
    if (st.size < this.splitter.readOffset) return "truncated";
    if (now - this.lastHeadCheck >= headEveryMs) {
      this.lastHeadCheck = now;
      if (await this.#replaced(st.size)) return "truncated";
    }
    if (st.nlink === 0) return "deleted";
    return "ok";
  }

  /** True when the content under our offset is not what we read (truncated, then rewritten). */
  async #replaced(size: number): Promise<boolean> {
    const file = this.file!;
    this.#position = -1;
    const fp = this.fp;
    if (fp.len > 0) {
      const head = await readAt(file, 0, Math.min(this.#s.fingerprintBytes, size));
      if (head.length < fp.len || !(await prefixMatches(head, fp.len, fp.hash))) return true;
      if (head.length > fp.len) this.fp = { hash: await hashBytes(head), len: head.length, head };
    }
    const at = this.splitter.lineStart;
    if (at > 0 && at > fp.len && this.splitter.atBoundary) {
      const before = await readAt(file, at - 1, 1);
      if (before[0] !== 10) return true;
    }
    return false;
  }

  /**
   * Extends a short fingerprint (the file was small when first seen) to the bytes there are now,
   * if the old head is still there.
   */
  async refreshFingerprint(): Promise<void> {
    if (!this.file || this.fp.len >= this.#s.fingerprintBytes) return;
    this.#position = -1;
    const head = await readAt(this.file, 0, this.#s.fingerprintBytes);
    if (head.length > this.fp.len && await prefixMatches(head, this.fp.len, this.fp.hash)) {
      this.fp = { hash: await hashBytes(head), len: head.length, head };
    }
  }

  /** Starts over on new content at offset 0 (after a truncation). */
  async restart(tracker: Tracker): Promise<void> {
    this.tracker = tracker;
    this.splitter.reset(0);
    this.multiline?.reset();
    this.#position = -1;
    this.fp = await fingerprintOf(this.file!, this.#s.fingerprintBytes);
  }

  /** Reopens a file closed while idle; false when it is gone or is another file now. */
  async reopen(): Promise<boolean> {
    try {
      const file = await Deno.open(this.path, { read: true });
      const st = await file.stat();
      if (st.dev !== this.dev || st.ino !== this.ino) {
        file.close();
        return false;
      }
      this.file = file;
      this.#position = -1;
      this.eofSince = undefined;
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the descriptor (idle, or released). */
  close(): void {
    try {
      this.file?.close();
    } catch { /* already closed */ }
    this.file = undefined;
    this.#position = -1;
  }
}
