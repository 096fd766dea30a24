import assert from "node:assert/strict";
import { CpuAccumulator, parseProcStat, processCollector } from "../../../lib/facts/process.ts";
import { DEFAULT_PATHS } from "../../../lib/facts/collector.ts";
import type { MetricFamily } from "../../../lib/facts/metric.ts";
import { valueOf } from "./_fixtures.ts";

Deno.test("parseProcStat() handles a comm with spaces and parentheses", () => {
  const s = parseProcStat(
    "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 12345 1000000 300 18446744073709551615",
  );
  assert.deepEqual(s, {
    pid: 4242,
    comm: "my (odd) name",
    state: "S",
    utime: 250,
    stime: 75,
    starttime: 12345,
    rss: 300,
  });
  assert.equal(parseProcStat("garbage"), undefined);
});

Deno.test("CpuAccumulator keeps counting the CPU of processes that exited", () => {
  const acc = new CpuAccumulator();
  acc.update([{ group: "web", key: "1:1", user: 5, system: 1 }, {
    group: "web",
    key: "2:1",
    user: 3,
    system: 0,
  }]);
  let t = acc.update([{ group: "web", key: "1:1", user: 6, system: 1 }]);
  assert.deepEqual(t.get("web"), { user: 9, system: 1 });
  t = acc.update([{ group: "web", key: "3:9", user: 0.5, system: 0 }]);
  assert.deepEqual(t.get("web"), { user: 9.5, system: 1 }, "never goes down");
});

Deno.test("processCollector() finds a real child process by name", async () => {
  const child = new Deno.Command("sleep", { args: ["30"], stdout: "null", stderr: "null" }).spawn();
  try {
    const collector = processCollector({
      groups: [{ name: "sleepers", pattern: "^sleep$" }, {
        name: "none",
        pattern: "^no-such-process$",
      }],
    });
    const ctx = { paths: DEFAULT_PATHS, signal: new AbortController().signal };
    const rss = (f: MetricFamily[]) =>
      valueOf(f, "driftless_process_resident_memory_bytes", { name: "sleepers" }) ?? 0;
    // The child needs a moment to exec; until then it is a copy of deno.
    let fams = await collector.collect(ctx);
    for (let i = 0; i < 50 && rss(fams) === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      fams = await collector.collect(ctx);
    }
    assert.ok(valueOf(fams, "driftless_process_count", { name: "sleepers" })! >= 1);
    assert.ok(rss(fams) > 0);
    assert.equal(valueOf(fams, "driftless_process_count", { name: "none" }), 0);
    assert.equal(
      fams.find((f) => f.name === "driftless_process_cpu_seconds_total")!.type,
      "counter",
    );
  } finally {
    child.kill();
    await child.status;
  }
});
