/**
 * The facts file (`facts.*`) as the loader returns it, as TypeScript types: durations in
 * milliseconds. `facts_schema.ts` validates it; `tests/lib/config/types_test.ts` fails the type
 * check when these types and the schema's `z.output` differ.
 *
 * @module
 */
import type { S3Target } from "../sinks/config_types.ts";

/** The top level of `facts.*`. */
export interface FactsConfig {
  /** Default push interval of exporters and the agent's poll, in ms (default 60s). */
  interval?: number | undefined;
  /** Default per-collector timeout in ms (default 8s): a collector that takes longer fails alone. */
  timeout?: number | undefined;
  /** Where procfs, sysfs and the host's root are (for containers that mount the host's). */
  paths?: FactsPaths | undefined;
  /** The collectors' switches and options, by collector name. */
  collectors?: CollectorsConfig | undefined;
  /** Warn and crit bounds on metrics' series. */
  thresholds?: ThresholdConfig[] | undefined;
  /** The /metrics endpoint. */
  serve?: ServeConfig | undefined;
  /** Where snapshots are pushed on an interval. */
  exporters?: ExporterConfig[] | undefined;
}

/** Where procfs, sysfs and the host's root are. */
export interface FactsPaths {
  /** procfs (default `/proc`). */
  procfs?: string | undefined;
  /** sysfs (default `/sys`). */
  sysfs?: string | undefined;
  /** The host's root file system (default `/`). */
  rootfs?: string | undefined;
  /** udev's database of device properties (default `/run/udev/data`). */
  udev_data?: string | undefined;
}

/** Keys every collector takes. */
export interface CollectorOptions {
  /** Turn the collector on or off (each has a default, as in node_exporter). */
  enabled?: boolean | undefined;
  /**
   * Run at most this often (ms) and serve the last result in between. Without it the collector
   * reads fresh data at every scrape, as node_exporter does.
   */
  interval?: number | undefined;
  /** Longest one run may take, in ms, before it counts as failed (default: the top-level `timeout`). */
  timeout?: number | undefined;
}

/** A collector that reads per-device data (arp, diskstats, netdev). */
export interface DeviceCollectorOptions extends CollectorOptions {
  /** Regex of the devices to report (not with `device_exclude`). */
  device_include?: string | undefined;
  /** Regex of the devices to leave out (not with `device_include`). */
  device_exclude?: string | undefined;
}

/** The bcache collector. */
export interface BcacheCollectorOptions extends CollectorOptions {
  /** Also read each cache device's priority_stats (slow on large caches). */
  priority_stats?: boolean | undefined;
}

/** One command of the command collector. */
export interface CommandMetric {
  /** Metric name (prefix for JSON output) and the `command` label. */
  name: string;
  /** argv (no shell), or a string run with /bin/sh -c. */
  command: string[] | string;
  /** Longest the command may run, in ms. */
  timeout?: number | undefined;
  /** The metric's HELP text. */
  help?: string | undefined;
  /** Labels added to the command's samples. */
  labels?: Record<string, string> | undefined;
}

/** The command collector: metrics from commands' output. */
export interface CommandCollectorOptions extends CollectorOptions {
  /** The commands to run (the collector is on when there are any). */
  commands?: CommandMetric[] | undefined;
}

/** The cpu collector. */
export interface CpuCollectorOptions extends CollectorOptions {
  /** Export `node_cpu_info` from /proc/cpuinfo (node_exporter's `--collector.cpu.info`). */
  info?: boolean | undefined;
  /** Regex of the first core's `flags` to export as `node_cpu_flag_info`. */
  flags_include?: string | undefined;
  /** Regex of the first core's `bugs` to export as `node_cpu_bug_info`. */
  bugs_include?: string | undefined;
}

/** The filesystem collector. */
export interface FilesystemCollectorOptions extends CollectorOptions {
  /** Regex of mount points to leave out (default: node_exporter's, /dev, /proc, /sys, ...). */
  mount_points_exclude?: string | undefined;
  /** Regex of file system types to leave out (default: node_exporter's, proc, sysfs, tmpfs, ...). */
  fs_types_exclude?: string | undefined;
  /** Longest one statfs may take, in ms; a mount that does not answer is skipped until it does. */
  mount_timeout?: number | undefined;
}

