import assert from "node:assert/strict";
import { createSink } from "../../../lib/sinks/create.ts";
import { HttpSink } from "../../../lib/sinks/http.ts";
import { startCollector } from "./_collector.ts";

const events = (from: number, to: number) =>
  Array.from(
    { length: to - from },
    (_, i) => ({ message: `line ${from + i}`, source: "app", seq: from + i }),
  );

Deno.test("http sink: 500 then 429 (Retry-After) are retried; nothing lost, nothing repeated", async () => {
  const c = await startCollector([{ status: 500 }, { status: 429, retryAfter: "1" }]);
  try {
    const sink = await createSink({
      name: "web",
      type: "http",
      url: `${c.url}/ingest`,
      gzip: true,
      headers: { "x-tenant": "t1" },
      auth: { basic: { username: "ship", password: "s3cret-pw" } },
      batch: { max_events: 100 },
      retry: { initial_backoff: 0.05, max_backoff: 0.2 },
    });
    const t0 = performance.now();
    await Promise.all([sink.send(events(0, 250)), sink.send(events(250, 300))]);
    const waited = performance.now() - t0;
    await sink.close();
    assert.deepEqual(c.requests.slice(0, 2).map((r) => r.status), [500, 429]);
    assert.ok(waited >= 950, `Retry-After: 1 honoured (${waited.toFixed(0)} ms)`);
    const seqs = c.docs.map((d) => d.seq as number);
    assert.deepEqual(seqs, [...Array(300).keys()], "every event once, in order");
    const last = c.requests.at(-1)!.headers;
    assert.equal(last.get("content-encoding"), "gzip");
    assert.equal(last.get("x-tenant"), "t1");
    assert.equal(last.get("authorization"), `Basic ${btoa("ship:s3cret-pw")}`);
    assert.equal(sink.stats.retries, 2);
  } finally {
    await c.stop();
  }
});

Deno.test("http sink: a JSON array body with a bearer token", async () => {
  const c = await startCollector();
  try {
    const sink = new HttpSink(
      { name: "a", type: "http", url: c.url, format: "json_array", auth: { bearer: "tok-123" } },
      { host: "h" },
    );
    await sink.send(events(0, 3));
    await sink.close();
    assert.deepEqual(c.docs.map((d) => d.seq), [0, 1, 2]);
    assert.equal(c.requests[0]!.headers.get("authorization"), "Bearer tok-123");
    assert.equal(c.requests[0]!.headers.get("content-type"), "application/json");
  } finally {
    await c.stop();
  }
});

Deno.test("http sink: 400 rejects the batch (counted), no endless retries", async () => {
  const c = await startCollector([{ status: 400 }]);
  try {
    const sink = await createSink({
      name: "w",
      type: "http",
      url: c.url,
      retry: { initial_backoff: 0.01 },
    });
    await assert.rejects(() => sink.send(events(0, 2)), /answered 400/);
    await sink.send(events(2, 3));
    await sink.close();
    assert.equal(sink.stats.rejected, 2);
    assert.deepEqual(c.docs.map((d) => d.seq), [2]);
  } finally {
    await c.stop();
  }
});

Deno.test("elasticsearch sink: per-item 429s are retried alone, mapping errors rejected and counted", async () => {
  // First bulk: items 1 and 3 are throttled (429), item 4 has a mapping error (400).
  const c = await startCollector([{
    bulkItems: (i) => (i === 1 || i === 3 ? 429 : i === 4 ? 400 : 201),
  }]);
  try {
    const logs: string[] = [];
    const sink = await createSink(
      {
        name: "es",
        type: "http",
        url: `${c.url}/`,
        format: "elasticsearch",
        index: "logs-{source}-%Y.%m",
        retry: { initial_backoff: 0.01 },
      },
      { log: (_l, m) => logs.push(m) },
    );
    await sink.send(events(0, 6));
    await sink.close();
    assert.deepEqual(c.docs.map((d) => d.seq).sort(), [0, 1, 2, 3, 5]);
    assert.equal(c.requests.length, 2);
    assert.equal(c.requests[1]!.docs, 2, "only the throttled items were sent again");
    assert.equal(sink.stats.rejected, 1);
    assert.match(logs.join("\n"), /1 event\(s\) rejected: .*mapper_parsing_exception/);
  } finally {
    await c.stop();
  }
});

Deno.test("http sink: an unreachable endpoint is a retryable error that names the URL without credentials", async () => {
  const sink = new HttpSink({ name: "x", type: "http", url: "http://user:pw@127.0.0.1:9/x" }, {
    host: "h",
  });
  await assert.rejects(() => sink.send(events(0, 1)), (e: Error & { retryable?: boolean }) => {
    assert.ok(e.retryable);
    assert.ok(!e.message.includes("pw"), e.message);
    return true;
  });
});
