/**
 * Lines kept as bytes until a sink sends them. A source with no parser, filters or multiline
 * pushes blocks: the bytes of a read chunk (from a pool, reused once every sink is done with
 * them) and the byte range of each line. Events (and their text) are made only when a batch is
 * sent, so what waits in the queues is bytes, not millions of small objects, and memory stays
 * flat whatever the throughput. Text is decoded a piece (about 32 KiB) at a time, with invalid
 * UTF-8 replaced.
 *
 * @module
 */
import { isUtf8 } from "node:buffer";
import type { EventList } from "../sinks/sink.ts";
import { LogEvent, type Origin } from "./event.ts";

/** Reusable read buffers (and the line tables of the blocks made from them). */
export class ChunkPool {
  readonly size: number;
  readonly #free: Uint8Array[] = [];
  readonly #tables: Int32Array[] = [];
  readonly #keep: number;

  constructor(size: number, keep = 8) {
    this.size = size;
    this.#keep = keep;
  }

  /** A buffer of at least `min` bytes (pooled ones are `size` bytes). */
  take(min = this.size): Uint8Array {
    if (min <= this.size) return this.#free.pop() ?? new Uint8Array(this.size);
    return new Uint8Array(min);
  }

  /** Gives a buffer back (buffers of another size are left to the GC). */
  give(buffer: Uint8Array): void {
    if (buffer.length === this.size && this.#free.length < this.#keep) this.#free.push(buffer);
  }

  /** A line table with room for at least `entries` numbers. */
  table(entries: number): Int32Array {
    const t = this.#tables.pop();
    return t && t.length >= entries ? t : new Int32Array(Math.max(entries, t?.length ?? 0));
  }

  /** Gives a line table back. */
  giveTable(table: Int32Array): void {
    if (this.#tables.length < this.#keep) this.#tables.push(table);
  }
}

const PIECE = 32 * 1024;
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/** Counts kept by the source. */
export interface BlockStats {
  invalidUtf8: number;
}

/** The lines of one read chunk, as byte ranges. */
export class LineBlock implements EventList {
  readonly bytes: Uint8Array;
  /** File offset of `bytes[0]`. */
  readonly base: number;
  readonly origin: Origin;
  readonly time: number;
  /** Start and end (exclusive) of line i at [2i] and [2i+1]. */
  #ranges: Int32Array;
  #count = 0;
  #refs = 0;
  #released = false;
  readonly #pool: ChunkPool | undefined;
  readonly #stats: BlockStats;
  // The decoded piece: lines [#pFirst, #pLast) and their text.
  #pFirst = -1;
  #pLast = -1;
  #pText = "";
  #pStart = 0;
  #pLines: string[] | undefined;

  constructor(
    init: { bytes: Uint8Array; base: number; origin: Origin; time: number },
    options: { pool?: ChunkPool; stats: BlockStats; lines?: number },
  ) {
    this.bytes = init.bytes;
    this.base = init.base;
    this.origin = init.origin;
    this.time = init.time;
    this.#pool = options.pool;
    this.#stats = options.stats;
    const entries = 2 * (options.lines ?? 1024);
    this.#ranges = options.pool ? options.pool.table(entries) : new Int32Array(entries);
  }

  /** Lines in the block. */
  get length(): number {
    return this.#count;
  }

  /** Adds a line by its byte range in `bytes`. */
  add(start: number, end: number): void {
    if (2 * this.#count + 2 > this.#ranges.length) {
      const grown = new Int32Array(this.#ranges.length * 2);
      grown.set(this.#ranges);
      this.#ranges = grown;
    }
    this.#ranges[2 * this.#count] = start;
    this.#ranges[2 * this.#count + 1] = end;
    this.#count++;
  }

  /** File offset of line i. */
  offsetAt(i: number): number {
    return this.base + this.#ranges[2 * i]!;
  }

  /** Bytes of the lines' text (for queue accounting). */
  get textBytes(): number {
    if (this.#count === 0) return 0;
    return this.#ranges[2 * this.#count - 1]! - this.#ranges[0]! + 1;
  }

  /** Events for lines `[from, to)`; their text is decoded when first read. */
  // deno-lint-ignore no-explicit-any
  slice(from: number, to: number): any[] {
    this.#live();
    const out: LogEvent[] = new Array(Math.max(0, to - from));
    for (let i = from; i < to; i++) {
      out[i - from] = LogEvent.lazy(
        this,
        i,
        this.base + this.#ranges[2 * i]!,
        this.time,
        this.origin,
      );
    }
    return out;
  }

  /** The text of line i. */
  text(i: number): string {
    this.#live();
    if (i < this.#pFirst || i >= this.#pLast) this.#decode(i);
    if (this.#pLines) return this.#pLines[i - this.#pFirst]!;
    const r = this.#ranges;
    return this.#pText.slice(r[2 * i]! - this.#pStart, r[2 * i + 1]! - this.#pStart);
  }

  /** Bytes `copyRaw` may write for lines `[from, to)`. */
  rawBytes(from: number, to: number): number {
    if (to <= from) return 0;
    return this.#ranges[2 * (to - 1) + 1]! - this.#ranges[2 * from]! + (to - from);
  }

  /**
   * Writes lines `[from, to)` as they are in the file, each followed by "\n", into `out` at
   * `at`, copying runs of adjacent lines at once; returns the end, or -1 when the bytes are not
   * valid UTF-8 (the text path then replaces the bad bytes).
   */
  copyRaw(from: number, to: number, out: Uint8Array, at: number): number {
    this.#live();
    const r = this.#ranges;
    const bytes = this.bytes;
    let i = from;
    let pos = at;
    while (i < to) {
      const start = r[2 * i]!;
      let j = i;
      while (j + 1 < to && r[2 * j + 2] === r[2 * j + 1]! + 1 && bytes[r[2 * j + 1]!] === 10) j++;
      const run = bytes.subarray(start, r[2 * j + 1]!);
      if (!isUtf8(run)) return -1;
      out.set(run, pos);
      pos += run.length;
      out[pos++] = 10;
      i = j + 1;
    }
    return pos;
  }

  /**
   * Lines `[from, to)` as one view of the block's bytes, newlines included, when they are
   * adjacent in the file ("\n"-terminated, nothing cut) and valid UTF-8; else undefined.
   */
  rawView(from: number, to: number): Uint8Array | undefined {
    this.#live();
    if (to <= from) return new Uint8Array(0);
    const r = this.#ranges;
    const bytes = this.bytes;
    for (let j = from; j + 1 < to; j++) {
      if (r[2 * j + 2] !== r[2 * j + 1]! + 1) return undefined;
    }
    const end = r[2 * to - 1]!;
    if (bytes[end] !== 10) return undefined;
    const view = bytes.subarray(r[2 * from]!, end + 1);
    return isUtf8(view) ? view : undefined;
  }

  /** One more holder (a sink the block was pushed to). */
  retain(): void {
    this.#refs++;
  }

  /** A holder is done; the last one returns the bytes to the pool. */
  release(): void {
    if (--this.#refs > 0 || this.#released) return;
    this.#released = true;
    this.#pText = "";
    this.#pLines = undefined;
    this.#pool?.give(this.bytes);
    this.#pool?.giveTable(this.#ranges);
  }

  #live(): void {
    if (this.#released) throw new Error("log lines read after their buffer was released");
  }

  /** Decodes the piece holding line i: lines from i on, up to about PIECE bytes. */
  #decode(i: number): void {
    const r = this.#ranges;
    const start = r[2 * i]!;
    let last = i + 1;
    while (last < this.#count && r[2 * last + 1]! - start <= PIECE) last++;
    const end = r[2 * last - 1]!;
    const region = this.bytes.subarray(start, end);
    const text = lenient.decode(region);
    this.#pFirst = i;
    this.#pLast = last;
    this.#pStart = start;
    if (text.length === region.length) {
      // One byte per character: line ranges index the string directly.
      if (text.includes("\uFFFD")) this.#stats.invalidUtf8++;
      this.#pText = text;
      this.#pLines = undefined;
      return;
    }
    // Multibyte text (or replaced bytes): decode line by line.
    this.#pText = "";
    const lines: string[] = new Array(last - i);
    let bad = false;
    for (let k = i; k < last; k++) {
      const s = lenient.decode(this.bytes.subarray(r[2 * k]!, r[2 * k + 1]!));
      if (!bad && s.includes("\uFFFD")) bad = true;
      lines[k - i] = s;
    }
    if (bad) this.#stats.invalidUtf8++;
    this.#pLines = lines;
  }
}

/** The events of a list after its first `k` (a sink that already has those after a restart). */
export function skipEvents(list: EventList, k: number): EventList {
  if (k === 0) return list;
  const copyRaw = list.copyRaw?.bind(list);
  const rawBytes = list.rawBytes?.bind(list);
  const rawView = list.rawView?.bind(list);
  return {
    length: list.length - k,
    slice: (from, to) => list.slice(from + k, to + k),
    ...(copyRaw ? { copyRaw: (from, to, out, at) => copyRaw(from + k, to + k, out, at) } : {}),
    ...(rawBytes ? { rawBytes: (from, to) => rawBytes(from + k, to + k) } : {}),
    ...(rawView ? { rawView: (from, to) => rawView(from + k, to + k) } : {}),
  };
}
