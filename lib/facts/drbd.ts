/**
 * The drbd collector (off by default, as in node_exporter): DRBD 8 device state and counters
 * from /proc/drbd. Counters the kernel gives in KiB become bytes, except `nr`, which
 * node_exporter 1.5 exports unscaled; we do the same so dashboards agree.
 *
 * @module
 */
import { at, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** `key` → [metric, help, type, multiplier] for the numeric fields of a device line. */
const NUMERIC: Readonly<Record<string, readonly [string, string, "gauge" | "counter", number]>> = {
  ns: ["network_sent_bytes_total", "Total number of bytes sent via the network.", "counter", 1024],
  nr: [
    "network_received_bytes_total",
    "Total number of bytes received via the network.",
    "counter",
    1,
  ],
  dw: [
    "disk_written_bytes_total",
    "Net data written on local hard disk; in bytes.",
    "counter",
    1024,
  ],
  dr: ["disk_read_bytes_total", "Net data read from local hard disk; in bytes.", "counter", 1024],
  al: [
    "activitylog_writes_total",
    "Number of updates of the activity log area of the meta data.",
    "counter",
    1,
  ],
  bm: [
    "bitmap_writes_total",
    "Number of updates of the bitmap area of the meta data.",
    "counter",
    1,
  ],
  lo: ["local_pending", "Number of open requests to the local I/O sub-system.", "gauge", 1],
  pe: [
    "remote_pending",
    "Number of requests sent to the peer, but that have not yet been answered by the latter.",
    "gauge",
    1,
  ],
  ua: [
    "remote_unacknowledged",
    "Number of requests received by the peer via the network connection, but that have not yet been answered.",
    "gauge",
    1,
  ],
  ap: [
    "application_pending",
    "Number of block I/O requests forwarded to DRBD, but not yet answered by DRBD.",
    "gauge",
    1,
  ],
  ep: ["epochs", "Number of Epochs currently on the fly.", "gauge", 1],
  oos: ["out_of_sync_bytes", "Amount of data known to be out of sync; in bytes.", "gauge", 1024],
};

/** `key:value` pairs per device (`drbd1` → {cs: "Connected", ns: "17324442", ...}). */
export function parseDrbd(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let cur: Map<string, string> | undefined;
  for (const line of text.split("\n")) {
    const dev = /^\s*(\d+):\s/.exec(line);
    if (dev) out.set(`drbd${dev[1]}`, cur = new Map());
    if (!cur) continue;
    for (const m of line.matchAll(/(\w+):(\S+)/g)) cur.set(m[1]!, m[2]!);
  }
  return out;
}

/** The families for parsed devices. */
export function drbdFamilies(
  devices: ReadonlyMap<string, ReadonlyMap<string, string>>,
): MetricFamily[] {
  const set = new FamilySet();
  for (const [device, f] of devices) {
    for (const [key, [name, help, type, mult]] of Object.entries(NUMERIC)) {
      const v = Number(f.get(key));
      if (f.has(key) && Number.isFinite(v)) {
        set.add(`node_drbd_${name}`, help, type, { device }, v * mult);
      }
    }
    const pair = (key: string, name: string, help: string, test: (v: string) => boolean) => {
      const [local, remote] = (f.get(key) ?? "").split("/");
      if (local === undefined || remote === undefined) return;
      set.add(`node_drbd_${name}`, help, "gauge", { device, node: "local" }, test(local) ? 1 : 0);
      set.add(`node_drbd_${name}`, help, "gauge", { device, node: "remote" }, test(remote) ? 1 : 0);
    };
    pair(
      "ro",
      "node_role_is_primary",
      "Whether the role of the node is in the primary state.",
      (v) => v === "Primary",
    );
    pair(
      "ds",
      "disk_state_is_up_to_date",
      "Whether the disk of the node is up to date.",
      (v) => v === "UpToDate",
    );
    if (f.has("cs")) {
      set.add(
        "node_drbd_connected",
        "Whether DRBD is connected to the peer.",
        "gauge",
        { device },
        f.get("cs") === "Connected" ? 1 : 0,
      );
    }
  }
  return set.list();
}

/** The drbd collector. */
export function drbdCollector(): Collector {
  return {
    name: "drbd",
    collect: ({ paths }) => {
      const text = readOptional(at(paths.proc, "drbd"));
      if (text === undefined) throw new NoDataError("no /proc/drbd (drbd not loaded)");
      return drbdFamilies(parseDrbd(text));
    },
  };
}
