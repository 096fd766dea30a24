/**
 * The slabinfo collector (off by default, as in node_exporter): kernel slab caches from
 * /proc/slabinfo (readable by root only), with include/exclude regexes on the cache name.
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** One slab cache. */
export interface Slab {
  readonly name: string;
  readonly activeObjects: number;
  readonly objects: number;
  readonly objectSize: number;
  readonly objectsPerSlab: number;
  readonly pagesPerSlab: number;
}

/** Parses /proc/slabinfo version 2.x. */
export function parseSlabinfo(text: string): Slab[] {
  const out: Slab[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("slabinfo") || line.startsWith("#")) continue;
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    out.push({
      name: f[0]!,
      activeObjects: Number(f[1]),
      objects: Number(f[2]),
      objectSize: Number(f[3]),
      objectsPerSlab: Number(f[4]),
      pagesPerSlab: Number(f[5]),
    });
  }
  return out;
}

const FIELDS: readonly [keyof Slab, string, string][] = [
  [
    "activeObjects",
    "active_objects",
    "The number of objects that are currently active (i.e., in use).",
  ],
  ["objectSize", "object_size_bytes", "The size of objects in this slab, in bytes."],
  [
    "objects",
    "objects",
    "The total number of allocated objects (i.e., objects that are both in use and not in use).",
  ],
  ["objectsPerSlab", "objects_per_slab", "The number of objects stored in each slab."],
  ["pagesPerSlab", "pages_per_slab", "The number of pages allocated for each slab."],
];

/** The families for the slabs. */
export function slabinfoFamilies(slabs: readonly Slab[]): MetricFamily[] {
  const set = new FamilySet();
  for (const [key, name, help] of FIELDS) {
    for (const s of slabs) {
      set.add(`node_slabinfo_${name}`, help, "gauge", { slab: s.name }, s[key] as number);
    }
  }
  return set.list();
}

/** Options of the slabinfo collector. */
export interface SlabinfoOptions {
  /** Regex of the caches to keep (default all). */
  readonly slabInclude?: string | undefined;
  /** Regex of the caches to leave out (default none). */
  readonly slabExclude?: string | undefined;
}

/** The slabinfo collector. */
export function slabinfoCollector(options: SlabinfoOptions = {}): Collector {
  const include = new RegExp(options.slabInclude ?? ".*");
  const exclude = new RegExp(options.slabExclude ?? "^$");
  return {
    name: "slabinfo",
    collect: ({ paths }) =>
      slabinfoFamilies(
        parseSlabinfo(readText(at(paths.proc, "slabinfo")))
          .filter((s) => include.test(s.name) && !exclude.test(s.name)),
      ),
  };
}
