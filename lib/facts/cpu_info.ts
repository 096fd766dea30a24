/**
 * The cpu collector's extras, as node_exporter has them: `node_cpu_info` and the `bugs` and
 * `flags` of the first core from /proc/cpuinfo (with `--collector.cpu.info`), thermal throttle
 * counts per core and package, and `node_cpu_isolated` from /sys/devices/system/cpu.
 *
 * @module
 */
import { FamilySet, type MetricFamily } from "./metric.ts";

/** The `key: value` blocks of /proc/cpuinfo, one per processor. */
export function parseCpuinfo(text: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let cur: Record<string, string> | undefined;
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === "processor") out.push(cur = {});
    if (cur) cur[key] = value;
  }
  return out;
}

/** Options of the cpuinfo families. */
export interface CpuInfoOptions {
  /** Regex of the `flags` to export as `node_cpu_flag_info` (none without it). */
  readonly flagsInclude?: string | undefined;
  /** Regex of the `bugs` to export as `node_cpu_bug_info` (none without it). */
  readonly bugsInclude?: string | undefined;
}

/** `node_cpu_info` per processor, and the first processor's chosen flags and bugs. */
export function cpuInfoFamilies(
  cpus: readonly Record<string, string>[],
  options: CpuInfoOptions = {},
): MetricFamily[] {
  const set = new FamilySet();
  for (const c of cpus) {
    set.add("node_cpu_info", "CPU information from /proc/cpuinfo.", "gauge", {
      package: c["physical id"] ?? "",
      core: c["core id"] ?? "",
      cpu: c.processor ?? "",
      vendor: c.vendor_id ?? "",
      family: c["cpu family"] ?? "",
      model: c.model ?? "",
      model_name: c["model name"] ?? "",
      microcode: c.microcode ?? "",
      stepping: c.stepping ?? "",
      cachesize: c["cache size"] ?? "",
    }, 1);
  }
  const first = cpus[0];
  const listed = (field: string, include: string | undefined, label: string, name: string) => {
    if (!first || include === undefined) return;
    const re = new RegExp(include);
    const help =
      `The \`${field}\` field of CPU information from /proc/cpuinfo taken from the first core.`;
    for (const v of (first[field] ?? "").split(/\s+/).filter((x) => re.test(x)).sort()) {
      set.add(name, help, "gauge", { [label]: v }, 1);
    }
  };
  listed("flags", options.flagsInclude, "flag", "node_cpu_flag_info");
  listed("bugs", options.bugsInclude, "bug", "node_cpu_bug_info");
  return set.list();
}

/** One CPU's topology and thermal throttle counts from sysfs. */
export interface CpuThrottle {
  readonly package: string;
  readonly core: string;
  readonly coreThrottles?: number | undefined;
  readonly packageThrottles?: number | undefined;
}

/**
 * Throttle counts per core and per package; CPUs sharing a core (hyperthreads) or a package
 * report it once, from the first CPU seen, as node_exporter does.
 */
export function throttleFamilies(cpus: readonly CpuThrottle[]): MetricFamily[] {
  const set = new FamilySet();
  const cores = new Set<string>();
  const packages = new Set<string>();
  for (const c of cpus) {
    const core = `${c.package}\0${c.core}`;
    if (c.coreThrottles !== undefined && !cores.has(core)) {
      cores.add(core);
      set.add(
        "node_cpu_core_throttles_total",
        "Number of times this CPU core has been throttled.",
        "counter",
        { core: c.core, package: c.package },
        c.coreThrottles,
      );
    }
    if (c.packageThrottles !== undefined && !packages.has(c.package)) {
      packages.add(c.package);
      set.add(
        "node_cpu_package_throttles_total",
        "Number of times this CPU package has been throttled.",
        "counter",
        { package: c.package },
        c.packageThrottles,
      );
    }
  }
  return set.list();
}

/** Parses a CPU list such as `1,3-5,9` (/sys/devices/system/cpu/isolated). */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(",")) {
    if (part === "") continue;
    const [a, b] = part.split("-").map(Number) as [number, number | undefined];
    if (!Number.isInteger(a)) throw new Error(`bad CPU list ${JSON.stringify(text)}`);
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

/** `node_cpu_isolated{cpu}` for each isolated CPU. */
export function isolatedFamilies(cpus: readonly number[]): MetricFamily[] {
  const set = new FamilySet();
  for (const cpu of cpus) {
    set.add(
      "node_cpu_isolated",
      "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.",
      "gauge",
      { cpu: String(cpu) },
      1,
    );
  }
  return set.list();
}
