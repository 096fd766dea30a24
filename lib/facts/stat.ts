/**
 * The stat collector: boot time, context switches, forks, interrupts and run queue from the
 * non-CPU lines of /proc/stat.
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { family, type MetricFamily, single } from "./metric.ts";

/** The scalar fields of /proc/stat that node_exporter exposes. */
export interface KernelStat {
  readonly bootTime?: number;
  readonly contextSwitches?: number;
  readonly forks?: number;
  readonly interrupts?: number;
  readonly procsRunning?: number;
  readonly procsBlocked?: number;
  /** The `softirq` line's counts per vector, in the kernel's order. */
  readonly softirqs?: readonly number[];
}

/** The softirq vectors of /proc/stat's `softirq` line, in column order. */
export const SOFTIRQ_VECTORS = [
  "hi",
  "timer",
  "net_tx",
  "net_rx",
  "block",
  "block_iopoll",
  "tasklet",
  "sched",
  "hrtimer",
  "rcu",
] as const;

/** Parses /proc/stat's `btime`, `ctxt`, `processes`, `intr` (total) and `procs_*` lines. */
export function parseKernelStat(text: string): KernelStat {
  const out: { -readonly [K in keyof KernelStat]: KernelStat[K] } = {};
  for (const line of text.split("\n")) {
    const sp = line.indexOf(" ");
    if (sp < 0) continue;
    const key = line.slice(0, sp);
    const rest = line.slice(sp + 1).trimStart();
    const first = Number(rest.split(" ", 1)[0]);
    if (!Number.isFinite(first)) continue;
    if (key === "btime") out.bootTime = first;
    else if (key === "ctxt") out.contextSwitches = first;
    else if (key === "processes") out.forks = first;
    else if (key === "intr") out.interrupts = first;
    else if (key === "procs_running") out.procsRunning = first;
    else if (key === "procs_blocked") out.procsBlocked = first;
    else if (key === "softirq") out.softirqs = rest.split(/\s+/).slice(1).map(Number);
  }
  return out;
}

/** The families for parsed /proc/stat fields; absent fields are left out. */
export function statFamilies(s: KernelStat, options: { softirq?: boolean } = {}): MetricFamily[] {
  const out: MetricFamily[] = [];
  const add = (v: number | undefined, name: string, help: string, type: "gauge" | "counter") => {
    if (v !== undefined) out.push(single(name, help, v, type));
  };
  add(s.bootTime, "node_boot_time_seconds", "Node boot time, in unixtime.", "gauge");
  add(
    s.contextSwitches,
    "node_context_switches_total",
    "Total number of context switches.",
    "counter",
  );
  add(s.forks, "node_forks_total", "Total number of forks.", "counter");
  add(s.interrupts, "node_intr_total", "Total number of interrupts serviced.", "counter");
  add(
    s.procsBlocked,
    "node_procs_blocked",
    "Number of processes blocked waiting for I/O to complete.",
    "gauge",
  );
  add(s.procsRunning, "node_procs_running", "Number of processes in runnable state.", "gauge");
  if (options.softirq && s.softirqs) {
    out.push(family(
      "node_softirqs_total",
      "Number of softirq calls.",
      "counter",
      SOFTIRQ_VECTORS.flatMap((vector, i) =>
        s.softirqs![i] !== undefined ? [{ labels: { vector }, value: s.softirqs![i]! }] : []
      ),
    ));
  }
  return out;
}

/** The stat collector; `softirq` adds `node_softirqs_total{vector}`. */
export function statCollector(options: { softirq?: boolean | undefined } = {}): Collector {
  const opts = { softirq: options.softirq ?? false };
  return {
    name: "stat",
    collect({ paths }) {
      return statFamilies(parseKernelStat(readText(at(paths.proc, "stat"))), opts);
    },
  };
}
