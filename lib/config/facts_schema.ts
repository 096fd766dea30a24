/**
 * The facts file: collectors (each with `enabled`, `interval`, `timeout` and its own options),
 * thresholds, the /metrics endpoint (listen, path, TLS, basic auth with bcrypt hashes) and
 * exporters (S3, local dir). Strict everywhere, so a typo is an error with a suggestion.
 * Durations parse to milliseconds.
 *
 * @module
 */
import * as z from "zod";
import { s3TargetShape } from "../sinks/config.ts";
import { durationSchema } from "../sinks/units.ts";
import { IPVS_LABELS } from "../facts/ipvs.ts";
import { parseSelector } from "../facts/thresholds.ts";

/** A regular expression, checked when the file is loaded. */
const regex = z.string().refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, "expected a valid regular expression");

/** Keys every collector takes. */
const common = {
  /** Turn the collector on or off (each has a default, as in node_exporter). */
  enabled: z.boolean().optional(),
  /**
   * Run at most this often and serve the last result in between. Without it the collector
   * reads fresh data at every scrape, as node_exporter does.
   */
  interval: durationSchema.optional(),
  /** Longest one run may take before it counts as failed (default: the top-level `timeout`). */
  timeout: durationSchema.optional(),
};
const plain = z.strictObject(common);
const devices = z.strictObject({
  ...common,
  device_include: regex.optional(),
  device_exclude: regex.optional(),
}).refine(
  (c) => !(c.device_include && c.device_exclude),
  "device_include and device_exclude cannot both be set",
);

