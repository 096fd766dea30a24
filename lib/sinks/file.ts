/**
 * The file sink: appends events (raw lines or JSON) to files named by a path template
 * (`{source}`, `{host}`, `{date}`, strftime), rotates them by size or age, gzips rotated files
 * and keeps at most `max_files` of them. A batch is acknowledged after `fdatasync`, and a line
 * torn by a crash is cut off when the file is opened again, so the resent batch lands whole.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import type { FileSinkConfig } from "./config.ts";
import { SinkError } from "./errors.ts";
import { eventHost, eventJson, eventSource, eventText } from "./event.ts";
import { gzipFile } from "./gzip.ts";
import type { EventRun, Sink, SinkEvent } from "./sink.ts";
import { compactTime, compileTemplate, type Template } from "./template.ts";

const encoder = new TextEncoder();
/** Encode buffer: lines are encoded into it and written when it fills (bounded memory). */
const BUFFER_BYTES = 1 << 20;
/** Characters joined before encoding (small enough for V8's young generation). */
const PIECE = 48 * 1024;
/** Files not written for this long are closed. */
const IDLE_CLOSE_MS = 60_000;

interface OpenFile {
  readonly path: string;
  readonly file: Deno.FsFile;
  size: number;
  readonly createdAt: number;
  lastWrite: number;
}

/** Appends events to local files. */
export class FileSink implements Sink {
  readonly name: string;
  readonly #c: FileSinkConfig;
  readonly #host: string;
  readonly #path: Template;
  readonly #perEvent: boolean;
  readonly #json: boolean;
  readonly #mode: number;
  readonly #open = new Map<string, OpenFile>();
  #background: Promise<void> = Promise.resolve();
  readonly #lastRotation = new Map<string, { stamp: string; n: number }>();
  readonly #log: ((level: "warn" | "info", message: string) => void) | undefined;
  /** Made on first use: raw lines from log blocks are written from their own bytes. */
  #buf = new Uint8Array(0);

  constructor(
    config: FileSinkConfig,
    options: { host: string; log?: (level: "warn" | "info", message: string) => void },
  ) {
    this.name = config.name;
    this.#c = config;
    this.#host = options.host;
    this.#log = options.log;
    this.#path = compileTemplate(config.path, ["source", "host", "sink"]);
    this.#perEvent = /\{(source|host)\}/.test(config.path);
    this.#json = (config.format ?? "json") === "json";
    this.#mode = config.mode ? parseInt(config.mode, 8) : 0o640;
  }

  /** Checks the directory of the (rendered) path can be created and written. */
  async check(): Promise<void> {
    const path = this.#path({ source: "check", host: this.#host, sink: this.name }, new Date());
    const dir = dirname(path);
    await Deno.mkdir(dir, { recursive: true });
    const probe = join(dir, `.driftless-check-${crypto.randomUUID().slice(0, 8)}`);
    await Deno.writeFile(probe, new Uint8Array());
    await Deno.remove(probe);
  }

  async send(batch: readonly SinkEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const now = new Date();
    try {
      if (!this.#perEvent) {
        await this.#write(
          this.#path({ source: "", host: this.#host, sink: this.name }, now),
          batch,
          now,
        );
      } else {
        const groups = new Map<string, SinkEvent[]>();
        for (const e of batch) {
          const path = this.#path(
            { source: eventSource(e, this.name), host: eventHost(e, this.#host), sink: this.name },
            now,
          );
          let list = groups.get(path);
          if (!list) groups.set(path, list = []);
          list.push(e);
        }
        for (const [path, events] of groups) await this.#write(path, events, now);
      }
    } catch (e) {
      if (e instanceof SinkError) throw e;
      throw new SinkError(`file sink ${this.name}: ${(e as Error).message}`, {
        retryable: true,
        cause: e,
      });
    }
    this.#closeIdle(now.getTime());
  }

