/**
 * The netclass collector: `node_network_up`, `node_network_info` and the numeric attributes of
 * /sys/class/net/<device>/ (mtu, speed, carrier, flags, ...), named as node_exporter names them.
 * An attribute the device does not implement (sysfs answers EINVAL) gives no sample.
 *
 * @module
 */
import { at, listDir, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** The sysfs attributes of one interface, as read (trimmed strings). */
export type NetClassAttrs = Readonly<Record<string, string | undefined>>;

/** The attributes the collector reads. */
export const NETCLASS_ATTRS = [
  "addr_assign_type",
  "address",
  "broadcast",
  "carrier",
  "carrier_changes",
  "carrier_up_count",
  "carrier_down_count",
  "dev_id",
  "dormant",
  "duplex",
  "flags",
  "ifalias",
  "ifindex",
  "iflink",
  "link_mode",
  "mtu",
  "name_assign_type",
  "netdev_group",
  "operstate",
  "speed",
  "tx_queue_len",
  "type",
] as const;

/** [metric, attribute, type] for the numeric attributes, in node_exporter's naming. */
const NUMERIC: readonly [string, string, "gauge" | "counter"][] = [
  ["address_assign_type", "addr_assign_type", "gauge"],
  ["carrier", "carrier", "gauge"],
  ["carrier_changes_total", "carrier_changes", "counter"],
  ["carrier_up_changes_total", "carrier_up_count", "counter"],
  ["carrier_down_changes_total", "carrier_down_count", "counter"],
  ["device_id", "dev_id", "gauge"],
  ["dormant", "dormant", "gauge"],
  ["flags", "flags", "gauge"],
  ["iface_id", "ifindex", "gauge"],
  ["iface_link", "iflink", "gauge"],
  ["iface_link_mode", "link_mode", "gauge"],
  ["mtu_bytes", "mtu", "gauge"],
  ["name_assign_type", "name_assign_type", "gauge"],
  ["net_dev_group", "netdev_group", "gauge"],
  ["speed_bytes", "speed", "gauge"],
  ["transmit_queue_length", "tx_queue_len", "gauge"],
  ["protocol_type", "type", "gauge"],
];

/** Parses a sysfs number (decimal or 0x hex, as `flags` and `dev_id` are written). */
export function parseSysfsNumber(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** The families for interfaces and their attributes. */
export function netclassFamilies(
  devices: ReadonlyArray<readonly [string, NetClassAttrs]>,
  options: { ignoreInvalidSpeed?: boolean | undefined } = {},
): MetricFamily[] {
  const set = new FamilySet();
  for (const [device, a] of devices) {
    set.add(
      "node_network_up",
      "Value is 1 if operstate is 'up', 0 otherwise.",
      "gauge",
      { device },
      a.operstate === "up" ? 1 : 0,
    );
    set.add(
      "node_network_info",
      "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
      "gauge",
      {
        address: a.address ?? "",
        broadcast: a.broadcast ?? "",
        device,
        duplex: a.duplex ?? "",
        ifalias: a.ifalias ?? "",
        operstate: a.operstate ?? "",
      },
      1,
    );
  }
  for (const [metric, attr, type] of NUMERIC) {
    for (const [device, a] of devices) {
      let v = parseSysfsNumber(a[attr]);
      if (v === undefined || (attr === "speed" && v < 0 && options.ignoreInvalidSpeed)) continue;
      // Mbit/s to bytes/s, as node_exporter does (an unknown speed of -1 stays negative).
      if (attr === "speed") v = v * 125000;
      set.add(`node_network_${metric}`, `Network device property: ${metric}`, type, { device }, v);
    }
  }
  return set.list();
}

/** Options of the netclass collector. */
export interface NetclassOptions {
  /** Regex of devices to leave out (node_exporter: `^$`, none). */
  readonly ignoredDevices?: string | undefined;
  /** Leave out `speed_bytes` when the kernel reports an unknown speed (-1). */
  readonly ignoreInvalidSpeed?: boolean | undefined;
}

/** The netclass collector. */
export function netclassCollector(options: NetclassOptions = {}): Collector {
  const ignored = new RegExp(options.ignoredDevices ?? "^$");
  return {
    name: "netclass",
    collect({ paths }) {
      const base = at(paths.sys, "class/net");
      const names = listDir(base).filter((n) => !ignored.test(n));
      const devices = names.map((name) => {
        const attrs = Object.fromEntries(
          NETCLASS_ATTRS.map((k) => [k, readAttr(`${base}/${name}/${k}`)]),
        );
        return [name, attrs] as const;
      });
      // bonding_masters is a file in the same directory, not a device.
      return netclassFamilies(devices.filter(([, a]) => a.ifindex !== undefined), options);
    },
  };
}
