/**
 * The schedstat collector: per-CPU scheduler statistics from /proc/schedstat (time running and
 * waiting, in nanoseconds there and seconds here, and timeslices run).
 *
 * @module
 */
import { at, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** One `cpuN` line of /proc/schedstat. */
export interface SchedCpu {
  readonly cpu: string;
  readonly runningNanoseconds: number;
  readonly waitingNanoseconds: number;
  readonly timeslices: number;
}

/** Parses the `cpuN` lines of /proc/schedstat (version 15: the last three columns). */
export function parseSchedstat(text: string): SchedCpu[] {
  const out: SchedCpu[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (!/^cpu\d+$/.test(f[0] ?? "") || f.length < 10) continue;
    out.push({
      cpu: f[0]!.slice(3),
      runningNanoseconds: Number(f[7]),
      waitingNanoseconds: Number(f[8]),
      timeslices: Number(f[9]),
    });
  }
  return out;
}

/** The families for parsed CPUs. */
export function schedstatFamilies(cpus: readonly SchedCpu[]): MetricFamily[] {
  const set = new FamilySet();
  for (const c of cpus) {
    set.add(
      "node_schedstat_running_seconds_total",
      "Number of seconds CPU spent running a process.",
      "counter",
      { cpu: c.cpu },
      c.runningNanoseconds / 1e9,
    );
  }
  for (const c of cpus) {
    set.add(
      "node_schedstat_timeslices_total",
      "Number of timeslices executed by CPU.",
      "counter",
      { cpu: c.cpu },
      c.timeslices,
    );
  }
  for (const c of cpus) {
    set.add(
      "node_schedstat_waiting_seconds_total",
      "Number of seconds spent by processing waiting for this CPU.",
      "counter",
      { cpu: c.cpu },
      c.waitingNanoseconds / 1e9,
    );
  }
  return set.list();
}

/** The schedstat collector. */
export function schedstatCollector(): Collector {
  return {
    name: "schedstat",
    collect: ({ paths }) => {
      const text = readOptional(at(paths.proc, "schedstat"));
      if (text === undefined) throw new NoDataError("no /proc/schedstat (CONFIG_SCHEDSTATS off)");
      return schedstatFamilies(parseSchedstat(text));
    },
  };
}
