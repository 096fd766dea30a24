/**
 * The one wrapper every sink runs behind (DESIGN §6): a bounded queue (when it is full, `push`
 * waits, so readers stop reading), batching by events, bytes and time, and retries with capped
 * exponential backoff and jitter (Retry-After honoured), batches split when "too large", and
 * per-item retries for partial failures. One batch is in flight at a time, and the next one
 * is sent only after the acknowledgement callbacks of the last one settled: a checkpoint saved
 * there means a crash repeats at most one batch.
 *
 * @module
 */
import { backoffDelay } from "./backoff.ts";
import { PartialFailure, SinkError } from "./errors.ts";
import type { EventList, EventRun, Sink, SinkEvent } from "./sink.ts";

export type { EventList } from "./sink.ts";

/** Told how far a pushed list of events is durable. */
export interface AckHandle {
  /**
   * The first `count` events of the push are durable (or, after `max_attempts`, given up);
   * `count` grows to the list's length. A returned promise holds the next batch until it
   * settles (the logs pipeline saves its checkpoint there).
   */
  ack(count: number): void | Promise<void>;
}

/** Limits and retry policy, in events, bytes and ms. */
export interface BufferedOptions {
  readonly batch: {
    readonly maxEvents: number;
    readonly maxBytes: number;
    readonly timeoutMs: number;
  };
  readonly retry: {
    readonly initialMs: number;
    readonly maxMs: number;
    readonly maxAttempts: number;
  };
  readonly queue: { readonly maxEvents: number; readonly maxBytes: number };
  /** Size of an event given to `send()` (pushes pass their size); default its JSON length. */
  readonly measure?: (event: SinkEvent) => number;
  /** Where failures and recoveries are reported. */
  readonly log?: (level: "warn" | "info" | "debug", message: string) => void;
}

/** Counters of one sink, for self-metrics. */
export interface SinkStats {
  /** Events delivered (acknowledged by the destination). */
  eventsSent: number;
  /** Batches delivered. */
  batchesSent: number;
  /** Failed attempts (each retry follows one). */
  errors: number;
  /** Retries after a failed attempt. */
  retries: number;
  /** Events the destination refused for good (4xx other than 408/429, per-item errors). */
  rejected: number;
  /** Events given up after `max_attempts`. */
  dropped: number;
  /** Events queued or in flight, and their bytes. */
  queuedEvents: number;
  /** Bytes queued or in flight. */
  queuedBytes: number;
  /** The last failure's message, cleared by the next success. */
  lastError: string | undefined;
}

interface Entry {
  readonly events: EventList;
  readonly bytes: number;
  readonly at: number;
  readonly handle: AckHandle | undefined;
  /** Events placed in a batch so far. */
  taken: number;
  /** Events settled so far. */
  done: number;
  failed: Error | undefined;
  readonly settle: { resolve(): void; reject(e: Error): void } | undefined;
  waiters: (() => void)[] | undefined;
}

interface Part {
  readonly entry: Entry;
  readonly from: number;
  readonly to: number;
}

/** The events of a batch as one array (arrays pushed whole are passed as they are). */
function materialize(parts: readonly Part[]): readonly SinkEvent[] {
  const first = parts[0]!;
  const list = first.entry.events;
  if (parts.length === 1 && first.from === 0 && first.to === list.length) {
    return Array.isArray(list) ? list as readonly SinkEvent[] : list.slice(0, first.to);
  }
  return parts.flatMap((p) => p.entry.events.slice(p.from, p.to));
}

type Outcome = { ok: true } | { ok: false; error: Error; rejected?: boolean };

