/**
 * One source: finds its files (globs, excludes, inotify with polling as the fallback), follows
 * them through rotation (rename/create, copytruncate, delete), turns their lines into events
 * (multiline, parser, filters) and pushes them to the source's sinks, waiting when the sinks'
 * queues are full. Checkpoints advance through each file's tracker as sinks acknowledge.
 *
 * Rotation rules: a file keeps its identity (device + inode + head hash) whatever its name;
 * a file that left its path (renamed away or deleted) is read to its end, its unfinished last
 * line flushed, and released once it stayed unchanged for `release_after`. A file truncated in
 * place leaves its unshipped rest to its copy: a new file whose head hash matches continues
 * where the truncated content stopped (include the rotated name, e.g. `app.log*`, in `paths`).
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { SourceConfig } from "../config/logs_schema.ts";
import type { BufferedSink } from "../sinks/buffered.ts";
import type { SinkEvent } from "../sinks/sink.ts";
import { Tracker, type TrackerOwner } from "./ack.ts";
import { ChunkPool, LineBlock } from "./block.ts";
import type { CheckpointEntry, CheckpointStore, OrphanEntry } from "./checkpoint.ts";
import { LogEvent } from "./event.ts";
import { compileFilters, type FilterChain, type FilterStats } from "./filter.ts";
import { compileExclude, compileGlob, expandGlob, type Glob, isCompressed } from "./glob.ts";
import { compileParser, type Parser } from "./parse.ts";
import { compileRegex } from "./parse/regex.ts";
import {
  FileTail,
  type Fingerprint,
  fingerprintOf,
  hashBytes,
  prefixMatches,
  readAt,
  type TailSettings,
} from "./tail.ts";
import { expandHome } from "../config/paths.ts";

/**
 * Size of the pooled read buffers: a file is read up to this much per turn (files take turns,
 * so one busy file cannot starve others).
 */
export const CHUNK = 1 << 20;
/** Least room a read gets after the pending bytes of an unfinished line. */
const MIN_READ = 64 * 1024;
/** Head bytes a file needs before a head match alone (copytruncate) identifies it. */
const MIN_FP_MATCH = 32;
/** How long a truncated file's content waits for its copy to appear. */
const ORPHAN_TTL_MS = 10 * 60_000;
/** How often a file at its end has its head re-checked (truncated and rewritten). */
const HEAD_CHECK_MS = 250;
/**
 * How long a new file whose head equals a followed file's waits for that file's truncation
 * (copytruncate); after that it is read as a file of its own.
 */
const COPY_WAIT_MS = 60_000;
/**
 * How long a new file too short to be recognised by its head waits before it is read: it may be
 * a copy being written (copytruncate), which must continue where its original stopped.
 */
const SETTLE_MS = 500;

/** Counters of one source, for self-metrics. */
export interface SourceStats extends FilterStats {
  linesRead: number;
  bytesRead: number;
  /** Events pushed to the sinks (after filters). */
  events: number;
  parseErrors: number;
  longLines: number;
  invalidUtf8: number;
  multilineCut: number;
  /** Files truncated in place (copytruncate). */
  truncations: number;
  /** Files that left their path (renamed away or deleted). */
  rotations: number;
  /** Rotated or deleted files read to their end and let go. */
  released: number;
  /** Files found (new identities). */
  discovered: number;
}

/** What a source needs from the pipeline. */
export interface SourceDeps {
  readonly store: CheckpointStore;
  /** The source's outputs, in the order of its `outputs` list. */
  readonly sinks: readonly BufferedSink[];
  readonly host: string;
  readonly log: (level: "warn" | "info" | "debug", message: string) => void;
}

interface Orphan {
  entry: OrphanEntry;
  /** The tracker of the truncated content's in-flight lines (absent after a restart). */
  readonly tracker: Tracker | undefined;
  /** Where the copy continues reading. */
  readonly resumeAt: number;
}

