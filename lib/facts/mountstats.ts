/**
 * The mountstats collector (off by default, as in node_exporter): NFS client statistics per
 * mount from /proc/self/mountstats (bytes, events, transport and per-operation counters),
 * labelled with the export, the server address (from /proc/self/mountinfo, same order) and
 * the transport protocol. A mount seen twice with the same labels is reported once.
 *
 * @module
 */
import { at, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** One NFS mount's statistics. */
export interface NfsMountStats {
  readonly export: string;
  readonly age: number;
  readonly bytes: readonly number[];
  readonly events: readonly number[];
  /** `tcp` or `udp` and the transport counters in node_exporter's field order. */
  readonly protocol: string;
  readonly transport: Readonly<Record<string, number>>;
  /** Operation → its eight counters; the three time sums as exact integers. */
  readonly operations: ReadonlyArray<readonly [string, readonly bigint[]]>;
}

/** One mount of /proc/self/mountstats: device, and the NFS statistics when it is NFS. */
export interface Mountstat {
  readonly device: string;
  readonly nfs?: NfsMountStats;
}

const TCP_FIELDS = [
  "port",
  "bind",
  "connect",
  "connectIdle",
  "idle",
  "sends",
  "receives",
  "badXids",
  "requests",
  "backlog",
  "maxSlots",
  "sending",
  "pending",
];
const UDP_FIELDS = [
  "port",
  "bind",
  "sends",
  "receives",
  "badXids",
  "requests",
  "backlog",
  "maxSlots",
  "sending",
  "pending",
];

/** Parses /proc/self/mountstats. */
export function parseMountstats(text: string): Mountstat[] {
  const out: Mountstat[] = [];
  let nfs:
    | {
      export: string;
      age: number;
      bytes: number[];
      events: number[];
      protocol: string;
      transport: Record<string, number>;
      operations: [string, bigint[]][];
    }
    | undefined;
  let inOps = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const dev = /^device (\S+) mounted on \S+ with fstype (\S+)/.exec(line);
    if (dev) {
      inOps = false;
      nfs = /^nfs4?$/.test(dev[2]!)
        ? {
          export: dev[1]!,
          age: 0,
          bytes: [],
          events: [],
          protocol: "",
          transport: {},
          operations: [],
        }
        : undefined;
      out.push(nfs ? { device: dev[1]!, nfs } : { device: dev[1]! });
      continue;
    }
    if (!nfs || line === "") continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === "age:") nfs.age = Number(rest[0]);
    else if (key === "bytes:") nfs.bytes = rest.map(Number);
    else if (key === "events:") nfs.events = rest.map(Number);
    else if (key === "xprt:") {
      nfs.protocol = rest[0] ?? "";
      const names = nfs.protocol === "udp" ? UDP_FIELDS : TCP_FIELDS;
      names.forEach((n, i) => (nfs!.transport[n] = Number(rest[i + 1] ?? 0)));
    } else if (line === "per-op statistics") inOps = true;
    else if (inOps && key?.endsWith(":")) {
      nfs.operations.push([key.slice(0, -1), rest.map((v) => BigInt(/^\d+$/.test(v) ? v : 0))]);
    }
  }
  return out;
}

/** The `addr=` super option of each /proc/self/mountinfo line, in order. */
export function parseMountinfoAddrs(text: string): (string | undefined)[] {
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => {
    const sep = l.indexOf(" - ");
    const superOpts = sep < 0 ? "" : l.slice(sep + 3).split(" ")[2] ?? "";
    return /(?:^|,)addr=([^,]*)/.exec(superOpts)?.[1];
  });
}

