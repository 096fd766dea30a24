/**
 * The collector catalogue: every collector by name, whether it is on by default, and how its
 * options in `facts.collectors.<name>` become an instance.
 *
 * @module
 */
import type { CollectorName, FactsConfig } from "../config/facts_schema.ts";
import { arpCollector } from "./arp.ts";
import { bondingCollector } from "./bonding.ts";
import type { Collector } from "./collector.ts";
import { commandCollector } from "./command.ts";
import { conntrackCollector } from "./conntrack.ts";
import { cpuCollector } from "./cpu.ts";
import { diskstatsCollector } from "./diskstats.ts";
import { entropyCollector } from "./entropy.ts";
import { filefdCollector } from "./filefd.ts";
import { filesystemCollector } from "./filesystem.ts";
import { loadavgCollector } from "./loadavg.ts";
import { mdadmCollector } from "./mdadm.ts";
import { meminfoCollector } from "./meminfo.ts";
import { netclassCollector } from "./netclass.ts";
import { netdevCollector } from "./netdev.ts";
import { netstatCollector } from "./netstat.ts";
import { osCollector } from "./os.ts";
import { pressureCollector } from "./pressure.ts";
import { processCollector } from "./process.ts";
import { selinuxCollector } from "./selinux.ts";
import { sockstatCollector } from "./sockstat.ts";
import { softnetCollector } from "./softnet.ts";
import { statCollector } from "./stat.ts";
import { systemdCollector } from "./systemd.ts";
import { textfileCollector } from "./textfile.ts";
import { timeCollector } from "./time.ts";
import { timexCollector } from "./timex.ts";
import { udpQueuesCollector } from "./udp_queues.ts";
import { unameCollector } from "./uname.ts";
import { vmstatCollector } from "./vmstat.ts";

type Options = NonNullable<FactsConfig["collectors"]>;
/** Receives collector warnings (a bad textfile, a failed command). */
export type CollectorLog = (collector: string, message: string) => void;

interface Entry<N extends CollectorName> {
  /** On when the config does not say (node_exporter's defaults; opt-in ones need options). */
  readonly enabled: (o: Options[N] | undefined) => boolean;
  readonly create: (
    o: NonNullable<Options[N]> | Record<string, never>,
    log: CollectorLog,
  ) => Collector;
}

const on = () => true;

