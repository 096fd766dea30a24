/**
 * The collector catalogue: every collector by name, whether it is on by default (node_exporter
 * 1.5's defaults, with Debian's), and how its options in `facts.collectors.<name>` become an
 * instance. Option names are node_exporter's flags in snake_case (`device_include`); a
 * collector receives them camel-cased (`deviceInclude`).
 *
 * @module
 */
import type { CollectorName, FactsConfig } from "../config/facts_schema.ts";
import { arpCollector } from "./arp.ts";
import { bondingCollector } from "./bonding.ts";
import { buddyinfoCollector } from "./buddyinfo.ts";
import { cgroupsCollector } from "./cgroups.ts";
import type { Collector } from "./collector.ts";
import { ipvsCollector } from "./ipvs.ts";
import { hwmonCollector } from "./hwmon.ts";
import { tapestatsCollector } from "./tapestats.ts";
import { infinibandCollector } from "./infiniband.ts";
import { fibrechannelCollector } from "./fibrechannel.ts";
import { thermalZoneCollector } from "./thermal_zone.ts";
import { raplCollector } from "./rapl.ts";
import { powerSupplyClassCollector } from "./powersupplyclass.ts";
import { nvmeCollector } from "./nvme.ts";
import { edacCollector } from "./edac.ts";
import { dmiCollector } from "./dmi.ts";
import { btrfsCollector } from "./btrfs.ts";
import { bcacheCollector } from "./bcache.ts";
import { zfsCollector } from "./zfs.ts";
import { xfsCollector } from "./xfs.ts";
import { zoneinfoCollector } from "./zoneinfo.ts";
import { schedstatCollector } from "./schedstat.ts";
import { nfsdCollector } from "./nfsd.ts";
import { nfsCollector } from "./nfs.ts";
import { mountstatsCollector } from "./mountstats.ts";
import { meminfoNumaCollector } from "./meminfo_numa.ts";
import { lnstatCollector } from "./lnstat.ts";
import { drbdCollector } from "./drbd.ts";
import { commandCollector } from "./command.ts";
import { conntrackCollector } from "./conntrack.ts";
import { cpuCollector } from "./cpu.ts";
import { cpufreqCollector } from "./cpufreq.ts";
import { diskstatsCollector } from "./diskstats.ts";
import { entropyCollector } from "./entropy.ts";
import { filefdCollector } from "./filefd.ts";
import { filesystemCollector } from "./filesystem.ts";
import { interruptsCollector } from "./interrupts.ts";
import { ksmdCollector } from "./ksmd.ts";
import { loadavgCollector } from "./loadavg.ts";
import { mdadmCollector } from "./mdadm.ts";
import { meminfoCollector } from "./meminfo.ts";
import { netclassCollector } from "./netclass.ts";
import { netdevCollector } from "./netdev.ts";
import { netstatCollector } from "./netstat.ts";
import { osCollector } from "./os.ts";
import { pressureCollector } from "./pressure.ts";
import { processCollector } from "./process.ts";
import { processesCollector } from "./processes.ts";
import { selinuxCollector } from "./selinux.ts";
import { slabinfoCollector } from "./slabinfo.ts";
import { sockstatCollector } from "./sockstat.ts";
import { softnetCollector } from "./softnet.ts";
import { statCollector } from "./stat.ts";
import { sysctlCollector } from "./sysctl.ts";
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

