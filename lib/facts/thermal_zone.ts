/**
 * The thermal_zone collector: zone temperatures and cooling device states from
 * /sys/class/thermal (millidegrees there, degrees Celsius here).
 *
 * @module
 */
import { at, listDir, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** A thermal zone or a cooling device, with its sysfs number and type. */
export interface ThermalEntry {
  readonly index: string;
  readonly type: string;
  readonly values: Readonly<Record<string, number | undefined>>;
}

/** The families for the zones and cooling devices. */
export function thermalFamilies(
  zones: readonly ThermalEntry[],
  coolers: readonly ThermalEntry[],
): MetricFamily[] {
  const set = new FamilySet();
  for (const z of zones) {
    const t = z.values.temp;
    if (t !== undefined) {
      set.add("node_thermal_zone_temp", "Zone temperature in Celsius", "gauge", {
        type: z.type,
        zone: z.index,
      }, t / 1000);
    }
  }
  for (const c of coolers) {
    const labels = { name: c.index, type: c.type };
    const cur = c.values.cur_state;
    const max = c.values.max_state;
    if (cur !== undefined) {
      set.add(
        "node_cooling_device_cur_state",
        "Current throttle state of the cooling device",
        "gauge",
        labels,
        cur,
      );
    }
    if (max !== undefined) {
      set.add(
        "node_cooling_device_max_state",
        "Maximum throttle state of the cooling device",
        "gauge",
        labels,
        max,
      );
    }
  }
  return set.list();
}

/** The thermal_zone collector. */
export function thermalZoneCollector(): Collector {
  return {
    name: "thermal_zone",
    collect: ({ paths }) => {
      const base = at(paths.sys, "class/thermal");
      const entries = (prefix: string, files: readonly string[]) =>
        listDir(base).filter((d) => d.startsWith(prefix) && /\d+$/.test(d)).map((d) => {
          const values: Record<string, number | undefined> = {};
          for (const f of files) {
            const v = readAttr(`${base}/${d}/${f}`);
            if (v !== undefined && v !== "" && Number.isFinite(Number(v))) values[f] = Number(v);
          }
          return {
            index: d.slice(prefix.length),
            type: readAttr(`${base}/${d}/type`) ?? "",
            values,
          };
        });
      const zones = entries("thermal_zone", ["temp"]);
      const coolers = entries("cooling_device", ["cur_state", "max_state"]);
      return thermalFamilies(zones, coolers);
    },
  };
}
