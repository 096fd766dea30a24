import assert from "node:assert/strict";
import { family, type MetricFamily } from "../../../lib/facts/metric.ts";
import {
  nextSeverity,
  parseSelector,
  severityOf,
  ThresholdEvaluator,
  type ThresholdEvent,
} from "../../../lib/facts/thresholds.ts";
import { valueOf } from "./_fixtures.ts";

const fs = (root: number, data: number, tmp: number): MetricFamily[] => [
  family("node_filesystem_avail_bytes", "", "gauge", [
    { labels: { device: "/dev/vda", fstype: "ext4", mountpoint: "/" }, value: root },
    { labels: { device: "/dev/vdb", fstype: "xfs", mountpoint: "/data" }, value: data },
    { labels: { device: "tmpfs", fstype: "tmpfs", mountpoint: "/tmp" }, value: tmp },
  ]),
  family("node_load1", "", "gauge", [{ labels: {}, value: 0.5 }]),
];

Deno.test("parseSelector() reads PromQL matchers", () => {
  assert.deepEqual(
    parseSelector('node_filesystem_avail_bytes{mountpoint="/",fstype!~"tmpfs|ramfs", a!="x\\"y"}'),
    {
      name: "node_filesystem_avail_bytes",
      matchers: [
        { label: "mountpoint", op: "=", value: "/" },
        { label: "fstype", op: "!~", value: "tmpfs|ramfs" },
        { label: "a", op: "!=", value: 'x"y' },
      ],
    },
  );
  assert.throws(() => parseSelector("node_load1{bad}"), /bad label matcher/);
});

Deno.test("severityOf() compares in the rule's direction", () => {
  assert.equal(severityOf({ warn: 1, crit: 2 }, 1.5), "warning");
  assert.equal(severityOf({ warn: 1, crit: 2 }, 2), "critical");
  assert.equal(severityOf({ warn: 10, crit: 5, direction: "below" }, 7), "warning");
  assert.equal(severityOf({ crit: 5, direction: "below" }, 7), "ok");
});

Deno.test("nextSeverity() rises at once and falls only past the hysteresis", () => {
  const rule = { name: "t", metric: "x", warn: 80, crit: 90, hysteresis: 5 };
  assert.equal(nextSeverity(rule, "ok", 80), "warning");
  assert.equal(nextSeverity(rule, "ok", 95), "critical");
  assert.equal(nextSeverity(rule, "critical", 86), "critical", "within 5 of crit");
  assert.equal(nextSeverity(rule, "critical", 84), "warning", "past crit - 5, above warn");
  assert.equal(nextSeverity(rule, "critical", 70), "ok");
  assert.equal(nextSeverity(rule, "warning", 76), "warning", "within 5 of warn");
  assert.equal(nextSeverity(rule, "warning", 74), "ok");
  assert.equal(nextSeverity(rule, "ok", 78), "ok", "hysteresis never raises");
  const below = { name: "t", metric: "x", warn: 100, direction: "below" as const };
  // Default: 5 % of the bound.
  assert.equal(nextSeverity(below, "warning", 104), "warning");
  assert.equal(nextSeverity(below, "warning", 106), "ok");
  assert.equal(nextSeverity({ ...below, hysteresis: 0 }, "warning", 100.5), "ok");
});

Deno.test("a value hovering at the bound does not flap: one event each way", () => {
  const events: ThresholdEvent[] = [];
  const ev = new ThresholdEvaluator([{ name: "load", metric: "node_load1", warn: 4 }], {
    onEvent: (e) => events.push(e),
  });
  const load = (v: number) => [family("node_load1", "", "gauge", [{ labels: {}, value: v }])];
  // Default hysteresis: 5 % of 4, so it clears below 3.8.
  for (const v of [3.9, 4.0, 3.95, 4.05, 3.85, 4.1, 3.95, 3.7]) ev.evaluate(load(v));
  assert.deepEqual(events.map((e) => [e.previous, e.severity, e.value]), [
    ["ok", "warning", 4.0],
    ["warning", "ok", 3.7],
  ]);
});