/** The scheduling keys every collector takes; the rest are its own. */
const COMMON = new Set(["enabled", "interval", "timeout"]);
type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}`
  : S;
/** A collector's own options from its config block, camel-cased. */
export type Own<O> = {
  [K in keyof O as K extends "enabled" | "interval" | "timeout" ? never : Camel<K & string>]: O[K];
};

/** The collector's own options of a config block (`device_include` → `deviceInclude`). */
export function own<O extends object>(block: O | undefined): Own<O> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(block ?? {})) {
    if (v !== undefined && !COMMON.has(k)) {
      out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
    }
  }
  return out as Own<O>;
}

interface Entry<N extends CollectorName> {
  /** On when the config does not say (node_exporter's defaults; opt-in ones need options). */
  readonly enabled: boolean | ((o: Options[N]) => boolean);
  readonly create: (o: Own<NonNullable<Options[N]>>, log: CollectorLog) => Collector;
}

/** Every collector, by name. */
export const CATALOG: { readonly [N in CollectorName]: Entry<N> } = {
  ipvs: { enabled: true, create: (o) => ipvsCollector(o) },
  hwmon: { enabled: true, create: () => hwmonCollector() },
  tapestats: { enabled: true, create: (o) => tapestatsCollector(o) },
  infiniband: { enabled: true, create: () => infinibandCollector() },
  fibrechannel: { enabled: true, create: () => fibrechannelCollector() },
  thermal_zone: { enabled: true, create: () => thermalZoneCollector() },
  rapl: { enabled: true, create: () => raplCollector() },
  powersupplyclass: { enabled: true, create: (o) => powerSupplyClassCollector(o) },
  nvme: { enabled: true, create: () => nvmeCollector() },
  edac: { enabled: true, create: () => edacCollector() },
  dmi: { enabled: true, create: () => dmiCollector() },
  btrfs: { enabled: true, create: () => btrfsCollector() },
  bcache: { enabled: true, create: (o) => bcacheCollector(o) },
  zfs: { enabled: true, create: () => zfsCollector() },
  xfs: { enabled: true, create: () => xfsCollector() },
  zoneinfo: { enabled: false, create: () => zoneinfoCollector() },
  schedstat: { enabled: true, create: () => schedstatCollector() },
  nfsd: { enabled: true, create: () => nfsdCollector() },
  nfs: { enabled: true, create: () => nfsCollector() },
  mountstats: { enabled: false, create: () => mountstatsCollector() },
  meminfo_numa: { enabled: false, create: () => meminfoNumaCollector() },
  lnstat: { enabled: false, create: () => lnstatCollector() },
  drbd: { enabled: false, create: () => drbdCollector() },
  arp: { enabled: true, create: (o) => arpCollector(o) },
  bonding: { enabled: true, create: () => bondingCollector() },
  buddyinfo: { enabled: false, create: () => buddyinfoCollector() },
  cgroups: { enabled: false, create: () => cgroupsCollector() },
  command: {
    enabled: (o) => (o?.commands?.length ?? 0) > 0,
    create: (o, log) =>
      commandCollector({
        commands: (o.commands ?? []).map((c) => ({
          name: c.name,
          command: c.command,
          ...(c.timeout !== undefined ? { timeoutMs: c.timeout } : {}),
          ...(c.help !== undefined ? { help: c.help } : {}),
          ...(c.labels !== undefined ? { labels: c.labels } : {}),
        })),
        onError: (m) => log("command", m),
      }),
  },
  conntrack: { enabled: true, create: () => conntrackCollector() },
  cpu: { enabled: true, create: (o) => cpuCollector(o) },
  cpufreq: { enabled: true, create: () => cpufreqCollector() },
  diskstats: { enabled: true, create: (o) => diskstatsCollector(o) },
  entropy: { enabled: true, create: () => entropyCollector() },
  filefd: { enabled: true, create: () => filefdCollector() },
  filesystem: {
    enabled: true,
    create: ({ mountTimeout, ...o }) =>
      filesystemCollector({ ...o, ...(mountTimeout ? { mountTimeoutMs: mountTimeout } : {}) }),
  },
  interrupts: { enabled: false, create: () => interruptsCollector() },
  ksmd: { enabled: false, create: () => ksmdCollector() },
  loadavg: { enabled: true, create: () => loadavgCollector() },
  mdadm: { enabled: true, create: () => mdadmCollector() },
  meminfo: { enabled: true, create: () => meminfoCollector() },
  netclass: { enabled: true, create: (o) => netclassCollector(o) },
  netdev: { enabled: true, create: (o) => netdevCollector(o) },
  netstat: { enabled: true, create: (o) => netstatCollector(o) },
  os: { enabled: true, create: () => osCollector() },
  pressure: { enabled: true, create: () => pressureCollector() },
  process: {
    enabled: (o) => (o?.groups?.length ?? 0) > 0,
    create: (o) =>
      processCollector({
        groups: (o.groups ?? []).map((g) => ({
          name: g.name,
          pattern: g.pattern,
          ...(g.cmdline !== undefined ? { cmdline: g.cmdline } : {}),
        })),
      }),
  },
  processes: { enabled: false, create: () => processesCollector() },
  selinux: { enabled: true, create: () => selinuxCollector() },
  slabinfo: { enabled: false, create: (o) => slabinfoCollector(o) },
  sockstat: { enabled: true, create: () => sockstatCollector() },
  softnet: { enabled: true, create: () => softnetCollector() },
  stat: { enabled: true, create: (o) => statCollector(o) },
  sysctl: { enabled: false, create: (o) => sysctlCollector(o) },
  systemd: { enabled: false, create: (o) => systemdCollector(o) },
  textfile: {
    enabled: true,
    create: (o, log) => textfileCollector({ ...o, onError: (m) => log("textfile", m) }),
  },
  time: { enabled: true, create: () => timeCollector() },
  timex: { enabled: true, create: () => timexCollector() },
  udp_queues: { enabled: true, create: () => udpQueuesCollector() },
  uname: { enabled: true, create: () => unameCollector() },
  vmstat: { enabled: true, create: (o) => vmstatCollector(o) },
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
      | { enabled?: boolean; interval?: number; timeout?: number }
      | undefined;
    const entry = CATALOG[name] as Entry<typeof name>;
    const byDefault = typeof entry.enabled === "boolean"
      ? entry.enabled
      : entry.enabled(o as never);
    const enabled = options.only ? options.only.includes(name) : o?.enabled ?? byDefault;
    if (!enabled) continue;
    const collector = entry.create(own(o) as never, options.log);
    out.push({
      collector,
      ...(o?.interval ? { intervalMs: o.interval } : {}),
      timeoutMs: o?.timeout ?? Math.max(defaultTimeout, collector.timeoutMs ?? 0),
    });
  }
  return out;
}
