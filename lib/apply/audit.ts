/**
 * The audit log: one JSON line per task of every apply run (DESIGN §6), sent to sinks. The
 * local directory sink writes one file per day and never leaves a torn line behind.
 *
 * @module
 */
import { join } from "node:path";
import type { Sink, SinkEvent } from "../sinks/sink.ts";
import { type Redactor, redactor as defaultRedactor } from "../secrets.ts";

/** One task's record in the audit log. */
export interface AuditEntry {
  readonly time: string;
  readonly host: string;
  readonly run_id: string;
  readonly dry_run: boolean;
  readonly task: string;
  readonly type: string;
  readonly item?: string;
  readonly status: "ok" | "changed" | "failed" | "skipped";
  readonly changed: boolean;
  readonly summaries: readonly string[];
  /** Unified diffs, secrets redacted; left out for no_log tasks. */
  readonly diff?: readonly string[];
  readonly duration_ms: number;
  readonly error?: string;
}

/** Entries are sent in batches of this size, and whatever is pending at the end. */
const BATCH = 50;

/** Collects entries and sends them, redacted, to every sink. */
export class AuditLog {
  readonly #sinks: readonly Sink[];
  readonly #redactor: Redactor;
  #pending: SinkEvent[] = [];
  /** Per sink, how many of the pending entries it already has. */
  readonly #done: number[];
  #flushAt = BATCH;

  constructor(sinks: readonly Sink[], options: { redactor?: Redactor } = {}) {
    this.#sinks = sinks;
    this.#done = sinks.map(() => 0);
    this.#redactor = options.redactor ?? defaultRedactor;
  }

  /**
   * Queues an entry; sends a batch when enough are pending. A sink that fails does not stop
   * the run: its entries stay queued for the next flush, and `close()` reports the failure.
   */
  async add(entry: AuditEntry): Promise<void> {
    this.#pending.push(this.#redactor.redactValue(entry as unknown as SinkEvent));
    if (this.#pending.length >= this.#flushAt) {
      await this.flush().catch(() => {});
      // After a failure, wait for another batch before trying again.
      this.#flushAt = this.#pending.length + BATCH;
    }
  }

  /** Sends pending entries to every sink that does not have them yet; resolves when durable. */
  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    const results = await Promise.allSettled(
      this.#sinks.map((s, i) =>
        this.#done[i]! >= batch.length ? undefined : s.send(batch.slice(this.#done[i]))
      ),
    );
    const failed = results.find((r) => r.status === "rejected");
    if (!failed) {
      this.#pending = [];
      this.#done.fill(0);
      return;
    }
    // Sinks that succeeded are not sent the same entries again.
    results.forEach((r, i) => {
      if (r.status === "fulfilled") this.#done[i] = batch.length;
    });
    throw (failed as PromiseRejectedResult).reason;
  }

  /** Flushes and closes every sink. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await Promise.all(this.#sinks.map((s) => s.close()));
    }
  }
}

/** A directory of JSON-lines files, one per UTC day: `audit-YYYY-MM-DD.jsonl`. */
export class AuditDirSink implements Sink {
  readonly name: string;
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
    this.name = `audit dir ${dir}`;
  }

  async check(): Promise<void> {
    await Deno.mkdir(this.#dir, { recursive: true, mode: 0o750 });
  }

  /** Appends the batch in one write and syncs it; a torn tail from a crash is cut off first. */
  async send(batch: readonly SinkEvent[]): Promise<void> {
    if (batch.length === 0) return;
    await this.check();
    const day = new Date().toISOString().slice(0, 10);
    const path = join(this.#dir, `audit-${day}.jsonl`);
    const file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o640 });
    try {
      await cutTornTail(file);
      await file.seek(0, Deno.SeekMode.End);
      const bytes = new TextEncoder().encode(batch.map((e) => JSON.stringify(e)).join("\n") + "\n");
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
      await file.syncData();
    } finally {
      file.close();
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Truncates a file back to its last newline, removing a line a crash left half-written. */
async function cutTornTail(file: Deno.FsFile): Promise<void> {
  const size = (await file.stat()).size;
  if (size === 0) return;
  const chunk = new Uint8Array(Math.min(size, 64 * 1024));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    await file.seek(start, Deno.SeekMode.Start);
    const n = (await file.read(chunk.subarray(0, end - start))) ?? 0;
    const nl = chunk.subarray(0, n).lastIndexOf(10);
    if (nl >= 0) {
      const keep = start + nl + 1;
      if (keep < size) await file.truncate(keep);
      return;
    }
    end = start;
  }
  await file.truncate(0);
}