/** A sink with a bounded queue, batching and retries in front of another sink. */
export class BufferedSink implements Sink {
  readonly name: string;
  /** Counters, for metrics and messages. */
  readonly stats: SinkStats = {
    eventsSent: 0,
    batchesSent: 0,
    errors: 0,
    retries: 0,
    rejected: 0,
    dropped: 0,
    queuedEvents: 0,
    queuedBytes: 0,
    lastError: undefined,
  };
  /** The sink it delivers to. */
  readonly inner: Sink;
  readonly #o: BufferedOptions;
  readonly #queue: Entry[] = [];
  #untaken = 0;
  #untakenBytes = 0;
  #wakeWorker: (() => void) | undefined;
  #roomWaiters: (() => void)[] = [];
  #flushing = 0;
  #closing = false;
  #aborted = false;
  #worker: Promise<void> | undefined;
  #failStreak = 0;
  #endPause: (() => void) | undefined;

  /** Wraps a sink. */
  constructor(inner: Sink, options: BufferedOptions) {
    this.inner = inner;
    this.name = inner.name;
    this.#o = options;
  }

  /** Checks the destination (the inner sink's check). */
  check(): Promise<void> {
    return this.inner.check();
  }

  /**
   * Queues events; waits while the queue is full (backpressure). `bytes` is their size (the
   * text of the lines). The handle hears how far they are durable.
   */
  async push(events: EventList, bytes: number, handle?: AckHandle): Promise<void> {
    if (events.length === 0) return;
    await this.#room(events.length, bytes);
    this.#enqueue(events, bytes, handle, undefined);
  }

  /** Sends a batch through the queue; resolves when it is durable, rejects if it never can be. */
  async send(batch: readonly SinkEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const measure = this.#o.measure ?? ((e: SinkEvent) => JSON.stringify(e).length + 1);
    let bytes = 0;
    for (const e of batch) bytes += measure(e);
    await this.#room(batch.length, bytes);
    await new Promise<void>((resolve, reject) => {
      this.#enqueue(batch, bytes, undefined, { resolve, reject });
    });
  }

  /** Sends everything queued now without waiting for batches to fill; resolves when acked. */
  async flush(): Promise<void> {
    const last = this.#queue.at(-1);
    if (!last) return;
    this.#flushing++;
    this.#wake();
    try {
      await new Promise<void>((resolve) => (last.waiters ??= []).push(resolve));
    } finally {
      this.#flushing--;
    }
  }

