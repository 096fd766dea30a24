import assert from "node:assert/strict";
import type { Collector } from "../../../lib/facts/collector.ts";
import { configureCollectors } from "../../../lib/facts/collectors.ts";
import { commandCollector } from "../../../lib/facts/command.ts";
import { NoDataError } from "../../../lib/facts/errors.ts";
import { single } from "../../../lib/facts/metric.ts";
import { Scraper, UnknownCollectorError } from "../../../lib/facts/scraper.ts";
import { valueOf } from "./_fixtures.ts";

function counting(name: string): Collector & { runs: number } {
  const c = {
    name,
    runs: 0,
    collect() {
      c.runs++;
      return Promise.resolve([single(`test_${name}_runs`, "runs", c.runs)]);
    },
  };
  return c;
}

Deno.test("Scraper reports duration and success per collector, node_exporter's way", async () => {
  const failing: Collector = { name: "broken", collect: () => Promise.reject(new Error("boom")) };
  const absent: Collector = {
    name: "absent",
    collect: () => Promise.reject(new NoDataError("no such subsystem")),
  };
  const logs: string[] = [];
  const s = new Scraper([
    { collector: counting("ok"), timeoutMs: 1000 },
    { collector: failing, timeoutMs: 1000 },
    { collector: absent, timeoutMs: 1000 },
  ], { log: (level, c, m) => logs.push(`${level} ${c}: ${m}`) });
  const r = await s.scrape();
  assert.equal(valueOf(r.families, "node_scrape_collector_success", { collector: "ok" }), 1);
  assert.equal(valueOf(r.families, "node_scrape_collector_success", { collector: "broken" }), 0);
  assert.equal(valueOf(r.families, "node_scrape_collector_success", { collector: "absent" }), 0);
  assert.ok(
    valueOf(r.families, "node_scrape_collector_duration_seconds", { collector: "ok" })! >= 0,
  );
  assert.deepEqual(logs, ["warn broken: boom", "debug absent: no such subsystem"]);
  const names = r.families.map((f) => f.name);
  assert.deepEqual(names, [...names].sort(), "families sorted by name");
});

Deno.test("Scraper: a collector that hangs fails alone at its timeout, and is not started again", async () => {
  // A real hang: a command that sleeps longer than the collector may take.
  const sleeper = commandCollector({
    commands: [{ name: "hang", command: ["sleep", "30"], timeoutMs: 60_000 }],
  });
  const ok = counting("fast");
  const s = new Scraper([{ collector: sleeper, timeoutMs: 300 }, {
    collector: ok,
    timeoutMs: 1000,
  }]);
  const t0 = performance.now();
  const r = await s.scrape();
  const took = performance.now() - t0;
  assert.ok(took < 5000, `scrape took ${took} ms`);
  assert.equal(valueOf(r.families, "node_scrape_collector_success", { collector: "command" }), 0);
  assert.equal(valueOf(r.families, "test_fast_runs"), 1, "the other collector's data is served");
  // The timeout aborted the collector, which killed its command; the next scrape runs it again.
  await new Promise((res) => setTimeout(res, 200));
  const again = await s.scrape({ collect: ["command"] });
  assert.equal(
    valueOf(again.families, "node_scrape_collector_success", { collector: "command" }),
    0,
  );
});

Deno.test("Scraper: while a timed-out run is still going, later scrapes fail at once", async () => {
  let release!: () => void;
  let calls = 0;
  const stuck: Collector = {
    name: "stuck",
    // The first run hangs until released; later runs answer at once.
    collect: () =>
      ++calls === 1
        ? new Promise((r) => (release = () => r([single("test_stuck", "x", 1)])))
        : Promise.resolve([single("test_stuck", "x", 2)]),
  };
  const s = new Scraper([{ collector: stuck, timeoutMs: 100 }]);
  await s.scrape();
  const t0 = performance.now();
  const r = await s.scrape();
  assert.ok(performance.now() - t0 < 90, "did not wait for the timeout again");
  assert.equal(r.collectors[0]!.error, "still running since an earlier scrape timed out");
  release();
  await new Promise((res) => setTimeout(res, 0));
  const done = await s.scrape();
  assert.equal(valueOf(done.families, "test_stuck"), 2);
  assert.equal(calls, 2, "no run was started while the first was stuck");
});

Deno.test("Scraper: a collector with an interval serves its cached result in between", async () => {
  const c = counting("slowly");
  const s = new Scraper([{ collector: c, timeoutMs: 1000, intervalMs: 60_000 }]);
  await s.scrape();
  const r = await s.scrape();
  assert.equal(c.runs, 1);
  assert.equal(valueOf(r.families, "test_slowly_runs"), 1);
  assert.equal(r.collectors[0]!.cached, true);
});

Deno.test("Scraper.resolve() applies collect[] and exclude[] and rejects unknown names", () => {
  const s = new Scraper([{ collector: counting("a"), timeoutMs: 1 }, {
    collector: counting("b"),
    timeoutMs: 1,
  }]);
  assert.deepEqual(s.resolve({ collect: ["b"] }), ["b"]);
  assert.deepEqual(s.resolve({ exclude: ["b"] }), ["a"]);
  assert.throws(() => s.resolve({ collect: ["c"] }), UnknownCollectorError);
  assert.throws(() => s.resolve({ collect: ["a"], exclude: ["b"] }), /cannot be combined/);
});

Deno.test("configureCollectors() follows node_exporter's defaults and the config", () => {
  const log = () => {};
  const names = (cfg: Parameters<typeof configureCollectors>[0]) =>
    configureCollectors(cfg, { log }).map((c) => c.collector.name);
  const defaults = names(undefined);
  for (
    const n of [
      "cpu",
      "meminfo",
      "filesystem",
      "diskstats",
      "netdev",
      "loadavg",
      "textfile",
      "time",
      "timex",
      "uname",
    ]
  ) {
    assert.ok(defaults.includes(n), n);
  }
  for (const n of ["systemd", "process", "command"]) {
    assert.ok(!defaults.includes(n), `${n} is opt-in`);
  }
  const custom = configureCollectors({
    timeout: 3000,
    collectors: {
      cpu: { enabled: false },
      systemd: { enabled: true, interval: 60_000 },
      process: { groups: [{ name: "sshd", pattern: "^sshd$" }] },
    },
  }, { log });
  const byName = new Map(custom.map((c) => [c.collector.name, c]));
  assert.ok(!byName.has("cpu"));
  assert.equal(byName.get("systemd")!.intervalMs, 60_000);
  assert.equal(byName.get("process")!.timeoutMs, 3000);
  assert.deepEqual(
    configureCollectors(undefined, { log, only: ["cpu", "uname"] }).map((c) => c.collector.name),
    ["cpu", "uname"],
  );
});
