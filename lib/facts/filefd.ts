/**
 * The filefd collector: `node_filefd_allocated` and `node_filefd_maximum` from
 * /proc/sys/fs/file-nr.
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { type MetricFamily, single } from "./metric.ts";

/** Parses /proc/sys/fs/file-nr (`allocated unused maximum`). */
export function parseFileNr(text: string): { allocated: number; maximum: number } {
  const f = text.trim().split(/\s+/).map(Number);
  if (f.length < 3 || !Number.isFinite(f[0]) || !Number.isFinite(f[2])) {
    throw new Error(`unexpected file-nr content: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { allocated: f[0]!, maximum: f[2]! };
}

/** The families for parsed file-nr values. */
export function filefdFamilies(v: { allocated: number; maximum: number }): MetricFamily[] {
  return [
    single("node_filefd_allocated", "File descriptor statistics: allocated.", v.allocated),
    single("node_filefd_maximum", "File descriptor statistics: maximum.", v.maximum),
  ];
}

/** The filefd collector. */
export function filefdCollector(): Collector {
  return {
    name: "filefd",
    collect({ paths }) {
      return filefdFamilies(parseFileNr(readText(at(paths.proc, "sys/fs/file-nr"))));
    },
  };
}
