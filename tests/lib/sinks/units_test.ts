import assert from "node:assert/strict";
import { parseDuration, parseSize } from "../../../lib/sinks/units.ts";
import { backoffDelay } from "../../../lib/sinks/backoff.ts";
import { compactTime, compileTemplate } from "../../../lib/sinks/template.ts";
import { parseRetryAfter } from "../../../lib/sinks/errors.ts";

Deno.test("parseDuration() and parseSize() read config values", () => {
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("2m"), 120_000);
  assert.equal(parseDuration("1h"), 3_600_000);
  assert.equal(parseDuration(3), 3000);
  assert.throws(() => parseDuration("5 minutes"), /expected a duration/);
  assert.equal(parseSize("64KiB"), 65536);
  assert.equal(parseSize("10MB"), 10_000_000);
  assert.equal(parseSize("1M"), 1048576);
  assert.equal(parseSize(512), 512);
  assert.throws(() => parseSize("lots"), /expected a size/);
});

Deno.test("backoffDelay() doubles up to the cap, jitters into the upper half, honours Retry-After", () => {
  const o = { initialMs: 100, maxMs: 1000 };
  assert.equal(backoffDelay(1, o, { random: () => 1 }), 100);
  assert.equal(backoffDelay(1, o, { random: () => 0 }), 50);
  assert.equal(backoffDelay(3, o, { random: () => 1 }), 400);
  assert.equal(backoffDelay(10, o, { random: () => 1 }), 1000);
  assert.equal(backoffDelay(2, o, { random: () => 0.5, retryAfterMs: 5000 }), 5000);
  assert.equal(backoffDelay(2, o, { random: () => 1, retryAfterMs: 10 }), 200);
  assert.equal(parseRetryAfter("3"), 3000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
  assert.equal(parseRetryAfter("soon"), undefined);
});

Deno.test("compileTemplate() fills placeholders and UTC date fields; unknown ones are errors", () => {
  const t = compileTemplate("/logs/{host}/{source}-%Y%m%d-%H.log", ["host", "source"]);
  assert.equal(
    t({ host: "h", source: "app" }, new Date("2024-05-01T23:59:00Z")),
    "/logs/h/app-20240501-23.log",
  );
  assert.equal(
    compileTemplate("{date}/%j/100%%", [])({}, new Date("2024-02-01T00:00:00Z")),
    "2024-02-01/032/100%",
  );
  assert.throws(() => compileTemplate("{hots}", ["host"]), /unknown placeholder \{hots\}/);
  assert.equal(compactTime(new Date("2024-05-01T10:15:30.123Z")), "20240501T101530Z");
});
