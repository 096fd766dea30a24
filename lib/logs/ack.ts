/**
 * Acknowledgement tracking for one file's content: how far each routed sink has made the
 * lines durable, and the checkpointable offset, which is the minimum over the sinks. Lines
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
}

/** Tracks the acknowledged offset of one file's content across its sinks. */
export class Tracker {
  readonly #slots: Slot[];
  #committed: number;
  /** Who saves the checkpoint (a file, or the orphan of a truncated file). */
  owner: TrackerOwner | undefined;

  constructor(start: number, sinks: number, owner?: TrackerOwner) {
    this.#committed = start;
    this.#slots = Array.from(
      { length: sinks },
      () => ({ acked: start, inflight: 0, afterDrain: start }),
    );
    this.owner = owner;
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

  /** Lines up to `end` produced no event (filtered, or none complete): done when all before are. */
  skip(end: number): void | Promise<void> {
    for (const s of this.#slots) {
      if (s.inflight === 0) s.acked = Math.max(s.acked, end);
      else s.afterDrain = Math.max(s.afterDrain, end);
    }
    return this.#advance();
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
        if (at > slot.acked) slot.acked = at;
        if (acked >= count) {
          finished = true;
          done?.();
          slot.inflight--;
          if (slot.inflight === 0 && slot.afterDrain > slot.acked) slot.acked = slot.afterDrain;
        }
        return this.#advance();
      },
    };
  }

  #advance(): void | Promise<void> {
    let min = Infinity;
    for (const s of this.#slots) if (s.acked < min) min = s.acked;
    if (this.#slots.length === 0 || min <= this.#committed) return;
    this.#committed = min;
    return this.owner?.checkpoint(min);
  }
}
