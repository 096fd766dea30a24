/**
 * The ksmd collector (off by default, as in node_exporter): kernel samepage merging state from
 * /sys/kernel/mm/ksm, one family per file.
 *
 * @module
 */
import { at, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { type MetricFamily, single } from "./metric.ts";

/** The files read, in node_exporter's order. */
export const KSMD_FILES = [
  "full_scans",
  "merge_across_nodes",
  "pages_shared",
  "pages_sharing",
  "pages_to_scan",
  "pages_unshared",
  "pages_volatile",
  "run",
  "sleep_millisecs",
] as const;

/** The families for the files' values (`undefined` for a file that is absent). */
export function ksmdFamilies(
  values: Readonly<Partial<Record<(typeof KSMD_FILES)[number], number>>>,
): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const file of KSMD_FILES) {
    const v = values[file];
    if (v === undefined) continue;
    const help = `ksmd '${file}' file.`;
    if (file === "full_scans") out.push(single("node_ksmd_full_scans_total", help, v, "counter"));
    else if (file === "sleep_millisecs") {
      out.push(single("node_ksmd_sleep_seconds", help, v / 1000));
    } else out.push(single(`node_ksmd_${file}`, help, v));
  }
  return out;
}

/** The ksmd collector. */
export function ksmdCollector(): Collector {
  return {
    name: "ksmd",
    collect: ({ paths }) => {
      const values: Partial<Record<(typeof KSMD_FILES)[number], number>> = {};
      for (const file of KSMD_FILES) {
        const text = readAttr(at(paths.sys, `kernel/mm/ksm/${file}`));
        if (text !== undefined) values[file] = Number(text);
      }
      if (Object.keys(values).length === 0) throw new NoDataError("no /sys/kernel/mm/ksm");
      return ksmdFamilies(values);
    },
  };
}
