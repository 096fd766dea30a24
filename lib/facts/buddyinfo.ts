/**
 * The buddyinfo collector (off by default, as in node_exporter): free memory blocks per NUMA
 * node, zone and order from /proc/buddyinfo, as `node_buddyinfo_blocks{node,size,zone}`.
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** One /proc/buddyinfo line: free blocks of each order in a zone. */
export interface BuddyZone {
  readonly node: string;
  readonly zone: string;
  readonly blocks: readonly number[];
}

/** Parses /proc/buddyinfo (`Node 0, zone   Normal   4381 1093 ...`). */
export function parseBuddyinfo(text: string): BuddyZone[] {
  const out: BuddyZone[] = [];
  for (const line of text.split("\n")) {
    const m = /^Node\s+(\d+),\s+zone\s+(\S+)\s+(.*)$/.exec(line.trim());
    if (m) out.push({ node: m[1]!, zone: m[2]!, blocks: m[3]!.trim().split(/\s+/).map(Number) });
  }
  return out;
}

/** The families for parsed zones. */
export function buddyinfoFamilies(zones: readonly BuddyZone[]): MetricFamily[] {
  const set = new FamilySet();
  for (const z of zones) {
    z.blocks.forEach((v, size) =>
      set.add("node_buddyinfo_blocks", "Count of free blocks according to size.", "gauge", {
        node: z.node,
        size: String(size),
        zone: z.zone,
      }, v)
    );
  }
  return set.list();
}

/** The buddyinfo collector. */
export function buddyinfoCollector(): Collector {
  return {
    name: "buddyinfo",
    collect: ({ paths }) =>
      buddyinfoFamilies(parseBuddyinfo(readText(at(paths.proc, "buddyinfo")))),
  };
}
