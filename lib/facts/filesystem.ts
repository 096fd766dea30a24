/**
 * The filesystem collector: size, free, avail, files, files_free, readonly and device_error by
 * `{device,fstype,mountpoint}`, with node_exporter's default excludes (Debian's mount-point
 * list). Each `statfs` has its own timeout: a mount that does not answer (a dead NFS server) is
 * reported with `device_error 1` and skipped on later runs until its call returns, so a hung
 * mount never hangs a scrape and never piles up blocked calls.
 *
 * @module
 */
import { type FsStats, statfs } from "./_statfs.ts";
import { at, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** Debian's `--collector.filesystem.mount-points-exclude`. */
export const DEFAULT_MOUNT_POINTS_EXCLUDE =
  "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
/** node_exporter's `--collector.filesystem.fs-types-exclude`. */
export const DEFAULT_FS_TYPES_EXCLUDE =
  "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";
/** node_exporter's `--collector.filesystem.mount-timeout`. */
export const DEFAULT_MOUNT_TIMEOUT_MS = 5000;

/** One line of /proc/mounts. */
export interface MountEntry {
  readonly device: string;
  readonly mountpoint: string;
  readonly fstype: string;
  readonly options: string;
}

/** Undoes the kernel's octal escapes in /proc/mounts fields (`\040` is a space). */
export function unescapeMount(s: string): string {
  return s.includes("\\")
    ? s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
    : s;
}

/** Parses /proc/mounts (or /etc/mtab); short lines are skipped. */
export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    out.push({
      device: unescapeMount(f[0]!),
      mountpoint: unescapeMount(f[1]!),
      fstype: f[2]!,
      options: f[3]!,
    });
  }
  return out;
}

export type { FsStats };

/** A mount's result: its stats, or an error flag. */
export interface FsResult {
  readonly mount: MountEntry;
  readonly stats?: FsStats;
}

/** Mounts left after the excludes, without duplicate label sets (bind mounts seen twice). */
export function selectMounts(
  mounts: readonly MountEntry[],
  options: { mountPointsExclude: RegExp; fsTypesExclude: RegExp },
): MountEntry[] {
  const seen = new Set<string>();
  const out: MountEntry[] = [];
  for (const m of mounts) {
    if (options.mountPointsExclude.test(m.mountpoint)) continue;
    if (options.fsTypesExclude.test(m.fstype)) continue;
    const key = `${m.device}\0${m.fstype}\0${m.mountpoint}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(m);
  }
  return out;
}

/** The families for statfs results. */
export function filesystemFamilies(results: readonly FsResult[]): MetricFamily[] {
  const set = new FamilySet();
  const g = (name: string, help: string, labels: Record<string, string>, v: number) =>
    set.add(`node_filesystem_${name}`, help, "gauge", labels, v);
  for (const { mount, stats } of results) {
    const labels = { device: mount.device, fstype: mount.fstype, mountpoint: mount.mountpoint };
    const ro = mount.options.split(",").includes("ro") ? 1 : 0;
    g(
      "device_error",
      "Whether an error occurred while getting statistics for the given device.",
      labels,
      stats ? 0 : 1,
    );
    // Like node_exporter, a mount whose statfs failed reports only its error.
    if (!stats) continue;
    g("readonly", "Filesystem read-only status.", labels, ro);
    g("size_bytes", "Filesystem size in bytes.", labels, stats.blocks * stats.bsize);
    g("free_bytes", "Filesystem free space in bytes.", labels, stats.bfree * stats.bsize);
    g(
      "avail_bytes",
      "Filesystem space available to non-root users in bytes.",
      labels,
      stats.bavail * stats.bsize,
    );
    g("files", "Filesystem total file nodes.", labels, stats.files);
    g("files_free", "Filesystem total free file nodes.", labels, stats.ffree);
  }
  return set.list();
}

/** Options of the filesystem collector. */
export interface FilesystemOptions {
  readonly mountPointsExclude?: string | undefined;
  readonly fsTypesExclude?: string | undefined;
  /** How long one `statfs` may take before the mount is reported as failed. */
  readonly mountTimeoutMs?: number | undefined;
  /** The statfs call; replaceable so the stuck-mount logic can be exercised. */
  readonly statfs?: (path: string) => Promise<FsStats>;
}

/** The filesystem collector. Keeps the set of mounts whose statfs is still pending. */
export function filesystemCollector(options: FilesystemOptions = {}): Collector {
  const select = {
    mountPointsExclude: new RegExp(options.mountPointsExclude ?? DEFAULT_MOUNT_POINTS_EXCLUDE),
    fsTypesExclude: new RegExp(options.fsTypesExclude ?? DEFAULT_FS_TYPES_EXCLUDE),
  };
  const timeoutMs = options.mountTimeoutMs ?? DEFAULT_MOUNT_TIMEOUT_MS;
  const doStatfs = options.statfs ?? statfs;
  /** Mount points whose statfs has not returned yet. */
  const stuck = new Set<string>();

  const statOne = async (path: string): Promise<FsStats | undefined> => {
    if (stuck.has(path)) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const call = doStatfs(path).then(
      (s) => s,
      () => undefined,
    );
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const r = await Promise.race([call, timeout]);
    clearTimeout(timer);
    if (r !== "timeout") return r;
    stuck.add(path);
    // The call is still blocked in the kernel; the mount is retried once it returns.
    call.finally(() => stuck.delete(path));
    return undefined;
  };

  return {
    name: "filesystem",
    async collect({ paths }) {
      const text = (await readOptional(at(paths.proc, "1/mounts"))) ??
        (await Deno.readTextFile(at(paths.proc, "self/mounts")));
      const mounts = selectMounts(parseMounts(text), select);
      const root = paths.root.replace(/\/+$/, "");
      const results = await Promise.all(mounts.map(async (mount) => {
        const stats = await statOne(`${root}${mount.mountpoint}` || "/");
        return stats ? { mount, stats } : { mount };
      }));
      return filesystemFamilies(results);
    },
  };
}
