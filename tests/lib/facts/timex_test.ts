import assert from "node:assert/strict";
import { parseTimex, readTimex, TIMEX_SIZE, timexFamilies } from "../../../lib/facts/timex.ts";
import { requires, valueOf } from "./_fixtures.ts";

function timexBuffer(
  fields: { status: number; offset: number; maxerror: number; tick: number; freq: number },
) {
  const buf = new Uint8Array(TIMEX_SIZE);
  const v = new DataView(buf.buffer);
  v.setBigInt64(8, BigInt(fields.offset), true);
  v.setBigInt64(16, BigInt(fields.freq), true);
  v.setBigInt64(24, BigInt(fields.maxerror), true);
  v.setInt32(40, fields.status, true);
  v.setBigInt64(88, BigInt(fields.tick), true);
  return buf;
}

Deno.test("timexFamilies() scales struct timex like node_exporter", () => {
  const t = parseTimex(
    timexBuffer({
      status: 0x2001,
      offset: 1500,
      maxerror: 16_000_000,
      tick: 10_000,
      freq: 65536 * 10,
    }),
    0,
  );
  const fams = timexFamilies(t);
  assert.equal(fams.length, 17);
  assert.equal(valueOf(fams, "node_timex_offset_seconds"), 1500 / 1e9, "STA_NANO: nanoseconds");
  assert.equal(valueOf(fams, "node_timex_maxerror_seconds"), 16);
  assert.equal(valueOf(fams, "node_timex_tick_seconds"), 0.01);
  assert.equal(valueOf(fams, "node_timex_frequency_adjustment_ratio"), 1 + 10 / 1e6);
  assert.equal(valueOf(fams, "node_timex_sync_status"), 1);
  assert.equal(
    valueOf(
      timexFamilies(
        parseTimex(timexBuffer({ status: 64, offset: 1500, maxerror: 0, tick: 0, freq: 0 }), 5),
      ),
      "node_timex_offset_seconds",
    ),
    0.0015,
  );
  assert.equal(
    valueOf(
      timexFamilies(
        parseTimex(timexBuffer({ status: 64, offset: 0, maxerror: 0, tick: 0, freq: 0 }), 5),
      ),
      "node_timex_sync_status",
    ),
    0,
  );
});

Deno.test({
  ...requires(
    "readTimex() calls adjtimex through libc without a child process",
    Deno.build.os !== "linux" ? "adjtimex(2) needs Linux" : undefined,
  ),
  fn() {
    const t = readTimex();
    assert.ok(t.tick > 0, "the kernel tick is never 0");
    assert.ok(t.state >= 0 && t.state <= 5);
  },
});
