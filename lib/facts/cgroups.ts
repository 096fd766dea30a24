/**
 * The cgroups collector (off by default, as in node_exporter): the number of cgroups and the
 * enabled flag of each controller from /proc/cgroups.
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** One controller line of /proc/cgroups. */
export interface CgroupSubsys {
  readonly name: string;
  readonly cgroups: number;
  readonly enabled: number;
}

/** Parses /proc/cgroups (`#subsys_name hierarchy num_cgroups enabled`). */
export function parseCgroups(text: string): CgroupSubsys[] {
  const out: CgroupSubsys[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    out.push({ name: f[0]!, cgroups: Number(f[2]), enabled: Number(f[3]) });
  }
  return out;
}

/** The families for parsed controllers (node_exporter gives both the same help). */
export function cgroupsFamilies(subsystems: readonly CgroupSubsys[]): MetricFamily[] {
  const set = new FamilySet();
  const help = "Current cgroup number of the subsystem.";
  for (const s of subsystems) {
    set.add("node_cgroups_cgroups", help, "gauge", { subsys_name: s.name }, s.cgroups);
  }
  for (const s of subsystems) {
    set.add("node_cgroups_enabled", help, "gauge", { subsys_name: s.name }, s.enabled);
  }
  return set.list();
}

/** The cgroups collector. */
export function cgroupsCollector(): Collector {
  return {
    name: "cgroups",
    collect: ({ paths }) => cgroupsFamilies(parseCgroups(readText(at(paths.proc, "cgroups")))),
  };
}
