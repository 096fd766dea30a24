/**
 * The ipvs collector: IPVS totals from /proc/net/ip_vs_stats and per-backend connections and
 * weights from /proc/net/ip_vs, summed over the chosen `backend_labels` as node_exporter does.
 *
 * @module
 */
import { ipv6FromHex } from "./_ip.ts";
import { at, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** The backend labels, in node_exporter's default order. */
export const IPVS_LABELS = [
  "local_address",
  "local_port",
  "remote_address",
  "remote_port",
  "proto",
  "local_mark",
] as const;

/** One backend of a virtual service. */
export interface IpvsBackend {
  readonly local_address: string;
  readonly local_port: string;
  readonly remote_address: string;
  readonly remote_port: string;
  readonly proto: string;
  readonly local_mark: string;
  readonly weight: number;
  readonly active: number;
  readonly inactive: number;
}

const hexNumber = (h: string) => Number(BigInt(`0x${h}`));

/** `C0A80016:0CEA` or `[2620:0000:...]:0050` → address and port. */
function ipPort(text: string): [string, string] {
  const colon = text.lastIndexOf(":");
  const addr = text.slice(0, colon);
  const port = String(parseInt(text.slice(colon + 1), 16));
  if (addr.startsWith("[")) return [ipv6FromHex(addr.slice(1, -1).replaceAll(":", "")), port];
  const n = parseInt(addr, 16);
  return [[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join("."), port];
}

/** Parses /proc/net/ip_vs. */
export function parseIpvs(text: string): IpvsBackend[] {
  const out: IpvsBackend[] = [];
  let service:
    | Pick<IpvsBackend, "local_address" | "local_port" | "proto" | "local_mark">
    | undefined;
  for (const line of text.split("\n").slice(3)) {
    const f = line.trim().split(/\s+/);
    if (f[0] === "TCP" || f[0] === "UDP") {
      const [local_address, local_port] = ipPort(f[1]!);
      service = { local_address, local_port, proto: f[0], local_mark: "" };
    } else if (f[0] === "FWM") {
      service = { local_address: "", local_port: "0", proto: "FWM", local_mark: f[1]! };
    } else if (f[0] === "->" && service && f.length >= 6) {
      const [remote_address, remote_port] = ipPort(f[1]!);
      out.push({
        ...service,
        remote_address,
        remote_port,
        weight: Number(f[3]),
        active: Number(f[4]),
        inactive: Number(f[5]),
      });
    }
  }
  return out;
}

/** Parses /proc/net/ip_vs_stats: the totals line (hex). */
export function parseIpvsStats(text: string): number[] {
  const line = text.split("\n")[2] ?? "";
  return line.trim().split(/\s+/).map(hexNumber);
}

/** The families for the totals and backends. */
export function ipvsFamilies(
  totals: readonly number[],
  backends: readonly IpvsBackend[],
  labels: readonly string[] = IPVS_LABELS,
): MetricFamily[] {
  const set = new FamilySet();
  const total = (i: number, name: string, help: string) => {
    if (totals[i] !== undefined) set.add(`node_ipvs_${name}`, help, "counter", {}, totals[i]!);
  };
  total(0, "connections_total", "The total number of connections made.");
  total(1, "incoming_packets_total", "The total number of incoming packets.");
  total(2, "outgoing_packets_total", "The total number of outgoing packets.");
  total(3, "incoming_bytes_total", "The total amount of incoming data.");
  total(4, "outgoing_bytes_total", "The total amount of outgoing data.");
  const sums = new Map<
    string,
    { labels: Record<string, string>; active: number; inactive: number; weight: number }
  >();
  for (const b of backends) {
    const l = Object.fromEntries(labels.map((k) => [k, b[k as keyof IpvsBackend] as string]));
    const key = labels.map((k) => l[k]).join("\0");
    const s = sums.get(key) ?? { labels: l, active: 0, inactive: 0, weight: 0 };
    s.active += b.active;
    s.inactive += b.inactive;
    s.weight += b.weight;
    sums.set(key, s);
  }
  for (const s of sums.values()) {
    set.add(
      "node_ipvs_backend_connections_active",
      "The current active connections by local and remote address.",
      "gauge",
      s.labels,
      s.active,
    );
    set.add(
      "node_ipvs_backend_connections_inactive",
      "The current inactive connections by local and remote address.",
      "gauge",
      s.labels,
      s.inactive,
    );
    set.add(
      "node_ipvs_backend_weight",
      "The current backend weight by local and remote address.",
      "gauge",
      s.labels,
      s.weight,
    );
  }
  return set.list();
}

/** The ipvs collector; `backendLabels` picks the labels backends are summed by. */
export function ipvsCollector(
  options: { backendLabels?: readonly string[] | undefined } = {},
): Collector {
  const labels = options.backendLabels ?? IPVS_LABELS;
  return {
    name: "ipvs",
    collect: ({ paths }) => {
      const stats = readOptional(at(paths.proc, "net/ip_vs_stats"));
      if (stats === undefined) {
        throw new NoDataError("no /proc/net/ip_vs_stats (IPVS not loaded)");
      }
      return ipvsFamilies(
        parseIpvsStats(stats),
        parseIpvs(readOptional(at(paths.proc, "net/ip_vs")) ?? ""),
        labels,
      );
    },
  };
}
