/**
 * Acknowledgement tracking for one file's content: how far each routed sink has made the
 * lines durable, and the checkpointable offset, which is the minimum over the sinks. Each
 * sink's own offset is saved too, so after a crash a sink that was ahead is not sent again
 * what it already has (a crash repeats at most the batch each sink had in flight). Lines
 * dropped by filters count as done once everything before them is. Sinks may acknowledge a
 * push in parts (a batch boundary inside it): the offset then moves to the first line not
 * yet acknowledged.
 *
 * @module
 */
import type { AckHandle } from "../sinks/buffered.ts";

/** Where a tracker reports progress: saves the checkpoint of whatever owns the content now. */
export interface TrackerOwner {
  checkpoint(committed: number): void | Promise<void>;
}

interface Slot {
  /** Offset up to which this sink acknowledged (or had nothing to do). */
  acked: number;
  /** Pushes not fully acknowledged. */
  inflight: number;
  /** End of empty fragments that arrived while pushes were in flight. */
  afterDrain: number;
  /** Lines before this offset were delivered before a restart: not sent to this sink again. */
  readonly resume: number;
}

/** Tracks the acknowledged offset of one file's content across its sinks. */
export class Tracker {
  readonly #slots: Slot[];
  #committed: number;
  /** Who saves the checkpoint (a file, or the orphan of a truncated file). */
  owner: TrackerOwner | undefined;

  /**
   * `start`: where reading resumes; `ahead[i]`: how far sink i had acknowledged beyond it
   * (from the saved checkpoint).
   */
  constructor(
    start: number,
    sinks: number,
    options: { owner?: TrackerOwner; ahead?: readonly (number | undefined)[] } = {},
  ) {
    this.#committed = start;
    this.#slots = Array.from({ length: sinks }, (_, i) => {
      const acked = Math.max(start, options.ahead?.[i] ?? start);
      return { acked, inflight: 0, afterDrain: acked, resume: acked };
    });
    this.owner = options.owner;
  }

  /** Offset up to which every line is acknowledged by every sink (or dropped by filters). */
  get committed(): number {
    return this.#committed;
  }

  /** Pushes not fully acknowledged, over all sinks. */
  get inflight(): number {
    let n = 0;
    for (const s of this.#slots) n += s.inflight;
    return n;
  }

  /** How far each sink acknowledged, in sink order. */
  get acked(): number[] {
    return this.#slots.map((s) => s.acked);
  }

  /** Lines starting before this offset are not sent to sink `sink` (it has them already). */
  resumeOf(sink: number): number {
    return this.#slots[sink]!.resume;
  }

  /** Lines up to `end` produced no event (filtered, or none complete): done when all before are. */
  skip(end: number): void | Promise<void> {
    let moved = false;
    for (const s of this.#slots) moved = this.#skipSlot(s, end) || moved;
    return moved ? this.#advance() : undefined;
  }

  /** Like `skip`, for one sink only (it already had these lines). */
  skipFor(sink: number, end: number): void | Promise<void> {
    return this.#skipSlot(this.#slots[sink]!, end) ? this.#advance() : undefined;
  }

  /**
   * A handle for pushing `count` events (covering the file up to `end`; event i starts at
   * `offsetAt(i)`) to sink number `sink`. It counts as in flight from now on; `done` runs once
   * the sink acknowledged all of them.
   */
  handle(
    sink: number,
    count: number,
    end: number,
    offsetAt: (i: number) => number,
    done?: () => void,
  ): AckHandle {
    const slot = this.#slots[sink]!;
    slot.inflight++;
    let finished = false;
    return {
      ack: (acked: number) => {
        if (finished) return;
        const at = acked >= count ? end : offsetAt(acked);
        let moved = false;
        if (at > slot.acked) {
          slot.acked = at;
          moved = true;
        }
        if (acked >= count) {
          finished = true;
          done?.();
          slot.inflight--;
          if (slot.inflight === 0 && slot.afterDrain > slot.acked) {
            slot.acked = slot.afterDrain;
            moved = true;
          }
        }
        return moved ? this.#advance() : undefined;
      },
    };
  }

  #skipSlot(s: Slot, end: number): boolean {
    if (s.inflight > 0) {
      s.afterDrain = Math.max(s.afterDrain, end);
      return false;
    }
    if (end <= s.acked) return false;
    s.acked = end;
    return true;
  }

  /** A sink moved: the checkpoint (the minimum, and each sink's own offset) is saved. */
  #advance(): void | Promise<void> {
    let min = Infinity;
    for (const s of this.#slots) if (s.acked < min) min = s.acked;
    if (this.#slots.length > 0 && min > this.#committed) this.#committed = min;
    return this.owner?.checkpoint(this.#committed);
  }
}
