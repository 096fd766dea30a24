/**
 * The netstat collector: /proc/net/netstat, /proc/net/snmp and /proc/net/snmp6 counters as
 * `node_netstat_<Proto>_<Field>`, untyped and in the kernel's CamelCase, like node_exporter.
 *
 * @module
 */
import { at, readOptional, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { type MetricFamily, single } from "./metric.ts";

/** node_exporter's default `--collector.netstat.fields`. */
export const DEFAULT_NETSTAT_FIELDS =
  "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$";

/** Protocol → field → value. */
export type NetStats = Map<string, Map<string, number>>;

/**
 * Parses /proc/net/netstat or /proc/net/snmp: pairs of `Proto: names...` / `Proto: values...`
 * lines. A pair whose counts differ is skipped rather than misaligned.
 */
export function parseNetstat(text: string, into: NetStats = new Map()): NetStats {
  const lines = text.split("\n");
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = lines[i]!.trim().split(/\s+/);
    const values = lines[i + 1]!.trim().split(/\s+/);
    if (names.length !== values.length || names[0] !== values[0]) {
      // Out of step (a truncated or odd file): resynchronise on the next line.
      i -= 1;
      continue;
    }
    const proto = names[0]!.replace(/:$/, "");
    const fields = into.get(proto) ?? new Map<string, number>();
    for (let j = 1; j < names.length; j++) {
      const v = Number(values[j]);
      if (Number.isFinite(v)) fields.set(names[j]!, v);
    }
    into.set(proto, fields);
  }
  return into;
}

/** Parses /proc/net/snmp6 (`Ip6InReceives 12` lines): the protocol ends at the first "6". */
export function parseSnmp6(text: string, into: NetStats = new Map()): NetStats {
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2) continue;
    const six = f[0]!.indexOf("6");
    if (six < 0) continue;
    const proto = f[0]!.slice(0, six + 1);
    const v = Number(f[1]);
    if (!Number.isFinite(v)) continue;
    let fields = into.get(proto);
    if (!fields) into.set(proto, fields = new Map());
    fields.set(f[0]!.slice(six + 1), v);
  }
  return into;
}

/** The families for the counters whose `Proto_Field` key matches `fields`, sorted by name. */
export function netstatFamilies(stats: NetStats, fields: RegExp): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const [proto, values] of stats) {
    for (const [name, v] of values) {
      const key = `${proto}_${name}`;
      if (!fields.test(key)) continue;
      out.push(single(`node_netstat_${key}`, `Statistic ${proto}${name}.`, v, "untyped"));
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Options of the netstat collector. */
export interface NetstatOptions {
  /** Regex of `Proto_Field` keys to export. */
  readonly fields?: string | undefined;
}

/** The netstat collector. */
export function netstatCollector(options: NetstatOptions = {}): Collector {
  const fields = new RegExp(options.fields ?? DEFAULT_NETSTAT_FIELDS);
  return {
    name: "netstat",
    collect({ paths }) {
      const stats = parseNetstat(
        readText(at(paths.proc, "net/snmp")),
        parseNetstat(readText(at(paths.proc, "net/netstat"))),
      );
      const snmp6 = readOptional(at(paths.proc, "net/snmp6"));
      if (snmp6 !== undefined) parseSnmp6(snmp6, stats);
      return netstatFamilies(stats, fields);
    },
  };
}