const BYTES: readonly [number, string, string][] = [
  [0, "read_bytes_total", "Number of bytes read using the read() syscall."],
  [1, "write_bytes_total", "Number of bytes written using the write() syscall."],
  [2, "direct_read_bytes_total", "Number of bytes read using the read() syscall in O_DIRECT mode."],
  [
    3,
    "direct_write_bytes_total",
    "Number of bytes written using the write() syscall in O_DIRECT mode.",
  ],
  [4, "total_read_bytes_total", "Number of bytes read from the NFS server, in total."],
  [5, "total_write_bytes_total", "Number of bytes written to the NFS server, in total."],
  [6, "read_pages_total", "Number of pages read directly via mmap()'d files."],
  [7, "write_pages_total", "Number of pages written directly via mmap()'d files."],
];

const EVENTS: readonly [number, string, string][] = [
  [
    0,
    "inode_revalidate",
    "Number of times cached inode attributes are re-validated from the server.",
  ],
  [1, "dnode_revalidate", "Number of times cached dentry nodes are re-validated from the server."],
  [2, "data_invalidate", "Number of times an inode cache is cleared."],
  [3, "attribute_invalidate", "Number of times cached inode attributes are invalidated."],
  [4, "vfs_open", "Number of times cached inode attributes are invalidated."],
  [5, "vfs_lookup", "Number of times a directory lookup has occurred."],
  [6, "vfs_access", "Number of times permissions have been checked."],
  [7, "vfs_update_page", "Number of updates (and potential writes) to pages."],
  [8, "vfs_read_page", "Number of pages read directly via mmap()'d files."],
  [9, "vfs_read_pages", "Number of times a group of pages have been read."],
  [10, "vfs_write_page", "Number of pages written directly via mmap()'d files."],
  [11, "vfs_write_pages", "Number of times a group of pages have been written."],
  [12, "vfs_getdents", "Number of times directory entries have been read with getdents()."],
  [13, "vfs_setattr", "Number of times directory entries have been read with getdents()."],
  [14, "vfs_flush", "Number of pending writes that have been forcefully flushed to the server."],
  [15, "vfs_fsync", "Number of times fsync() has been called on directories and files."],
  [16, "vfs_lock", "Number of times locking has been attempted on a file."],
  [17, "vfs_file_release", "Number of times files have been closed and released."],
  [19, "truncation", "Number of times files have been truncated."],
  [
    20,
    "write_extension",
    "Number of times a file has been grown due to writes beyond its existing end.",
  ],
  [21, "silly_rename", "Number of times a file was removed while still open by another process."],
  [
    22,
    "short_read",
    "Number of times the NFS server gave less data than expected while reading.",
  ],
  [
    23,
    "short_write",
    "Number of times the NFS server wrote less data than expected while writing.",
  ],
  [
    24,
    "jukebox_delay",
    "Number of times the NFS server indicated EJUKEBOX; retrieving data from offline storage.",
  ],
  [25, "pnfs_read", "Number of NFS v4.1+ pNFS reads."],
  [26, "pnfs_write", "Number of NFS v4.1+ pNFS writes."],
];

const TRANSPORT: readonly [string, string, string, "counter" | "gauge"][] = [
  [
    "bind",
    "bind_total",
    "Number of times the client has had to establish a connection from scratch to the NFS server.",
    "counter",
  ],
  [
    "connect",
    "connect_total",
    "Number of times the client has made a TCP connection to the NFS server.",
    "counter",
  ],
  [
    "idle",
    "idle_time_seconds",
    "Duration since the NFS mount last saw any RPC traffic, in seconds.",
    "gauge",
  ],
  [
    "sends",
    "sends_total",
    "Number of RPC requests for this mount sent to the NFS server.",
    "counter",
  ],
  [
    "receives",
    "receives_total",
    "Number of RPC responses for this mount received from the NFS server.",
    "counter",
  ],
  [
    "badXids",
    "bad_transaction_ids_total",
    "Number of times the NFS server sent a response with a transaction ID unknown to this client.",
    "counter",
  ],
  [
    "backlog",
    "backlog_queue_total",
    "Total number of items added to the RPC backlog queue.",
    "counter",
  ],
  [
    "maxSlots",
    "maximum_rpc_slots",
    "Maximum number of simultaneously active RPC requests ever used.",
    "gauge",
  ],
  [
    "sending",
    "sending_queue_total",
    "Total number of items added to the RPC transmission sending queue.",
    "counter",
  ],
  [
    "pending",
    "pending_queue_total",
    "Total number of items added to the RPC transmission pending queue.",
    "counter",
  ],
];

