/**
 * The zoneinfo collector (off by default, as in node_exporter): per NUMA node and memory zone,
 * the watermarks, page counts and counters of /proc/zoneinfo. Per-node statistics appear in the
 * first zone of each node, so those families carry that zone's label, as in node_exporter.
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** One zone: its node, name, its `key value` lines and the protection array. */
export interface Zone {
  readonly node: string;
  readonly zone: string;
  readonly values: ReadonlyMap<string, number>;
  readonly protection: readonly number[];
}

/** Parses /proc/zoneinfo. */
export function parseZoneinfo(text: string): Zone[] {
  const out: Zone[] = [];
  let cur:
    | { node: string; zone: string; values: Map<string, number>; protection: number[] }
    | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const head = /^Node\s+(\d+),\s+zone\s+(\S+)/.exec(line);
    if (head) {
      out.push(cur = { node: head[1]!, zone: head[2]!, values: new Map(), protection: [] });
      continue;
    }
    if (!cur) continue;
    const prot = /^protection:\s*\((.*)\)/.exec(line);
    if (prot) {
      cur.protection = prot[1]!.split(",").map((x) => Number(x.trim()));
      continue;
    }
    const f = line.split(/\s+/);
    if (f.length === 2 && /^\d+$/.test(f[1]!)) cur.values.set(f[0]!, Number(f[1]));
  }
  return out;
}

/** [metric, zoneinfo key, help, type] in node_exporter's naming. */
const FIELDS: readonly [string, string, string, "gauge" | "counter"][] = [
  ["nr_free_pages", "nr_free_pages", "Total number of free pages in the zone", "gauge"],
  ["min_pages", "min", "Zone watermark pages_min", "gauge"],
  ["low_pages", "low", "Zone watermark pages_low", "gauge"],
  ["high_pages", "high", "Zone watermark pages_high", "gauge"],
  ["spanned_pages", "spanned", "Total pages spanned by the zone, including holes", "gauge"],
  ["present_pages", "present", "Physical pages existing within the zone", "gauge"],
  ["managed_pages", "managed", "Present pages managed by the buddy system", "gauge"],
  [
    "nr_active_anon_pages",
    "nr_active_anon",
    "Number of anonymous pages recently more used",
    "gauge",
  ],
  [
    "nr_inactive_anon_pages",
    "nr_inactive_anon",
    "Number of anonymous pages recently less used",
    "gauge",
  ],
  ["nr_isolated_anon_pages", "nr_isolated_anon", "Temporary isolated pages from anon lru", "gauge"],
  [
    "nr_anon_pages",
    "nr_anon_pages",
    "Number of anonymous pages currently used by the system",
    "gauge",
  ],
  [
    "nr_anon_transparent_hugepages",
    "nr_anon_transparent_hugepages",
    "Number of anonymous transparent huge pages currently used by the system",
    "gauge",
  ],
  [
    "nr_active_file_pages",
    "nr_active_file",
    "Number of active pages with file-backing",
    "gauge",
  ],
  [
    "nr_inactive_file_pages",
    "nr_inactive_file",
    "Number of inactive pages with file-backing",
    "gauge",
  ],
  ["nr_isolated_file_pages", "nr_isolated_file", "Temporary isolated pages from file lru", "gauge"],
  ["nr_file_pages", "nr_file_pages", "Number of file pages", "gauge"],
  [
    "nr_slab_reclaimable_pages",
    "nr_slab_reclaimable",
    "Number of reclaimable slab pages",
    "gauge",
  ],
  [
    "nr_slab_unreclaimable_pages",
    "nr_slab_unreclaimable",
    "Number of unreclaimable slab pages",
    "gauge",
  ],
  ["nr_kernel_stacks", "nr_kernel_stack", "Number of kernel stacks", "gauge"],
  ["nr_mapped_pages", "nr_mapped", "Number of mapped pages", "gauge"],
  ["nr_dirty_pages", "nr_dirty", "Number of dirty pages", "gauge"],
  ["nr_writeback_pages", "nr_writeback", "Number of writeback pages", "gauge"],
  ["nr_unevictable_pages", "nr_unevictable", "Number of unevictable pages", "gauge"],
  ["nr_shmem_pages", "nr_shmem", "Number of shmem pages (included tmpfs/GEM pages)", "gauge"],
  ["nr_dirtied_total", "nr_dirtied", "Page dirtyings since bootup", "counter"],
  ["nr_written_total", "nr_written", "Page writings since bootup", "counter"],
  ["numa_hit_total", "numa_hit", "Allocated in intended node", "counter"],
  ["numa_miss_total", "numa_miss", "Allocated in non intended node", "counter"],
  ["numa_foreign_total", "numa_foreign", "Was intended here, hit elsewhere", "counter"],
  ["numa_interleave_total", "numa_interleave", "Interleaver preferred this zone", "counter"],
  ["numa_local_total", "numa_local", "Allocation from local node", "counter"],
  ["numa_other_total", "numa_other", "Allocation from other node", "counter"],
];

/** The families for parsed zones. */
export function zoneinfoFamilies(zones: readonly Zone[]): MetricFamily[] {
  const set = new FamilySet();
  for (const z of zones) {
    const labels = { node: z.node, zone: z.zone };
    for (const [name, key, help, type] of FIELDS) {
      const v = z.values.get(key);
      if (v !== undefined) set.add(`node_zoneinfo_${name}`, help, type, labels, v);
    }
    z.protection.forEach((v, i) =>
      set.add(`node_zoneinfo_protection_${i}`, `Protection array ${i}. field`, "gauge", labels, v)
    );
  }
  return set.list();
}

/** The zoneinfo collector. */
export function zoneinfoCollector(): Collector {
  return {
    name: "zoneinfo",
    collect: ({ paths }) => zoneinfoFamilies(parseZoneinfo(readText(at(paths.proc, "zoneinfo")))),
  };
}
