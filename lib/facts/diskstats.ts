/**
 * The diskstats collector: `node_disk_*{device}` from /proc/diskstats (11, 15 or 17 stat
 * columns depending on the kernel; absent columns give absent families) and `node_disk_info`
 * with the filesystem, device-mapper and ATA families from udev's database, and node_exporter's
 * default device excludes.
 *
 * @module
 */
import { deviceFilter, type DeviceFilterOptions } from "./_filter.ts";
import { at, readAttr, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** node_exporter's `--collector.diskstats.device-exclude`. */
export const DEFAULT_DISK_EXCLUDE = "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";

/** One /proc/diskstats line. */
export interface DiskStats {
  readonly major: string;
  readonly minor: string;
  readonly device: string;
  /** The stat columns after the name, as numbers. */
  readonly stats: readonly number[];
}

/** Parses /proc/diskstats. */
export function parseDiskstats(text: string): DiskStats[] {
  const out: DiskStats[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    out.push({ major: f[0]!, minor: f[1]!, device: f[2]!, stats: f.slice(3).map(Number) });
  }
  return out;
}

const SECTOR = 512;
/** [column, name, help, type, scale] per stat column, as node_exporter names them. */
const COLUMNS: readonly [number, string, string, "counter" | "gauge", number][] = [
  [0, "reads_completed_total", "The total number of reads completed successfully.", "counter", 1],
  [1, "reads_merged_total", "The total number of reads merged.", "counter", 1],
  [2, "read_bytes_total", "The total number of bytes read successfully.", "counter", SECTOR],
  [
    3,
    "read_time_seconds_total",
    "The total number of seconds spent by all reads.",
    "counter",
    0.001,
  ],
  [4, "writes_completed_total", "The total number of writes completed successfully.", "counter", 1],
  [5, "writes_merged_total", "The number of writes merged.", "counter", 1],
  [6, "written_bytes_total", "The total number of bytes written successfully.", "counter", SECTOR],
  [
    7,
    "write_time_seconds_total",
    "This is the total number of seconds spent by all writes.",
    "counter",
    0.001,
  ],
  [8, "io_now", "The number of I/Os currently in progress.", "gauge", 1],
  [9, "io_time_seconds_total", "Total seconds spent doing I/Os.", "counter", 0.001],
  [
    10,
    "io_time_weighted_seconds_total",
    "The weighted # of seconds spent doing I/Os.",
    "counter",
    0.001,
  ],
  [
    11,
    "discards_completed_total",
    "The total number of discards completed successfully.",
    "counter",
    1,
  ],
  [12, "discards_merged_total", "The total number of discards merged.", "counter", 1],
  [
    13,
    "discarded_sectors_total",
    "The total number of sectors discarded successfully.",
    "counter",
    1,
  ],
  [
    14,
    "discard_time_seconds_total",
    "This is the total number of seconds spent by all discards.",
    "counter",
    0.001,
  ],
  [
    15,
    "flush_requests_total",
    "The total number of flush requests completed successfully",
    "counter",
    1,
  ],
  [
    16,
    "flush_requests_time_seconds_total",
    "This is the total number of seconds spent by all flush requests.",
    "counter",
    0.001,
  ],
];

/** [udev property, metric, help] of the ATA families (disks whose udev data has `ID_ATA`). */
const ATA: readonly [string, string, string][] = [
  [
    "ID_ATA_ROTATION_RATE_RPM",
    "ata_rotation_rate_rpm",
    "ATA disk rotation rate in RPMs (0 for SSDs).",
  ],
  ["ID_ATA_WRITE_CACHE", "ata_write_cache", "ATA disk has a write cache."],
  [
    "ID_ATA_WRITE_CACHE_ENABLED",
    "ata_write_cache_enabled",
    "ATA disk has its write cache enabled.",
  ],
];

/** udev properties of a block device (`E:KEY=value` lines of /run/udev/data/b<maj>:<min>). */
export function parseUdevData(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (!line.startsWith("E:")) continue;
    const eq = line.indexOf("=");
    if (eq > 2) out[line.slice(2, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** The families for parsed disks (already filtered) and their udev properties. */
export function diskstatsFamilies(
  disks: readonly DiskStats[],
  udev: ReadonlyMap<string, Record<string, string>> = new Map(),
): MetricFamily[] {
  const set = new FamilySet();
  for (const d of disks) {
    const p = udev.get(`${d.major}:${d.minor}`) ?? {};
    set.add("node_disk_info", "Info of /sys/block/<block_device>.", "gauge", {
      device: d.device,
      major: d.major,
      minor: d.minor,
      model: p.ID_MODEL ?? "",
      path: p.ID_PATH ?? "",
      revision: p.ID_REVISION ?? "",
      serial: p.ID_SERIAL_SHORT ?? "",
      wwn: p.ID_WWN ?? "",
    }, 1);
  }
  for (const d of disks) {
    const p = udev.get(`${d.major}:${d.minor}`);
    if (!p?.ID_FS_TYPE) continue;
    set.add("node_disk_filesystem_info", "Info about disk filesystem.", "gauge", {
      device: d.device,
      type: p.ID_FS_TYPE,
      usage: p.ID_FS_USAGE ?? "",
      uuid: p.ID_FS_UUID ?? "",
      version: p.ID_FS_VERSION ?? "",
    }, 1);
  }
  for (const d of disks) {
    const p = udev.get(`${d.major}:${d.minor}`);
    if (!p?.DM_NAME) continue;
    set.add("node_disk_device_mapper_info", "Info about disk device mapper.", "gauge", {
      device: d.device,
      name: p.DM_NAME,
      uuid: p.DM_UUID ?? "",
      vg_name: p.DM_VG_NAME ?? "",
      lv_name: p.DM_LV_NAME ?? "",
      lv_layer: p.DM_LV_LAYER ?? "",
    }, 1);
  }
  for (const [key, name, help] of ATA) {
    for (const d of disks) {
      const p = udev.get(`${d.major}:${d.minor}`);
      const v = p?.ID_ATA ? Number(p[key]) : NaN;
      if (p?.[key] !== undefined && Number.isFinite(v)) {
        set.add(`node_disk_${name}`, help, "gauge", { device: d.device }, v);
      }
    }
  }
  for (const [col, name, help, type, scale] of COLUMNS) {
    for (const d of disks) {
      const v = d.stats[col];
      if (v === undefined || !Number.isFinite(v)) continue;
      set.add(`node_disk_${name}`, help, type, { device: d.device }, v * scale);
    }
  }
  return set.list();
}

/** Options of the diskstats collector. */
export type DiskstatsOptions = DeviceFilterOptions;

/** The diskstats collector. */
export function diskstatsCollector(options: DiskstatsOptions = {}): Collector {
  const keep = deviceFilter(options, DEFAULT_DISK_EXCLUDE);
  return {
    name: "diskstats",
    collect({ paths }) {
      const disks = parseDiskstats(readText(at(paths.proc, "diskstats")))
        .filter((d) => keep(d.device));
      const udev = new Map<string, Record<string, string>>();
      for (const d of disks) {
        // udev's database lives on /run (tmpfs): a synchronous read never waits on a disk.
        const key = `${d.major}:${d.minor}`;
        const text = readAttr(at(paths.udev, `b${key}`));
        if (text) udev.set(key, parseUdevData(text));
      }
      return diskstatsFamilies(disks, udev);
    },
  };
}
