import assert from "node:assert/strict";
import { formatOffset, parsePosixTz, tzifFooter, zoneFor } from "../../../lib/facts/_tz.ts";
import { timeFamilies } from "../../../lib/facts/time.ts";
import { valueOf } from "./_fixtures.ts";

Deno.test("parsePosixTz() reads abbreviations and the standard offset", () => {
  assert.deepEqual(parsePosixTz("CET-1CEST,M3.5.0,M10.5.0/3"), {
    std: "CET",
    stdOffset: 3600,
    dst: "CEST",
  });
  assert.deepEqual(parsePosixTz("UTC0"), { std: "UTC", stdOffset: 0 });
  assert.deepEqual(parsePosixTz("<+0530>-5:30"), { std: "+0530", stdOffset: 19800 });
  assert.deepEqual(parsePosixTz("EST5EDT,M3.2.0,M11.1.0"), {
    std: "EST",
    stdOffset: -18000,
    dst: "EDT",
  });
});

Deno.test("zoneFor() picks the DST abbreviation when the offset is not the standard one", () => {
  const rule = parsePosixTz("CET-1CEST,M3.5.0,M10.5.0/3");
  assert.equal(zoneFor(rule, 3600).abbr, "CET");
  assert.equal(zoneFor(rule, 7200).abbr, "CEST");
  assert.equal(zoneFor(undefined, 0).abbr, "UTC");
  assert.equal(formatOffset(-16200), "-0430");
});

Deno.test("tzifFooter() finds the rule at the end of a real zone file", async () => {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile("/usr/share/zoneinfo/Europe/Berlin");
  } catch {
    bytes = new TextEncoder().encode("TZif2\0\0\0junk\nCET-1CEST,M3.5.0,M10.5.0/3\n");
  }
  assert.equal(tzifFooter(bytes), "CET-1CEST,M3.5.0,M10.5.0/3");
  assert.equal(tzifFooter(new TextEncoder().encode("not a zone file\n")), undefined);
});

Deno.test("timeFamilies() gives the time, the zone offset and the clocksources", () => {
  const fams = timeFamilies(1_700_000_000_500, { abbr: "CET", offsetSeconds: 3600 }, [
    { device: "0", available: ["kvm-clock", "tsc"], current: "kvm-clock" },
  ]);
  assert.equal(valueOf(fams, "node_time_seconds"), 1_700_000_000.5);
  assert.equal(valueOf(fams, "node_time_zone_offset_seconds", { time_zone: "CET" }), 3600);
  assert.equal(
    fams.find((f) => f.name === "node_time_clocksource_available_info")!.samples.length,
    2,
  );
  assert.deepEqual(
    fams.find((f) => f.name === "node_time_clocksource_current_info")!.samples[0]!.labels,
    {
      clocksource: "kvm-clock",
      device: "0",
    },
  );
});
