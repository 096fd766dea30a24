/**
 * Splits the bytes of a file into lines: a trailing "\r" dropped, every line tagged with the
 * byte offset of its first byte. A line longer than `max_line_bytes` is split into pieces or
 * truncated (counted either way) and never stalls the file. The bytes after the last newline
 * stay pending until their newline arrives.
 *
 * Two ways out: `commit` hands over decoded text (UTF-8, invalid bytes replaced), one decode
 * per piece of a chunk, lines being slices of it; `commitRanges` hands over byte ranges and
 * decodes nothing (the lines stay bytes until a sink needs their text, see block.ts).
 *
 * @module
 */

/** What happens to a line longer than `max_line_bytes`. */
export type LongLines = "split" | "truncate";

/** Counters of a splitter. */
export interface LineStats {
  /** Long lines cut into pieces (split) or shortened (truncate). */
  long: number;
  /** Pieces that held invalid UTF-8 (replaced with U+FFFD). */
  invalidUtf8: number;
}

/** Receives one line and the byte offset of its first byte. */
export type LineHandler = (text: string, offset: number) => void;

/** Receives one line as a byte range `[start, end)` of the committed buffer. */
export type RangeHandler = (start: number, end: number) => void;

/** Bytes decoded at a time: small strings are made in V8's young generation and die young. */
const PIECE = 32 * 1024;

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/** Splits one file's bytes into lines; holds the unfinished last line. */
export class LineSplitter {
  readonly maxLineBytes: number;
  readonly longLines: LongLines;
  readonly stats: LineStats = { long: 0, invalidUtf8: 0 };
  /** Bytes after the last newline, not yet a line. */
  #carry: Uint8Array = new Uint8Array(0);
  /** File offset of the first pending byte (or of the next byte when none is pending). */
  #lineStart: number;
  /** Truncate mode: dropping the rest of a long line until its newline. */
  #skipping = false;
  /** `lineStart` directly follows a newline (or is where reading began). */
  #boundary: boolean;

  constructor(
    offset: number,
    options: { maxLineBytes: number; longLines: LongLines; boundary?: boolean },
  ) {
    this.#lineStart = offset;
    this.#boundary = options.boundary ?? offset === 0;
    this.maxLineBytes = options.maxLineBytes;
    this.longLines = options.longLines;
  }

  /** File offset up to which every byte has become a line (or was skipped). */
  get lineStart(): number {
    return this.#lineStart;
  }

  /** True when `lineStart` directly follows a newline (not inside a split long line). */
  get atBoundary(): boolean {
    return this.#boundary;
  }

  /** File offset of the next byte to read. */
  get readOffset(): number {
    return this.#lineStart + this.#carry.length;
  }

  /** Bytes of the unfinished last line. */
  get pending(): number {
    return this.#carry.length;
  }

  /** Starts over at an offset (truncated file, adopted copy); `boundary`: it follows a newline. */
  reset(offset: number, boundary = offset === 0): void {
    this.#carry = new Uint8Array(0);
    this.#lineStart = offset;
    this.#skipping = false;
    this.#boundary = boundary;
  }

  /**
   * Copies the pending bytes to the start of a buffer that also has room for `chunk` more
   * (`take` supplies buffers of at least the given size). Byte 0 of it is at `lineStart`.
   */
  prepare(take: (min: number) => Uint8Array, chunk: number): { buffer: Uint8Array; at: number } {
    const buffer = take(this.#carry.length + chunk);
    buffer.set(this.#carry, 0);
    return { buffer, at: this.#carry.length };
  }

  /** Consumes `n` bytes read after the pending ones (see `prepare`), emitting lines as text. */
  commit(buffer: Uint8Array, n: number, emit: LineHandler): void {
    const base = this.#lineStart;
    this.#split(
      buffer,
      n,
      (a, b) => this.#decodeLines(buffer.subarray(a, b), base + a, emit),
      (a, b) => {
        emit(lenient.decode(buffer.subarray(a, b)), base + a);
      },
    );
  }

  /**
   * Consumes `n` bytes read after the pending ones, emitting each line's byte range in
   * `buffer` (its file offset is `lineStart`, read before the call, plus `start`).
   */
  commitRanges(buffer: Uint8Array, n: number, emit: RangeHandler): void {
    const max = this.maxLineBytes;
    this.#split(buffer, n, (a, b) => {
      // Complete lines in [a, b): b - 1 is a newline.
      let s = a;
      while (s < b) {
        const i = buffer.indexOf(10, s);
        const e = i > s && buffer[i - 1] === 13 ? i - 1 : i;
        if (e - s > max) this.#long(buffer, s, e, emit);
        else emit(s, e);
        s = i + 1;
      }
    }, emit);
  }