/** Reads the files of one source and routes their events. */
export class SourceReader {
  readonly name: string;
  readonly stats: SourceStats = {
    linesRead: 0,
    bytesRead: 0,
    events: 0,
    filtered: 0,
    rateLimited: 0,
    parseErrors: 0,
    longLines: 0,
    invalidUtf8: 0,
    multilineCut: 0,
    truncations: 0,
    rotations: 0,
    released: 0,
    discovered: 0,
  };
  readonly #c: SourceConfig;
  readonly #d: SourceDeps;
  readonly #globs: Glob[];
  readonly #excludes: ((path: string) => boolean)[];
  readonly #parser: Parser | undefined;
  readonly #filter: FilterChain | undefined;
  readonly #settings: TailSettings;
  readonly #tails = new Map<string, FileTail>();
  readonly #byPath = new Map<string, FileTail>();
  readonly #released = new WeakSet<FileTail>();
  readonly #finalOffset = new WeakMap<FileTail, number>();
  readonly #warned = new Set<string>();
  /** Files held back as copies of a followed file, and since when. */
  readonly #deferred = new Map<string, number>();
  /** New files too short to identify by their head, and since when. */
  readonly #young = new Map<string, number>();
  /** `once()`: files are taken as they are now, nothing waits for later. */
  #onceMode = false;
  #orphans: Orphan[] = [];
  readonly #pool = new ChunkPool(CHUNK, 32);
  readonly #take = (min: number) => this.#pool.take(min);
  /** No parser, filters or multiline: lines stay bytes until a sink sends them. */
  readonly #passthrough: boolean;
  #stopped = false;
  #wakeUp: (() => void) | undefined;
  #scanRequested = false;
  /** Renames inotify reported (from, to): a file may leave the globs before a scan sees it. */
  #renames: [string, string][] = [];
  #watcher: Deno.FsWatcher | undefined;
  #watchedKey = "";
  #firstRun: boolean;

