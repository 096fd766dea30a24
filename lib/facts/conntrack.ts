/**
 * The conntrack collector: `node_nf_conntrack_entries` and `_entries_limit` from
 * /proc/sys/net/netfilter, and the per-CPU statistics of /proc/net/stat/nf_conntrack summed.
 *
 * @module
 */
import { at, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { parseStatTable } from "./lnstat.ts";
import { type MetricFamily, single } from "./metric.ts";
import { NoDataError } from "./errors.ts";

/** Statistic column → [metric suffix, help], as node_exporter exposes them. */
const STATS: Readonly<Record<string, readonly [string, string]>> = {
  found: ["found", "Number of searched entries which were successful."],
  invalid: ["invalid", "Number of packets seen which can not be tracked."],
  ignore: ["ignore", "Number of packets seen which are already connected to a conntrack entry."],
  insert: ["insert", "Number of entries inserted into the list."],
  insert_failed: [
    "insert_failed",
    "Number of entries for which list insertion was attempted but failed.",
  ],
  drop: ["drop", "Number of packets dropped due to conntrack failure."],
  early_drop: [
    "early_drop",
    "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.",
  ],
  search_restart: [
    "search_restart",
    "Number of conntrack table lookups which had to be restarted due to hashtable resizes.",
  ],
};

/** Sums the hex per-CPU rows of /proc/net/stat/nf_conntrack by column name. */
export function parseConntrackStat(text: string): Map<string, number> {
  const { columns, rows } = parseStatTable(text);
  const out = new Map<string, number>();
  for (const row of rows) {
    columns.forEach((n, i) => {
      const v = row[i];
      if (v !== undefined && Number.isFinite(v)) out.set(n, (out.get(n) ?? 0) + v);
    });
  }
  return out;
}

/** The families for the entry count, its limit and the summed statistics. */
export function conntrackFamilies(
  entries: number,
  limit: number,
  stats: ReadonlyMap<string, number> = new Map(),
): MetricFamily[] {
  const out = [
    single(
      "node_nf_conntrack_entries",
      "Number of currently allocated flow entries for connection tracking.",
      entries,
    ),
    single("node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.", limit),
  ];
  for (const [col, [suffix, help]] of Object.entries(STATS).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const v = stats.get(col);
    if (v !== undefined) out.push(single(`node_nf_conntrack_stat_${suffix}`, help, v));
  }
  return out;
}

/** The conntrack collector. */
export function conntrackCollector(): Collector {
  return {
    name: "conntrack",
    collect({ paths }) {
      const count = readOptional(at(paths.proc, "sys/net/netfilter/nf_conntrack_count"));
      const max = readOptional(at(paths.proc, "sys/net/netfilter/nf_conntrack_max"));
      if (count === undefined || max === undefined) {
        throw new NoDataError("conntrack is not loaded");
      }
      const stat = readOptional(at(paths.proc, "net/stat/nf_conntrack"));
      return conntrackFamilies(
        Number(count.trim()),
        Number(max.trim()),
        stat ? parseConntrackStat(stat) : undefined,
      );
    },
  };
}
