import assert from "node:assert/strict";
import { family, type MetricFamily } from "../../../lib/facts/metric.ts";
import {
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
  assert.equal(severityOf({ metric: "x", warn: 1, crit: 2 }, 1.5), "warning");
  assert.equal(severityOf({ metric: "x", warn: 1, crit: 2 }, 2), "critical");
  assert.equal(severityOf({ metric: "x", warn: 10, crit: 5, direction: "below" }, 7), "warning");
  assert.equal(severityOf({ metric: "x", crit: 5, direction: "below" }, 7), "ok");
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
    { metric: "node_load1", labels: {}, warn: 4 },
  ], { onEvent: (e) => events.push(e) });

  let state = ev.evaluate(fs(500, 50, 1));
  const s = (mountpoint: string, severity: string) =>
    valueOf(state, "driftless_threshold_state", {
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
  const ev = new ThresholdEvaluator([{ metric: "node_load1", warn: 0.1 }], {
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
