/**
 * One source: finds its files (globs, excludes, inotify with polling as the fallback), follows
 * them through rotation (rename/create, copytruncate, delete), turns their lines into events
 * (multiline, parser, filters) and pushes them to the source's sinks, waiting when the sinks'
 * queues are full. Checkpoints advance through each file's tracker as sinks acknowledge.
 *
 * Rotation rules: a file keeps its identity (device + inode + head hash) whatever its name;
 * a file that left its path (renamed away or deleted) is read to its end, its unfinished last
 * line flushed, and released once it stayed unchanged for `release_after`. A file truncated in
 * place leaves its unshipped rest to its copy: a new file whose head matches continues where
 * the truncated content stopped. Each scan also looks at the rotated names beside the globs'
 * files (`app.log.1`, `app.log-20240501`), so a file renamed before any scan saw it, or a
 * copy outside the globs, is still read.
 *
 * Costs: an idle file costs one fstat per look, and looks back off to the scan interval (new
 * data is seen at once through inotify, or at the next look); at most `max_open_files`
 * descriptors are open (the least recently read file is closed and reopened later); a new file
 * is matched against the followed ones through an index of their heads.
 *
 * @module
 */
import type { SourceConfig } from "../config/logs_schema.ts";
import type { BufferedSink } from "../sinks/buffered.ts";
import type { EventList, SinkEvent } from "../sinks/sink.ts";
import { Tracker, type TrackerOwner } from "./ack.ts";
import { ChunkPool, LineBlock, skipEvents } from "./block.ts";
import type { CheckpointEntry, CheckpointStore, OrphanEntry } from "./checkpoint.ts";
import { LogEvent } from "./event.ts";
import { compileFilters, type FilterChain, type FilterStats } from "./filter.ts";
import {
  fingerprint,
  fnv1a,
  HeadIndex,
  headKeys,
  MIN_FP_MATCH,
  prefixMatches,
  readAt,
} from "./fingerprint.ts";
import {
  compileSourcePaths,
  expandGlob,
  type Glob,
  isCompressed,
  type WalkReport,
} from "./glob.ts";
import { compileParser, type Parser } from "./parse.ts";
import { compileRegex } from "./parse/regex.ts";
import { MovedFiles } from "./moved_files.ts";
import { FileTail, type TailSettings } from "./tail.ts";
import { DirWatcher, type WatchHandlers } from "./watch.ts";

/**
 * Size of the pooled read buffers: a file is read up to this much per turn (files take turns,
 * so one busy file cannot starve others).
 */
export const CHUNK = 1 << 20;
/** Reads up to this size get a buffer of their own size, not a pooled one. */
const SMALL_READ = 64 * 1024;
/** How long a truncated file's content waits for its copy to appear. */
const ORPHAN_TTL_MS = 10 * 60_000;
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
/** How soon a scan follows when something found is not ready yet. */
const SOON_MS = 200;
/** Default cap on open descriptors per source (Filebeat's `harvester_limit`). */
export const MAX_OPEN_FILES = 1024;

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
  /** Unfinished lines cut by a truncation (the copy ends inside them): dropped, not spliced. */
  truncatedLines: number;
  /** Files that left their path (renamed away or deleted). */
  rotations: number;
  /** Rotated or deleted files read to their end and let go. */
  released: number;
  /** Files found (new identities). */
  discovered: number;
  /** Times inotify lost events (queue overflow) and a rescan followed. */
  watchOverflows: number;
  /** Paths named by the globs that could not be read at the last scan. */
  unreadable: number;
  /** Descriptors closed to stay under `max_open_files`. */
  closedOverLimit: number;
}

/** What a source needs from the pipeline. */
export interface SourceDeps {
  readonly store: CheckpointStore;
  /** The source's outputs, in the order of its `outputs` list. */
  readonly sinks: readonly BufferedSink[];
  readonly host: string;
  readonly log: (level: "warn" | "info" | "debug", message: string) => void;
}

/**
 * How a new file was found: at a glob path, at a rotated name it was moved to, or at a rotated
 * name where only the copy of a truncated file is looked for.
 */