/** A label the ipvs collector can sum backends by. */
export type IpvsBackendLabel =
  | "local_address"
  | "local_port"
  | "remote_address"
  | "remote_port"
  | "proto"
  | "local_mark";

/** The ipvs collector. */
export interface IpvsCollectorOptions extends CollectorOptions {
  /** The labels backends are summed by (default all six). */
  backend_labels?: IpvsBackendLabel[] | undefined;
}

/** The netclass collector. */
export interface NetclassCollectorOptions extends CollectorOptions {
  /** Regex of network devices to leave out. */
  ignored_devices?: string | undefined;
  /** Leave out `node_network_speed_bytes` where the kernel reports an unknown speed (-1). */
  ignore_invalid_speed?: boolean | undefined;
}

/** A collector that exports the fields a regex selects (netstat, vmstat). */
export interface FieldsCollectorOptions extends CollectorOptions {
  /** Regex of the fields to export (default: node_exporter's). */
  fields?: string | undefined;
}

/** The powersupplyclass collector. */
export interface PowerSupplyCollectorOptions extends CollectorOptions {
  /** Regex of power supplies to leave out. */
  ignored_supplies?: string | undefined;
}

/** A group of processes of the process collector. */
export interface ProcessGroup {
  /** The `name` label. */
  name: string;
  /** Regex matched against the command name (or the command line with `cmdline: true`). */
  pattern: string;
  /** Match `pattern` against the whole command line. */
  cmdline?: boolean | undefined;
}

/** The process collector: per-group process metrics. */
export interface ProcessCollectorOptions extends CollectorOptions {
  /** The process groups (the collector is on when there are any). */
  groups?: ProcessGroup[] | undefined;
}

/** The slabinfo collector. */
export interface SlabinfoCollectorOptions extends CollectorOptions {
  /** Regex of the slabs to report. */
  slab_include?: string | undefined;
  /** Regex of the slabs to leave out. */
  slab_exclude?: string | undefined;
}

/** The stat collector. */
export interface StatCollectorOptions extends CollectorOptions {
  /** Export `node_softirqs_total{vector}` (node_exporter's `--collector.stat.softirq`). */
  softirq?: boolean | undefined;
}

/** The sysctl collector. */
export interface SysctlCollectorOptions extends CollectorOptions {
  /** Numeric parameters: `kernel.threads-max`, or `fs.file-nr:total,current,max` to name fields. */
  include?: string[] | undefined;
  /** String parameters, exported as `node_sysctl_info{name,index,value}`. */
  include_info?: string[] | undefined;
}

/** The systemd collector. */
export interface SystemdCollectorOptions extends CollectorOptions {
  /** Regex of the units to report (default all). */
  unit_include?: string | undefined;
  /** Regex of the units to leave out (default: automount, device, mount, scope, slice, target). */
  unit_exclude?: string | undefined;
}

/** The tapestats collector. */
export interface TapestatsCollectorOptions extends CollectorOptions {
  /** Regex of tape devices to leave out. */
  ignored_devices?: string | undefined;
}

/** The textfile collector. */
export interface TextfileCollectorOptions extends CollectorOptions {
  /** Directory of `*.prom` files (default `/var/lib/prometheus/node-exporter`). */
  directory?: string | undefined;
}

