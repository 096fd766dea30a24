/**
 * Multiline grouping, as Filebeat's `multiline` (pattern, negate, match): a line is a
 * continuation when `pattern` matches it (or, with `negate`, does not). With `match: after`
 * continuations join the line before them (stack traces after a timestamped line); with
 * `match: before` they join the line after them (lines ending in "\"). A group ends at
 * `max_lines`, or when no line arrived for `timeout`.
 *
 * @module
 */
import type { LineHandler } from "./lines.ts";

/** Multiline settings (timeout in ms). */
export interface MultilineOptions {
  readonly pattern: RegExp;
  readonly negate: boolean;
  readonly match: "after" | "before";
  readonly maxLines: number;
  readonly timeoutMs: number;
}

/** Groups the lines of one file. */
export class Multiline {
  readonly #o: MultilineOptions;
  #text = "";
  #offset = -1;
  #lines = 0;
  #since = 0;
  /** Groups cut at `max_lines`. */
  cut = 0;

  constructor(options: MultilineOptions) {
    this.#o = options;
  }

  /** Offset of the first line of the pending group, or undefined when none is pending. */
  get pendingOffset(): number | undefined {
    return this.#lines > 0 ? this.#offset : undefined;
  }

  /** When the pending group last grew (ms), for the timeout. */
  get pendingSince(): number {
    return this.#since;
  }

  /** Feeds one line; complete groups go to `emit`. */
  line(text: string, offset: number, now: number, emit: LineHandler): void {
    const o = this.#o;
    const continuation = o.pattern.test(text) !== o.negate;
    if (o.match === "after") {
      if (this.#lines > 0 && continuation && this.#lines < o.maxLines) {
        this.#text += "\n" + text;
        this.#lines++;
      } else {
        if (this.#lines > 0) {
          if (continuation) this.cut++;
          this.#emit(emit);
        }
        this.#start(text, offset);
      }
    } else {
      if (this.#lines === 0) this.#start(text, offset);
      else {
        this.#text += "\n" + text;
        this.#lines++;
      }
      if (!continuation) this.#emit(emit);
      else if (this.#lines >= o.maxLines) {
        this.cut++;
        this.#emit(emit);
      }
    }
    this.#since = now;
  }

  /** Emits the pending group when it has waited `timeout` (or always, with `force`). */
  flush(now: number, emit: LineHandler, force = false): void {
    if (this.#lines > 0 && (force || now - this.#since >= this.#o.timeoutMs)) this.#emit(emit);
  }

  /** Drops the pending group (the file was truncated under it). */
  reset(): void {
    this.#text = "";
    this.#lines = 0;
    this.#offset = -1;
  }

  #start(text: string, offset: number): void {
    this.#text = text;
    this.#offset = offset;
    this.#lines = 1;
  }

  #emit(emit: LineHandler): void {
    const text = this.#text;
    const offset = this.#offset;
    this.reset();
    emit(text, offset);
  }
}
