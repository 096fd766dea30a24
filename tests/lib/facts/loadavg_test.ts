import assert from "node:assert/strict";
import { loadavgFamilies, parseLoadavg } from "../../../lib/facts/loadavg.ts";

Deno.test("parseLoadavg() reads the three averages", () => {
  assert.deepEqual(parseLoadavg("1.13 0.97 0.71 5/102 5038\n"), [1.13, 0.97, 0.71]);
  assert.deepEqual(loadavgFamilies([1, 2, 3]).map((f) => [f.name, f.samples[0]!.value]), [
    ["node_load1", 1],
    ["node_load5", 2],
    ["node_load15", 3],
  ]);
});

Deno.test("parseLoadavg() rejects text that is not a load average", () => {
  assert.throws(() => parseLoadavg("hello"), /unexpected \/proc\/loadavg/);
});
