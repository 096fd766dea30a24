/**
 * The rapl collector: energy counters of Intel/AMD RAPL power zones from /sys/class/powercap as
 * `node_rapl_<zone>_joules_total{index,path}` (node_exporter 1.5's labels; `index` counts zones
 * of the same name).
 *
 * @module
 */
import { at, listSubsystem, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** One RAPL zone: its name without the index (`package`), index, sysfs path and energy. */
export interface RaplZone {
  readonly name: string;
  readonly index: number;
  readonly path: string;
  readonly microjoules: number;
}

/** The families for the zones. */
export function raplFamilies(zones: readonly RaplZone[]): MetricFamily[] {
  const set = new FamilySet();
  for (const z of zones) {
    const name = z.name.replace(/[^a-zA-Z0-9_]/g, "_");
    set.add(`node_rapl_${name}_joules_total`, `Current RAPL ${z.name} value in joules`, "counter", {
      index: String(z.index),
      path: z.path,
    }, z.microjoules / 1e6);
  }
  return set.list();
}

/** The rapl collector. */
export function raplCollector(): Collector {
  return {
    name: "rapl",
    collect: ({ paths }) => {
      const base = at(paths.sys, "class/powercap");
      const seen = new Map<string, number>();
      const zones: RaplZone[] = [];
      for (const d of listSubsystem(base)) {
        if (!d.startsWith("intel-rapl")) continue;
        const raw = readAttr(`${base}/${d}/name`);
        const energy = readAttr(`${base}/${d}/energy_uj`);
        if (raw === undefined || energy === undefined) continue;
        // "package-0" names the zone "package"; the number becomes the index.
        const m = /^(package)-(\d+)$/.exec(raw);
        const name = m ? m[1]! : raw;
        const index = m ? Number(m[2]) : (seen.get(name) ?? 0);
        seen.set(name, index + 1);
        zones.push({ name, index, path: `${base}/${d}`, microjoules: Number(energy) });
      }
      return raplFamilies(zones);
    },
  };
}