  /** Emits the unfinished last line as text, if any (its file is closed or rotated away). */
  flush(emit: LineHandler): void {
    if (this.#carry.length === 0) return;
    const bytes = this.#carry;
    const offset = this.#lineStart;
    this.#lineStart += bytes.length;
    this.#carry = new Uint8Array(0);
    this.#boundary = false;
    if (this.#skipping) {
      this.#skipping = false;
      return;
    }
    let end = bytes.length;
    if (bytes[end - 1] === 13) end--;
    emit(lenient.decode(bytes.subarray(0, end)), offset);
  }

  /**
   * The common walk: skips the rest of a truncated line, hands regions of complete lines to
   * `lines` (cut into pieces of about PIECE bytes after a newline), hands pieces of an
   * over-long pending line to `piece`, and keeps the rest pending.
   */
  #split(
    buffer: Uint8Array,
    n: number,
    lines: (start: number, end: number) => void,
    piece: (start: number, end: number) => void,
  ): void {
    const end = this.#carry.length + n;
    let start = 0;
    if (this.#skipping) {
      const nl = buffer.subarray(0, end).indexOf(10);
      if (nl < 0) {
        this.#lineStart += end;
        this.#carry = new Uint8Array(0);
        return;
      }
      start = nl + 1;
      this.#skipping = false;
      this.#boundary = true;
    }
    const last = end > start ? buffer.subarray(0, end).lastIndexOf(10) : -1;
    if (last >= start) {
      while (start <= last) {
        let cut = last;
        if (last - start >= PIECE) {
          const nl = buffer.subarray(start, start + PIECE).lastIndexOf(10);
          if (nl >= 0) cut = start + nl;
        }
        lines(start, cut + 1);
        start = cut + 1;
      }
      this.#boundary = true;
    }
    if (end - start > this.maxLineBytes) {
      // No newline in sight and the line is already too long: never stall.
      this.stats.long++;
      while (end - start > this.maxLineBytes) {
        const cut = boundary(buffer, start + this.maxLineBytes, start);
        piece(start, cut);
        if (this.longLines === "truncate") {
          start = end;
          this.#skipping = true;
          break;
        }
        start = cut;
      }
      this.#boundary = false;
    }
    this.#lineStart += start;
    this.#carry = buffer.slice(start, end);
  }

  /** Emits the lines of a region that ends with a newline, as text. */
  #decodeLines(region: Uint8Array, base: number, emit: LineHandler): void {
    let text: string;
    try {
      text = strict.decode(region);
    } catch {
      this.stats.invalidUtf8++;
      text = lenient.decode(region);
    }
    const max = this.maxLineBytes;
    if (text.length === region.length) {
      // One byte per character: string and byte positions agree.
      let s = 0;
      for (;;) {
        const i = text.indexOf("\n", s);
        if (i < 0) break;
        const e = i > s && text.charCodeAt(i - 1) === 13 ? i - 1 : i;
        if (e - s > max) {
          this.#long(region, s, e, (a, b) => emit(lenient.decode(region.subarray(a, b)), base + a));
        } else emit(text.slice(s, e), base + s);
        s = i + 1;
      }
      return;
    }
    // Multibyte characters: walk the bytes alongside ("\n" is never part of one).
    let s = 0;
    let b = 0;
    for (;;) {
      const i = text.indexOf("\n", s);
      if (i < 0) break;
      const bi = region.indexOf(10, b);
      const cr = i > s && text.charCodeAt(i - 1) === 13;
      const e = cr ? i - 1 : i;
      const be = cr ? bi - 1 : bi;
      if (be - b > max) {
        this.#long(region, b, be, (x, y) => emit(lenient.decode(region.subarray(x, y)), base + x));
      } else emit(text.slice(s, e), base + b);
      s = i + 1;
      b = bi + 1;
    }
  }

  /** A complete line `[start, end)` longer than the limit: its pieces, or its head. */
  #long(bytes: Uint8Array, start: number, end: number, emit: RangeHandler): void {
    this.stats.long++;
    let at = start;
    while (at < end) {
      const cut = boundary(bytes, Math.min(end, at + this.maxLineBytes), at);
      emit(at, cut);
      if (this.longLines === "truncate") return;
      at = cut;
    }
  }
}

/** A cut position at or before `end` that does not split a UTF-8 character (never `start`). */
function boundary(bytes: Uint8Array, end: number, start: number): number {
  if (end >= bytes.length) return bytes.length;
  let e = end;
  while (e > start + 1 && (bytes[e]! & 0xc0) === 0x80) e--;
  return e;
}
