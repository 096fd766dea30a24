import assert from "node:assert/strict";
import { cpuCollector, cpuFamilies, parseCpuStat } from "../../../lib/facts/cpu.ts";
import { DEFAULT_PATHS } from "../../../lib/facts/collector.ts";
import { fixture, valueOf, VM_PROC } from "./_fixtures.ts";

Deno.test("parseCpuStat() reads every mode of every CPU in seconds", () => {
  const cpus = parseCpuStat(fixture("vm/stat"));
  assert.equal(cpus.length, 2);
  assert.deepEqual(cpus.map((c) => c.cpu), ["0", "1"]);
  const line = fixture("vm/stat").split("\n").find((l) => l.startsWith("cpu0 "))!.split(/\s+/);
  assert.equal(cpus[0]!.seconds.user, Number(line[1]) / 100);
  assert.equal(cpus[0]!.seconds.idle, Number(line[4]) / 100);
  assert.equal(cpus[0]!.seconds.steal, Number(line[8]) / 100);
});

Deno.test("parseCpuStat() handles 127 CPUs, an offline gap and a four-column line", () => {
  const cpus = parseCpuStat(fixture("odd/stat_many_cpus"));
  assert.equal(cpus.length, 127);
  assert.ok(!cpus.some((c) => c.cpu === "5"), "offline cpu5 has no line");
  const c127 = cpus.find((c) => c.cpu === "127")!;
  assert.equal(c127.seconds.user, 127);
  assert.equal(c127.seconds.idle, 1270);
  assert.equal(c127.guest, (127 % 5) / 100);
  const old = cpus.find((c) => c.cpu === "7")!;
  assert.deepEqual(
    [old.seconds.user, old.seconds.nice, old.seconds.system, old.seconds.idle, old.seconds.iowait],
    [0.01, 0.02, 0.03, 0.04, 0],
  );
});

Deno.test("cpuFamilies() uses node_exporter's names, types and labels", () => {
  const fams = cpuFamilies(parseCpuStat(fixture("odd/stat_many_cpus")));
  const seconds = fams.find((f) => f.name === "node_cpu_seconds_total")!;
  assert.equal(seconds.type, "counter");
  assert.equal(seconds.samples.length, 127 * 8);
  assert.deepEqual(Object.keys(seconds.samples[0]!.labels).sort(), ["cpu", "mode"]);
  assert.equal(valueOf(fams, "node_cpu_seconds_total", { cpu: "100", mode: "system" }), 50);
  const guest = fams.find((f) => f.name === "node_cpu_guest_seconds_total")!;
  assert.deepEqual([...new Set(guest.samples.map((s) => s.labels.mode))], ["nice", "user"]);
});

Deno.test("cpuCollector() reads a procfs tree", async () => {
  const fams = await cpuCollector().collect({
    paths: { ...DEFAULT_PATHS, proc: VM_PROC },
    signal: new AbortController().signal,
  });
  assert.equal(fams[0]!.samples.length, 16);
});
