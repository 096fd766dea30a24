/**
 * The bcache collector: per cache set (/sys/fs/bcache/<uuid>) its btree and journal state, per
 * backing device (`bdevN`) its hit/miss totals and writeback rate, and per cache device
 * (`cacheN`) its writes and errors; with `priority_stats` also the unused and metadata share
 * of each cache device (reading it is costly on large caches, as node_exporter warns).
 *
 * @module
 */
import { at, listDir, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

const UNITS: Readonly<Record<string, number>> = {
  k: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
  P: 2 ** 50,
  E: 2 ** 60,
};

/**
 * Reads a size as the kernel's bch_hprint writes it (`20.4G`: the digit after the point counts
 * tenths of 1024ths, as node_exporter's procfs reads it); whole bytes, rounded down.
 */
export function dehumanize(text: string): number {
  const t = text.trim();
  const unit = UNITS[t.slice(-1)];
  if (unit === undefined) return Number(t);
  const [int, frac] = t.slice(0, -1).split(".");
  const mantissa = Number(int) + (frac !== undefined ? Number(frac) / 10.24 : 0);
  return Math.floor(mantissa * unit);
}

/** `rate: 1.1M/sec`-style lines of writeback_rate_debug, dehumanized. */
export function parseWritebackRateDebug(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([a-z ]+):\s+([\d.]+[kMGTPE]?)/.exec(line.trim());
    if (m) out.set(m[1]!, dehumanize(m[2]!));
  }
  return out;
}

