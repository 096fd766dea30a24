/**
 * The arp collector: `node_arp_entries{device}` counted from /proc/net/arp.
 *
 * @module
 */
import { deviceFilter, type DeviceFilterOptions } from "./_filter.ts";
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { family, type MetricFamily } from "./metric.ts";

/** Counts /proc/net/arp entries per device (the header line is skipped). */
export function parseArp(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const device = f[5]!;
    out.set(device, (out.get(device) ?? 0) + 1);
  }
  return out;
}

/** The family for per-device counts. */
export function arpFamilies(counts: ReadonlyMap<string, number>): MetricFamily[] {
  const samples = [...counts].sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([device, value]) => ({ labels: { device }, value }));
  return [family("node_arp_entries", "ARP entries by device", "gauge", samples)];
}

/** Options of the arp collector. */
export type ArpOptions = DeviceFilterOptions;

/** The arp collector. */
export function arpCollector(options: ArpOptions = {}): Collector {
  const keep = deviceFilter(options);
  return {
    name: "arp",
    collect({ paths }) {
      const counts = parseArp(readText(at(paths.proc, "net/arp")));
      for (const device of [...counts.keys()]) {
        if (!keep(device)) counts.delete(device);
      }
      return arpFamilies(counts);
    },
  };
}
