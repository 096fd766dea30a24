/**
 * The softnet collector: per-CPU packets processed, dropped and time-squeezed from
 * /proc/net/softnet_stat (hex columns, one line per online CPU).
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** One softnet_stat line. */
export interface SoftnetStat {
  readonly cpu: string;
  readonly processed: number;
  readonly dropped: number;
  readonly timeSqueezed: number;
}

/** Parses /proc/net/softnet_stat; the CPU is column 13 when present, else the line index. */
export function parseSoftnet(text: string): SoftnetStat[] {
  const out: SoftnetStat[] = [];
  text.trim().split("\n").forEach((line, i) => {
    const f = line.trim().split(/\s+/).map((h) => parseInt(h, 16));
    if (f.length < 3 || f.slice(0, 3).some((n) => !Number.isFinite(n))) return;
    out.push({ cpu: String(i), processed: f[0]!, dropped: f[1]!, timeSqueezed: f[2]! });
  });
  return out;
}

/** The families for parsed softnet lines. */
export function softnetFamilies(stats: readonly SoftnetStat[]): MetricFamily[] {
  const set = new FamilySet();
  for (const s of stats) {
    set.add(
      "node_softnet_dropped_total",
      "Number of dropped packets",
      "counter",
      { cpu: s.cpu },
      s.dropped,
    );
  }
  for (const s of stats) {
    set.add("node_softnet_processed_total", "Number of processed packets", "counter", {
      cpu: s.cpu,
    }, s.processed);
  }
  for (const s of stats) {
    set.add(
      "node_softnet_times_squeezed_total",
      "Number of times processing packets ran out of quota",
      "counter",
      { cpu: s.cpu },
      s.timeSqueezed,
    );
  }
  return set.list();
}

/** The softnet collector. */
export function softnetCollector(): Collector {
  return {
    name: "softnet",
    collect({ paths }) {
      return softnetFamilies(parseSoftnet(readText(at(paths.proc, "net/softnet_stat"))));
    },
  };
}