/** The collectors, by name: node_exporter's, with their flags as snake_case options. */
export interface CollectorsConfig {
  /** ARP table entries per device. */
  arp?: DeviceCollectorOptions | undefined;
  /** bcache statistics. */
  bcache?: BcacheCollectorOptions | undefined;
  /** Bonded interfaces' slaves. */
  bonding?: CollectorOptions | undefined;
  /** btrfs statistics. */
  btrfs?: CollectorOptions | undefined;
  /** /proc/buddyinfo (off by default). */
  buddyinfo?: CollectorOptions | undefined;
  /** cgroup counts (off by default). */
  cgroups?: CollectorOptions | undefined;
  /** Metrics from commands' output. */
  command?: CommandCollectorOptions | undefined;
  /** conntrack table usage. */
  conntrack?: CollectorOptions | undefined;
  /** CPU time per mode, and CPU info. */
  cpu?: CpuCollectorOptions | undefined;
  /** CPU frequency scaling. */
  cpufreq?: CollectorOptions | undefined;
  /** DMI (SMBIOS) information. */
  dmi?: CollectorOptions | undefined;
  /** Disk I/O statistics. */
  diskstats?: DeviceCollectorOptions | undefined;
  /** DRBD statistics (off by default). */
  drbd?: CollectorOptions | undefined;
  /** EDAC memory error counts. */
  edac?: CollectorOptions | undefined;
  /** Available entropy. */
  entropy?: CollectorOptions | undefined;
  /** Fibre Channel statistics. */
  fibrechannel?: CollectorOptions | undefined;
  /** Open file descriptors. */
  filefd?: CollectorOptions | undefined;
  /** File system space and inodes. */
  filesystem?: FilesystemCollectorOptions | undefined;
  /** Hardware sensors (/sys/class/hwmon). */
  hwmon?: CollectorOptions | undefined;
  /** InfiniBand statistics. */
  infiniband?: CollectorOptions | undefined;
  /** Interrupt counts (off by default). */
  interrupts?: CollectorOptions | undefined;
  /** IPVS virtual servers and backends. */
  ipvs?: IpvsCollectorOptions | undefined;
  /** Kernel samepage merging (off by default). */
  ksmd?: CollectorOptions | undefined;
  /** /proc/net/stat (off by default). */
  lnstat?: CollectorOptions | undefined;
  /** Load averages. */
  loadavg?: CollectorOptions | undefined;
  /** Software RAID (/proc/mdstat). */
  mdadm?: CollectorOptions | undefined;
  /** /proc/meminfo. */
  meminfo?: CollectorOptions | undefined;
  /** Memory per NUMA node (off by default). */
  meminfo_numa?: CollectorOptions | undefined;
  /** NFS client per-mount statistics (off by default). */
  mountstats?: CollectorOptions | undefined;
  /** Network interfaces' /sys/class/net attributes. */
  netclass?: NetclassCollectorOptions | undefined;
  /** Network interface counters. */
  netdev?: DeviceCollectorOptions | undefined;
  /** /proc/net/netstat and snmp counters. */
  netstat?: FieldsCollectorOptions | undefined;
  /** NFS client statistics. */
  nfs?: CollectorOptions | undefined;
  /** NFS server statistics. */
  nfsd?: CollectorOptions | undefined;
  /** NVMe device information. */
  nvme?: CollectorOptions | undefined;
  /** os-release. */
  os?: CollectorOptions | undefined;
  /** Power supplies (/sys/class/power_supply). */
  powersupplyclass?: PowerSupplyCollectorOptions | undefined;
  /** Pressure stall information. */
  pressure?: CollectorOptions | undefined;
  /** Per-group process metrics. */
  process?: ProcessCollectorOptions | undefined;
  /** Process and thread counts (off by default). */
  processes?: CollectorOptions | undefined;
  /** RAPL power consumption. */
  rapl?: CollectorOptions | undefined;
  /** Scheduler statistics. */
  schedstat?: CollectorOptions | undefined;
  /** SELinux status. */
  selinux?: CollectorOptions | undefined;
  /** Slab allocator statistics (off by default). */
  slabinfo?: SlabinfoCollectorOptions | undefined;
  /** Socket statistics. */
  sockstat?: CollectorOptions | undefined;
  /** softnet statistics. */
  softnet?: CollectorOptions | undefined;
  /** /proc/stat: boot time, context switches, forks, interrupts. */
  stat?: StatCollectorOptions | undefined;
  /** sysctl values (off by default). */
  sysctl?: SysctlCollectorOptions | undefined;
  /** systemd units (off by default). */
  systemd?: SystemdCollectorOptions | undefined;
  /** Tape device statistics. */
  tapestats?: TapestatsCollectorOptions | undefined;
  /** Metrics from `*.prom` files. */
  textfile?: TextfileCollectorOptions | undefined;
  /** Thermal zones. */
  thermal_zone?: CollectorOptions | undefined;
  /** The system clock. */
  time?: CollectorOptions | undefined;
  /** Clock discipline (adjtimex). */
  timex?: CollectorOptions | undefined;
  /** UDP queue lengths. */
  udp_queues?: CollectorOptions | undefined;
  /** uname. */
  uname?: CollectorOptions | undefined;
  /** /proc/vmstat. */
  vmstat?: FieldsCollectorOptions | undefined;
  /** XFS statistics. */
  xfs?: CollectorOptions | undefined;
  /** ZFS statistics. */
  zfs?: CollectorOptions | undefined;
  /** /proc/zoneinfo (off by default). */
  zoneinfo?: CollectorOptions | undefined;
}

