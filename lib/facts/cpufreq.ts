/**
 * The cpufreq collector: current, minimum and maximum frequency of each CPU from
 * /sys/devices/system/cpu/cpu<N>/cpufreq (kHz there, hertz here), both the hardware's
 * (`cpuinfo_*`) and the governor's (`scaling_*`), as node_exporter names them.
 *
 * @module
 */
import { at, listDir, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** [file, metric, help] in node_exporter's order. */
export const CPUFREQ_FILES: readonly [string, string, string][] = [
  ["cpuinfo_cur_freq", "frequency_hertz", "Current CPU thread frequency in hertz."],
  ["cpuinfo_max_freq", "frequency_max_hertz", "Maximum CPU thread frequency in hertz."],
  ["cpuinfo_min_freq", "frequency_min_hertz", "Minimum CPU thread frequency in hertz."],
  ["scaling_cur_freq", "scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz."],
  [
    "scaling_max_freq",
    "scaling_frequency_max_hertz",
    "Maximum scaled CPU thread frequency in hertz.",
  ],
  [
    "scaling_min_freq",
    "scaling_frequency_min_hertz",
    "Minimum scaled CPU thread frequency in hertz.",
  ],
];

/** The families for each CPU's files (file name → kHz text). */
export function cpufreqFamilies(
  cpus: ReadonlyArray<readonly [string, Readonly<Record<string, string | undefined>>]>,
): MetricFamily[] {
  const set = new FamilySet();
  for (const [file, metric, help] of CPUFREQ_FILES) {
    for (const [cpu, files] of cpus) {
      const v = Number(files[file]);
      if (files[file] === undefined || !Number.isFinite(v)) continue;
      set.add(`node_cpu_${metric}`, help, "gauge", { cpu }, v * 1000);
    }
  }
  return set.list();
}

/** The cpufreq collector. */
export function cpufreqCollector(): Collector {
  return {
    name: "cpufreq",
    collect: ({ paths }) => {
      const base = at(paths.sys, "devices/system/cpu");
      const cpus = listDir(base).filter((d) => /^cpu\d+$/.test(d)).map((d) => {
        const files: Record<string, string | undefined> = {};
        for (const [file] of CPUFREQ_FILES) {
          files[file] = readAttr(`${base}/${d}/cpufreq/${file}`);
        }
        return [d.slice(3), files] as const;
      }).filter(([, f]) => Object.values(f).some((v) => v !== undefined));
      return cpufreqFamilies(cpus.sort(([a], [b]) => Number(a) - Number(b)));
    },
  };
}
