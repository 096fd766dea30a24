import assert from "node:assert/strict";
import { type BufferedOptions, BufferedSink } from "../../../lib/sinks/buffered.ts";
import { PartialFailure, SinkError } from "../../../lib/sinks/errors.ts";
import type { Sink, SinkEvent } from "../../../lib/sinks/sink.ts";

/** An in-memory destination that can be told to fail. */
class Memory implements Sink {
  readonly name = "mem";
  readonly batches: SinkEvent[][] = [];
  failures: (Error | undefined)[] = [];
  closed = false;
  check() {
    return Promise.resolve();
  }
  async send(batch: readonly SinkEvent[]) {
    await Promise.resolve();
    const f = this.failures.shift();
    if (f) throw f;
    this.batches.push([...batch]);
  }
  close() {
    this.closed = true;
    return Promise.resolve();
  }
  get events() {
    return this.batches.flat().map((e) => e.n as number);
  }
}

const opts = (
  o: Partial<{ [K in keyof BufferedOptions]: Partial<BufferedOptions[K]> }> = {},
): BufferedOptions => ({
  batch: { maxEvents: 10, maxBytes: 1 << 20, timeoutMs: 20, ...o.batch },
  retry: { initialMs: 5, maxMs: 20, maxAttempts: 0, ...o.retry },
  queue: { maxEvents: 100, maxBytes: 1 << 20, ...o.queue },
});

const events = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({ n: from + i }));

Deno.test("BufferedSink batches by events and by time, in order", async () => {
  const mem = new Memory();
  const s = new BufferedSink(mem, opts());
  await s.push(events(0, 25), 25);
  await s.flush();
  await s.push(events(25, 28), 3);
  await new Promise((r) => setTimeout(r, 60)); // the batch timeout sends the short batch
  assert.deepEqual(mem.batches.map((b) => b.length), [10, 10, 5, 3]);
  assert.deepEqual(mem.events, [...Array(28).keys()]);
  await s.close();
  assert.ok(mem.closed);
});

Deno.test("BufferedSink retries failures with backoff until delivered, nothing lost or repeated", async () => {
  const mem = new Memory();
  mem.failures = [
    new Error("connection refused"),
    new SinkError("503", { retryable: true, status: 503 }),
  ];
  const logs: string[] = [];
  const s = new BufferedSink(mem, { ...opts(), log: (_l, m) => logs.push(m) });
  await s.send(events(0, 5));
  assert.deepEqual(mem.events, [0, 1, 2, 3, 4]);
  assert.equal(s.stats.retries, 2);
  assert.equal(s.stats.errors, 2);
  assert.match(logs.join("\n"), /connection refused; retry 1 in/);
  assert.match(logs.join("\n"), /delivered again after 2 retries/);
  await s.close();
});

Deno.test("BufferedSink waits as long as Retry-After asks", async () => {
  const mem = new Memory();
  mem.failures = [new SinkError("429", { retryable: true, status: 429, retryAfterMs: 150 })];
  const s = new BufferedSink(mem, opts());
  const t0 = performance.now();
  await s.send(events(0, 1));
  assert.ok(performance.now() - t0 >= 140, "waited for Retry-After");
  await s.close();
});

Deno.test("BufferedSink gives send() callers the error after max_attempts; pushes count drops", async () => {
  const mem = new Memory();
  mem.failures = Array.from({ length: 6 }, () => new Error("down"));
  const s = new BufferedSink(mem, opts({ retry: { maxAttempts: 3 } }));
  await assert.rejects(() => s.send(events(0, 2)), /down/);
  const acked: number[] = [];
  await s.push(events(2, 4), 2, { ack: (n) => void acked.push(n) });
  await s.flush();
  assert.deepEqual(acked, [2], "given up events are still acknowledged, so reading goes on");
  assert.equal(s.stats.dropped, 2);
  await s.close();
});

Deno.test("BufferedSink rejects non-retryable failures at once and splits too-large batches", async () => {
  const mem = new Memory();
  mem.failures = [new SinkError("400 bad", { retryable: false, status: 400 })];
  const s = new BufferedSink(mem, opts());
  await assert.rejects(() => s.send(events(0, 3)), /400 bad/);
  assert.equal(s.stats.rejected, 3);
  assert.equal(s.stats.retries, 0);
  mem.failures = [new SinkError("413", { retryable: true, tooLarge: true, status: 413 })];
  await s.send(events(10, 14));
  assert.deepEqual(mem.batches.map((b) => b.map((e) => e.n)), [[10, 11], [12, 13]]);
  await s.close();
});

Deno.test("BufferedSink retries only the failed part of a partial failure", async () => {
  const mem = new Memory();
  const batch = events(0, 4);
  mem.failures = [new PartialFailure("bulk", { retry: [batch[1]!, batch[3]!], rejected: 1 })];
  const s = new BufferedSink(mem, opts());
  await s.send(batch);
  assert.deepEqual(mem.events, [1, 3]);
  assert.equal(s.stats.rejected, 1);
  assert.equal(s.stats.eventsSent, 3);
  await s.close();
});

Deno.test("BufferedSink bounds its queue: push waits while the destination is down", async () => {
  const mem = new Memory();
  let up = false;
  mem.send = async (batch) => {
    await new Promise((r) => setTimeout(r, 5));
    if (!up) throw new Error("down");
    mem.batches.push([...batch]);
  };
  const s = new BufferedSink(
    mem,
    opts({ queue: { maxEvents: 30 }, retry: { initialMs: 5, maxMs: 10 } }),
  );
  let pushed = 0;
  const writer = (async () => {
    for (let i = 0; i < 10; i++) {
      await s.push(events(i * 10, i * 10 + 10), 10);
      pushed++;
    }
  })();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(pushed, 3, "the fourth push waits for room");
  assert.ok(s.stats.queuedEvents <= 30);
  up = true;
  await writer;
  await s.flush();
  assert.deepEqual(mem.events, [...Array(100).keys()]);
  await s.close();
});

Deno.test("BufferedSink acknowledges pushes in parts at batch boundaries and holds the next batch for the ack", async () => {
  const mem = new Memory();
  const s = new BufferedSink(mem, opts({ batch: { maxEvents: 4 } }));
  const log: string[] = [];
  await s.push(events(0, 6), 6, {
    ack: async (n) => {
      log.push(`ack ${n} after ${mem.batches.length} batches`);
      await new Promise((r) => setTimeout(r, 20));
      log.push(`saved ${n}`);
    },
  });
  await s.flush();
  assert.deepEqual(log, ["ack 4 after 1 batches", "saved 4", "ack 6 after 2 batches", "saved 6"]);
});

Deno.test("BufferedSink.abort() stops retrying and leaves the rest unacknowledged", async () => {
  const mem = new Memory();
  mem.failures = Array.from({ length: 100 }, () => new Error("down"));
  const s = new BufferedSink(mem, opts({ retry: { initialMs: 1000, maxMs: 1000 } }));
  const acked: number[] = [];
  await s.push(events(0, 3), 3, { ack: (n) => void acked.push(n) });
  const sending = s.send(events(3, 4));
  await new Promise((r) => setTimeout(r, 50));
  await s.abort();
  await assert.rejects(sending, /closed before the events were delivered/);
  assert.deepEqual(acked, []);
  await assert.rejects(() => s.push(events(5, 6), 1), /closed/);
});
