import assert from "node:assert/strict";
import { CHUNK } from "../../../lib/logs/source.ts";
import { startCollector } from "../sinks/_collector.ts";
import { append, pipeline, seqs, tally, until, withDir } from "./_pipeline.ts";

Deno.test("pipeline with its sink down: reading pauses, the queue stays bounded, everything arrives once it is back", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const total = 100_000;
    await append(`${dir}/logs/app.log`, 0, total); // about 8 MB
    const size = (await Deno.stat(`${dir}/logs/app.log`)).size;
    const c = await startCollector();
    c.down = true;
    const logs: string[] = [];
    const p = await pipeline({
      state_dir: `${dir}/state`,
      sources: [{ name: "app", paths: [`${dir}/logs/*.log`], outputs: ["web"] }],
      outputs: [{
        name: "web",
        type: "http",
        url: `${c.url}/ingest`,
        batch: { max_events: 1000, timeout: 0.05 },
        queue: { max_events: 4000, max_bytes: "512KiB" },
        retry: { initial_backoff: 0.05, max_backoff: 0.2 },
      }],
    }, logs);
    const running = p.run();
    try {
      const sink = p.sinks.get("web")!;
      const source = p.sources[0]!;
      await until(() => sink.stats.retries >= 5, "retries while down");
      let maxQueued = 0;
      for (let i = 0; i < 20; i++) {
        maxQueued = Math.max(maxQueued, sink.stats.queuedBytes);
        await new Promise((r) => setTimeout(r, 25));
      }
      // One push may exceed the limit only when the queue was empty (a whole read chunk).
      assert.ok(maxQueued <= CHUNK + 512 * 1024, `queued ${maxQueued} bytes`);
      assert.ok(
        source.stats.bytesRead <= 2 * CHUNK + 512 * 1024,
        `read ${source.stats.bytesRead} of ${size} bytes while down`,
      );
      assert.ok(source.lagBytes >= size - 3 * CHUNK, "the lag is visible in the metrics");
      assert.equal(c.docs.length, 0);
      c.down = false;
      await until(() => c.docs.length >= total, "everything after the sink is back", 60_000);
      await p.stop();
      await running;
      assert.deepEqual(tally(seqs(c.docs.map((d) => d.message as string).join("\n")), total), {
        missing: [],
        duplicates: 0,
      });
      assert.match(logs.join("\n"), /delivered again after \d+ retries/);
      assert.equal(source.lagBytes, 0);
    } finally {
      await c.stop();
    }
  }));
