/**
 * The collector contract: a named source of metric families, read fresh on every run. Each
 * collector lives in its own file with pure `parse*(text)` functions; the scraper runs them
 * concurrently with a timeout each (a hung mount must not hang a scrape). A collector that only
 * reads /proc and /sys returns its families synchronously (so its duration is its own); one
 * that waits on I/O (statfs, files on disk, commands) returns a promise.
 *
 * @module
 */
import type { MetricFamily } from "./metric.ts";

/** Where the kernel's pseudo filesystems are (node_exporter's `--path.procfs/sysfs/rootfs`). */
export interface ProcPaths {
  /** procfs mount, default `/proc`. */
  readonly proc: string;
  /** sysfs mount, default `/sys`. */
  readonly sys: string;
  /** The host's root, default `/` (a container can mount the host's root elsewhere). */
  readonly root: string;
  /** udev's database of device properties, default `/run/udev/data`. */
  readonly udev: string;
}

/** The default paths. */
export const DEFAULT_PATHS: ProcPaths = {
  proc: "/proc",
  sys: "/sys",
  root: "/",
  udev: "/run/udev/data",
};

/** What a collector gets for one run. */
export interface CollectContext {
  readonly paths: ProcPaths;
  /** Aborted when the collector's timeout passes; commands it runs are killed. */
  readonly signal: AbortSignal;
}

/** A source of metric families. */
export interface Collector {
  /** The name used in config, `collect[]` filters and `node_scrape_collector_*{collector}`. */
  readonly name: string;
  /** Its own longest run (ms), used when the config sets no timeout for it. */
  readonly timeoutMs?: number;
  /** Reads and returns the families; throws (or rejects) when the source cannot be read. */
  collect(ctx: CollectContext): MetricFamily[] | Promise<MetricFamily[]>;
}
