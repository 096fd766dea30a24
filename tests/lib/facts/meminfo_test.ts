import assert from "node:assert/strict";
import { meminfoFamilies, meminfoKb, parseMeminfo } from "../../../lib/facts/meminfo.ts";
import { fixture, valueOf } from "./_fixtures.ts";

Deno.test("parseMeminfo() keeps /proc spelling and turns kB into bytes", () => {
  const fams = meminfoFamilies(parseMeminfo(fixture("odd/meminfo_missing")));
  assert.deepEqual(fams.map((f) => f.name), [
    "node_memory_MemTotal_bytes",
    "node_memory_MemFree_bytes",
    "node_memory_Active_anon_bytes",
    "node_memory_Inactive_file_bytes",
    "node_memory_HugePages_Total",
    "node_memory_HugePages_Free",
    "node_memory_Hugepagesize_bytes",
  ]);
  assert.equal(valueOf(fams, "node_memory_MemTotal_bytes"), 2048000 * 1024);
  assert.equal(
    valueOf(fams, "node_memory_HugePages_Total"),
    4,
    "a count has no _bytes and no scaling",
  );
  assert.ok(fams.every((f) => f.type === "gauge"));
});

Deno.test("parseMeminfo() reads every field of a real /proc/meminfo", () => {
  const text = fixture("vm/meminfo");
  const lines = text.trim().split("\n").length;
  assert.equal(parseMeminfo(text).length, lines);
  assert.equal(meminfoKb(text).MemTotal, Number(/MemTotal:\s+(\d+)/.exec(text)![1]));
});