/** A collector name. */
export type CollectorName = keyof CollectorsConfig;

/** A threshold on a metric's series: warn and crit bounds. */
export interface ThresholdConfig {
  /** Names the rule: the `threshold` label of `driftless_threshold_state` and of its events. */
  name: string;
  /** Metric name, or a selector: `node_filesystem_avail_bytes{mountpoint="/",fstype!~"tmpfs"}`. */
  metric: string;
  /** Exact label matches, in addition to the selector's. */
  labels?: Record<string, string> | undefined;
  /** The warning bound. */
  warn?: number | undefined;
  /** The critical bound. */
  crit?: number | undefined;
  /** `above` (default): a value at or over the bound trips it; `below`: at or under. */
  direction?: "above" | "below" | undefined;
  /**
   * How far back past a bound the value must go before the severity falls, in the metric's
   * unit, so a value hovering at a bound does not flap (default: 5 % of each bound; 0: off).
   */
  hysteresis?: number | undefined;
}

/** HTTPS for the /metrics endpoint. */
export interface ServeTls {
  /** PEM certificate (chain). */
  cert_file: string;
  /** PEM key. */
  key_file: string;
}

/** The /metrics endpoint (`driftless facts --serve`). */
export interface ServeConfig {
  /** Address to listen on (default `0.0.0.0:8000`). */
  listen?: string | undefined;
  /** Path of the metrics (default `/metrics`). */
  path?: string | undefined;
  /** HTTPS with a PEM certificate (chain) and key, as node_exporter's web-config. */
  tls?: ServeTls | undefined;
  /** Users and their bcrypt password hashes; when set, every request needs basic auth. */
  basic_auth_users?: Record<string, string> | undefined;
  /** Also export the agent's own `process_*` metrics (default true). */
  exporter_metrics?: boolean | undefined;
  /** Scrapes served at once; more wait (default 40, like node_exporter; 0 = no limit). */
  max_requests?: number | undefined;
  /**
   * Connections open at once (default: a quarter of the open-file limit, 16 to 512); when full,
   * the connection idle the longest is closed for the new one.
   */
  max_connections?: number | undefined;
  /** Longest wait for a request's headers, in ms (default 10s): slow or silent clients are dropped. */
  header_timeout?: number | undefined;
  /** Longest a keep-alive connection stays open between requests, in ms (default 60s). */
  idle_timeout?: number | undefined;
}

/** Keys every exporter takes. */
export interface ExporterOptions {
  /** How often to push, in ms (default: the top-level `interval`, else 60s). */
  interval?: number | undefined;
  /** `prometheus` text (default) or `json`. */
  format?: "prometheus" | "json" | undefined;
  /** Gzip each object or file (default true). */
  gzip?: boolean | undefined;
}

/**
 * Push a snapshot to S3 (or an S3-compatible server) on an interval. Objects are
 * `prefix/host/YYYY/MM/DD/HHMMSS.prom.gz` (default prefix `metrics`).
 */
export interface S3ExporterConfig extends ExporterOptions, S3Target {
  /** Selects the exporter. */
  type: "s3";
}

/** Write a snapshot to a local directory on an interval, keeping the newest files. */
export interface FileExporterConfig extends ExporterOptions {
  /** Selects the exporter. */
  type: "file";
  /** The directory. */
  dir: string;
  /** Snapshot files kept (oldest removed first; default 100, 0 keeps all). */
  max_files?: number | undefined;
}

/** An exporter, selected by `type`. */
export type ExporterConfig = S3ExporterConfig | FileExporterConfig;
