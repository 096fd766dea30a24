/**
 * The zfs collector: ZFS on Linux kstats from /proc/spl/kstat/zfs (ARC, dbuf, dmu_tx, dnode,
 * ZIL, prefetch and the rest as `node_zfs_<subsystem>_<name>`, untyped, as node_exporter
 * exports them) and per pool the I/O counters, dataset counters and state.
 *
 * @module
 */
import { at, listDir, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** kstat file → metric subsystem. */
export const ZFS_SUBSYSTEMS: Readonly<Record<string, string>> = {
  abdstats: "abd",
  arcstats: "arc",
  dbuf_stats: "dbuf",
  dmu_tx: "dmu_tx",
  dnodestats: "dnode",
  fm: "fm",
  vdev_cache_stats: "vdev_cache",
  vdev_mirror_stats: "vdev_mirror",
  xuio_stats: "xuio",
  zfetchstats: "zfetch",
  zil: "zil",
};

/**
 * Parses a named kstat (`name type data` rows): the integer rows (types 3 and 4) as numbers,
 * and `dataset_name`-style strings (type 7) apart.
 */
export function parseKstat(
  text: string,
): { values: [string, number][]; strings: Map<string, string> } {
  const values: [string, number][] = [];
  const strings = new Map<string, string>();
  let body = false;
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (!body) {
      body = f[0] === "name" && f[1] === "type" && f[2] === "data";
      continue;
    }
    if (f.length < 3) continue;
    if (f[1] === "3" || f[1] === "4") values.push([f[0]!, Number(f[2])]);
    else if (f[1] === "7") strings.set(f[0]!, f.slice(2).join(" "));
  }
  return { values, strings };
}

/** Parses a pool's `io` kstat: a row of names, then a row of values. */
export function parseKstatIo(text: string): [string, number][] {
  const lines = text.trim().split("\n");
  const names = (lines[1] ?? "").trim().split(/\s+/);
  const values = (lines[2] ?? "").trim().split(/\s+/);
  return names.map((n, i) => [n, Number(values[i])] as [string, number]).filter(([n]) => n !== "");
}

const POOL_STATES = ["degraded", "faulted", "offline", "online", "removed", "unavail"];

/** One pool: its io counters, datasets and state. */
export interface Zpool {
  readonly name: string;
  readonly io?: readonly [string, number][];
  readonly datasets: ReadonlyArray<{ name: string; values: readonly [string, number][] }>;
  readonly state?: string;
}

/** The families for the kstat files (file → rows) and the pools. */
export function zfsFamilies(
  kstats: ReadonlyArray<readonly [string, readonly [string, number][]]>,
  pools: readonly Zpool[] = [],
): MetricFamily[] {
  const set = new FamilySet();
  for (const [file, rows] of kstats) {
    const sub = ZFS_SUBSYSTEMS[file];
    if (!sub) continue;
    for (const [name, v] of rows) {
      set.add(
        `node_zfs_${sub}_${name.replaceAll("-", "_")}`,
        `kstat.zfs.misc.${file}.${name}`,
        "untyped",
        {},
        v,
      );
    }
  }
  for (const p of pools) {
    for (const [name, v] of p.io ?? []) {
      set.add(
        `node_zfs_zpool_${name}`,
        `kstat.zfs.misc.io.${name}`,
        "untyped",
        { zpool: p.name },
        v,
      );
    }
    for (const d of p.datasets) {
      for (const [name, v] of d.values) {
        set.add(`node_zfs_zpool_dataset_${name}`, `kstat.zfs.misc.objset.${name}`, "untyped", {
          dataset: d.name,
          zpool: p.name,
        }, v);
      }
    }
    if (p.state !== undefined) {
      const state = p.state.toLowerCase();
      for (const s of POOL_STATES) {
        set.add("node_zfs_zpool_state", "kstat.zfs.misc.state", "gauge", {
          state: s,
          zpool: p.name,
        }, s === state ? 1 : 0);
      }
    }
  }
  return set.list();
}

/** The zfs collector. */
export function zfsCollector(): Collector {
  return {
    name: "zfs",
    collect: ({ paths }) => {
      const base = at(paths.proc, "spl/kstat/zfs");
      const kstats: [string, [string, number][]][] = [];
      for (const file of Object.keys(ZFS_SUBSYSTEMS)) {
        const text = readOptional(`${base}/${file}`);
        if (text !== undefined) kstats.push([file, parseKstat(text).values]);
      }
      if (kstats.length === 0) throw new NoDataError("no /proc/spl/kstat/zfs (ZFS not loaded)");
      const pools = listDir(base).flatMap((name): Zpool[] => {
        const io = readOptional(`${base}/${name}/io`);
        if (io === undefined) return [];
        const datasets = listDir(`${base}/${name}`).filter((f) => f.startsWith("objset-"))
          .flatMap((f) => {
            const k = parseKstat(readOptional(`${base}/${name}/${f}`) ?? "");
            const ds = k.strings.get("dataset_name");
            return ds !== undefined ? [{ name: ds, values: k.values }] : [];
          });
        const state = readOptional(`${base}/${name}/state`)?.trim();
        return [{ name, io: parseKstatIo(io), datasets, ...(state ? { state } : {}) }];
      });
      return zfsFamilies(kstats, pools);
    },
  };
}
