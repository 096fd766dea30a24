import assert from "node:assert/strict";
import { ChunkPool, LineBlock } from "../../../lib/logs/block.ts";
import { LineSplitter } from "../../../lib/logs/lines.ts";

const origin = { source: "app", host: "h", path: "/var/log/app.log" };

function block(bytes: Uint8Array, pool?: ChunkPool) {
  const stats = { invalidUtf8: 0 };
  const s = new LineSplitter(100, { maxLineBytes: 1 << 20, longLines: "split" });
  const b = new LineBlock({ bytes, base: s.lineStart, origin, time: 5 }, {
    stats,
    ...(pool ? { pool } : {}),
  });
  s.commitRanges(bytes, bytes.length, (x, y) => b.add(x, y));
  return { b, stats };
}

Deno.test("LineBlock makes events on demand with text, offsets and origin", () => {
  const { b } = block(new TextEncoder().encode("one\r\ntwo\nthree\n"));
  assert.equal(b.length, 3);
  const events = b.slice(0, 3);
  assert.deepEqual(events.map((e) => e.message), ["one", "two", "three"]);
  assert.deepEqual(events.map((e) => e.offset), [100, 105, 109]);
  assert.equal(events[1].source, "app");
  assert.equal(events[1].path, "/var/log/app.log");
  assert.equal(events[1].time, 5);
  const json = JSON.parse(JSON.stringify(events[2]));
  assert.equal(json.message, "three");
  assert.equal(json.log.offset, 109);
});

Deno.test("LineBlock.copyRaw() copies adjacent lines at once and ends each with a newline", () => {
  const text = "a1\nb22\r\nc333\nd\n";
  const { b } = block(new TextEncoder().encode(text));
  const out = new Uint8Array(b.rawBytes(0, 4));
  const end = b.copyRaw(0, 4, out, 0);
  assert.equal(new TextDecoder().decode(out.subarray(0, end)), "a1\nb22\nc333\nd\n");
  const mid = new Uint8Array(b.rawBytes(1, 3));
  assert.equal(new TextDecoder().decode(mid.subarray(0, b.copyRaw(1, 3, mid, 0))), "b22\nc333\n");
});

Deno.test("LineBlock.copyRaw() refuses invalid UTF-8; the text path replaces it, counted", () => {
  const { b, stats } = block(new Uint8Array([0x61, 0x0a, 0xfe, 0x62, 0x0a]));
  assert.equal(b.copyRaw(0, 2, new Uint8Array(16), 0), -1);
  assert.deepEqual(b.slice(0, 2).map((e) => e.message), ["a", "\uFFFDb"]);
  assert.equal(stats.invalidUtf8, 1);
});

Deno.test("LineBlock decodes multibyte text per line and across pieces", () => {
  let text = "";
  for (let i = 0; i < 3000; i++) text += `zeile ${i} grüße ${"ü".repeat(i % 30)}\n`;
  const { b } = block(new TextEncoder().encode(text));
  const lines = b.slice(0, b.length).map((e) => e.message);
  assert.deepEqual(lines, text.trimEnd().split("\n"));
});

Deno.test("LineBlock returns its buffer to the pool after the last release, and then refuses reads", () => {
  const pool = new ChunkPool(64, 4);
  const buf = pool.take();
  buf.set(new TextEncoder().encode("x\ny\n"));
  const stats = { invalidUtf8: 0 };
  const b = new LineBlock({ bytes: buf, base: 0, origin, time: 0 }, { pool, stats });
  b.add(0, 1);
  b.add(2, 3);
  b.retain();
  b.retain();
  b.release();
  assert.notEqual(pool.take(), buf, "still held by one sink");
  b.release();
  assert.equal(pool.take(), buf);
  assert.throws(() => b.text(0), /released/);
});