  /**
   * Raw lines straight from their bytes when the lists can copy them (log blocks): no event
   * objects, no decoding. Anything else takes the event path.
   */
  async sendRuns(runs: readonly EventRun[]): Promise<void> {
    const raw = !this.#json && !this.#c.rotate?.max_bytes &&
      runs.every((r) => r.list.copyRaw !== undefined);
    if (!raw) return await this.send(runs.flatMap((r) => r.list.slice(r.from, r.to)));
    const now = new Date();
    const touched = new Set<OpenFile>();
    try {
      for (const run of runs) {
        let path: string;
        if (this.#perEvent) {
          const e = run.list.slice(run.from, run.from + 1)[0]!;
          path = this.#path(
            { source: eventSource(e, this.name), host: eventHost(e, this.#host), sink: this.name },
            now,
          );
        } else path = this.#path({ source: "", host: this.#host, sink: this.name }, now);
        const f = await this.#file(path, now);
        // The lines' own bytes when they are one run (no copy), else a copy with newlines added.
        let bytes = run.list.rawView?.(run.from, run.to);
        if (!bytes) {
          const need = run.list.rawBytes!(run.from, run.to);
          if (this.#buf.length < need) this.#buf = new Uint8Array(need);
          const end = run.list.copyRaw!(run.from, run.to, this.#buf, 0);
          if (end >= 0) bytes = this.#buf.subarray(0, end);
        }
        if (!bytes) {
          // Not valid UTF-8: the event path replaces the bad bytes.
          await this.#write(path, run.list.slice(run.from, run.to), now, false);
        } else {
          let off = 0;
          while (off < bytes.length) off += await f.file.write(bytes.subarray(off));
          f.size += bytes.length;
        }
        touched.add(f);
      }
      if (this.#c.fsync ?? true) { for (const f of touched) await f.file.syncData(); }
      for (const f of touched) f.lastWrite = now.getTime();
    } catch (e) {
      if (e instanceof SinkError) throw e;
      throw new SinkError(`file sink ${this.name}: ${(e as Error).message}`, {
        retryable: true,
        cause: e,
      });
    }
    this.#closeIdle(now.getTime());
  }

  async close(): Promise<void> {
    for (const f of this.#open.values()) f.file.close();
    this.#open.clear();
    await this.#background;
  }

  async #write(path: string, events: readonly SinkEvent[], now: Date, sync = true): Promise<void> {
    let f = await this.#file(path, now);
    const maxBytes = this.#c.rotate?.max_bytes ?? 0;
    // Lines are joined into pieces of about PIECE characters and each piece is encoded once:
    // no per-line views or result objects (garbage that would outlive the young generation).
    const parts: string[] = [];
    let chars = 0;
    let pending = 0; // bytes encoded in the buffer, not yet written
    const write = async () => {
      let off = 0;
      while (off < pending) off += await f.file.write(this.#buf.subarray(off, pending));
      f.size += pending;
      pending = 0;
    };
    if (this.#buf.length < BUFFER_BYTES) this.#buf = new Uint8Array(BUFFER_BYTES);
    const encode = async () => {
      if (parts.length === 0) return;
      parts.push("");
      const text = parts.join("\n");
      parts.length = 0;
      chars = 0;
      if (this.#buf.length - pending < text.length * 3) {
        await write();
        if (this.#buf.length < text.length * 3) this.#buf = new Uint8Array(text.length * 3);
      }
      pending += encoder.encodeInto(text, this.#buf.subarray(pending)).written;
    };
    for (const e of events) {
      const text = this.#json ? eventJson(e) : eventText(e);
      if (
        maxBytes > 0 && f.size + pending + chars > 0 &&
        f.size + pending + chars + text.length >= maxBytes
      ) {
        await encode();
        await write();
        f = await this.#rotate(f, now);
      }
      parts.push(text);
      chars += text.length + 1;
      if (chars >= PIECE) await encode();
    }
    await encode();
    await write();
    if (sync && (this.#c.fsync ?? true)) await f.file.syncData();
    f.lastWrite = now.getTime();
  }

  /** The open file for a path: opened (torn tail cut) or rotated by age as needed. */
  async #file(path: string, now: Date): Promise<OpenFile> {
    let f = this.#open.get(path);
    const interval = this.#c.rotate?.interval ?? 0;
    if (f && interval > 0 && f.size > 0 && now.getTime() - f.createdAt >= interval) {
      f = await this.#rotate(f, now);
    }
    if (f) return f;
    await Deno.mkdir(dirname(path), { recursive: true });
    const file = await Deno.open(path, { read: true, write: true, create: true, mode: this.#mode });
    const st = await file.stat();
    let size = st.size;
    if (size > 0) size = await cutTornTail(file, size);
    else if (this.#c.fsync ?? true) await syncDir(dirname(path));
    await file.seek(size, Deno.SeekMode.Start);
    f = {
      path,
      file,
      size,
      createdAt: st.birthtime?.getTime() ?? st.mtime?.getTime() ?? now.getTime(),
      lastWrite: now.getTime(),
    };
    this.#open.set(path, f);
    return f;
  }

  /** Closes the current file, renames it with a timestamp, gzips and prunes in the background. */
  async #rotate(f: OpenFile, now: Date): Promise<OpenFile> {
    if (this.#c.fsync ?? true) await f.file.syncData();
    f.file.close();
    this.#open.delete(f.path);
    // Names sort by time, then by a counter within one second (never reused, even after pruning).
    const stamp = compactTime(now);
    const last = this.#lastRotation.get(f.path);
    let n = last?.stamp === stamp ? last.n + 1 : 0;
    const name = (k: number) => `${f.path}.${stamp}${k === 0 ? "" : `-${k}`}`;
    while (await exists(name(n)) || await exists(`${name(n)}.gz`)) n++;
    this.#lastRotation.set(f.path, { stamp, n });
    const rotated = name(n);
    await Deno.rename(f.path, rotated);
    // Compress and prune in the background, one rotation after the other.
    this.#background = this.#background.then(async () => {
      try {
        if (this.#c.compress) await gzipFile(rotated, `${rotated}.gz`, { mode: this.#mode });
        await this.#prune(f.path);
      } catch (e) {
        this.#log?.(
          "warn",
          `file sink ${this.name}: after rotating ${f.path}: ${(e as Error).message}`,
        );
      }
    });
    return await this.#file(f.path, now);
  }

  /** Removes the oldest rotated files of a path beyond `max_files`. */
  async #prune(path: string): Promise<void> {
    const keep = this.#c.max_files ?? 0;
    if (keep <= 0) return;
    const base = basename(path);
    const re = new RegExp(`^${escapeRe(base)}\\.\\d{8}T\\d{6}Z(-\\d+)?(\\.gz)?$`);
    const rotated: string[] = [];
    for await (const e of Deno.readDir(dirname(path))) {
      if (e.isFile && re.test(e.name)) rotated.push(e.name);
    }
    rotated.sort(compareRotated);
    for (const name of rotated.slice(0, Math.max(0, rotated.length - keep))) {
      await Deno.remove(join(dirname(path), name)).catch(() => {});
    }
  }

  #closeIdle(now: number): void {
    for (const [path, f] of this.#open) {
      if (now - f.lastWrite > IDLE_CLOSE_MS) {
        f.file.close();
        this.#open.delete(path);
      }
    }
  }
}

/** Orders rotated names by their timestamp, then their `-N` counter. */
function compareRotated(a: string, b: string): number {
  const key = (s: string) => {
    const m = /\.(\d{8}T\d{6}Z)(?:-(\d+))?(?:\.gz)?$/.exec(s)!;
    return [m[1]!, Number(m[2] ?? 0)] as const;
  };
  const [ta, na] = key(a);
  const [tb, nb] = key(b);
  return ta < tb ? -1 : ta > tb ? 1 : na - nb;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const d = await Deno.open(dir, { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
  } catch { /* not every filesystem syncs directories */ }
}

/**
 * Cuts a file back to its last newline (a crash can leave half a batch) and returns the new
 * size. The cut part is resent: its batch was never acknowledged.
 */
export async function cutTornTail(file: Deno.FsFile, size: number): Promise<number> {
  const chunk = new Uint8Array(Math.min(size, 64 * 1024));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    await file.seek(start, Deno.SeekMode.Start);
    let n = 0;
    while (n < end - start) {
      const r = await file.read(chunk.subarray(n, end - start));
      if (r === null) break;
      n += r;
    }
    const nl = chunk.subarray(0, n).lastIndexOf(10);
    if (nl >= 0) {
      const keep = start + nl + 1;
      if (keep < size) await file.truncate(keep);
      return keep;
    }
    end = start;
  }
  await file.truncate(0);
  return 0;
}