  /** Delivers what is queued, then closes the destination. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#wake();
    await this.#worker;
    await this.inner.close();
  }

  /**
   * Stops at once: no more retries; events not yet durable stay unacknowledged (the logs
   * checkpoint does not move past them, so they are read again next time).
   */
  async abort(): Promise<void> {
    this.#aborted = true;
    this.#wake();
    this.#endPause?.();
    for (const w of this.#roomWaiters.splice(0)) w();
    for (const e of this.#queue) {
      e.settle?.reject(new Error(`sink ${this.name} closed before the events were delivered`));
      for (const w of e.waiters ?? []) w();
    }
    await this.#worker;
    await this.inner.close().catch(() => {});
  }

  #enqueue(
    events: EventList,
    bytes: number,
    handle: AckHandle | undefined,
    settle: Entry["settle"],
  ): void {
    if (this.#aborted || this.#closing) {
      throw new Error(`sink ${this.name} is closed`);
    }
    this.#queue.push({
      events,
      bytes,
      at: Date.now(),
      handle,
      taken: 0,
      done: 0,
      failed: undefined,
      settle,
      waiters: undefined,
    });
    this.stats.queuedEvents += events.length;
    this.stats.queuedBytes += bytes;
    this.#untaken += events.length;
    this.#untakenBytes += bytes;
    this.#worker ??= this.#run();
    this.#wake();
  }

  async #room(events: number, bytes: number): Promise<void> {
    const q = this.#o.queue;
    while (
      !this.#aborted && this.stats.queuedEvents > 0 &&
      (this.stats.queuedEvents + events > q.maxEvents ||
        this.stats.queuedBytes + bytes > q.maxBytes)
    ) {
      const room = new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
      this.#wake();
      await room;
    }
    if (this.#aborted) throw new Error(`sink ${this.name} is closed`);
  }

  #wake(): void {
    const w = this.#wakeWorker;
    this.#wakeWorker = undefined;
    w?.();
  }

  /** Sleeps until woken, or `ms` passes (when given). */
  #sleep(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      this.#wakeWorker = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      if (ms !== undefined) {
        timer = setTimeout(() => {
          this.#wakeWorker = undefined;
          resolve();
        }, ms);
      }
    });
  }

  /** A backoff pause: only abort() ends it early (new events do not). */
  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#endPause = done;
    }).finally(() => (this.#endPause = undefined));
  }

  async #run(): Promise<void> {
    const b = this.#o.batch;
    while (!this.#aborted) {
      if (this.#untaken === 0) {
        if (this.#closing) break;
        await this.#sleep();
        continue;
      }
      // Someone waiting for room makes the batch as full as it can get: send it now.
      const full = this.#untaken >= b.maxEvents || this.#untakenBytes >= b.maxBytes ||
        this.#roomWaiters.length > 0;
      if (!full && this.#flushing === 0 && !this.#closing) {
        const oldest = this.#queue.find((e) => e.taken < e.events.length);
        const wait = oldest ? oldest.at + b.timeoutMs - Date.now() : 0;
        if (wait > 0) {
          await this.#sleep(wait);
          continue;
        }
      }
      await this.#deliver(this.#take());
    }
  }

  /** The next batch: events from the head of the queue, within the batch limits. */
  #take(): Part[] {
    const b = this.#o.batch;
    const parts: Part[] = [];
    let events = 0;
    let bytes = 0;
    for (const entry of this.#queue) {
      if (entry.taken === entry.events.length) continue;
      const per = entry.bytes / entry.events.length;
      let n = entry.events.length - entry.taken;
      n = Math.min(n, b.maxEvents - events);
      if (bytes + n * per > b.maxBytes) n = Math.max(0, Math.floor((b.maxBytes - bytes) / per));
      if (n === 0 && events === 0) n = 1; // one event larger than a batch still goes
      if (n === 0) break;
      parts.push({ entry, from: entry.taken, to: entry.taken + n });
      entry.taken += n;
      events += n;
      bytes += n * per;
      this.#untaken -= n;
      this.#untakenBytes -= n * per;
      if (events >= b.maxEvents || bytes >= b.maxBytes) break;
    }
    if (this.#untaken === 0) this.#untakenBytes = 0; // no drift from rounding
    return parts;
  }

  async #deliver(parts: Part[]): Promise<void> {
    const outcome = this.inner.sendRuns
      ? await this.#attempt(
        undefined,
        parts.map((p) => ({ list: p.entry.events, from: p.from, to: p.to })),
      )
      : await this.#attempt(materialize(parts));
    if (this.#aborted) return;
    if (outcome.ok) this.stats.batchesSent++;
    const pending: Promise<void>[] = [];
    const finished: Entry[] = [];
    for (const p of parts) {
      const e = p.entry;
      const n = p.to - p.from;
      const bytes = (e.bytes * n) / e.events.length;
      e.done = p.to;
      this.stats.queuedEvents -= n;
      this.stats.queuedBytes -= bytes;
      if (!outcome.ok) {
        e.failed ??= outcome.error;
        if (!e.settle && !outcome.rejected) this.stats.dropped += n;
      }
      if (e.handle) {
        try {
          const r = e.handle.ack(p.to);
          if (r) pending.push(r);
        } catch (err) {
          this.#log("warn", `sink ${this.name}: acknowledging failed: ${(err as Error).message}`);
        }
      }
      if (e.done === e.events.length) {
        this.#queue.splice(this.#queue.indexOf(e), 1);
        finished.push(e);
      }
    }
    if (this.stats.queuedEvents === 0) this.stats.queuedBytes = 0;
    for (const w of this.#roomWaiters.splice(0)) w();
    const settled = await Promise.allSettled(pending);
    for (const s of settled) {
      if (s.status === "rejected") {
        this.#log("warn", `sink ${this.name}: after delivery: ${(s.reason as Error).message}`);
      }
    }
    // Callers hear of it once the acknowledgements (checkpoints) settled.
    for (const e of finished) {
      if (e.failed) e.settle?.reject(e.failed);
      else e.settle?.resolve();
      for (const w of e.waiters ?? []) w();
    }
  }

  /** Sends with retries; splits on "too large"; retries only the failed part of a partial failure. */
  async #attempt(batch: readonly SinkEvent[] | undefined, runs?: EventRun[]): Promise<Outcome> {
    const r = this.#o.retry;
    let current = batch ?? [];
    let attempt = 0;
    for (;;) {
      if (this.#aborted) return { ok: false, error: new Error(`sink ${this.name} closed`) };
      let retryAfterMs: number | undefined;
      let error: Error;
      try {
        if (runs) {
          await this.inner.sendRuns!(runs);
          this.stats.eventsSent += runs.reduce((n, p) => n + p.to - p.from, 0);
        } else {
          await this.inner.send(current);
          this.stats.eventsSent += current.length;
        }
        this.#recovered(attempt);
        return { ok: true };
      } catch (e) {
        error = e instanceof Error ? e : new Error(String(e));
        if (runs && (e instanceof PartialFailure || (e instanceof SinkError && e.tooLarge))) {
          // Needs the events one by one: make them and go on with the plain path.
          current = runs.flatMap((p) => p.list.slice(p.from, p.to));
          runs = undefined;
          continue;
        }
        if (e instanceof PartialFailure) {
          this.stats.rejected += e.rejected;
          this.stats.eventsSent += current.length - e.retry.length - e.rejected;
          if (e.rejected > 0) {
            this.#log("warn", `sink ${this.name}: ${e.rejected} event(s) rejected: ${e.message}`);
          }
          if (e.retry.length === 0) {
            this.#recovered(attempt);
            return { ok: true };
          }
          current = e.retry;
          retryAfterMs = e.retryAfterMs;
        } else if (e instanceof SinkError && e.tooLarge && current.length > 1) {
          const half = Math.ceil(current.length / 2);
          const a = await this.#attempt(current.slice(0, half));
          if (!a.ok) return a;
          return await this.#attempt(current.slice(half));
        } else if (e instanceof SinkError && (!e.retryable || e.tooLarge)) {
          const n = runs ? runs.reduce((k, p) => k + p.to - p.from, 0) : current.length;
          this.stats.errors++;
          this.stats.rejected += n;
          this.stats.lastError = e.message;
          this.#log("warn", `sink ${this.name}: ${n} event(s) rejected, not retried: ${e.message}`);
          // For pushes the events are given up (counted); send() callers get the error.
          return { ok: false, error: e, rejected: true };
        } else {
          retryAfterMs = e instanceof SinkError ? e.retryAfterMs : undefined;
        }
      }
      this.stats.errors++;
      this.stats.lastError = error.message;
      attempt++;
      if (r.maxAttempts > 0 && attempt >= r.maxAttempts) {
        this.#log(
          "warn",
          `sink ${this.name}: giving up after ${attempt} attempt(s): ${error.message}`,
        );
        this.#failStreak = 0;
        return { ok: false, error };
      }
      const delay = backoffDelay(attempt, { initialMs: r.initialMs, maxMs: r.maxMs }, {
        retryAfterMs,
      });
      this.#failStreak++;
      if (this.#failStreak === 1 || this.#failStreak % 10 === 0) {
        this.#log(
          "warn",
          `sink ${this.name}: ${error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)}s`,
        );
      }
      this.stats.retries++;
      await this.#pause(delay);
    }
  }

  #recovered(attempt: number): void {
    if (this.#failStreak > 0 && attempt > 0) {
      this.#log(
        "info",
        `sink ${this.name}: delivered again after ${attempt} retr${attempt === 1 ? "y" : "ies"}`,
      );
    }
    this.#failStreak = 0;
    this.stats.lastError = undefined;
  }

  #log(level: "warn" | "info" | "debug", message: string): void {
    this.#o.log?.(level, message);
  }
}