type Found = "live" | "rotated" | "copy";

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
    truncatedLines: 0,
    rotations: 0,
    released: 0,
    discovered: 0,
    watchOverflows: 0,
    unreadable: 0,
    closedOverLimit: 0,
  };
  readonly #c: SourceConfig;
  readonly #d: SourceDeps;
  readonly #globs: Glob[];
  readonly #excludes: ((path: string) => boolean)[];
  readonly #parser: Parser | undefined;
  readonly #filter: FilterChain | undefined;
  readonly #settings: TailSettings;
  readonly #maxOpen: number;
  readonly #tails = new Map<string, FileTail>();
  readonly #byPath = new Map<string, FileTail>();
  /** Live files by their heads: a new file with the same head is a copy. */
  readonly #heads = new HeadIndex<FileTail>();
  /** The keys each indexed file is under (its head keys change as its fingerprint grows). */
  readonly #indexed = new WeakMap<FileTail, readonly number[]>();
  /** Files with an open descriptor, least recently read first. */
  readonly #open = new Set<FileTail>();
  /** Files read to their end and let go: where they ended, and when. */
  readonly #released = new WeakMap<FileTail, { final: number; at: number }>();
  /** Released files whose last lines are not all acknowledged yet, by `dev:ino`. */
  readonly #releasing = new Map<string, FileTail>();
  /** Files held back as copies of a followed file, and since when. */
  readonly #deferred = new Map<string, number>();
  /** New files too short to identify by their head, and since when. */
  readonly #young = new Map<string, number>();
  /** Files that failed to open during this scan, and why. */
  #cannotOpen: { path: string; error: string }[] = [];
  /** Start times of the last two scans: rotated siblings changed since are looked at. */
  #scanStarts: number[] = [];
  /** `once()`: files are taken as they are now, nothing waits for later. */
  #onceMode = false;
  #orphans: Orphan[] = [];
  readonly #pool = new ChunkPool(CHUNK, 16);
  readonly #take = (min: number) => min <= SMALL_READ ? new Uint8Array(min) : this.#pool.take(min);
  readonly #scratch: Uint8Array;
  readonly #outputs: readonly string[];
  /** No parser, filters or multiline: lines stay bytes until a sink sends them. */
  readonly #passthrough: boolean;
  #stopped = false;
  #wakeUp: (() => void) | undefined;
  #scanRequested = false;
  /** Renames inotify reported (from, to): a file may leave the globs before a scan sees it. */
  #renames: [string, string][] = [];
  readonly #watcher: DirWatcher;
  #firstRun: boolean;
  /** When `run()` scans next. */
  #nextScan = 0;

  constructor(config: SourceConfig, deps: SourceDeps) {
    this.name = config.name;
    this.#c = config;
    this.#d = deps;
    this.#outputs = config.outputs;
    ({ globs: this.#globs, excludes: this.#excludes } = compileSourcePaths(config));
    this.#parser = compileParser(config.parser);
    this.#filter = compileFilters(config.filters, this.stats);
    this.#maxOpen = config.max_open_files ?? MAX_OPEN_FILES;
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
    this.#scratch = new Uint8Array(this.#settings.fingerprintBytes);
    this.#watcher = new DirWatcher(
      this.#watchHandlers(),
      (m) => deps.log("debug", `source ${config.name}: ${m}`),
    );
    this.#passthrough = !this.#parser && !this.#filter && !ml;
    this.#firstRun = deps.store.forSource(config.name).length === 0 &&
      deps.store.orphans(config.name).length === 0;
    for (const o of deps.store.orphans(config.name)) {
      this.#orphans.push({ entry: o, tracker: undefined, resumeAt: o.offset });
    }
  }

  /** Files with an open descriptor now. */
  get openFiles(): number {
    return this.#open.size;
  }

  /** Files followed now (open or not). */
  get followedFiles(): number {
    return this.#tails.size;
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
    // An idle file is looked at less and less often, down to once a scan (which stats it).
    const maxBackoff = Math.max(pollEvery, scanEvery);
    this.#nextScan = Date.now() + scanEvery;
    await this.#scan(true);
    this.#watch();
    while (!this.#stopped) {
      let progressed = false;
      let now = Date.now();
      for (const t of [...this.#tails.values()]) {
        if (this.#stopped) break;
        if (t.dueAt > now || this.#tails.get(t.key) !== t) continue;
        const n = await this.#guarded(t, false);
        now = Date.now();
        if (n > 0) {
          progressed = true;
          t.backoff = 0;
          t.dueAt = 0;
        } else this.#idle(t, now, pollEvery, maxBackoff);
      }
      if (this.#stopped) break;
      if (this.#scanRequested || now >= this.#nextScan) {
        this.#scanRequested = false;
        this.#nextScan = now + scanEvery; // a scan may ask for the next one sooner
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
        now = Date.now();
      }
      if (!progressed) {
        let next = this.#nextScan;
        for (const t of this.#tails.values()) if (t.dueAt < next) next = t.dueAt;
        await this.#wait(Math.max(10, Math.min(next - now, maxBackoff)));
      }
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
        if (t.dueAt === Infinity || this.#tails.get(t.key) !== t) continue;
        if ((await this.#guarded(t, true)) > 0) {
          progressed = true;
          t.dueAt = 0;
        } else t.dueAt = Infinity; // at its end: done for this run
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
    this.#watcher.close();
    for (const t of this.#tails.values()) this.#close(t);
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

  /** When an idle file is looked at next: backing off, but never past a deadline it has. */
  #idle(t: FileTail, now: number, pollEvery: number, maxBackoff: number): void {
    if (!t.file) {
      t.dueAt = Infinity; // closed: a scan or an event wakes it
      return;
    }
    t.backoff = t.backoff === 0 ? pollEvery : Math.min(maxBackoff, t.backoff * 2);
    let due = now + t.backoff;
    const ml = t.multiline;
    if (ml && ml.pendingOffset !== undefined) {
      due = Math.min(due, ml.pendingSince + this.#settings.multiline!.timeoutMs);
    }
    if (t.state !== "live") due = Math.min(due, (t.eofSince ?? now) + this.#releaseAfter);
    t.dueAt = due;
  }

  get #releaseAfter(): number {
    return this.#c.release_after ?? 5000;
  }

  /** A step that reports file errors (unreadable, I/O) instead of stopping the source. */
  async #guarded(t: FileTail, once: boolean): Promise<number> {
    try {
      return await this.#step(t, Date.now(), once);
    } catch (e) {
      if (this.#stopped) return 0;
      this.#d.log("warn", `source ${this.name}: ${t.path}: ${(e as Error).message}`);
      this.#close(t);
      return 0;
    }
  }

  /**
   * Looks at a file: reads one chunk and ships its events, or, at the end of the data, does
   * the housekeeping (truncation, deletion, multiline timeout, release, idle close).
   */
  async #step(t: FileTail, now: number, once: boolean): Promise<number> {
    if (!t.file && !(await this.#reopen(t))) return 0;
    const status = await t.poll();
    if (status === "truncated") {
      await this.#truncated(t, now);
      return 1; // read again at once, from the start
    }
    if (status === "data") {
      const r = await t.read(this.#take, CHUNK);
      if (r.replaced) {
        this.#pool.give(r.buffer);
        await this.#truncated(t, now);
        return 1;
      }
      if (r.grew) this.#reindex(t);
      if (r.n > 0) {
        this.#touch(t);
        t.eofSince = undefined;
        t.lastData = now;
        await this.#consume(t, r.buffer, r.n, now);
        return r.n;
      }
      this.#pool.give(r.buffer);
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
      if (once || now - t.eofSince >= this.#releaseAfter) await this.#release(t, now);
    } else if (once || now - t.eofSince >= (this.#c.close_inactive ?? 300_000)) {
      this.#close(t); // idle (or, with --once, done for this run)
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
    block.retain(); // ours, until every push is made
    try {
      if (block.length === 0) {
        this.#settle(t.tracker.skip(t.emitOffset));
        return;
      }
      this.stats.events += block.length;
      await this.#push(t, block, block.textBytes, (i) => block.offsetAt(i), block);
    } finally {
      block.release();
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
    if (events.length === 0) {
      this.#settle(t.tracker.skip(t.emitOffset));
      return;
    }
    this.stats.events += events.length;
    let size = bytes;
    if (size === 0) { for (const e of events) size += e.message.length + 1; }
    await this.#push(t, events as unknown as SinkEvent[], size, (i) => events[i]!.offset);
  }

  /**
   * Pushes a list to each sink, less the lines a sink had acknowledged before a restart; a
   * block is retained for each push and released when that sink is done with it.
   */
  async #push(
    t: FileTail,
    list: EventList,
    bytes: number,
    offsetAt: (i: number) => number,
    block?: LineBlock,
  ): Promise<void> {
    const tracker = t.tracker;
    const end = t.emitOffset;
    const count = list.length;
    const sinks = this.#d.sinks;
    for (let i = 0; i < sinks.length; i++) {
      const resume = tracker.resumeOf(i);
      let from = 0;
      if (resume > offsetAt(0)) { while (from < count && offsetAt(from) < resume) from++; }
      if (from === count) {
        this.#settle(tracker.skipFor(i, end));
        continue;
      }
      block?.retain();
      const handle = tracker.handle(
        i,
        count - from,
        end,
        (j) => offsetAt(from + j),
        block ? () => block.release() : undefined,
      );
      await sinks[i]!.push(
        skipEvents(list, from),
        from === 0 ? bytes : Math.ceil((bytes * (count - from)) / count),
        handle,
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
        const released = this.#released.get(t);
        if (released && committed >= released.final) this.#shipped(t, released);
        else {
          store.set(this.#entry(t, committed));
        }
        return store.save();
      },
    };
  }

  /** The sinks that acknowledged more than `committed`, by output name. */
  #ahead(tracker: Tracker, committed: number): Record<string, number> | undefined {
    let out: Record<string, number> | undefined;
    tracker.acked.forEach((acked, i) => {
      if (acked > committed) (out ??= {})[this.#outputs[i]!] = acked;
    });
    return out;
  }

  /** Per sink, how far a saved checkpoint says it acknowledged. */
  #aheadOf(sinks: Readonly<Record<string, number>> | undefined): (number | undefined)[] {
    return this.#outputs.map((name) => sinks?.[name]);
  }

  #entry(t: FileTail, offset: number): CheckpointEntry {
    const sinks = this.#ahead(t.tracker, offset);
    return {
      source: this.name,
      dev: t.dev,
      ino: t.ino,
      fp: t.fp.hash,
      fp_len: t.fp.len,
      offset,
      path: t.path,
      ...(sinks ? { sinks } : {}),
    };
  }

  /** The file was truncated in place: its unshipped rest goes to its copy, if one appears. */
  async #truncated(t: FileTail, now: number): Promise<void> {
    this.stats.truncations++;
    const old = t.tracker;
    const resumeAt = t.emitOffset;
    if (t.fp.len >= MIN_FP_MATCH) {
      const sinks = this.#ahead(old, old.committed);
      const orphan: Orphan = {
        entry: {
          source: this.name,
          fp: t.fp.hash,
          fp_len: t.fp.len,
          offset: old.committed,
          path: t.path,
          since: now,
          ...(sinks ? { sinks } : {}),
        },
        tracker: old,
        resumeAt,
      };
      old.owner = {
        checkpoint: (committed) => {
          this.#d.store.deleteOrphan(orphan.entry);
          const sinks = this.#ahead(old, committed);
          const { sinks: _, ...rest } = orphan.entry;
          orphan.entry = { ...rest, offset: committed, ...(sinks ? { sinks } : {}) };
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
        (t.fp.len >= MIN_FP_MATCH
          ? `; its copy continues from byte ${resumeAt}`
          : `; lines after byte ${resumeAt} may be lost (its head is too short to find its copy)`),
    );
    this.#unindex(t);
    const tracker = new Tracker(0, this.#d.sinks.length);
    await t.restart(tracker);
    tracker.owner = this.#owner(t);
    if (t.state === "live") this.#index(t);
    this.#d.store.set(this.#entry(t, 0));
    this.#settle(this.#d.store.save());
    // Look for the copy now rather than at the next scan.
    this.#scanRequested = true;
  }

  /** The file is no longer at its path. */
  #leftPath(t: FileTail, state: "rotated" | "deleted"): void {
    t.state = state;
    this.stats.rotations++;
    if (this.#byPath.get(t.path) === t) this.#byPath.delete(t.path);
    this.#unindex(t);
    t.dueAt = 0;
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
      if ((await t.poll()) !== "data") break;
      const r = await t.read(this.#take, CHUNK);
      if (r.replaced || r.n === 0) {
        this.#pool.give(r.buffer);
        break;
      }
      await this.#consume(t, r.buffer, r.n, now);
    }
    const events: LogEvent[] = [];
    const emit = this.#emitter(t, now, events);
    const ml = t.multiline;
    if (t.copy) {
      // The copy of a truncated file ends inside a line whose rest went to the new content:
      // the line cannot be made whole, so it is dropped and counted, never spliced.
      const pending = t.splitter.pending;
      t.splitter.flush(() => {});
      if (pending > 0) this.stats.truncatedLines++;
      if (ml) ml.flush(now, emit, true);
    } else if (ml) {
      t.splitter.flush((text, offset) => ml.line(text, offset, now, emit));
      ml.flush(now, emit, true);
    } else t.splitter.flush(emit);
    const final = t.splitter.lineStart;
    this.#released.set(t, { final, at: now });
    await this.#deliver(t, events, 0);
    this.#close(t);
    this.#forget(t);
    this.stats.released++;
    if (t.tracker.committed >= final && t.tracker.inflight === 0) {
      this.#shipped(t, { final, at: now });
      this.#settle(this.#d.store.save());
    } else this.#releasing.set(t.key, t);
  }

  /**
   * A released file is fully acknowledged. Its checkpoint stays, marked released, while the
   * file exists (renamed again by the next rotation, it is known and not read again); a
   * deleted file's goes.
   */
  #shipped(t: FileTail, released: { final: number; at: number }): void {
    if (this.#releasing.get(t.key) === t) this.#releasing.delete(t.key);
    if (t.state === "deleted") this.#d.store.delete(this.name, t.dev, t.ino);
    else this.#d.store.set({ ...this.#entry(t, released.final), released: released.at });
  }

  /** Followed, or let go with lines still in flight: not a new file. */
  #known(key: string): boolean {
    return this.#tails.has(key) || this.#releasing.has(key);
  }

  /** Stops following a file (its checkpoint is the caller's business). */
  #forget(t: FileTail): void {
    if (this.#tails.get(t.key) === t) this.#tails.delete(t.key);
    if (this.#byPath.get(t.path) === t) this.#byPath.delete(t.path);
    this.#unindex(t);
  }

  // ------------------------------------------------------------------ descriptors and heads

  /** A file was read: it is now the most recently used. */
  #touch(t: FileTail): void {
    this.#open.delete(t);
    this.#open.add(t);
  }

  #close(t: FileTail): void {
    t.close();
    this.#open.delete(t);
  }

  /** Closes the least recently read files on their paths until one more may be opened. */
  #makeRoom(): void {
    if (this.#open.size < this.#maxOpen) return;
    for (const t of this.#open) {
      if (this.#open.size < this.#maxOpen) break;
      // Only a file still on its path can be opened again; a moved or deleted one stays open.
      if (t.state !== "live") continue;
      this.#close(t);
      this.stats.closedOverLimit++;
      if (t.size > t.splitter.readOffset) t.dueAt = 0;
    }
  }

  /** Opens a closed file again by its path (making room under the cap). */
  async #reopen(t: FileTail): Promise<boolean> {
    this.#makeRoom();
    if (!(await t.reopen())) {
      t.dueAt = Infinity; // gone from its path: the next scan finds where it went
      this.#scanRequested = true;
      return false;
    }
    this.#open.add(t);
    return true;
  }

  /** Indexes a live file by its head (under the keys it has now). */
  #index(t: FileTail): void {
    if (t.fp.len < MIN_FP_MATCH || this.#indexed.has(t)) return;
    this.#heads.add(t, t.heads);
    this.#indexed.set(t, t.heads);
  }

  #unindex(t: FileTail): void {
    const keys = this.#indexed.get(t);
    if (!keys) return;
    this.#heads.remove(t, keys);
    this.#indexed.delete(t);
  }

  /** The fingerprint grew: the head keys changed. */
  #reindex(t: FileTail): void {
    this.#unindex(t);
    if (t.state === "live") this.#index(t);
  }

  // ------------------------------------------------------------------ finding files

  /** Finds the files of the globs: follows renames, notices rotations, opens new files. */
  async #scan(initial: boolean): Promise<void> {
    const started = Date.now();
    const now = started;
    const report: WalkReport = { rotated: [], unreadable: [] };
    this.#cannotOpen = [];
    const paths: string[] = [];
    const seenPaths = new Set<string>();
    for (const g of this.#globs) {
      for (const p of await expandGlob(g, report)) {
        if (seenPaths.has(p) || isCompressed(p) || this.#excludes.some((x) => x(p))) continue;
        seenPaths.add(p);
        paths.push(p);
      }
    }
    const seen = new Set<FileTail>();
    /** Identities of the files this scan found (globs and rotated names). */
    const present = new Set<string>();
    const fresh: { path: string; st: Deno.FileInfo }[] = [];
    for (const path of paths) {
      let st: Deno.FileInfo;
      try {
        st = await Deno.stat(path);
      } catch {
        continue;
      }
      if (!st.isFile) continue;
      present.add(`${st.dev}:${st.ino}`);
      const t = this.#tails.get(`${st.dev}:${st.ino}`);
      if (t) {
        seen.add(t);
        if (t.path !== path && !seenPaths.has(t.path)) {
          if (this.#byPath.get(t.path) === t) this.#byPath.delete(t.path);
          t.rename(path);
        }
        this.#byPath.set(path, t);
        if (t.state !== "live") {
          t.state = "live"; // moved back under the globs
          this.#index(t);
        }
        if (st.size !== t.size || (st.mtime?.getTime() ?? 0) !== t.mtime) t.dueAt = 0;
        continue;
      }
      if (this.#releasing.has(`${st.dev}:${st.ino}`)) continue;
      const prev = this.#byPath.get(path);
      if (prev && prev.state === "live") this.#leftPath(prev, "rotated");
      fresh.push({ path, st });
    }
    const moved = new MovedFiles(report.rotated);
    for (const t of [...this.#tails.values()]) {
      if (seen.has(t) || t.state !== "live") continue;
      let gone = true;
      try {
        gone = t.file ? (await t.file.stat()).nlink === 0 : true;
      } catch { /* closed */ }
      this.#leftPath(t, gone ? "deleted" : "rotated");
      if (!t.file) {
        const found = await moved.find(t.path, t.dev, t.ino);
        if (found) {
          t.rename(found);
          await this.#reopen(t);
        }
        if (!t.file) {
          this.#forget(t);
          this.#d.store.delete(this.name, t.dev, t.ino);
        }
      }
    }
    // Files with a checkpoint first: a truncated file's orphan must exist before its copy is seen.
    const known = (f: { st: Deno.FileInfo }) =>
      this.#d.store.get(this.name, f.st.dev ?? 0, f.st.ino ?? 0) !== undefined;
    for (const f of [...fresh.filter(known), ...fresh.filter((f) => !known(f))]) {
      await this.#tryDiscover(f.path, f.st, initial, now, "live");
    }
    await this.#renamedAway(seenPaths, now);
    // Checkpointed files moved while we were down first: the rotated names left are new.
    if (initial) await this.#recoverMoved(now, moved);
    // Rotated names beside the globs' files: what was renamed before a scan saw it (since the
    // scan before last; at start, since the last run's last scan), and copies of truncated files.
    const since = this.#scanStarts[0] ?? this.#d.store.scannedAt(this.name);
    await this.#siblings(report.rotated, {
      seenPaths,
      present,
      since: since === undefined ? Infinity : since - 1000,
      now,
    });
    this.#forgetReleased(present);
    this.#expireOrphans(now);
    this.#reportUnreadable([...report.unreadable, ...this.#cannotOpen]);
    this.#scanStarts = [...this.#scanStarts, started].slice(-2);
    this.#d.store.setScannedAt(this.name, started);
    this.#settle(this.#d.store.save());
  }

  async #tryDiscover(
    path: string,
    st: Deno.FileInfo,
    initial: boolean,
    now: number,
    as: Found,
  ): Promise<void> {
    try {
      await this.#discover(path, st, initial, now, as);
    } catch (e) {
      this.#d.log("warn", `source ${this.name}: ${path}: ${(e as Error).message}`);
    }
  }

  /** A warning for each path that could not be read, at every scan until it can be. */
  #reportUnreadable(list: { path: string; error: string }[]): void {
    this.stats.unreadable = list.length;
    for (const u of list) {
      this.#d.log("warn", `source ${this.name}: cannot read ${u.path}: ${u.error}`);
    }
  }

  #expireOrphans(now: number): void {
    const expired = this.#orphans.filter((o) => now - o.entry.since > ORPHAN_TTL_MS);
    if (expired.length === 0) return;
    for (const o of expired) {
      this.#d.store.deleteOrphan(o.entry);
      this.#d.log(
        "warn",
        `source ${this.name}: no copy of truncated ${o.entry.path} appeared in ` +
          `${ORPHAN_TTL_MS / 60_000} minutes; lines after byte ${o.resumeAt} of it were not ` +
          `shipped (does the rotation keep the copy beside the file?)`,
      );
    }
    this.#orphans = this.#orphans.filter((o) => !expired.includes(o));
  }

  /**
   * Files renamed from a glob path to a name outside the globs before any scan saw them (a
   * quick rotation, reported by inotify): read to their end like any rotated file.
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
      if (!st.isFile || this.#known(`${st.dev}:${st.ino}`)) continue;
      await this.#tryDiscover(to, st, false, now, "rotated");
    }
  }

  /**
   * Rotated names that hold no file we know: changed since the scan before last, a file that
   * was created and renamed between two scans (polling, or inotify events lost), read as a
   * rotated file; older, only the copy of a truncated file we wait for.
   */
  async #siblings(
    paths: string[],
    o: { seenPaths: Set<string>; present: Set<string>; since: number; now: number },
  ): Promise<void> {
    const { seenPaths, since, now } = o;
    for (const path of paths) {
      if (seenPaths.has(path) || isCompressed(path) || this.#excludes.some((x) => x(path))) {
        continue;
      }
      let st: Deno.FileInfo;
      try {
        st = await Deno.stat(path);
      } catch {
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      o.present.add(key);
      if (!st.isFile || this.#known(key)) continue;
      const entry = this.#d.store.get(this.name, st.dev ?? 0, st.ino ?? 0);
      // Shipped already (unchanged since it was let go; an inode reused since has a new mtime).
      if (
        entry?.released !== undefined && st.size <= entry.offset &&
        (st.mtime?.getTime() ?? Infinity) <= entry.released
      ) continue;
      const recent = (st.mtime?.getTime() ?? 0) >= since;
      if (!recent && !entry && this.#orphans.length === 0) continue;
      await this.#tryDiscover(path, st, false, now, recent ? "rotated" : "copy");
    }
  }

  /** Opens a file not followed yet and decides where reading starts. */
  async #discover(
    path: string,
    st: Deno.FileInfo,
    initial: boolean,
    now: number,
    as: Found,
  ): Promise<void> {
    const rotated = as !== "live";
    const key = `${st.dev}:${st.ino}`;
    this.#makeRoom();
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        this.#cannotOpen.push({ path, error: (e as Error).message });
      }
      return;
    }
    let adopted = false;
    try {
      const fst = await file.stat();
      const id = { dev: fst.dev ?? 0, ino: fst.ino ?? 0 };
      if (fst.dev !== st.dev || fst.ino !== st.ino) {
        this.#scanRequested = true; // replaced between stat and open: look again
        return;
      }
      const head = (await readAt(file, 0, this.#settings.fingerprintBytes)).slice();
      const fp = await fingerprint(head);
      let entry = this.#d.store.get(this.name, id.dev, id.ino);
      if (entry?.released !== undefined) {
        const same = fp.len >= entry.fp_len && await prefixMatches(head, entry.fp_len, entry.fp);
        // Read to its end and let go before (renamed again since): only what it gained is new.
        if (same && fst.size <= entry.offset) return;
        if (!same) {
          this.#d.store.delete(this.name, id.dev, id.ino); // its inode now holds another file
          entry = undefined;
        }
      }
      let offset = 0;
      let tracker: Tracker | undefined;
      let copy = false;
      if (entry) {
        if (fp.len >= entry.fp_len && await prefixMatches(head, entry.fp_len, entry.fp)) {
          if (entry.offset <= fst.size) {
            offset = entry.offset;
            tracker = new Tracker(offset, this.#d.sinks.length, {
              ahead: this.#aheadOf(entry.sinks),
            });
          } else this.#orphanFromEntry(entry, now); // truncated while we were down
        } else {
          // Same inode, other content: reused, or truncated and rewritten while we were down.
          this.#orphanFromEntry(entry, now);
        }
      }
      if (!tracker) {
        // The size now, not at the scan's stat: a copy may still be being written.
        const size = async () => (await file.stat()).size;
        let match = await this.#matchOrphan(head, await size());
        if (!match && fp.len >= MIN_FP_MATCH) {
          const original = this.#copyOf(head);
          if (original) {
            // Its head is a followed file's: if that file was truncated already, this is its
            // copy (handle the truncation now); otherwise it may be about to be: wait.
            if (await this.#truncatedSince(original)) {
              await this.#truncated(original, now);
              match = await this.#matchOrphan(head, await size());
            } else if (this.#defer(key, now)) return;
          }
        }
        // A copy shorter than where its content continues is still being written: look again
        // soon. If it stops short of that point, it has nothing more to give.
        if (match?.short && this.#defer(key, now, true)) return;
        const orphan = match?.orphan;
        if (!orphan && as === "copy") return; // only a copy was looked for
        if (orphan) {
          this.#orphans = this.#orphans.filter((o) => o !== orphan);
          this.#d.store.deleteOrphan(orphan.entry);
          tracker = orphan.tracker ??
            new Tracker(orphan.entry.offset, this.#d.sinks.length, {
              ahead: this.#aheadOf(orphan.entry.sinks),
            });
          offset = orphan.resumeAt;
          copy = true;
          this.#d.log(
            "info",
            `source ${this.name}: ${path} is the copy of truncated ${orphan.entry.path}; continuing at byte ${offset}`,
          );
        } else if (
          !entry && fp.len < MIN_FP_MATCH && !this.#onceMode && !this.#settled(key, now)
        ) {
          // Too short to tell whether it is a copy still being written: look again shortly.
          this.#scanSoon(now);
          return;
        } else if (
          !entry && !rotated &&
          ((initial && this.#firstRun && this.#c.start_at === "end") ||
            (this.#c.ignore_older !== undefined && fst.mtime !== null &&
              now - fst.mtime.getTime() > this.#c.ignore_older))
        ) {
          offset = await lastLineEnd(file, fst.size);
        }
      }
      this.#deferred.delete(key);
      this.#young.delete(key);
      tracker ??= new Tracker(offset, this.#d.sinks.length);
      const boundary = offset === 0 || (await readAt(file, offset - 1, 1))[0] === 10;
      const t = new FileTail(
        { path, id, file, fp, heads: headKeys(head), offset, boundary, tracker, now },
        this.#settings,
        this.#scratch,
      );
      adopted = true;
      t.size = fst.size;
      t.copy = copy;
      tracker.owner = this.#owner(t);
      this.#tails.set(t.key, t);
      this.#open.add(t);
      if (rotated) {
        t.state = "rotated";
        this.stats.rotations++; // it left the globs before we saw it there
      } else {
        this.#byPath.set(path, t);
        this.#index(t);
      }
      this.stats.discovered++;
      this.#d.log(
        "debug",
        `source ${this.name}: reading ${path} from byte ${offset}${entry ? " (checkpoint)" : ""}`,
      );
      // A new file read from its start needs no checkpoint until something is acknowledged.
      if (entry || tracker.committed > 0) this.#d.store.set(this.#entry(t, tracker.committed));
      // --once reads a file while it is open, then closes it: no reopening later.
      if (this.#onceMode) await this.#drain(t);
    } finally {
      if (!adopted) {
        try {
          file.close();
        } catch { /* closed already */ }
      }
    }
  }

  /** Reads a file to its current end (--once), then leaves it for the rest of the run. */
  async #drain(t: FileTail): Promise<void> {
    while (this.#tails.get(t.key) === t && !this.#stopped) {
      if ((await this.#guarded(t, true)) === 0) break;
    }
    t.dueAt = Infinity;
  }

  /** True when a followed file's head is no longer what it was (truncated, rewritten). */
  async #truncatedSince(t: FileTail): Promise<boolean> {
    if (!t.file && !(await this.#reopen(t))) return false;
    return await t.headChanged();
  }

  /**
   * Holds a new file back (a copy not ready to be matched), for at most COPY_WAIT_MS; true
   * while it should wait. It is looked at again at the next scan (`soon`: in a moment).
   */
  #defer(key: string, now: number, soon = false): boolean {
    const since = this.#deferred.get(key);
    if (since === undefined) this.#deferred.set(key, now);
    if (now - (since ?? now) >= COPY_WAIT_MS) return false;
    if (soon) this.#scanSoon(now);
    return true;
  }

  /** Asks for a scan shortly (not at once: what we wait for takes a moment). */
  #scanSoon(now: number): void {
    this.#nextScan = Math.min(this.#nextScan, now + SOON_MS);
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
      ...(entry.sinks ? { sinks: entry.sinks } : {}),
    };
    this.#orphans.push({ entry: o, tracker: undefined, resumeAt: o.offset });
    this.#d.store.setOrphan(o);
  }

  /**
   * The truncated content this head starts with, if any; `short` when the file is not yet as
   * long as where that content continues (a copy still being written).
   */
  async #matchOrphan(
    head: Uint8Array,
    size: number,
  ): Promise<{ orphan: Orphan; short: boolean } | undefined> {
    for (const o of this.#orphans) {
      if (head.length < o.entry.fp_len) continue;
      if (await prefixMatches(head, o.entry.fp_len, o.entry.fp)) {
        return { orphan: o, short: size < o.resumeAt };
      }
    }
    return undefined;
  }

  /** A live file already read from whose head this head starts with, if any (a copy of it). */
  #copyOf(head: Uint8Array): FileTail | undefined {
    for (const t of this.#heads.find(head)) {
      if (t.state !== "live" || t.splitter.readOffset === 0) continue;
      // A head at least as long as the file's fingerprint must match all of it.
      if (t.fp.len <= head.length && fnv1a(head, t.fp.len) !== t.fp.sum) continue;
      return t;
    }
    return undefined;
  }

  /** Forgets released files that are gone (no longer found under any name we look at). */
  #forgetReleased(present: Set<string>): void {
    for (const e of this.#d.store.forSource(this.name)) {
      if (e.released !== undefined && !present.has(`${e.dev}:${e.ino}`)) {
        this.#d.store.delete(this.name, e.dev, e.ino);
      }
    }
  }

  /** At start: checkpointed files no longer under the globs (rotated while we were down). */
  async #recoverMoved(now: number, moved: MovedFiles): Promise<void> {
    for (const entry of this.#d.store.forSource(this.name)) {
      if (entry.released !== undefined) continue; // shipped; kept while it exists
      if (this.#known(`${entry.dev}:${entry.ino}`)) continue;
      const found = await moved.find(entry.path, entry.dev, entry.ino);
      let file: Deno.FsFile | undefined;
      try {
        if (found) {
          this.#makeRoom();
          file = await Deno.open(found, { read: true });
          const st = await file.stat();
          const head = (await readAt(file, 0, this.#settings.fingerprintBytes)).slice();
          const same = st.dev === entry.dev && st.ino === entry.ino &&
            head.length >= entry.fp_len && await prefixMatches(head, entry.fp_len, entry.fp);
          if (same && st.size <= entry.offset) {
            // Shipped to its end: known from now on (kept while it exists), not read again.
            this.#d.store.set({ ...entry, path: found, released: now });
            file.close();
            continue;
          }
          if (same) {
            const tracker = new Tracker(entry.offset, this.#d.sinks.length, {
              ahead: this.#aheadOf(entry.sinks),
            });
            const boundary = entry.offset === 0 ||
              (await readAt(file, entry.offset - 1, 1))[0] === 10;
            const t = new FileTail(
              {
                path: found,
                id: entry,
                file,
                fp: await fingerprint(head),
                heads: headKeys(head),
                offset: entry.offset,
                boundary,
                tracker,
                now,
              },
              this.#settings,
              this.#scratch,
            );
            t.size = st.size;
            t.state = "rotated";
            tracker.owner = this.#owner(t);
            this.#tails.set(t.key, t);
            this.#open.add(t);
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
    if (this.#c.watch !== false) this.#watcher.watch(this.#globs.map((g) => g.base));
  }

  /** What inotify reports: files to look at, renames, or a scan to make. */
  #watchHandlers(): WatchHandlers {
    return {
      modified: (paths) => {
        for (const p of paths) {
          const t = this.#byPath.get(p);
          if (t) t.dueAt = 0;
        }
        this.#wake();
      },
      renamed: (from, to) => {
        this.#renames.push([from, to]);
        if (this.#renames.length > 10_000) this.#renames.shift();
      },
      changed: () => {
        this.#scanRequested = true;
        this.#wake();
      },
      overflowed: () => {
        this.stats.watchOverflows++;
        this.#d.log(
          "warn",
          `source ${this.name}: inotify lost events (queue overflow); rescanning ` +
            `(raise fs.inotify.max_queued_events if this repeats)`,
        );
        this.#scanRequested = true;
        for (const t of this.#tails.values()) t.dueAt = 0;
        this.#wake();
      },
    };
  }
}

/** The offset just after the last newline (where `start_at: end` begins), or 0. */
async function lastLineEnd(file: Deno.FsFile, size: number): Promise<number> {
  const span = Math.min(size, 64 * 1024);
  const tail = await readAt(file, size - span, span);
  const nl = tail.lastIndexOf(10);
  return nl < 0 ? (span === size ? 0 : size) : size - span + nl + 1;
}
