/**
 * The time collector: `node_time_seconds`, `node_time_zone_offset_seconds{time_zone}` and the
 * clocksources from /sys/devices/system/clocksource.
 *
 * @module
 */
import { at, listDir, readAttr } from "./_read.ts";
import { localZone } from "./_tz.ts";
import type { Collector } from "./collector.ts";
import { family, FamilySet, type MetricFamily, single } from "./metric.ts";

/** A clocksource device: its number, available sources and current source. */
export interface Clocksource {
  readonly device: string;
  readonly available: readonly string[];
  readonly current: string;
}

/** The families for the time, the zone and the clocksources. */
export function timeFamilies(
  nowMs: number,
  zone: { abbr: string; offsetSeconds: number },
  clocksources: readonly Clocksource[],
): MetricFamily[] {
  const set = new FamilySet();
  for (const c of clocksources) {
    for (const name of c.available) {
      set.add(
        "node_time_clocksource_available_info",
        "Available clocksources read from '/sys/devices/system/clocksource'.",
        "gauge",
        { clocksource: name, device: c.device },
        1,
      );
    }
  }
  for (const c of clocksources) {
    set.add(
      "node_time_clocksource_current_info",
      "Current clocksource read from '/sys/devices/system/clocksource'.",
      "gauge",
      { clocksource: c.current, device: c.device },
      1,
    );
  }
  return [
    ...set.list(),
    single("node_time_seconds", "System time in seconds since epoch (1970).", nowMs / 1000),
    family("node_time_zone_offset_seconds", "System time zone offset in seconds.", "gauge", [
      { labels: { time_zone: zone.abbr }, value: zone.offsetSeconds },
    ]),
  ];
}

/** The time collector. */
export function timeCollector(): Collector {
  return {
    name: "time",
    collect({ paths }) {
      const now = new Date();
      const base = at(paths.sys, "devices/system/clocksource");
      const devices = listDir(base).filter((n) => /^clocksource\d+$/.test(n));
      const clocksources = devices.map((d) => {
        const available = readAttr(`${base}/${d}/available_clocksource`);
        const current = readAttr(`${base}/${d}/current_clocksource`);
        return {
          device: d.slice("clocksource".length),
          available: (available ?? "").split(/\s+/).filter(Boolean),
          current: current ?? "",
        };
      });
      return timeFamilies(now.getTime(), localZone(paths.root, now), clocksources);
    },
  };
}
