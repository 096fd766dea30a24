/**
 * The tapestats collector: I/O statistics of SCSI tape drives from /sys/class/scsi_tape/st<N>/stats.
 *
 * @module
 */
import { at, listSubsystem, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** [stats file, metric, help, type, divisor]. */
const STATS: readonly [string, string, string, "gauge" | "counter", number][] = [
  ["in_flight", "io_now", "The number of I/Os currently outstanding to this device.", "gauge", 1],
  [
    "io_ns",
    "io_time_seconds_total",
    "The amount of time spent waiting for all I/O to complete (including read and write). This includes tape movement commands such as seeking between file or set marks and implicit tape movement such as when rewind on close tape devices are used.",
    "counter",
    1e9,
  ],
  [
    "other_cnt",
    "io_others_total",
    "The number of I/Os issued to the tape drive other than read or write commands. The time taken to complete these commands uses the following calculation io_time_seconds_total-read_time_seconds_total-write_time_seconds_total",
    "counter",
    1,
  ],
  [
    "read_byte_cnt",
    "read_bytes_total",
    "The number of bytes read from the tape drive.",
    "counter",
    1,
  ],
  [
    "read_cnt",
    "reads_completed_total",
    "The number of read requests issued to the tape drive.",
    "counter",
    1,
  ],
  [
    "read_ns",
    "read_time_seconds_total",
    "The amount of time spent waiting for read requests to complete.",
    "counter",
    1e9,
  ],
  [
    "resid_cnt",
    "residual_total",
    "The number of times during a read or write we found the residual amount to be non-zero. This should mean that a program is issuing a read larger thean the block size on tape. For write not all data made it to tape.",
    "counter",
    1,
  ],
  [
    "write_byte_cnt",
    "written_bytes_total",
    "The number of bytes written to the tape drive.",
    "counter",
    1,
  ],
  [
    "write_cnt",
    "writes_completed_total",
    "The number of write requests issued to the tape drive.",
    "counter",
    1,
  ],
  [
    "write_ns",
    "write_time_seconds_total",
    "The amount of time spent waiting for write requests to complete.",
    "counter",
    1e9,
  ],
];

/** The stats files a drive needs read. */
export const TAPE_FILES: readonly string[] = STATS.map(([f]) => f);

/** The families for each drive's stats (file → text). */
export function tapestatsFamilies(
  drives: ReadonlyArray<readonly [string, Readonly<Record<string, string | undefined>>]>,
): MetricFamily[] {
  const set = new FamilySet();
  for (const [device, s] of drives) {
    for (const [file, name, help, type, div] of STATS) {
      const v = Number(s[file]);
      if (s[file] !== undefined && Number.isFinite(v)) {
        set.add(`node_tape_${name}`, help, type, { device }, v / div);
      }
    }
  }
  return set.list();
}

/** The tapestats collector. */
export function tapestatsCollector(
  options: { ignoredDevices?: string | undefined } = {},
): Collector {
  const ignored = new RegExp(options.ignoredDevices ?? "^$");
  return {
    name: "tapestats",
    collect: ({ paths }) => {
      const base = at(paths.sys, "class/scsi_tape");
      // st0 is the drive; nst0, st0a, st0l, st0m are other views of it.
      const drives = listSubsystem(base).filter((d) => /^st\d+$/.test(d) && !ignored.test(d)).map(
        (d) =>
          [
            d,
            Object.fromEntries(TAPE_FILES.map((f) => [f, readAttr(`${base}/${d}/stats/${f}`)])),
          ] as const,
      );
      return tapestatsFamilies(drives);
    },
  };
}