/** The collectors, by name. */
export const collectorsSchema = z.strictObject({
  arp: devices.optional(),
  bcache: z.strictObject({
    ...common,
    /** Also read each cache device's priority_stats (slow on large caches). */
    priority_stats: z.boolean().optional(),
  }).optional(),
  bonding: plain.optional(),
  btrfs: plain.optional(),
  buddyinfo: plain.optional(),
  cgroups: plain.optional(),
  command: z.strictObject({
    ...common,
    commands: z.array(z.strictObject({
      /** Metric name (prefix for JSON output) and the `command` label. */
      name: z.string().regex(
        /^[a-zA-Z_:][a-zA-Z0-9_:]*$/,
        "expected a metric name like backup_age_seconds",
      ),
      /** argv (no shell), or a string run with /bin/sh -c. */
      command: z.union([z.array(z.string()).min(1), z.string().min(1)]),
      timeout: durationSchema.optional(),
      help: z.string().optional(),
      labels: z.record(
        z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "expected a label name"),
        z.string(),
      )
        .optional(),
    })).optional(),
  }).optional(),
  conntrack: plain.optional(),
  cpu: z.strictObject({
    ...common,
    /** Export `node_cpu_info` from /proc/cpuinfo (node_exporter's `--collector.cpu.info`). */
    info: z.boolean().optional(),
    /** Regex of the first core's `flags` to export as `node_cpu_flag_info`. */
    flags_include: regex.optional(),
    /** Regex of the first core's `bugs` to export as `node_cpu_bug_info`. */
    bugs_include: regex.optional(),
  }).optional(),
  cpufreq: plain.optional(),
  dmi: plain.optional(),
  diskstats: devices.optional(),
  drbd: plain.optional(),
  edac: plain.optional(),
  entropy: plain.optional(),
  fibrechannel: plain.optional(),
  filefd: plain.optional(),
  filesystem: z.strictObject({
    ...common,
    mount_points_exclude: regex.optional(),
    fs_types_exclude: regex.optional(),
    /** Longest one statfs may take; a mount that does not answer is skipped until it does. */
    mount_timeout: durationSchema.optional(),
  }).optional(),
  hwmon: plain.optional(),
  infiniband: plain.optional(),
  interrupts: plain.optional(),
  ipvs: z.strictObject({
    ...common,
    /** The labels backends are summed by (default all six). */
    backend_labels: z.array(z.enum(IPVS_LABELS)).optional(),
  }).optional(),
  ksmd: plain.optional(),
  lnstat: plain.optional(),
  loadavg: plain.optional(),
  mdadm: plain.optional(),
  meminfo: plain.optional(),
  meminfo_numa: plain.optional(),
  mountstats: plain.optional(),
  netclass: z.strictObject({
    ...common,
    ignored_devices: regex.optional(),
    /** Leave out `node_network_speed_bytes` where the kernel reports an unknown speed (-1). */
    ignore_invalid_speed: z.boolean().optional(),
  }).optional(),
  netdev: devices.optional(),
  netstat: z.strictObject({ ...common, fields: regex.optional() }).optional(),
  nfs: plain.optional(),
  nfsd: plain.optional(),
  nvme: plain.optional(),
  os: plain.optional(),
  powersupplyclass: z.strictObject({
    ...common,
    /** Regex of power supplies to leave out. */
    ignored_supplies: regex.optional(),
  }).optional(),
  pressure: plain.optional(),
  process: z.strictObject({
    ...common,
    groups: z.array(z.strictObject({
      /** The `name` label. */
      name: z.string().min(1),
      /** Regex matched against the command name (or the command line with `cmdline: true`). */
      pattern: regex,
      cmdline: z.boolean().optional(),
    })).optional(),
  }).optional(),
  processes: plain.optional(),
  rapl: plain.optional(),
  schedstat: plain.optional(),
  selinux: plain.optional(),
  slabinfo: z.strictObject({
    ...common,
    slab_include: regex.optional(),
    slab_exclude: regex.optional(),
  }).optional(),
  sockstat: plain.optional(),
  softnet: plain.optional(),
  stat: z.strictObject({
    ...common,
    /** Export `node_softirqs_total{vector}` (node_exporter's `--collector.stat.softirq`). */
    softirq: z.boolean().optional(),
  }).optional(),
  sysctl: z.strictObject({
    ...common,
    /** Numeric parameters: `kernel.threads-max`, or `fs.file-nr:total,current,max` to name fields. */
    include: z.array(z.string().regex(/^[\w.-]+(:[\w,]+)?$/, "expected a sysctl name")).optional(),
    /** String parameters, exported as `node_sysctl_info{name,index,value}`. */
    include_info: z.array(z.string().regex(/^[\w.-]+$/, "expected a sysctl name")).optional(),
  }).optional(),
  systemd: z.strictObject({
    ...common,
    unit_include: regex.optional(),
    unit_exclude: regex.optional(),
  }).optional(),
  tapestats: z.strictObject({
    ...common,
    /** Regex of tape devices to leave out. */
    ignored_devices: regex.optional(),
  }).optional(),
  textfile: z.strictObject({ ...common, directory: z.string().min(1).optional() }).optional(),
  thermal_zone: plain.optional(),
  time: plain.optional(),
  timex: plain.optional(),
  udp_queues: plain.optional(),
  uname: plain.optional(),
  vmstat: z.strictObject({ ...common, fields: regex.optional() }).optional(),
  xfs: plain.optional(),
  zfs: plain.optional(),
  zoneinfo: plain.optional(),
});

/** A threshold on a metric's series. */
export const thresholdSchema = z.strictObject({
  /** Names the rule: the `threshold` label of `driftless_threshold_state` and of its events. */
  name: z.string().min(1),
  /** Metric name, or a selector: `node_filesystem_avail_bytes{mountpoint="/",fstype!~"tmpfs"}`. */
  metric: z.string().refine(
    (s) => {
      try {
        parseSelector(s);
        return true;
      } catch {
        return false;
      }
    },
    'expected a metric name or selector like node_load1 or node_filesystem_avail_bytes{mountpoint="/"}',
  ),
  /** Exact label matches, in addition to the selector's. */
  labels: z.record(z.string(), z.string()).optional(),
  warn: z.number().optional(),
  crit: z.number().optional(),
  /** `above` (default): a value at or over the bound trips it; `below`: at or under. */
  direction: z.enum(["above", "below"]).optional(),
  /**
   * How far back past a bound the value must go before the severity falls, in the metric's
   * unit, so a value hovering at a bound does not flap (default: 5 % of each bound; 0: off).
   */
  hysteresis: z.number().nonnegative().optional(),
}).refine((t) => t.warn !== undefined || t.crit !== undefined, "set warn, crit or both");

const listen = z.string().regex(
  /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]*):\d{1,5}$/,
  'expected host:port like "0.0.0.0:8000" or "[::]:8000"',
);
const bcryptHash = z.string().regex(
  /^\$2[aby]?\$\d{2}\$[./A-Za-z0-9]{53}$/,
  "expected a bcrypt hash (htpasswd -nbBC 10 '' PASSWORD | tr -d ':\\n')",
);

