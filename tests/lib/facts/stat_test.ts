import assert from "node:assert/strict";
import { parseKernelStat, statFamilies } from "../../../lib/facts/stat.ts";
import { fixture, valueOf } from "./_fixtures.ts";

Deno.test("parseKernelStat() reads boot time, switches, forks, interrupts and run queue", () => {
  assert.deepEqual(parseKernelStat(fixture("odd/stat_many_cpus")), {
    interrupts: 123456,
    contextSwitches: 987654,
    bootTime: 1700000000,
    forks: 4242,
    procsRunning: 3,
    procsBlocked: 1,
    softirqs: [1, 2],
  });
});

Deno.test("statFamilies() gives node_softirqs_total per vector only when asked", () => {
  const stat = parseKernelStat("softirq 10 1 2\n");
  assert.equal(statFamilies(stat).length, 0);
  const [f] = statFamilies(stat, { softirq: true });
  assert.deepEqual(f!.samples, [
    { labels: { vector: "hi" }, value: 1 },
    { labels: { vector: "timer" }, value: 2 },
  ]);
});

Deno.test("statFamilies() leaves out fields the kernel did not write", () => {
  const fams = statFamilies(parseKernelStat("ctxt 5\nbtime 7\n"));
  assert.deepEqual(fams.map((f) => f.name), [
    "node_boot_time_seconds",
    "node_context_switches_total",
  ]);
  assert.equal(fams[1]!.type, "counter");
  assert.equal(valueOf(fams, "node_boot_time_seconds"), 7);
});
