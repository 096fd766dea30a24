/**
 * The xfs collector: per-filesystem XFS statistics from /sys/fs/xfs/<device>/stats/stats, named
 * as in node_exporter.
 *
 * @module
 */
import { at, listDir, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** The lines of an XFS stats file: first word → numbers. */
export function parseXfsStats(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of text.split("\n")) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key) out.set(key, rest.map(Number));
  }
  return out;
}

/** [stats line, column, metric, help]. */
const FIELDS: readonly [string, number, string, string][] = [
  [
    "extent_alloc",
    0,
    "extent_allocation_extents_allocated",
    "Number of extents allocated for a filesystem.",
  ],
  [
    "extent_alloc",
    1,
    "extent_allocation_blocks_allocated",
    "Number of blocks allocated for a filesystem.",
  ],
  [
    "extent_alloc",
    2,
    "extent_allocation_extents_freed",
    "Number of extents freed for a filesystem.",
  ],
  ["extent_alloc", 3, "extent_allocation_blocks_freed", "Number of blocks freed for a filesystem."],
  ["abt", 0, "allocation_btree_lookups", "Number of allocation B-tree lookups for a filesystem."],
  ["abt", 1, "allocation_btree_compares", "Number of allocation B-tree compares for a filesystem."],
  [
    "abt",
    2,
    "allocation_btree_records_inserted",
    "Number of allocation B-tree records inserted for a filesystem.",
  ],
  [
    "abt",
    3,
    "allocation_btree_records_deleted",
    "Number of allocation B-tree records deleted for a filesystem.",
  ],
  [
    "blk_map",
    0,
    "block_mapping_reads",
    "Number of block map for read operations for a filesystem.",
  ],
  [
    "blk_map",
    1,
    "block_mapping_writes",
    "Number of block map for write operations for a filesystem.",
  ],
  ["blk_map", 2, "block_mapping_unmaps", "Number of block unmaps (deletes) for a filesystem."],
  [
    "blk_map",
    3,
    "block_mapping_extent_list_insertions",
    "Number of extent list insertions for a filesystem.",
  ],
  [
    "blk_map",
    4,
    "block_mapping_extent_list_deletions",
    "Number of extent list deletions for a filesystem.",
  ],
  [
    "blk_map",
    5,
    "block_mapping_extent_list_lookups",
    "Number of extent list lookups for a filesystem.",
  ],
  [
    "blk_map",
    6,
    "block_mapping_extent_list_compares",
    "Number of extent list compares for a filesystem.",
  ],
  ["bmbt", 0, "block_map_btree_lookups", "Number of block map B-tree lookups for a filesystem."],
  ["bmbt", 1, "block_map_btree_compares", "Number of block map B-tree compares for a filesystem."],
  [
    "bmbt",
    2,
    "block_map_btree_records_inserted",
    "Number of block map B-tree records inserted for a filesystem.",
  ],
  [
    "bmbt",
    3,
    "block_map_btree_records_deleted",
    "Number of block map B-tree records deleted for a filesystem.",
  ],
  [
    "dir",
    0,
    "directory_operation_lookup",
    "Number of file name directory lookups which miss the operating systems directory name lookup cache.",
  ],
  [
    "dir",
    1,
    "directory_operation_create",
    "Number of times a new directory entry was created for a filesystem.",
  ],
  [
    "dir",
    2,
    "directory_operation_remove",
    "Number of times an existing directory entry was created for a filesystem.",
  ],
  [
    "dir",
    3,
    "directory_operation_getdents",
    "Number of times the directory getdents operation was performed for a filesystem.",
  ],
  [
    "ig",
    0,
    "inode_operation_attempts",
    "Number of times the OS looked for an XFS inode in the inode cache.",
  ],
  [
    "ig",
    1,
    "inode_operation_found",
    "Number of times the OS looked for and found an XFS inode in the inode cache.",
  ],
  [
    "ig",
    2,
    "inode_operation_recycled",
    "Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled.",
  ],
  [
    "ig",
    3,
    "inode_operation_missed",
    "Number of times the OS looked for an XFS inode in the cache, but did not find it.",
  ],
  [
    "ig",
    4,
    "inode_operation_duplicates",
    "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already been added by another process.",
  ],
  [
    "ig",
    5,
    "inode_operation_reclaims",
    "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose.",
  ],
  [
    "ig",
    6,
    "inode_operation_attribute_changes",
    "Number of times the OS explicitly changed the attributes of an XFS inode.",
  ],
  ["rw", 0, "write_calls", "Number of write(2) system calls made to files in a filesystem."],
  ["rw", 1, "read_calls", "Number of read(2) system calls made to files in a filesystem."],
  ["vnodes", 0, "vnode_active", "Number of vnodes not on free lists for a filesystem."],
  ["vnodes", 1, "vnode_allocate", "Number of times vn_alloc called for a filesystem."],
  ["vnodes", 2, "vnode_get", "Number of times vn_get called for a filesystem."],
  ["vnodes", 3, "vnode_hold", "Number of times vn_hold called for a filesystem."],
  ["vnodes", 4, "vnode_release", "Number of times vn_rele called for a filesystem."],
  ["vnodes", 5, "vnode_reclaim", "Number of times vn_reclaim called for a filesystem."],
  ["vnodes", 6, "vnode_remove", "Number of times vn_remove called for a filesystem."],
];

/** The families for each device's parsed stats. */
export function xfsFamilies(
  devices: ReadonlyArray<readonly [string, ReadonlyMap<string, readonly number[]>]>,
): MetricFamily[] {
  const set = new FamilySet();
  for (const [line, col, name, help] of FIELDS) {
    for (const [device, stats] of devices) {
      const v = stats.get(line)?.[col];
      if (v !== undefined) set.add(`node_xfs_${name}_total`, help, "counter", { device }, v);
    }
  }
  return set.list();
}

/** The xfs collector. */
export function xfsCollector(): Collector {
  return {
    name: "xfs",
    collect: ({ paths }) => {
      const base = at(paths.sys, "fs/xfs");
      const devices = listDir(base).flatMap((d) => {
        const text = readOptional(`${base}/${d}/stats/stats`);
        return text !== undefined ? [[d, parseXfsStats(text)] as const] : [];
      });
      return xfsFamilies(devices);
    },
  };
}
