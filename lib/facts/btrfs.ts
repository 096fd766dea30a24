/**
 * The btrfs collector: per filesystem (by UUID) from /sys/fs/btrfs: label, global reserve,
 * device sizes, and for data, metadata and system the reserved bytes and each RAID layout's size, use
 * and allocation ratio, as node_exporter 1.5 exports them.
 *
 * @module
 */
import { at, listDir, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** A block-group type's reserved bytes and layouts. */
export interface BtrfsAllocation {
  readonly reserved: number;
  readonly layouts: ReadonlyArray<{ mode: string; total: number; used: number }>;
}

/** One btrfs filesystem. */
export interface Btrfs {
  readonly uuid: string;
  readonly label: string;
  readonly globalRsvSize: number;
  /** Device name → size in bytes. */
  readonly devices: ReadonlyArray<readonly [string, number]>;
  readonly data?: BtrfsAllocation;
  readonly metadata?: BtrfsAllocation;
  readonly system?: BtrfsAllocation;
}

/** Bytes allocated on disk per byte of data for a RAID mode over `devices` devices. */
export function allocationRatio(mode: string, devices: number): number {
  switch (mode) {
    case "raid1":
    case "raid10":
    case "dup":
      return 2;
    case "raid1c3":
      return 3;
    case "raid1c4":
      return 4;
    case "raid5":
      return devices > 1 ? devices / (devices - 1) : 0;
    case "raid6":
      return devices > 2 ? devices / (devices - 2) : 0;
    default:
      return 1;
  }
}

/** The families for the filesystems. */
export function btrfsFamilies(filesystems: readonly Btrfs[]): MetricFamily[] {
  const set = new FamilySet();
  for (const fs of filesystems) {
    const uuid = fs.uuid;
    set.add("node_btrfs_info", "Filesystem information", "gauge", { label: fs.label, uuid }, 1);
    set.add(
      "node_btrfs_global_rsv_size_bytes",
      "Size of global reserve.",
      "gauge",
      { uuid },
      fs.globalRsvSize,
    );
    for (const [device, size] of fs.devices) {
      set.add(
        "node_btrfs_device_size_bytes",
        "Size of a device that is part of the filesystem.",
        "gauge",
        { device, uuid },
        size,
      );
    }
    for (
      const [type, a] of [["data", fs.data], ["metadata", fs.metadata], [
        "system",
        fs.system,
      ]] as const
    ) {
      if (!a) continue;
      set.add(
        "node_btrfs_reserved_bytes",
        "Amount of space reserved for a data type",
        "gauge",
        { block_group_type: type, uuid },
        a.reserved,
      );
      for (const l of a.layouts) {
        const labels = { block_group_type: type, mode: l.mode, uuid };
        set.add(
          "node_btrfs_size_bytes",
          "Amount of space allocated for a layout/data type",
          "gauge",
          labels,
          l.total,
        );
        set.add(
          "node_btrfs_used_bytes",
          "Amount of used space by a layout/data type",
          "gauge",
          labels,
          l.used,
        );
        set.add(
          "node_btrfs_allocation_ratio",
          "Data allocation ratio for a layout/data type",
          "gauge",
          labels,
          allocationRatio(l.mode, fs.devices.length),
        );
      }
    }
  }
  return set.list();
}

/** The btrfs collector. */
export function btrfsCollector(): Collector {
  return {
    name: "btrfs",
    collect: ({ paths }) => {
      const base = at(paths.sys, "fs/btrfs");
      const num = (p: string) => Number(readAttr(p) ?? 0);
      const filesystems = listDir(base).filter((d) => /^[0-9a-f-]{36}$/.test(d)).map((uuid) => {
        const dir = `${base}/${uuid}`;
        const allocation = (type: string): BtrfsAllocation | undefined => {
          const t = `${dir}/allocation/${type}`;
          if (readAttr(`${t}/total_bytes`) === undefined) return undefined;
          return {
            reserved: num(`${t}/bytes_reserved`),
            layouts: listDir(t).filter((m) => readAttr(`${t}/${m}/total_bytes`) !== undefined)
              .map((mode) => ({
                mode,
                total: num(`${t}/${mode}/total_bytes`),
                used: num(`${t}/${mode}/used_bytes`),
              })),
          };
        };
        const data = allocation("data");
        const metadata = allocation("metadata");
        const system = allocation("system");
        return {
          uuid,
          label: readAttr(`${dir}/label`) ?? "",
          globalRsvSize: num(`${dir}/allocation/global_rsv_size`),
          // sysfs gives device sizes in 512-byte sectors.
          devices: listDir(`${dir}/devices`).map((d) =>
            [d, num(`${dir}/devices/${d}/size`) * 512] as const
          ),
          ...(data ? { data } : {}),
          ...(metadata ? { metadata } : {}),
          ...(system ? { system } : {}),
        };
      });
      return btrfsFamilies(filesystems);
    },
  };
}
