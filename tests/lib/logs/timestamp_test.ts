import assert from "node:assert/strict";
import { compileTimeFormat, compileZone } from "../../../lib/logs/parse/timestamp.ts";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

Deno.test("compileTimeFormat() reads named and strftime formats", () => {
  const cases: [string, string, string | undefined, string?][] = [
    ["rfc3339", "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.000Z"],
    ["rfc3339", "2024-05-01T10:00:00.123456+02:00", "2024-05-01T08:00:00.123Z"],
    ["rfc3339", "2024-05-01 10:00:00", "2024-05-01T10:00:00.000Z"],
    ["rfc3339", "not a date", undefined],
    ["unix", "1714557600", "2024-05-01T10:00:00.000Z"],
    ["unix_ms", "1714557600123", "2024-05-01T10:00:00.123Z"],
    ["common", "01/May/2024:10:00:00 -0700", "2024-05-01T17:00:00.000Z"],
    ["%Y/%m/%d %H:%M:%S", "2024/05/01 10:00:00", "2024-05-01T10:00:00.000Z"],
    ["%d.%m.%y %I:%M %p", "01.05.24 03:04 PM", "2024-05-01T15:04:00.000Z"],
    ["%a, %d %b %Y %T %Z", "Wed, 01 May 2024 10:00:00 GMT", "2024-05-01T10:00:00.000Z"],
    ["%F %T.%L", "2024-05-01 10:00:00.007", "2024-05-01T10:00:00.007Z"],
    ["%s", "1714557600", "2024-05-01T10:00:00.000Z"],
    ["%Y-%m-%d", "2024-13-01", undefined],
  ];
  for (const [format, text, want] of cases) {
    assert.equal(iso(compileTimeFormat(format)(text)), want, `${format} on ${text}`);
  }
});

Deno.test("compileTimeFormat() reads zone-less times in the configured timezone", () => {
  assert.equal(
    iso(compileTimeFormat("%Y-%m-%d %H:%M:%S", { timezone: "+05:30" })("2024-05-01 10:00:00")),
    "2024-05-01T04:30:00.000Z",
  );
  // Berlin is UTC+2 in May (summer time) and UTC+1 in January.
  const berlin = compileTimeFormat("%Y-%m-%d %H:%M:%S", { timezone: "Europe/Berlin" });
  assert.equal(iso(berlin("2024-05-01 10:00:00")), "2024-05-01T08:00:00.000Z");
  assert.equal(iso(berlin("2024-01-15 10:00:00")), "2024-01-15T09:00:00.000Z");
  assert.throws(() => compileZone("Mars/Olympus"), /unknown timezone/);
  assert.throws(() => compileTimeFormat("%Q"), /unknown field %Q/);
});

Deno.test("compileTimeFormat() puts year-less December stamps read in January in last year", () => {
  const now = () => Date.UTC(2025, 0, 2, 0, 0, 0);
  const p = compileTimeFormat("rfc3164", { now });
  assert.equal(iso(p("Dec 31 23:59:59")), "2024-12-31T23:59:59.000Z");
  assert.equal(iso(p("Jan  1 00:00:01")), "2025-01-01T00:00:01.000Z");
});
