/**
 * One tailed file: its identity (device + inode + head fingerprint), its open descriptor (kept
 * across renames and deletion, so a rotated file is read to its end), the line splitter and
 * multiline state, and the tracker of acknowledged offsets.
 *
 * Every read that returns data is checked against the head fingerprint before its bytes are
 * used: a file truncated and written again past our offset (copytruncate while we were held
 * up by a slow output) is noticed before a line of the new content is joined to the old.
 *
 * @module
 */
import type { Tracker } from "./ack.ts";
import type { Origin } from "./event.ts";
import { type Fingerprint, fingerprint, fnv1a, headKeys, readAt } from "./fingerprint.ts";
import { LineSplitter, type LongLines } from "./lines.ts";
import { Multiline, type MultilineOptions } from "./multiline.ts";

/** Least room a read gets after the pending bytes of an unfinished line. */
const MIN_READ = 64 * 1024;

/** A file's identity. */
export interface Identity {
  readonly dev: number;
  readonly ino: number;
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

/** What a look at an open file found. */
export type Poll = "data" | "eof" | "truncated" | "deleted";

/** The result of a read: `n` new bytes after the pending ones in `buffer`. */
export interface ReadResult {
  readonly buffer: Uint8Array;
  readonly n: number;
  /** The content under our offset is not what we were reading: the bytes were not used. */
  readonly replaced: boolean;
  /** The fingerprint grew (the file was shorter than `fingerprint_bytes`). */
  readonly grew: boolean;
}

/** One file being read. */
export class FileTail implements Identity {
  readonly dev: number;
  readonly ino: number;
  path: string;
  fp: Fingerprint;
  /** Head index keys of `fp` (copy detection). */
  heads: number[];
  file: Deno.FsFile | undefined;
  readonly splitter: LineSplitter;
  readonly multiline: Multiline | undefined;
  tracker: Tracker;
  origin: Origin;
  state: TailState = "live";
  /** Adopted as the copy of a truncated file: an unfinished last line is cut, not shipped. */
  copy = false;
  /** When reading last found no new data (undefined while data flows). */
  eofSince: number | undefined;
  /** Last time data was read. */
  lastData: number;
  /** Size and modification time seen by the last look. */
  size = 0;
  mtime = 0;
  /** When the file is looked at next (0: at once; Infinity: when a scan or event says so). */
  dueAt = 0;
  /** The current wait between looks at an idle file (doubles up to a cap). */
  backoff = 0;
  readonly #s: TailSettings;
  readonly #scratch: Uint8Array;
  #position = -1;

  constructor(
    init: {
      path: string;
      id: Identity;
      file: Deno.FsFile;
      fp: Fingerprint;
      heads: number[];
      offset: number;
      /** The byte before `offset` is a newline (default: offset is 0). */
      boundary?: boolean;
      tracker: Tracker;
      now: number;
    },
    settings: TailSettings,
    scratch: Uint8Array,
  ) {
    this.#s = settings;
    this.#scratch = scratch;
    this.path = init.path;
    this.dev = init.id.dev;
    this.ino = init.id.ino;
    this.file = init.file;
    this.fp = init.fp;
    this.heads = init.heads;
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
   * Looks at the open file (one fstat): new data, the end, truncated below our offset (or,
   * at the same size but modified, with another head), or unlinked.
   */
  async poll(): Promise<Poll> {
    const st = await this.file!.stat();
    const mtime = st.mtime?.getTime() ?? 0;
    const modified = mtime !== this.mtime;
    this.size = st.size;
    this.mtime = mtime;
    const at = this.splitter.readOffset;
    if (st.size < at) return "truncated";
    if (st.size > at) return "data";
    if (modified && at > 0 && (await this.#head()) === "changed") return "truncated";
    return st.nlink === 0 ? "deleted" : "eof";
  }

  /**
   * Reads the next bytes after the pending ones into a buffer from `take`, then checks the
   * head is still ours. The buffer holds `chunk` bytes with the pending ones (a pooled size)
   * and never less than MIN_READ new ones; no more is read than the last look saw.
   */
  async read(take: (min: number) => Uint8Array, chunk: number): Promise<ReadResult> {
    const file = this.file!;
    const at = this.splitter.readOffset;
    const room = Math.max(MIN_READ, chunk - this.splitter.pending);
    const want = Math.max(1, Math.min(room, this.size - at));
    const p = this.splitter.prepare(take, want);
    if (this.#position !== at) await file.seek(at, Deno.SeekMode.Start);
    const n = (await file.read(p.buffer.subarray(p.at, p.at + want))) ?? 0;
    this.#position = at + n;
    if (n === 0) return { buffer: p.buffer, n, replaced: false, grew: false };
    // Read from offset 0, the bytes are the head: checked without reading it again.
    const head = await this.#head(at === 0 ? p.buffer.subarray(0, n) : undefined);
    return { buffer: p.buffer, n, replaced: head === "changed", grew: head === "grew" };
  }

  /**
   * Compares the file's head with the fingerprint (extending a short one): "changed" when the
   * bytes we identified the file by are gone (truncated, rewritten).
   */
  async #head(read?: Uint8Array): Promise<"same" | "grew" | "changed"> {
    const fp = this.fp;
    const want = fp.len < this.#s.fingerprintBytes ? this.#s.fingerprintBytes : fp.len;
    let head: Uint8Array;
    if (read) head = read.subarray(0, Math.min(read.length, want));
    else {
      head = await readAt(this.file!, 0, want, this.#scratch);
      this.#position = head.length;
    }
    if (head.length < fp.len || fnv1a(head, fp.len) !== fp.sum) return "changed";
    if (head.length === fp.len) return "same";
    const copy = head.slice();
    this.fp = await fingerprint(copy);
    this.heads = headKeys(copy);
    return "grew";
  }

  /** True when the file's head is no longer the one it was identified by. */
  async headChanged(): Promise<boolean> {
    return (await this.#head()) === "changed";
  }

  /** Starts over on new content at offset 0 (after a truncation). */
  async restart(tracker: Tracker): Promise<void> {
    this.tracker = tracker;
    this.splitter.reset(0);
    this.multiline?.reset();
    this.eofSince = undefined;
    const head = (await readAt(this.file!, 0, this.#s.fingerprintBytes, this.#scratch)).slice();
    this.#position = head.length;
    this.fp = await fingerprint(head);
    this.heads = headKeys(head);
  }

  /** Reopens a closed file by its path; false when it is gone or is another file now. */
  async reopen(): Promise<boolean> {
    let file: Deno.FsFile | undefined;
    try {
      file = await Deno.open(this.path, { read: true });
      const st = await file.stat();
      if (st.dev !== this.dev || st.ino !== this.ino) {
        file.close();
        return false;
      }
      this.file = file;
      this.#position = -1;
      return true;
    } catch {
      try {
        file?.close();
      } catch { /* closed */ }
      return false;
    }
  }

  /** Closes the descriptor (idle, over the open-files cap, or released). */
  close(): void {
    try {
      this.file?.close();
    } catch { /* already closed */ }
    this.file = undefined;
    this.#position = -1;
  }
}
