/** The one strftime/strptime engine that templates, log timestamps and sink paths share. */
import assert from "node:assert/strict";
import { BadDirective, compileStrptime, strftime, type Tm } from "../../lib/time_format.ts";

Deno.test("strftime() formats as Python's datetime.strftime", () => {
  const t: Tm = {
    year: 2024,
    month: 3,
    day: 5,
    hour: 7,
    minute: 8,
    second: 9,
    microsecond: 123456,
    offset: 7200,
    zone: "",
  };
  // python3 -c 'from datetime import *; d = datetime(2024, 3, 5, 7, 8, 9, 123456,
  //   tzinfo=timezone(timedelta(hours=2))); print(d.strftime(FORMAT))'
  assert.equal(
    strftime("%Y-%m-%d %H:%M:%S.%f %z|%a %A %b %B %j %U %W %V %G %u %w %y %e %I %p %%", t),
    "2024-03-05 07:08:09.123456 +0200|Tue Tuesday Mar March 065 09 10 10 2024 2 2 24  5 07 AM %",
  );
});

Deno.test("compileStrptime() reads as Python's strptime, and refuses what it refuses", () => {
  // datetime.strptime('05/Mar/24 7:08:09 PM +0530', '%d/%b/%y %I:%M:%S %p %z')
  //   == datetime(2024, 3, 5, 19, 8, 9, tzinfo=timezone(timedelta(seconds=19800)))
  assert.deepEqual(compileStrptime("%d/%b/%y %I:%M:%S %p %z")("05/Mar/24 7:08:09 PM +0530"), {
    day: 5,
    month: 3,
    year: 2024,
    hour: 19,
    minute: 8,
    second: 9,
    offset: 19800,
  });
  assert.equal(compileStrptime("%Y-%m-%d")("2024-13-01"), undefined);
  assert.throws(() => compileStrptime("%Q"), (e: unknown) => {
    assert.ok(e instanceof BadDirective);
    assert.equal(e.message, "'Q' is a bad directive in format '%Q'");
    return true;
  });
  // Log formats: %e, %L, %s, %T, %F exist only in the extended set.
  assert.throws(() => compileStrptime("%T"), BadDirective);
  assert.deepEqual(compileStrptime("%F %T.%L", { extended: true })("2024-03-05 07:08:09.250"), {
    year: 2024,
    month: 3,
    day: 5,
    hour: 7,
    minute: 8,
    second: 9,
    microsecond: 250000,
  });
  assert.deepEqual(compileStrptime("%s", { extended: true })("1700000000.5"), {
    epochMs: 1700000000500,
  });
});