Deno.test("two rules on one metric keep their own states, labelled by name", () => {
  const events: ThresholdEvent[] = [];
  const ev = new ThresholdEvaluator([
    { name: "load_high", metric: "node_load1", warn: 2 },
    { name: "load_very_high", metric: "node_load1", warn: 8 },
  ], { onEvent: (e) => events.push(e) });
  const state = ev.evaluate(
    fs(1, 1, 1).map((f) =>
      f.name === "node_load1" ? { ...f, samples: [{ labels: {}, value: 5 }] } : f
    ),
  );
  const sev = (threshold: string, severity: string) =>
    valueOf(state, "driftless_threshold_state", { threshold, metric: "node_load1", severity });
  assert.equal(sev("load_high", "warning"), 1);
  assert.equal(sev("load_very_high", "ok"), 1);
  assert.deepEqual(events.map((e) => [e.threshold, e.severity]), [["load_high", "warning"]]);
  assert.deepEqual(ev.states.map((s) => [s.threshold, s.severity]), [
    ["load_high", "warning"],
    ["load_very_high", "ok"],
  ]);
});

Deno.test("ThresholdEvaluator exports the state per series and logs each change once", () => {
  const events: ThresholdEvent[] = [];
  const ev = new ThresholdEvaluator([
    {
      name: "disk_free",
      metric: 'node_filesystem_avail_bytes{fstype!~"tmpfs"}',
      warn: 100,
      crit: 10,
      direction: "below",
    },
    { name: "load", metric: "node_load1", labels: {}, warn: 4 },
  ], { onEvent: (e) => events.push(e) });

  let state = ev.evaluate(fs(500, 50, 1));
  const s = (mountpoint: string, severity: string) =>
    valueOf(state, "driftless_threshold_state", {
      threshold: "disk_free",
      metric: "node_filesystem_avail_bytes",
      mountpoint,
      severity,
    });
  assert.equal(s("/", "ok"), 1);
  assert.equal(s("/data", "warning"), 1);
  assert.equal(s("/data", "ok"), 0);
  assert.equal(s("/tmp", "ok"), undefined, "tmpfs is excluded by the selector");
  assert.equal(
    valueOf(state, "driftless_threshold_state", { metric: "node_load1", severity: "ok" }),
    1,
  );
  assert.deepEqual(events.map((e) => [e.threshold, e.labels.mountpoint, e.previous, e.severity]), [
    ["disk_free", "/data", "ok", "warning"],
  ]);

  state = ev.evaluate(fs(500, 5, 1));
  state = ev.evaluate(fs(500, 5, 1));
  state = ev.evaluate(fs(500, 500, 1));
  assert.equal(s("/data", "ok"), 1);
  assert.deepEqual(events.slice(1).map((e) => [e.previous, e.severity, e.value]), [
    ["warning", "critical", 5],
    ["critical", "ok", 500],
  ]);
  assert.equal(events[1]!.event, "threshold");
  assert.match(events[1]!.message, /disk_free\{.*mountpoint="\/data".*\} is critical/);
});

Deno.test("ThresholdEvaluator keeps the state of series a partial scrape left out", () => {
  const events: ThresholdEvent[] = [];
  const ev = new ThresholdEvaluator([{ name: "load", metric: "node_load1", warn: 0.1 }], {
    onEvent: (e) => events.push(e),
  });
  ev.evaluate(fs(1, 1, 1));
  assert.equal(events.length, 1);
  assert.deepEqual(ev.evaluate([], { partial: true }), []);
  ev.evaluate(fs(1, 1, 1));
  assert.equal(events.length, 1, "no second ok -> warning after a filtered scrape");
  ev.evaluate([]);
  ev.evaluate(fs(1, 1, 1));
  assert.equal(events.length, 2, "a full scrape without the series forgets it");
});
