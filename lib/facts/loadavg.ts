/**
 * The loadavg collector: `node_load1`, `node_load5`, `node_load15` from /proc/loadavg.
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { type MetricFamily, single } from "./metric.ts";

/** Parses /proc/loadavg into the 1, 5 and 15 minute averages. */
export function parseLoadavg(text: string): [number, number, number] {
  const f = text.trim().split(/\s+/);
  const v = f.slice(0, 3).map(Number);
  if (v.length < 3 || v.some((n) => !Number.isFinite(n))) {
    throw new Error(`unexpected /proc/loadavg content: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return v as [number, number, number];
}

/** The families for parsed load averages. */
export function loadavgFamilies([l1, l5, l15]: readonly [number, number, number]): MetricFamily[] {
  return [
    single("node_load1", "1m load average.", l1),
    single("node_load5", "5m load average.", l5),
    single("node_load15", "15m load average.", l15),
  ];
}

/** The loadavg collector. */
export function loadavgCollector(): Collector {
  return {
    name: "loadavg",
    collect({ paths }) {
      return loadavgFamilies(parseLoadavg(readText(at(paths.proc, "loadavg"))));
    },
  };
}
