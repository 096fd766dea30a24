/**
 * The nfs collector: NFS client statistics from /proc/net/rpc/nfs (network packets and
 * connections, RPC counts, and calls per procedure for NFS v2, v3 and v4), named as in
 * node_exporter.
 *
 * @module
 */
import { at, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** The lines of an /proc/net/rpc file: first word → the numbers after it. */
export function parseRpcStat(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of text.split("\n")) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key) out.set(key, rest.map(Number));
  }
  return out;
}

/** The procedures of the `procN` lines (after their count column), in kernel order. */
export const NFS_CLIENT_PROCS: Readonly<Record<string, readonly string[]>> = {
  "2": [
    "Null",
    "GetAttr",
    "SetAttr",
    "Root",
    "Lookup",
    "ReadLink",
    "Read",
    "WrCache",
    "Write",
    "Create",
    "Remove",
    "Rename",
    "Link",
    "SymLink",
    "MkDir",
    "RmDir",
    "ReadDir",
    "FsStat",
  ],
  "3": [
    "Null",
    "GetAttr",
    "SetAttr",
    "Lookup",
    "Access",
    "ReadLink",
    "Read",
    "Write",
    "Create",
    "MkDir",
    "SymLink",
    "MkNod",
    "Remove",
    "RmDir",
    "Rename",
    "Link",
    "ReadDir",
    "ReadDirPlus",
    "FsStat",
    "FsInfo",
    "PathConf",
    "Commit",
  ],
  "4": [
    "Null",
    "Read",
    "Write",
    "Commit",
    "Open",
    "OpenConfirm",
    "OpenNoattr",
    "OpenDowngrade",
    "Close",
    "Setattr",
    "FsInfo",
    "Renew",
    "SetClientID",
    "SetClientIDConfirm",
    "Lock",
    "Lockt",
    "Locku",
    "Access",
    "Getattr",
    "Lookup",
    "LookupRoot",
    "Remove",
    "Rename",
    "Link",
    "Symlink",
    "Create",
    "Pathconf",
    "StatFs",
    "ReadLink",
    "ReadDir",
    "ServerCaps",
    "DelegReturn",
    "GetACL",
    "SetACL",
    "FsLocations",
    "ReleaseLockowner",
    "Secinfo",
    "FsidPresent",
    "ExchangeID",
    "CreateSession",
    "DestroySession",
    "Sequence",
    "GetLeaseTime",
    "ReclaimComplete",
    "LayoutGet",
    "GetDeviceInfo",
    "LayoutCommit",
    "LayoutReturn",
    "SecinfoNoName",
    "TestStateID",
    "FreeStateID",
    "GetDeviceList",
    "BindConnToSession",
    "DestroyClientID",
    "Seek",
    "Allocate",
    "DeAllocate",
    "LayoutStats",
    "Clone",
  ],
};

/** The families for a parsed /proc/net/rpc/nfs. */
export function nfsFamilies(stat: ReadonlyMap<string, readonly number[]>): MetricFamily[] {
  const set = new FamilySet();
  const net = stat.get("net");
  if (net) {
    set.add(
      "node_nfs_connections_total",
      "Total number of NFSd TCP connections.",
      "counter",
      {},
      net[3] ?? 0,
    );
    const help = "Total NFSd network packets (sent+received) by protocol type.";
    set.add("node_nfs_packets_total", help, "counter", { protocol: "udp" }, net[1] ?? 0);
    set.add("node_nfs_packets_total", help, "counter", { protocol: "tcp" }, net[2] ?? 0);
  }
  const rpc = stat.get("rpc");
  if (rpc) {
    set.add("node_nfs_rpcs_total", "Total number of RPCs performed.", "counter", {}, rpc[0] ?? 0);
    set.add(
      "node_nfs_rpc_retransmissions_total",
      "Number of RPC transmissions performed.",
      "counter",
      {},
      rpc[1] ?? 0,
    );
    set.add(
      "node_nfs_rpc_authentication_refreshes_total",
      "Number of RPC authentication refreshes performed.",
      "counter",
      {},
      rpc[2] ?? 0,
    );
  }
  for (const [proto, procs] of Object.entries(NFS_CLIENT_PROCS)) {
    const values = stat.get(`proc${proto}`);
    if (!values) continue;
    // A kernel that knows fewer procedures writes fewer columns: the rest count as 0.
    procs.forEach((method, i) =>
      set.add(
        "node_nfs_requests_total",
        "Number of NFS procedures invoked.",
        "counter",
        { method, proto },
        values[i + 1] ?? 0,
      )
    );
  }
  return set.list();
}

/** The nfs collector. */
export function nfsCollector(): Collector {
  return {
    name: "nfs",
    collect: ({ paths }) => {
      const text = readOptional(at(paths.proc, "net/rpc/nfs"));
      if (text === undefined) {
        throw new NoDataError("no /proc/net/rpc/nfs (NFS client not loaded)");
      }
      return nfsFamilies(parseRpcStat(text));
    },
  };
}
