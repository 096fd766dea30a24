/**
 * The cpu collector: `node_cpu_seconds_total{cpu,mode}` and `node_cpu_guest_seconds_total` from
 * the per-CPU lines of /proc/stat (USER_HZ = 100, as node_exporter assumes), thermal throttle
 * counts and isolated CPUs from sysfs, and with `info` the /proc/cpuinfo families
 * (cpu_info.ts).
 *
 * @module
 */
import { at, listDir, readAttr, readOptional, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import {
  cpuInfoFamilies,
  type CpuInfoOptions,
  isolatedFamilies,
  parseCpuinfo,
  parseCpuList,
  throttleFamilies,
} from "./cpu_info.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** Kernel clock ticks per second for /proc/stat (USER_HZ, 100 on every Linux ABI). */
export const USER_HZ = 100;

/** The modes of a /proc/stat cpu line, in column order. */
export const CPU_MODES = [
  "user",
  "nice",
  "system",
  "idle",
  "iowait",
  "irq",
  "softirq",
  "steal",
] as const;

/** One CPU's times in seconds. */
export interface CpuTimes {
  /** The CPU number from the line (`cpu12` → "12"); offline CPUs have no line. */
  readonly cpu: string;
  /** Seconds per mode; a column the kernel does not write reads as 0, as in node_exporter. */
  readonly seconds: Readonly<Record<(typeof CPU_MODES)[number], number>>;
  readonly guest: number;
  readonly guestNice: number;
}

/** Parses the per-CPU lines of /proc/stat (the aggregate `cpu` line is skipped). */
export function parseCpuStat(text: string): CpuTimes[] {
  const out: CpuTimes[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("cpu") || line.startsWith("cpu ")) continue;
    const f = line.trim().split(/\s+/);
    const cpu = f[0]!.slice(3);
    if (!/^\d+$/.test(cpu)) continue;
    const v = (i: number) => {
      const n = Number(f[i + 1] ?? 0);
      return Number.isFinite(n) ? n / USER_HZ : 0;
    };
    const seconds = Object.fromEntries(CPU_MODES.map((m, i) => [m, v(i)])) as CpuTimes["seconds"];
    out.push({ cpu, seconds, guest: v(8), guestNice: v(9) });
  }
  return out;
}

/** The families for parsed CPU times. */
export function cpuFamilies(cpus: readonly CpuTimes[]): MetricFamily[] {
  const set = new FamilySet();
  for (const c of cpus) {
    for (const mode of CPU_MODES) {
      set.add(
        "node_cpu_seconds_total",
        "Seconds the CPUs spent in each mode.",
        "counter",
        { cpu: c.cpu, mode },
        c.seconds[mode],
      );
    }
  }
  const guestHelp = "Seconds the CPUs spent in guests (VMs) for each mode.";
  for (const c of cpus) {
    set.add(
      "node_cpu_guest_seconds_total",
      guestHelp,
      "counter",
      { cpu: c.cpu, mode: "nice" },
      c.guestNice,
    );
    set.add(
      "node_cpu_guest_seconds_total",
      guestHelp,
      "counter",
      { cpu: c.cpu, mode: "user" },
      c.guest,
    );
  }
  return set.list();
}

/** Options of the cpu collector. */
export interface CpuOptions extends CpuInfoOptions {
  /** Export `node_cpu_info` (and the chosen flags and bugs) from /proc/cpuinfo. */
  readonly info?: boolean | undefined;
}

/** The cpu collector. */
export function cpuCollector(options: CpuOptions = {}): Collector {
  return {
    name: "cpu",
    collect({ paths }) {
      const out = cpuFamilies(parseCpuStat(readText(at(paths.proc, "stat"))));
      if (options.info) {
        out.push(...cpuInfoFamilies(parseCpuinfo(readText(at(paths.proc, "cpuinfo"))), options));
      }
      const base = at(paths.sys, "devices/system/cpu");
      const cpus = listDir(base).filter((d) => /^cpu\d+$/.test(d))
        .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
      const num = (p: string) => {
        const v = readAttr(p);
        return v !== undefined && v !== "" ? Number(v) : undefined;
      };
      out.push(...throttleFamilies(cpus.flatMap((d) => {
        const pkg = readAttr(`${base}/${d}/topology/physical_package_id`);
        const core = readAttr(`${base}/${d}/topology/core_id`);
        if (pkg === undefined || core === undefined) return [];
        return [{
          package: pkg,
          core,
          coreThrottles: num(`${base}/${d}/thermal_throttle/core_throttle_count`),
          packageThrottles: num(`${base}/${d}/thermal_throttle/package_throttle_count`),
        }];
      })));
      const isolated = readOptional(`${base}/isolated`);
      if (isolated !== undefined) out.push(...isolatedFamilies(parseCpuList(isolated)));
      return out;
    },
  };
}