/** The /metrics endpoint (`driftless facts --serve`). */
export const serveSchema = z.strictObject({
  /** Address to listen on (default `0.0.0.0:8000`). */
  listen: listen.optional(),
  /** Path of the metrics (default `/metrics`). */
  path: z.string().regex(/^\/\S*$/, 'expected a path starting with "/"').optional(),
  /** HTTPS with a PEM certificate (chain) and key, as node_exporter's web-config. */
  tls: z.strictObject({ cert_file: z.string().min(1), key_file: z.string().min(1) }).optional(),
  /** Users and their bcrypt password hashes; when set, every request needs basic auth. */
  basic_auth_users: z.record(z.string().min(1), bcryptHash).optional(),
  /** Also export the agent's own `process_*` metrics (default true). */
  exporter_metrics: z.boolean().optional(),
  /** Scrapes served at once; more wait (default 40, like node_exporter; 0 = no limit). */
  max_requests: z.number().int().nonnegative().optional(),
  /**
   * Connections open at once (default: a quarter of the open-file limit, 16 to 512); when full,
   * the connection idle the longest is closed for the new one.
   */
  max_connections: z.number().int().min(1).optional(),
  /** Longest wait for a request's headers (default 10s): slow or silent clients are dropped. */
  header_timeout: durationSchema.optional(),
  /** Longest a keep-alive connection stays open between requests (default 60s). */
  idle_timeout: durationSchema.optional(),
});

const exporterCommon = {
  /** How often to push (default: the top-level `interval`, else 60s). */
  interval: durationSchema.optional(),
  /** `prometheus` text (default) or `json`. */
  format: z.enum(["prometheus", "json"]).optional(),
  /** Gzip each object or file (default true). */
  gzip: z.boolean().optional(),
};

/** Push a snapshot to S3 (or an S3-compatible server) on an interval. */
export const s3ExporterSchema = z.strictObject({
  type: z.literal("s3"),
  ...exporterCommon,
  /** Objects are `prefix/host/YYYY/MM/DD/HHMMSS.prom.gz` (default prefix `metrics`). */
  ...s3TargetShape,
});

/** Write a snapshot to a local directory on an interval, keeping the newest files. */
export const fileExporterSchema = z.strictObject({
  type: z.literal("file"),
  ...exporterCommon,
  dir: z.string().min(1),
  /** Snapshot files kept (oldest removed first; default 100, 0 keeps all). */
  max_files: z.number().int().nonnegative().optional(),
});

/** The top level of `facts.*`. */
export const factsSchema = z.strictObject({
  /** Default push interval of exporters and the agent's poll (default 60s). */
  interval: durationSchema.optional(),
  /** Default per-collector timeout (default 8s): a collector that takes longer fails alone. */
  timeout: durationSchema.optional(),
  /** Where procfs, sysfs and the host's root are (for containers that mount the host's). */
  paths: z.strictObject({
    procfs: z.string().min(1).optional(),
    sysfs: z.string().min(1).optional(),
    rootfs: z.string().min(1).optional(),
    /** udev's database of device properties (default `/run/udev/data`). */
    udev_data: z.string().min(1).optional(),
  }).optional(),
  collectors: collectorsSchema.optional(),
  thresholds: z.array(thresholdSchema).superRefine((rules, ctx) => {
    const seen = new Map<string, number>();
    rules.forEach((r, i) => {
      const first = seen.get(r.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message:
            `threshold name "${r.name}" is also used by thresholds[${first}]; names must differ`,
        });
      }
      seen.set(r.name, first ?? i);
    });
  }).optional(),
  serve: serveSchema.optional(),
  exporters: z.array(z.discriminatedUnion("type", [s3ExporterSchema, fileExporterSchema]))
    .optional(),
}).meta({ title: "driftless facts config" });

// What these schemas parse to, written out (tests/lib/config/types_test.ts keeps them equal).
export type {
  CollectorName,
  FactsConfig,
  FileExporterConfig,
  S3ExporterConfig,
  ServeConfig,
  ThresholdConfig,
} from "./facts_types.ts";