/** `Unused:  99%` and `Metadata:  0%` of priority_stats. */
export function parsePriorityStats(text: string): { unused?: number; metadata?: number } {
  const pct = (k: string) => {
    const m = new RegExp(`^${k}:\\s*(\\d+)%`, "m").exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const unused = pct("Unused");
  const metadata = pct("Metadata");
  return {
    ...(unused !== undefined ? { unused } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
  };
}

/** One cache set as read from sysfs (numbers already dehumanized). */
export interface BcacheSet {
  readonly uuid: string;
  readonly values: Readonly<Record<string, number | undefined>>;
  readonly backing: ReadonlyArray<
    { name: string; values: Readonly<Record<string, number | undefined>> }
  >;
  readonly caches: ReadonlyArray<
    { name: string; values: Readonly<Record<string, number | undefined>> }
  >;
}

type Field = readonly [string, string, string, "gauge" | "counter", number?];
/** [value key, metric, help, type, scale] for the set, its backing devices and cache devices. */
const SET_FIELDS: readonly Field[] = [
  [
    "average_key_size",
    "average_key_size_sectors",
    "Average data per key in the btree (sectors).",
    "gauge",
  ],
  [
    "btree_cache_size",
    "btree_cache_size_bytes",
    "Amount of memory currently used by the btree cache.",
    "gauge",
  ],
  [
    "cache_available_percent",
    "cache_available_percent",
    "Percentage of cache device without dirty data, usable for writeback (may contain clean cached data).",
    "gauge",
  ],
  ["congested", "congested", "Congestion.", "gauge"],
  [
    "root_usage_percent",
    "root_usage_percent",
    "Percentage of the root btree node in use (tree depth increases if too high).",
    "gauge",
  ],
  ["tree_depth", "tree_depth", "Depth of the btree.", "gauge"],
  [
    "internal/active_journal_entries",
    "active_journal_entries",
    "Number of journal entries that are newer than the index.",
    "gauge",
  ],
  ["internal/btree_nodes", "btree_nodes", "Total nodes in the btree.", "gauge"],
  // The kernel gives microseconds; node_exporter 1.5 scales them as nanoseconds, and so do we.
  [
    "internal/btree_read_average_duration_us",
    "btree_read_average_duration_seconds",
    "Average btree read duration.",
    "gauge",
    1e-9,
  ],
  [
    "internal/cache_read_races",
    "cache_read_races_total",
    "Counts instances where while data was being read from the cache, the bucket was reused and invalidated - i.e. where the pointer was stale after the read completed.",
    "counter",
  ],
];
const BACKING_FIELDS: readonly Field[] = [
  [
    "dirty_data",
    "dirty_data_bytes",
    "Amount of dirty data for this backing device in the cache.",
    "gauge",
  ],
  [
    "stats_total/bypassed",
    "bypassed_bytes_total",
    "Amount of IO (both reads and writes) that has bypassed the cache.",
    "counter",
  ],
  [
    "stats_total/cache_bypass_hits",
    "cache_bypass_hits_total",
    "Hits for IO intended to skip the cache.",
    "counter",
  ],
  [
    "stats_total/cache_bypass_misses",
    "cache_bypass_misses_total",
    "Misses for IO intended to skip the cache.",
    "counter",
  ],
  [
    "stats_total/cache_hits",
    "cache_hits_total",
    "Hits counted per individual IO as bcache sees them.",
    "counter",
  ],
  [
    "stats_total/cache_miss_collisions",
    "cache_miss_collisions_total",
    "Instances where data insertion from cache miss raced with write (data already present).",
    "counter",
  ],
  [
    "stats_total/cache_misses",
    "cache_misses_total",
    "Misses counted per individual IO as bcache sees them.",
    "counter",
  ],
  [
    "stats_total/cache_readaheads",
    "cache_readaheads_total",
    "Count of times readahead occurred.",
    "counter",
  ],
  ["rate", "writeback_rate", "Current writeback rate for this backing device in bytes.", "gauge"],
  [
    "target",
    "dirty_target_bytes",
    "Current dirty data target threshold for this backing device in bytes.",
    "gauge",
  ],
  [
    "change",
    "writeback_change",
    "Last writeback rate change step for this backing device.",
    "gauge",
  ],
  [
    "proportional",
    "writeback_rate_proportional_term",
    "Current result of proportional controller, part of writeback rate",
    "gauge",
  ],
  [
    "integral",
    "writeback_rate_integral_term",
    "Current result of integral controller, part of writeback rate",
    "gauge",
  ],
];
const CACHE_FIELDS: readonly Field[] = [
  [
    "io_errors",
    "io_errors",
    "Number of errors that have occurred, decayed by io_error_halflife.",
    "gauge",
  ],
  [
    "metadata_written",
    "metadata_written_bytes_total",
    "Sum of all non data writes (btree writes and all other metadata).",
    "counter",
  ],
  [
    "written",
    "written_bytes_total",
    "Sum of all data that has been written to the cache.",
    "counter",
  ],
  [
    "priority_unused",
    "priority_stats_unused_percent",
    "The percentage of the cache that doesn't contain any data.",
    "gauge",
  ],
  ["priority_metadata", "priority_stats_metadata_percent", "Bcache's metadata overhead.", "gauge"],
];

/** The families for the cache sets. */
export function bcacheFamilies(sets: readonly BcacheSet[]): MetricFamily[] {
  const out = new FamilySet();
  const add = (
    fields: readonly Field[],
    values: Readonly<Record<string, number | undefined>>,
    labels: Record<string, string>,
  ) => {
    for (const [key, name, help, type, scale] of fields) {
      const v = values[key];
      if (v !== undefined && Number.isFinite(v)) {
        out.add(`node_bcache_${name}`, help, type, labels, v * (scale ?? 1));
      }
    }
  };
  for (const s of sets) {
    add(SET_FIELDS, s.values, { uuid: s.uuid });
    for (const b of s.backing) {
      add(BACKING_FIELDS, b.values, { backing_device: b.name, uuid: s.uuid });
    }
    for (const c of s.caches) add(CACHE_FIELDS, c.values, { cache_device: c.name, uuid: s.uuid });
  }
  return out.list();
}

/** The bcache collector. */
export function bcacheCollector(options: { priorityStats?: boolean | undefined } = {}): Collector {
  return {
    name: "bcache",
    collect: ({ paths }) => {
      const base = at(paths.sys, "fs/bcache");
      const read = (dir: string, keys: readonly Field[]) => {
        const values: Record<string, number | undefined> = {};
        for (const [key] of keys) {
          const text = readAttr(`${dir}/${key}`);
          if (text !== undefined) values[key] = dehumanize(text);
        }
        return values;
      };
      const sets = listDir(base).filter((d) => /^[0-9a-f-]{36}$/.test(d)).map(
        (uuid): BcacheSet => {
          const dir = `${base}/${uuid}`;
          const entries = listDir(dir);
          return {
            uuid,
            values: read(dir, SET_FIELDS),
            backing: entries.filter((e) => /^bdev\d+$/.test(e)).map((name) => ({
              name,
              values: {
                ...read(`${dir}/${name}`, BACKING_FIELDS),
                ...Object.fromEntries(
                  parseWritebackRateDebug(readAttr(`${dir}/${name}/writeback_rate_debug`) ?? ""),
                ),
              },
            })),
            caches: entries.filter((e) => /^cache\d+$/.test(e)).map((name) => {
              const p = options.priorityStats
                ? parsePriorityStats(readAttr(`${dir}/${name}/priority_stats`) ?? "")
                : {};
              return {
                name,
                values: {
                  ...read(`${dir}/${name}`, CACHE_FIELDS),
                  priority_unused: p.unused,
                  priority_metadata: p.metadata,
                },
              };
            }),
          };
        },
      );
      return bcacheFamilies(sets);
    },
  };
}
