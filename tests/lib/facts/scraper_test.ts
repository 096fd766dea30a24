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

Deno.test("Scraper: a collector that hangs fails alone at its timeout; the others are served", async () => {
  // Ignores its abort signal, as a blocked statfs would.
  const hang: Collector = { name: "hang", collect: () => new Promise(() => {}) };
  const ok = counting("fast");
  const s = new Scraper([{ collector: hang, timeoutMs: 300 }, { collector: ok, timeoutMs: 1000 }]);
  const t0 = performance.now();
  const r = await s.scrape();
  const took = performance.now() - t0;
  assert.ok(took < 5000, `scrape took ${took} ms`);
  assert.equal(valueOf(r.families, "node_scrape_collector_success", { collector: "hang" }), 0);
  assert.equal(valueOf(r.families, "node_scrape_collector_success", { collector: "fast" }), 1);
  assert.equal(valueOf(r.families, "test_fast_runs"), 1, "the other collector's data is served");
});

Deno.test("Scraper: at the command collector's timeout, finished commands keep their results", async () => {
  const commands = commandCollector({
    commands: [
      { name: "fast", command: ["/bin/echo", "7"], timeoutMs: 60_000 },
      { name: "hang", command: ["sleep", "30"], timeoutMs: 60_000 },
    ],
  });
  const s = new Scraper([{ collector: commands, timeoutMs: 500 }]);
  const t0 = performance.now();
  const r = await s.scrape();
  assert.ok(performance.now() - t0 < 5000, "the hanging command was killed at the timeout");
  assert.equal(valueOf(r.families, "fast"), 7);
  assert.equal(valueOf(r.families, "driftless_command_success", { command: "fast" }), 1);
  assert.equal(valueOf(r.families, "driftless_command_success", { command: "hang" }), 0);
  assert.equal(valueOf(r.families, "node_scrape_collector_success", { collector: "command" }), 1);
});

Deno.test("Scraper measures each collector's own duration, not the whole scrape's", async () => {
  const busy = (name: string, ms: number): Collector => ({
    name,
    collect() {
      const end = performance.now() + ms;
      while (performance.now() < end) { /* synchronous work, like reading /proc */ }
      return [single(`test_${name}`, name, 1)];
    },
  });
  const s = new Scraper([
    { collector: busy("a_slow", 120), timeoutMs: 5000 },
    { collector: busy("b_quick", 0), timeoutMs: 5000 },
    { collector: counting("c_async"), timeoutMs: 5000 },
  ]);
  const r = await s.scrape();
  const d = (c: string) =>
    valueOf(r.families, "node_scrape_collector_duration_seconds", { collector: c })!;
  assert.ok(d("a_slow") >= 0.12, `a_slow took ${d("a_slow")} s`);
  // The quick ones ran after the slow one, on the same thread: its time is not theirs.
  assert.ok(d("b_quick") < 0.1, `b_quick reported ${d("b_quick")} s`);
  assert.ok(d("c_async") < 0.1, `c_async reported ${d("c_async")} s`);
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

Deno.test("Scraper.resolve() applies collect[] and exclude[]; unknown collect[] names are an error, unknown exclude[] names are ignored", () => {
  const s = new Scraper([{ collector: counting("a"), timeoutMs: 1 }, {
    collector: counting("b"),
    timeoutMs: 1,
  }]);
  assert.deepEqual(s.resolve({ collect: ["b"] }), ["b"]);
  assert.deepEqual(s.resolve({ exclude: ["b"] }), ["a"]);
  assert.throws(() => s.resolve({ collect: ["c"] }), UnknownCollectorError);
  assert.deepEqual(s.resolve({ exclude: ["nope", "a"] }), ["b"]);
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
  // The command collector's timeout covers its commands' own.
  const cmd = configureCollectors({
    collectors: { command: { commands: [{ name: "x", command: "true", timeout: 30_000 }] } },
  }, { log, only: ["command"] });
  assert.ok(cmd[0]!.timeoutMs > 30_000);
  assert.deepEqual(
    configureCollectors(undefined, { log, only: ["cpu", "uname"] }).map((c) => c.collector.name),
    ["cpu", "uname"],
  );
});