/** Millisecond sums wrap at 2^53, as node_exporter wraps them, so the float stays exact. */
const MANTISSA = 2n ** 53n;
const OPERATIONS: readonly [number, string, string, number][] = [
  [0, "requests_total", "Number of requests performed for a given operation.", 1],
  [
    1,
    "transmissions_total",
    "Number of times an actual RPC request has been transmitted for a given operation.",
    1,
  ],
  [
    2,
    "major_timeouts_total",
    "Number of times a request has had a major timeout for a given operation.",
    1,
  ],
  [
    3,
    "sent_bytes_total",
    "Number of bytes sent for a given operation, including RPC headers and payload.",
    1,
  ],
  [
    4,
    "received_bytes_total",
    "Number of bytes received for a given operation, including RPC headers and payload.",
    1,
  ],
  [
    5,
    "queue_time_seconds_total",
    "Duration all requests spent queued for transmission for a given operation before they were sent, in seconds.",
    1000,
  ],
  [
    6,
    "response_time_seconds_total",
    "Duration all requests took to get a reply back after a request for a given operation was transmitted, in seconds.",
    1000,
  ],
  [
    7,
    "request_time_seconds_total",
    "Duration all requests took from when a request was enqueued to when it was completely handled for a given operation, in seconds.",
    1000,
  ],
];

/** The families for the NFS mounts, each with the server address of its mount. */
export function mountstatsFamilies(
  mounts: ReadonlyArray<{ nfs: NfsMountStats; mountaddr: string }>,
): MetricFamily[] {
  const set = new FamilySet();
  const seen = new Set<string>();
  const p = "node_mountstats_nfs_";
  for (const { nfs, mountaddr } of mounts) {
    const labels = { export: nfs.export, mountaddr, protocol: nfs.protocol };
    const key = `${nfs.export}\0${nfs.protocol}\0${mountaddr}`;
    if (seen.has(key)) continue;
    seen.add(key);
    set.add(
      `${p}age_seconds_total`,
      "The age of the NFS mount in seconds.",
      "counter",
      labels,
      nfs.age,
    );
    for (const [i, name, help] of BYTES) {
      set.add(`${p}${name}`, help, "counter", labels, nfs.bytes[i] ?? 0);
    }
    for (const [i, name, help] of EVENTS) {
      set.add(`${p}event_${name}_total`, help, "counter", labels, nfs.events[i] ?? 0);
    }
    for (const [field, name, help, type] of TRANSPORT) {
      set.add(`${p}transport_${name}`, help, type, labels, nfs.transport[field] ?? 0);
    }
    for (const [operation, values] of nfs.operations) {
      for (const [i, name, help, div] of OPERATIONS) {
        const v = values[i] ?? 0n;
        const n = div === 1 ? Number(v) : Number(v % MANTISSA) / div;
        set.add(`${p}operations_${name}`, help, "counter", { ...labels, operation }, n);
      }
    }
  }
  return set.list();
}

/** The mountstats collector. */
export function mountstatsCollector(): Collector {
  return {
    name: "mountstats",
    collect: ({ paths }) => {
      const text = readOptional(at(paths.proc, "self/mountstats"));
      if (text === undefined) throw new NoDataError("no /proc/self/mountstats");
      const addrs = parseMountinfoAddrs(readOptional(at(paths.proc, "self/mountinfo")) ?? "");
      const mounts = parseMountstats(text).flatMap((m, i) =>
        m.nfs ? [{ nfs: m.nfs, mountaddr: addrs[i] ?? "" }] : []
      );
      return mountstatsFamilies(mounts);
    },
  };
}
