/**
 * The lnstat collector (off by default, as in node_exporter): the per-CPU network cache tables
 * of /proc/net/stat (arp_cache, ndisc_cache, nf_conntrack, ...) as
 * `node_lnstat_<column>_total{cpu,subsystem}`.
 *
 * @module
 */
import { at, listDir, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** A /proc/net/stat table: the column names and one row of hex counters per CPU. */
export interface StatTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly number[])[];
}

/** Parses a /proc/net/stat file: a header line, then hex values. */
export function parseStatTable(text: string): StatTable {
  const lines = text.trim().split("\n");
  const columns = (lines[0] ?? "").trim().split(/\s+/);
  const rows = lines.slice(1).map((l) => l.trim().split(/\s+/).map((v) => parseInt(v, 16)));
  return { columns, rows };
}

/** The families for each subsystem's table. */
export function lnstatFamilies(
  tables: ReadonlyArray<readonly [string, StatTable]>,
): MetricFamily[] {
  const set = new FamilySet();
  for (const [subsystem, t] of tables) {
    t.rows.forEach((row, cpu) =>
      t.columns.forEach((col, i) => {
        const v = row[i];
        if (v === undefined || !Number.isFinite(v)) return;
        set.add(`node_lnstat_${col}_total`, "linux network cache stats", "counter", {
          cpu: String(cpu),
          subsystem,
        }, v);
      })
    );
  }
  return set.list();
}

/** The lnstat collector. */
export function lnstatCollector(): Collector {
  return {
    name: "lnstat",
    collect: ({ paths }) => {
      const dir = at(paths.proc, "net/stat");
      const names = listDir(dir);
      if (names.length === 0) throw new NoDataError("no /proc/net/stat");
      return lnstatFamilies(names.map((n) => [n, parseStatTable(readText(`${dir}/${n}`))]));
    },
  };
}
