/**
 * The nfsd collector: NFS server statistics from /proc/net/rpc/nfsd (reply cache, file
 * handles, I/O, threads, read-ahead cache, network, RPC errors and calls per procedure), named
 * as in node_exporter, whose procfs maps the v4 operations past SetAttr two columns early; we
 * keep its mapping so dashboards agree.
 *
 * @module
 */
import { at, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";
import { NFS_CLIENT_PROCS, parseRpcStat } from "./nfs.ts";

/** v4 operations by their column in `proc4ops` (after the count), as node_exporter reads them. */
const V4_OPS: ReadonlyArray<readonly [number, string]> = [
  [3, "Access"],
  [4, "Close"],
  [5, "Commit"],
  [6, "Create"],
  [7, "DelegPurge"],
  [8, "DelegReturn"],
  [9, "GetAttr"],
  [10, "GetFH"],
  [11, "Link"],
  [12, "Lock"],
  [13, "Lockt"],
  [14, "Locku"],
  [15, "Lookup"],
  [16, "LookupRoot"],
  [17, "Nverify"],
  [18, "Open"],
  [19, "OpenAttr"],
  [20, "OpenConfirm"],
  [21, "OpenDgrd"],
  [22, "PutFH"],
  [25, "Read"],
  [26, "ReadDir"],
  [27, "ReadLink"],
  [28, "Remove"],
  [29, "Rename"],
  [30, "Renew"],
  [31, "RestoreFH"],
  [32, "SaveFH"],
  [33, "SecInfo"],
  [34, "SetAttr"],
  [35, "Verify"],
  [36, "Write"],
  [37, "RelLockOwner"],
];

/** The families for a parsed /proc/net/rpc/nfsd. */
export function nfsdFamilies(stat: ReadonlyMap<string, readonly number[]>): MetricFamily[] {
  const set = new FamilySet();
  const one = (
    name: string,
    help: string,
    v: number | undefined,
    type: "counter" | "gauge" = "counter",
  ) => {
    if (v !== undefined) set.add(`node_nfsd_${name}`, help, type, {}, v);
  };
  const rc = stat.get("rc") ?? [];
  one(
    "reply_cache_hits_total",
    "Total number of NFSd Reply Cache hits (client lost server response).",
    rc[0],
  );
  one(
    "reply_cache_misses_total",
    "Total number of NFSd Reply Cache an operation that requires caching (idempotent).",
    rc[1],
  );
  one(
    "reply_cache_nocache_total",
    "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/…).",
    rc[2],
  );
  one("file_handles_stale_total", "Total number of NFSd stale file handles", stat.get("fh")?.[0]);
  const io = stat.get("io") ?? [];
  one("disk_bytes_read_total", "Total NFSd bytes read.", io[0]);
  one("disk_bytes_written_total", "Total NFSd bytes written.", io[1]);
  one(
    "server_threads",
    "Total number of NFSd kernel threads that are running.",
    stat.get("th")?.[0],
    "gauge",
  );
  const ra = stat.get("ra");
  if (ra) {
    one(
      "read_ahead_cache_size_blocks",
      "How large the read ahead cache is in blocks.",
      ra[0],
      "gauge",
    );
    one(
      "read_ahead_cache_not_found_total",
      "Total number of NFSd read ahead cache not found.",
      ra[ra.length - 1],
    );
  }
  const net = stat.get("net");
  if (net) {
    const help = "Total NFSd network packets (sent+received) by protocol type.";
    set.add("node_nfsd_packets_total", help, "counter", { proto: "udp" }, net[1] ?? 0);
    set.add("node_nfsd_packets_total", help, "counter", { proto: "tcp" }, net[2] ?? 0);
    one("connections_total", "Total number of NFSd TCP connections.", net[3]);
  }
  const rpc = stat.get("rpc");
  if (rpc) {
    one("server_rpcs_total", "Total number of NFSd RPCs.", rpc[0]);
    const help = "Total number of NFSd RPC errors by error type.";
    set.add("node_nfsd_rpc_errors_total", help, "counter", { error: "fmt" }, rpc[2] ?? 0);
    set.add("node_nfsd_rpc_errors_total", help, "counter", { error: "auth" }, rpc[3] ?? 0);
    set.add("node_nfsd_rpc_errors_total", help, "counter", { error: "cInt" }, rpc[4] ?? 0);
  }
  const help = "Total number NFSd Requests by method and protocol.";
  for (const proto of ["2", "3"]) {
    const values = stat.get(`proc${proto}`);
    if (!values) continue;
    // The server's v2 and v3 lists leave out NULL.
    NFS_CLIENT_PROCS[proto]!.forEach((method, i) => {
      if (i > 0) {
        set.add("node_nfsd_requests_total", help, "counter", { method, proto }, values[i + 1] ?? 0);
      }
    });
  }
  const ops = stat.get("proc4ops");
  if (ops) {
    for (const [i, method] of V4_OPS) {
      set.add("node_nfsd_requests_total", help, "counter", { method, proto: "4" }, ops[i + 1] ?? 0);
    }
  }
  return set.list();
}

/** The nfsd collector. */
export function nfsdCollector(): Collector {
  return {
    name: "nfsd",
    collect: ({ paths }) => {
      const text = readOptional(at(paths.proc, "net/rpc/nfsd"));
      if (text === undefined) {
        throw new NoDataError("no /proc/net/rpc/nfsd (NFS server not loaded)");
      }
      return nfsdFamilies(parseRpcStat(text));
    },
  };
}