  constructor(config: SourceConfig, deps: SourceDeps) {
    this.name = config.name;
    this.#c = config;
    this.#d = deps;
    this.#globs = config.paths.map((p) => compileGlob(expandTilde(p)));
    this.#excludes = (config.exclude ?? []).map((p) => compileExclude(expandTilde(p)));
    this.#parser = compileParser(config.parser);
    this.#filter = compileFilters(config.filters, this.stats);
    const ml = config.multiline;
    this.#settings = {
      source: config.name,
      host: deps.host,
      maxLineBytes: config.max_line_bytes ?? 1024 * 1024,
      longLines: config.long_lines ?? "split",
      fingerprintBytes: config.fingerprint_bytes ?? 1024,
      ...(ml
        ? {
          multiline: {
            pattern: compileRegex(ml.pattern),
            negate: ml.negate ?? false,
            match: ml.match ?? "after",
            maxLines: ml.max_lines ?? 500,
            timeoutMs: ml.timeout ?? 5000,
          },
        }
        : {}),
    };
    this.#passthrough = !this.#parser && !this.#filter && !ml;
    this.#firstRun = deps.store.forSource(config.name).length === 0 &&
      deps.store.orphans(config.name).length === 0;
    for (const o of deps.store.orphans(config.name)) {
      this.#orphans.push({ entry: o, tracker: undefined, resumeAt: o.offset });
    }
  }

  /** Files being followed now. */
  get openFiles(): number {
    let n = 0;
    for (const t of this.#tails.values()) if (t.file) n++;
    return n;
  }

  /** Bytes in the files not yet acknowledged by every sink. */
  get lagBytes(): number {
    let n = 0;
    for (const t of this.#tails.values()) {
      n += Math.max(0, Math.max(t.size, t.splitter.readOffset) - t.tracker.committed);
    }
    return n;
  }

  /** Per file: path, size seen and acknowledged offset. */
  files(): { path: string; size: number; committed: number; state: string }[] {
    return [...this.#tails.values()].map((t) => ({
      path: t.path,
      size: Math.max(t.size, t.splitter.readOffset),
      committed: t.tracker.committed,
      state: t.state,
    }));
  }

  /** Follows the files until `stop()`. */
  async run(): Promise<void> {
    const scanEvery = this.#c.scan_interval ?? 10_000;
    const pollEvery = this.#c.poll_interval ?? 1000;
    await this.#scan(true);
    this.#watch();
    let nextScan = Date.now() + scanEvery;
    while (!this.#stopped) {
      let progressed = false;
      for (const t of [...this.#tails.values()]) {
        if (this.#stopped) break;
        if (!t.file) continue;
        if ((await this.#guarded(t, false)) > 0) progressed = true;
      }
      if (this.#stopped) break;
      const now = Date.now();
      if (this.#scanRequested || now >= nextScan) {
        this.#scanRequested = false;
        try {
          await this.#scan(false);
        } catch (e) {
          if (this.#stopped) break;
          this.#d.log(
            "warn",
            `source ${this.name}: looking for files failed: ${(e as Error).message}`,
          );
        }
        this.#watch();
        nextScan = Date.now() + scanEvery;
      }
      if (!progressed) await this.#wait(Math.max(10, Math.min(pollEvery, nextScan - now)));
    }
  }

  /** Reads every file to its current end once, flushes what is complete, and returns. */
  async once(): Promise<void> {
    this.#onceMode = true;
    await this.#scan(true);
    for (;;) {
      let progressed = false;
      for (const t of [...this.#tails.values()]) {
        if (this.#stopped) return;
        if (!t.file) continue;
        if ((await this.#guarded(t, true)) > 0) progressed = true;
      }
      if (!progressed || this.#stopped) break;
    }
  }

  /** Asks `run()` to return after the current step. */
  stop(): void {
    this.#stopped = true;
    this.#wake();
  }

  /** Closes the watcher and every file. */
  close(): void {
    this.stop();
    try {
      this.#watcher?.close();
    } catch { /* closed */ }
    this.#watcher = undefined;
    for (const t of this.#tails.values()) t.close();
  }

  #wake(): void {
    const w = this.#wakeUp;
    this.#wakeUp = undefined;
    w?.();
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wakeUp = undefined;
        resolve();
      }, ms);
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** A step that reports file errors (unreadable, I/O) instead of stopping the source. */
  async #guarded(t: FileTail, once: boolean): Promise<number> {
    try {
      return await this.#step(t, Date.now(), once);
    } catch (e) {
      if (this.#stopped) return 0;
      this.#d.log("warn", `source ${this.name}: ${t.path}: ${(e as Error).message}`);
      t.close();
      return 0;
    }
  }

  /** Reads one chunk of a file and ships its events; at the end of the data, housekeeping. */
  async #step(t: FileTail, now: number, once: boolean): Promise<number> {
    const { buffer, n } = await t.read(this.#take, MIN_READ);
    if (n > 0) {
      t.eofSince = undefined;
      t.lastData = now;
      // A file first seen small gets its full fingerprint as soon as it has the bytes: a
      // truncation must find the head hash complete (its copy is matched by it).
      if (t.fp.len < this.#settings.fingerprintBytes) await t.refreshFingerprint();
      await this.#consume(t, buffer, n, now);
      return n;
    }
    this.#pool.give(buffer);
    const status = await t.checkAtEof(now, HEAD_CHECK_MS);
    if (status === "truncated") {
      await this.#truncated(t, now);
      return 1; // read again at once, from the start
    }
    if (status === "deleted" && t.state === "live") this.#leftPath(t, "deleted");
    t.eofSince ??= now;
    const ml = t.multiline;
    if (ml && ml.pendingOffset !== undefined) {
      const timeout = this.#settings.multiline!.timeoutMs;
      if (once || now - ml.pendingSince >= timeout) {
        const events: LogEvent[] = [];
        ml.flush(now, this.#emitter(t, now, events), true);
        await this.#deliver(t, events, 0);
      }
    }
    if (t.state !== "live") {
      if (once || now - t.eofSince >= (this.#c.release_after ?? 5000)) await this.#release(t, now);
    } else if (!once && now - t.eofSince >= (this.#c.close_inactive ?? 300_000)) {
      t.close();
    }
    return 0;
  }

  /** Turns `n` new bytes into events (or a block of lines) and pushes them. */
  async #consume(t: FileTail, buffer: Uint8Array, n: number, now: number): Promise<void> {
    const s = t.splitter;
    const long = s.stats.long;
    const bad = s.stats.invalidUtf8;
    this.stats.bytesRead += n;
    if (this.#passthrough) {
      const block = new LineBlock(
        { bytes: buffer, base: s.lineStart, origin: t.origin, time: now },
        { pool: this.#pool, stats: this.stats, lines: Math.ceil(n / 128) },
      );
      s.commitRanges(buffer, n, (a, b) => block.add(a, b));
      this.stats.longLines += s.stats.long - long;
      this.stats.linesRead += block.length;
      await this.#deliverBlock(t, block);
      return;
    }
    const events: LogEvent[] = [];
    const emit = this.#emitter(t, now, events);
    const ml = t.multiline;
    if (ml) {
      const cut = ml.cut;
      s.commit(buffer, n, (text, offset) => ml.line(text, offset, now, emit));
      this.stats.multilineCut += ml.cut - cut;
    } else {
      s.commit(buffer, n, emit);
    }
    this.#pool.give(buffer);
    this.stats.longLines += s.stats.long - long;
    this.stats.invalidUtf8 += s.stats.invalidUtf8 - bad;
    await this.#deliver(t, events, n);
  }

  /** Pushes a block of lines to every sink; its buffer returns to the pool when all are done. */
  async #deliverBlock(t: FileTail, block: LineBlock): Promise<void> {
    const tracker = t.tracker;
    const end = t.emitOffset;
    const count = block.length;
    if (count === 0) {
      block.retain();
      block.release();
      this.#settle(tracker.skip(end));
      return;
    }
    this.stats.events += count;
    const sinks = this.#d.sinks;
    for (let i = 0; i < sinks.length; i++) block.retain();
    const bytes = block.textBytes;
    const offsetAt = (i: number) => block.offsetAt(i);
    const done = () => block.release();
    for (let i = 0; i < sinks.length; i++) {
      await sinks[i]!.push(block, bytes, tracker.handle(i, count, end, offsetAt, done));
    }
  }

  /** The line handler of one chunk: event, parser, filters. */
  #emitter(t: FileTail, now: number, out: LogEvent[]): (text: string, offset: number) => void {
    const origin = t.origin;
    const parser = this.#parser;
    const filter = this.#filter;
    const stats = this.stats;
    return (text, offset) => {
      stats.linesRead++;
      const ev = new LogEvent(text, offset, now, origin);
      if (parser) {
        parser(ev);
        if (ev.error !== undefined) stats.parseErrors++;
      }
      if (filter && !filter(ev, now)) return;
      out.push(ev);
    };
  }

  /** Pushes a fragment (events up to the file's emit offset) to every sink of the source. */
  async #deliver(t: FileTail, events: LogEvent[], bytes: number): Promise<void> {
    const tracker = t.tracker;
    const end = t.emitOffset;
    if (events.length === 0) {
      this.#settle(tracker.skip(end));
      return;
    }
    this.stats.events += events.length;
    let size = bytes;
    if (size === 0) { for (const e of events) size += e.message.length + 1; }
    const sinks = this.#d.sinks;
    const offsetAt = (i: number) => events[i]!.offset;
    for (let i = 0; i < sinks.length; i++) {
      await sinks[i]!.push(
        events as unknown as SinkEvent[],
        size,
        tracker.handle(i, events.length, end, offsetAt),
      );
    }
  }

  #settle(r: void | Promise<void>): void {
    if (r) r.catch((e) => this.#d.log("warn", `checkpoint not saved: ${(e as Error).message}`));
  }

  /** Saves a file's checkpoint as its tracker advances; forgets released files once shipped. */
  #owner(t: FileTail): TrackerOwner {
    return {
      checkpoint: (committed) => {
        const store = this.#d.store;
        const final = this.#finalOffset.get(t);
        if (this.#released.has(t) && final !== undefined && committed >= final) {
          store.delete(this.name, t.dev, t.ino);
        } else {
          store.set(this.#entry(t, committed));
        }
        return store.save();
      },
    };
  }

  #entry(t: FileTail, offset: number): CheckpointEntry {
    return {
      source: this.name,
      dev: t.dev,
      ino: t.ino,
      fp: t.fp.hash,
      fp_len: t.fp.len,
      offset,
      path: t.path,
    };
  }

  /** The file was truncated in place: its unshipped rest goes to its copy, if one appears. */
  async #truncated(t: FileTail, now: number): Promise<void> {
    this.stats.truncations++;
    const old = t.tracker;
    const lost = Math.max(0, t.size - t.splitter.readOffset);
    if (t.fp.len >= MIN_FP_MATCH) {
      const orphan: Orphan = {
        entry: {
          source: this.name,
          fp: t.fp.hash,
          fp_len: t.fp.len,
          offset: old.committed,
          path: t.path,
          since: now,
        },
        tracker: old,
        resumeAt: t.emitOffset,
      };
      old.owner = {
        checkpoint: (committed) => {
          this.#d.store.deleteOrphan(orphan.entry);
          orphan.entry = { ...orphan.entry, offset: committed };
          if (this.#orphans.includes(orphan)) this.#d.store.setOrphan(orphan.entry);
          return this.#d.store.save();
        },
      };
      this.#orphans.push(orphan);
      this.#d.store.setOrphan(orphan.entry);
    } else {
      old.owner = undefined;
    }
    this.#d.log(
      "info",
      `source ${this.name}: ${t.path} was truncated (copytruncate?); reading it from the start` +
        (lost > 0 ? ` (${lost} bytes not yet read go to its copy, if the globs match it)` : ""),
    );
    const tracker = new Tracker(0, this.#d.sinks.length);
    await t.restart(tracker);
    tracker.owner = this.#owner(t);
    this.#d.store.set(this.#entry(t, 0));
    this.#settle(this.#d.store.save());
    // Look for the copy now rather than at the next scan.
    this.#scanRequested = true;
  }

  /** The file is no longer at its path. */
  #leftPath(t: FileTail, state: "rotated" | "deleted"): void {
    t.state = state;
    this.stats.rotations++;
    for (const [p, v] of this.#byPath) if (v === t) this.#byPath.delete(p);
    this.#d.log(
      "debug",
      `source ${this.name}: ${t.path} was ${
        state === "deleted" ? "deleted" : "rotated"
      }; reading it to its end`,
    );
  }

  /** A rotated or deleted file stayed unchanged: read its rest, flush its last line, let it go. */
  async #release(t: FileTail, now: number): Promise<void> {
    for (;;) {
      const { buffer, n } = await t.read(this.#take, MIN_READ);
      if (n === 0) {
        this.#pool.give(buffer);
        break;
      }
      await this.#consume(t, buffer, n, now);
    }
    const events: LogEvent[] = [];
    const emit = this.#emitter(t, now, events);
    const ml = t.multiline;
    if (ml) {
      t.splitter.flush((text, offset) => ml.line(text, offset, now, emit));
      ml.flush(now, emit, true);
    } else t.splitter.flush(emit);
    this.#released.add(t);
    this.#finalOffset.set(t, t.splitter.lineStart);
    await this.#deliver(t, events, 0);
    t.close();
    this.#tails.delete(t.key);
    for (const [p, v] of this.#byPath) if (v === t) this.#byPath.delete(p);
    this.stats.released++;
    if (t.tracker.committed >= t.splitter.lineStart && t.tracker.inflight === 0) {
      this.#d.store.delete(this.name, t.dev, t.ino);
      this.#settle(this.#d.store.save());
    }
  }

  /** Finds the files of the globs: follows renames, notices rotations, opens new files. */
  async #scan(initial: boolean): Promise<void> {
    const now = Date.now();
    const paths: string[] = [];
    const seenPaths = new Set<string>();
    for (const g of this.#globs) {
      for (const p of await expandGlob(g)) {
        if (seenPaths.has(p) || isCompressed(p) || this.#excludes.some((x) => x(p))) continue;
        seenPaths.add(p);
        paths.push(p);
      }
    }
    const seen = new Set<FileTail>();
    const fresh: { path: string; st: Deno.FileInfo }[] = [];
    for (const path of paths) {
      let st: Deno.FileInfo;
      try {
        st = await Deno.stat(path);
      } catch {
        continue;
      }
      if (!st.isFile) continue;
      const t = this.#tails.get(`${st.dev}:${st.ino}`);
      if (t) {
        seen.add(t);
        if (t.path !== path && !seenPaths.has(t.path)) {
          this.#byPath.delete(t.path);
          t.rename(path);
        }
        this.#byPath.set(path, t);
        if (t.state !== "live") t.state = "live"; // moved back under the globs
        t.size = st.size;
        if (!t.file && st.size !== t.splitter.readOffset) await t.reopen();
        continue;
      }
      const prev = this.#byPath.get(path);
      if (prev && prev.state === "live") this.#leftPath(prev, "rotated");
      fresh.push({ path, st });
    }
    for (const t of [...this.#tails.values()]) {
      if (seen.has(t) || t.state !== "live") continue;
      let gone = true;
      try {
        gone = t.file ? (await t.file.stat()).nlink === 0 : true;
      } catch { /* closed */ }
      this.#leftPath(t, gone ? "deleted" : "rotated");
      if (!t.file) {
        const found = await findByInode(dirname(t.path), t.dev, t.ino);
        if (found) {
          t.rename(found);
          await t.reopen();
        }
        if (!t.file) {
          this.#tails.delete(t.key);
          this.#d.store.delete(this.name, t.dev, t.ino);
        }
      }
    }
    // Files with a checkpoint first: a truncated file's orphan must exist before its copy is seen.
    const known = (f: { st: Deno.FileInfo }) =>
      this.#d.store.get(this.name, f.st.dev ?? 0, f.st.ino ?? 0) !== undefined;
    for (const f of [...fresh.filter(known), ...fresh.filter((f) => !known(f))]) {
      try {
        await this.#discover(f.path, f.st, initial, now);
      } catch (e) {
        this.#d.log("warn", `source ${this.name}: ${f.path}: ${(e as Error).message}`);
      }
    }
    await this.#renamedAway(seenPaths, now);
    if (initial) await this.#recoverMoved(now);
    const expired = this.#orphans.filter((o) => now - o.entry.since > ORPHAN_TTL_MS);
    for (const o of expired) this.#d.store.deleteOrphan(o.entry);
    if (expired.length > 0) this.#orphans = this.#orphans.filter((o) => !expired.includes(o));
    this.#settle(this.#d.store.save());
  }

  /**
   * Files renamed from a glob path to a name outside the globs before any scan saw them (a
   * quick rotation): they are read to their end like any rotated file.
   */
  async #renamedAway(seenPaths: Set<string>, now: number): Promise<void> {
    const renames = this.#renames;
    this.#renames = [];
    for (const [from, to] of renames) {
      if (seenPaths.has(to) || !this.#globs.some((g) => g.regex.test(from))) continue;
      if (this.#excludes.some((x) => x(from)) || isCompressed(to)) continue;
      let st: Deno.FileInfo;
      try {
        st = await Deno.stat(to);
      } catch {
        continue;
      }
      if (!st.isFile || this.#tails.has(`${st.dev}:${st.ino}`)) continue;
      this.stats.rotations++;
      await this.#discover(to, st, false, now, true);
    }
  }

  /** Opens a file not followed yet and decides where reading starts. */
  async #discover(
    path: string,
    st: Deno.FileInfo,
    initial: boolean,
    now: number,
    rotated = false,
  ): Promise<void> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (e) {
      if (!this.#warned.has(path)) {
        this.#warned.add(path);
        this.#d.log("warn", `source ${this.name}: cannot read ${path}: ${(e as Error).message}`);
      }
      return;
    }
    try {
      const fst = await file.stat();
      const id = { dev: fst.dev ?? 0, ino: fst.ino ?? 0 };
      if (fst.dev !== st.dev || fst.ino !== st.ino) {
        file.close();
        this.#scanRequested = true; // replaced between stat and open: look again
        return;
      }
      const fp = await fingerprintOf(file, this.#settings.fingerprintBytes);
      const entry = this.#d.store.get(this.name, id.dev, id.ino);
      let offset = 0;
      let tracker: Tracker | undefined;
      if (entry) {
        if (fp.len >= entry.fp_len && await prefixMatches(fp.head, entry.fp_len, entry.fp)) {
          if (entry.offset <= fst.size) offset = entry.offset;
          else this.#orphanFromEntry(entry, now); // truncated while we were down
        } else {
          // Same inode, other content: reused, or truncated and rewritten while we were down.
          this.#orphanFromEntry(entry, now);
        }
      } else {
        const orphan = await this.#matchOrphan(fp, fst.size);
        if (orphan) {
          this.#orphans = this.#orphans.filter((o) => o !== orphan);
          this.#d.store.deleteOrphan(orphan.entry);
          tracker = orphan.tracker ?? new Tracker(orphan.entry.offset, this.#d.sinks.length);
          offset = orphan.resumeAt;
          this.#d.log(
            "info",
            `source ${this.name}: ${path} is the copy of truncated ${orphan.entry.path}; continuing at byte ${offset}`,
          );
        } else if (
          fp.len < MIN_FP_MATCH && !this.#onceMode && !this.#settled(`${id.dev}:${id.ino}`, now)
        ) {
          // Too short to tell whether it is a copy still being written: look again shortly.
          file.close();
          this.#scanRequested = true;
          return;
        } else if (
          now - (this.#deferred.get(`${id.dev}:${id.ino}`) ?? now) < COPY_WAIT_MS &&
          await this.#copyOfLive(fp)
        ) {
          // A copy of a file still being read (copytruncate in progress): reading it would only
          // duplicate. It is looked at again at the next scans, after the truncation.
          if (!this.#deferred.has(`${id.dev}:${id.ino}`)) {
            this.#deferred.set(`${id.dev}:${id.ino}`, now);
          }
          file.close();
          return;
        } else if (
          (initial && this.#firstRun && this.#c.start_at === "end") ||
          (this.#c.ignore_older !== undefined && fst.mtime !== null &&
            now - fst.mtime.getTime() > this.#c.ignore_older)
        ) {
          offset = await lastLineEnd(file, fst.size);
        }
      }
      this.#deferred.delete(`${id.dev}:${id.ino}`);
      this.#young.delete(`${id.dev}:${id.ino}`);
      tracker ??= new Tracker(offset, this.#d.sinks.length);
      const boundary = offset === 0 || (await readAt(file, offset - 1, 1))[0] === 10;
      const t = new FileTail(
        { path, id, file, fp, offset, boundary, tracker, now },
        this.#settings,
      );
      t.size = fst.size;
      tracker.owner = this.#owner(t);
      this.#tails.set(t.key, t);
      if (rotated) t.state = "rotated";
      else this.#byPath.set(path, t);
      this.stats.discovered++;
      this.#d.log(
        "debug",
        `source ${this.name}: reading ${path} from byte ${offset}${entry ? " (checkpoint)" : ""}`,
      );
      this.#d.store.set(this.#entry(t, tracker.committed));
    } catch (e) {
      try {
        if (!this.#tails.has(`${st.dev}:${st.ino}`)) file.close();
      } catch { /* closed already */ }
      throw e;
    }
  }

  /** True once a new, short file has been seen for SETTLE_MS. */
  #settled(key: string, now: number): boolean {
    const first = this.#young.get(key);
    if (first === undefined) {
      if (this.#young.size > 10_000) this.#young.clear();
      this.#young.set(key, now);
      return false;
    }
    return now - first >= SETTLE_MS;
  }

  #orphanFromEntry(entry: CheckpointEntry, now: number): void {
    if (entry.fp_len < MIN_FP_MATCH) return;
    const o: OrphanEntry = {
      source: this.name,
      fp: entry.fp,
      fp_len: entry.fp_len,
      offset: entry.offset,
      path: entry.path,
      since: now,
    };
    this.#orphans.push({ entry: o, tracker: undefined, resumeAt: o.offset });
    this.#d.store.setOrphan(o);
  }

  async #matchOrphan(fp: Fingerprint, size: number): Promise<Orphan | undefined> {
    for (const o of this.#orphans) {
      if (fp.len < o.entry.fp_len || size < o.resumeAt) continue;
      if (await prefixMatches(fp.head, o.entry.fp_len, o.entry.fp)) return o;
    }
    return undefined;
  }

  /** True when the file's head equals the head of a file being followed (it is a copy). */
  async #copyOfLive(fp: Fingerprint): Promise<boolean> {
    if (fp.len < MIN_FP_MATCH) return false;
    for (const t of this.#tails.values()) {
      if (t.state !== "live") continue;
      await t.refreshFingerprint();
      if (t.fp.len < MIN_FP_MATCH) continue;
      const len = Math.min(fp.len, t.fp.len);
      if (
        (await prefixMatches(fp.head, len, await headHash(t.fp, len))) &&
        t.splitter.readOffset > 0
      ) return true;
    }
    return false;
  }

  /** At start: checkpointed files no longer under the globs (rotated while we were down). */
  async #recoverMoved(now: number): Promise<void> {
    for (const entry of this.#d.store.forSource(this.name)) {
      if (this.#tails.has(`${entry.dev}:${entry.ino}`)) continue;
      const found = await findByInode(dirname(entry.path), entry.dev, entry.ino);
      let file: Deno.FsFile | undefined;
      try {
        if (found) {
          file = await Deno.open(found, { read: true });
          const st = await file.stat();
          const fp = await fingerprintOf(file, this.#settings.fingerprintBytes);
          if (
            st.dev === entry.dev && st.ino === entry.ino && st.size > entry.offset &&
            fp.len >= entry.fp_len && await prefixMatches(fp.head, entry.fp_len, entry.fp)
          ) {
            const tracker = new Tracker(entry.offset, this.#d.sinks.length);
            const boundary = entry.offset === 0 ||
              (await readAt(file, entry.offset - 1, 1))[0] === 10;
            const t = new FileTail(
              { path: found, id: entry, file, fp, offset: entry.offset, boundary, tracker, now },
              this.#settings,
            );
            t.size = st.size;
            t.state = "rotated";
            tracker.owner = this.#owner(t);
            this.#tails.set(t.key, t);
            this.#d.log(
              "info",
              `source ${this.name}: ${entry.path} was rotated to ${found} while stopped; reading the rest`,
            );
            continue;
          }
          file.close();
        }
      } catch {
        file?.close();
      }
      this.#d.store.delete(this.name, entry.dev, entry.ino);
    }
  }

  /** Watches the globs' directories so new lines and files are seen at once. */
  #watch(): void {
    if (this.#c.watch === false) return;
    const bases = [...new Set(this.#globs.map((g) => g.base))].filter((b) => {
      if (b === "/") return false;
      try {
        return Deno.statSync(b).isDirectory;
      } catch {
        return false;
      }
    });
    const key = bases.join("\0");
    if (key === this.#watchedKey) return;
    try {
      this.#watcher?.close();
    } catch { /* closed */ }
    this.#watcher = undefined;
    this.#watchedKey = key;
    if (bases.length === 0) return;
    let watcher: Deno.FsWatcher;
    try {
      watcher = Deno.watchFs(bases, { recursive: true });
    } catch (e) {
      this.#d.log("debug", `source ${this.name}: no inotify (${(e as Error).message}); polling`);
      return;
    }
    this.#watcher = watcher;
    (async () => {
      try {
        for await (const ev of watcher) {
          if (ev.kind === "rename" && ev.paths.length === 2) {
            this.#renames.push([ev.paths[0]!, ev.paths[1]!]);
            if (this.#renames.length > 10_000) this.#renames.shift();
          }
          if (ev.kind !== "modify" && ev.kind !== "access") this.#scanRequested = true;
          else {
            for (const p of ev.paths) {
              const t = this.#byPath.get(p);
              if (t && !t.file) await t.reopen();
            }
          }
          this.#wake();
        }
      } catch (e) {
        if (!this.#stopped) {
          this.#d.log(
            "debug",
            `source ${this.name}: watching stopped (${(e as Error).message}); polling`,
          );
        }
      }
    })();
  }
}

/** `~/x` is under the home dir; other patterns are left as written (they may be relative). */
function expandTilde(path: string): string {
  return path.startsWith("~/") ? expandHome(path) : path;
}

/** The hash of the first `len` bytes of a fingerprint. */
function headHash(fp: Fingerprint, len: number): Promise<string> {
  return len === fp.len ? Promise.resolve(fp.hash) : hashBytes(fp.head.subarray(0, len));
}

/** The offset just after the last newline (where `start_at: end` begins), or 0. */
async function lastLineEnd(file: Deno.FsFile, size: number): Promise<number> {
  const span = Math.min(size, 64 * 1024);
  const tail = await readAt(file, size - span, span);
  const nl = tail.lastIndexOf(10);
  return nl < 0 ? (span === size ? 0 : size) : size - span + nl + 1;
}

/** A file in `dir` with this device and inode (a rotated name), if any. */
async function findByInode(dir: string, dev: number, ino: number): Promise<string | undefined> {
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile) continue;
      const p = join(dir, e.name);
      try {
        const st = await Deno.stat(p);
        if (st.dev === dev && st.ino === ino) return p;
      } catch { /* gone */ }
    }
  } catch { /* dir gone */ }
  return undefined;
}
