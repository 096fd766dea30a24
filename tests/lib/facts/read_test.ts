import assert from "node:assert/strict";
import {
  listDir,
  readAttr,
  readOptional,
  readText,
  setReadCache,
} from "../../../lib/facts/_read.ts";

Deno.test("readOptional() and readAttr() tell an absent file from a present one", () => {
  assert.equal(readOptional("/nonexistent/file"), undefined);
  assert.equal(readAttr("/nonexistent/attr"), undefined);
  assert.deepEqual(listDir("/nonexistent/dir"), []);
  assert.match(readText("/proc/loadavg"), /^\d+\.\d+ /);
});

Deno.test("with the read cache on, /proc files stay open and every read is fresh", () => {
  setReadCache(true);
  try {
    const a = readText("/proc/self/../uptime");
    const first = readText("/proc/uptime");
    const second = readText("/proc/uptime");
    assert.ok(Number(second.split(" ")[0]) >= Number(first.split(" ")[0]));
    assert.ok(a.length > 0);
    // A large file is read whole, past the first buffer.
    const big = readText("/proc/self/../net/netstat");
    assert.equal(readText("/proc/net/netstat").split("\n").length, big.split("\n").length);
    assert.equal(readAttr("/proc/nonexistent"), undefined);
  } finally {
    setReadCache(false);
  }
});