/** Every collector, by name. */
export const CATALOG: { readonly [N in CollectorName]: Entry<N> } = {
  arp: {
    enabled: on,
    create: (o) =>
      arpCollector({
        ...("device_include" in o && o.device_include ? { deviceInclude: o.device_include } : {}),
        ...("device_exclude" in o && o.device_exclude ? { deviceExclude: o.device_exclude } : {}),
      }),
  },
  bonding: { enabled: on, create: () => bondingCollector() },
  command: {
    enabled: (o) => (o?.commands?.length ?? 0) > 0,
    create: (o, log) =>
      commandCollector({
        commands: ("commands" in o ? o.commands ?? [] : []).map((c) => ({
          name: c.name,
          command: c.command,
          ...(c.timeout !== undefined ? { timeoutMs: c.timeout } : {}),
          ...(c.help !== undefined ? { help: c.help } : {}),
          ...(c.labels !== undefined ? { labels: c.labels } : {}),
        })),
        onError: (m) => log("command", m),
      }),
  },
  conntrack: { enabled: on, create: () => conntrackCollector() },
  cpu: { enabled: on, create: () => cpuCollector() },
  diskstats: {
    enabled: on,
    create: (o) =>
      diskstatsCollector({
        ...("device_include" in o && o.device_include ? { deviceInclude: o.device_include } : {}),
        ...("device_exclude" in o && o.device_exclude ? { deviceExclude: o.device_exclude } : {}),
      }),
  },
  entropy: { enabled: on, create: () => entropyCollector() },
  filefd: { enabled: on, create: () => filefdCollector() },
  filesystem: {
    enabled: on,
    create: (o) =>
      filesystemCollector({
        ...("mount_points_exclude" in o && o.mount_points_exclude !== undefined
          ? { mountPointsExclude: o.mount_points_exclude }
          : {}),
        ...("fs_types_exclude" in o && o.fs_types_exclude !== undefined
          ? { fsTypesExclude: o.fs_types_exclude }
          : {}),
        ...("mount_timeout" in o && o.mount_timeout !== undefined
          ? { mountTimeoutMs: o.mount_timeout }
          : {}),
      }),
  },
  loadavg: { enabled: on, create: () => loadavgCollector() },
  mdadm: { enabled: on, create: () => mdadmCollector() },
  meminfo: { enabled: on, create: () => meminfoCollector() },
  netclass: {
    enabled: on,
    create: (o) =>
      netclassCollector(
        "ignored_devices" in o && o.ignored_devices !== undefined
          ? { ignoredDevices: o.ignored_devices }
          : {},
      ),
  },
  netdev: {
    enabled: on,
    create: (o) =>
      netdevCollector({
        ...("device_include" in o && o.device_include ? { deviceInclude: o.device_include } : {}),
        ...("device_exclude" in o && o.device_exclude ? { deviceExclude: o.device_exclude } : {}),
      }),
  },
  netstat: {
    enabled: on,
    create: (o) =>
      netstatCollector("fields" in o && o.fields !== undefined ? { fields: o.fields } : {}),
  },
  os: { enabled: on, create: () => osCollector() },
  pressure: { enabled: on, create: () => pressureCollector() },
  process: {
    enabled: (o) => (o?.groups?.length ?? 0) > 0,
    create: (o) =>
      processCollector({
        groups: ("groups" in o ? o.groups ?? [] : []).map((g) => ({
          name: g.name,
          pattern: g.pattern,
          ...(g.cmdline !== undefined ? { cmdline: g.cmdline } : {}),
        })),
      }),
  },
  selinux: { enabled: on, create: () => selinuxCollector() },
  sockstat: { enabled: on, create: () => sockstatCollector() },
  softnet: { enabled: on, create: () => softnetCollector() },
  stat: { enabled: on, create: () => statCollector() },
  systemd: {
    enabled: () => false,
    create: (o) =>
      systemdCollector({
        ...("unit_include" in o && o.unit_include !== undefined
          ? { unitInclude: o.unit_include }
          : {}),
        ...("unit_exclude" in o && o.unit_exclude !== undefined
          ? { unitExclude: o.unit_exclude }
          : {}),
      }),
  },
  textfile: {
    enabled: on,
    create: (o, log) =>
      textfileCollector({
        ...("directory" in o && o.directory !== undefined ? { directory: o.directory } : {}),
        onError: (m) => log("textfile", m),
      }),
  },
  time: { enabled: on, create: () => timeCollector() },
  timex: { enabled: on, create: () => timexCollector() },
  udp_queues: { enabled: on, create: () => udpQueuesCollector() },
  uname: { enabled: on, create: () => unameCollector() },
  vmstat: {
    enabled: on,
    create: (o) =>
      vmstatCollector("fields" in o && o.fields !== undefined ? { fields: o.fields } : {}),
  },
};

/** Every collector name, sorted. */
export const COLLECTOR_NAMES: readonly CollectorName[] = (Object.keys(CATALOG) as CollectorName[])
  .sort();

/** A configured collector: the instance and its scheduling. */
export interface ConfiguredCollector {
  readonly collector: Collector;
  /** Serve the cached result for this long (ms); undefined = fresh at every scrape. */
  readonly intervalMs?: number;
  readonly timeoutMs: number;
}

/** The enabled collectors of a facts config, in name order. */
export function configureCollectors(
  config: FactsConfig | undefined,
  options: { log: CollectorLog; only?: readonly string[] },
): ConfiguredCollector[] {
  const all = config?.collectors ?? {};
  const defaultTimeout = config?.timeout ?? 8000;
  const out: ConfiguredCollector[] = [];
  for (const name of COLLECTOR_NAMES) {
    const o = all[name] as
      | (NonNullable<Options[typeof name]> & {
        enabled?: boolean;
        interval?: number;
        timeout?: number;
      })
      | undefined;
    const entry = CATALOG[name] as Entry<typeof name>;
    const enabled = options.only
      ? options.only.includes(name)
      : o?.enabled ?? entry.enabled(o as never);
    if (!enabled) continue;
    out.push({
      collector: entry.create((o ?? {}) as never, options.log),
      ...(o?.interval ? { intervalMs: o.interval } : {}),
      timeoutMs: o?.timeout ?? defaultTimeout,
    });
  }
  return out;
}
