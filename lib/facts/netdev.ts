/**
 * The netdev collector: `node_network_{receive,transmit}_*_total{device}` from /proc/net/dev
 * (plus `receive_nohandler` from sysfs, as node_exporter's netlink path reports it), with
 * Debian's default device exclude `^lo$`.
 *
 * @module
 */
import { deviceFilter, type DeviceFilterOptions } from "./_filter.ts";
import { at, readAttr, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** Debian's `--collector.netdev.device-exclude`. */
export const DEFAULT_NETDEV_EXCLUDE = "^lo$";

/** One interface's counters, keyed `receive_bytes`, `transmit_colls`, ... */
export interface NetDevStats {
  readonly device: string;
  readonly stats: Readonly<Record<string, number>>;
}

/**
 * Parses /proc/net/dev. Column names come from the header, so kernels with other columns
 * still line up; the name ends at the first ":" (long names touch the numbers: `enx0011:1234`).
 */
export function parseNetDev(text: string): NetDevStats[] {
  const lines = text.split("\n");
  const header = lines[1] ?? "";
  const parts = header.split("|");
  const rx = (parts[1] ?? "").trim().split(/\s+/).filter(Boolean);
  const tx = (parts[2] ?? "").trim().split(/\s+/).filter(Boolean);
  const names = [...rx.map((n) => `receive_${n}`), ...tx.map((n) => `transmit_${n}`)];
  const out: NetDevStats[] = [];
  for (const line of lines.slice(2)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const device = line.slice(0, colon).trim();
    const values = line.slice(colon + 1).trim().split(/\s+/);
    const stats: Record<string, number> = {};
    names.forEach((n, i) => {
      const v = Number(values[i]);
      if (values[i] !== undefined && Number.isFinite(v)) stats[n] = v;
    });
    out.push({ device, stats });
  }
  return out;
}

/** The families for parsed interfaces (already filtered), sorted by family name. */
export function netdevFamilies(devices: readonly NetDevStats[]): MetricFamily[] {
  const set = new FamilySet();
  const keys = [...new Set(devices.flatMap((d) => Object.keys(d.stats)))].sort();
  for (const key of keys) {
    for (const d of devices) {
      const v = d.stats[key];
      if (v === undefined) continue;
      set.add(
        `node_network_${key}_total`,
        `Network device statistic ${key}.`,
        "counter",
        { device: d.device },
        v,
      );
    }
  }
  return set.list();
}

/** Options of the netdev collector. */
export type NetdevOptions = DeviceFilterOptions;

/** The netdev collector. */
export function netdevCollector(options: NetdevOptions = {}): Collector {
  const keep = deviceFilter(options, DEFAULT_NETDEV_EXCLUDE);
  return {
    name: "netdev",
    collect({ paths }) {
      const devices = parseNetDev(readText(at(paths.proc, "net/dev")))
        .filter((d) => keep(d.device));
      return netdevFamilies(devices.map((d) => {
        const v = readAttr(at(paths.sys, `class/net/${d.device}/statistics/rx_nohandler`));
        return v !== undefined && /^\d+$/.test(v)
          ? { device: d.device, stats: { ...d.stats, receive_nohandler: Number(v) } }
          : d;
      }));
    },
  };
}
