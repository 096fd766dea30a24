/**
 * The fibrechannel collector: per FC host from /sys/class/fc_host its identity
 * (`node_fibrechannel_info`) and its error and traffic counters (hex in sysfs).
 *
 * @module
 */
import { at, listSubsystem, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** The info labels, from the host's files of the same name (`0x` prefixes dropped). */
const INFO = [
  "dev_loss_tmo",
  "fabric_name",
  "port_id",
  "port_name",
  "port_state",
  "port_type",
  "speed",
  "supported_classes",
  "supported_speeds",
  "symbolic_name",
];

/** [statistics file, metric, help]. */
export const FC_STATISTICS: readonly [string, string, string][] = [
  ["error_frames", "error_frames_total", "Number of errors in frames"],
  ["fcp_packet_aborts", "fcp_packet_aborts_total", "Number of aborted packets"],
  ["invalid_crc_count", "invalid_crc_total", "Invalid Cyclic Redundancy Check count"],
  [
    "invalid_tx_word_count",
    "invalid_tx_words_total",
    "Number of invalid words transmitted by host port",
  ],
  ["link_failure_count", "link_failure_total", "Number of times the host port link has failed"],
  ["loss_of_signal_count", "loss_of_signal_total", "Number of times signal has been lost"],
  [
    "loss_of_sync_count",
    "loss_of_sync_total",
    "Number of failures on either bit or transmission word boundaries",
  ],
  ["nos_count", "nos_total", "Number Not_Operational Primitive Sequence received by host port"],
  ["rx_frames", "rx_frames_total", "Number of frames received"],
  ["rx_words", "rx_words_total", "Number of words received by host port"],
  [
    "seconds_since_last_reset",
    "seconds_since_last_reset_total",
    "Number of seconds since last host port reset",
  ],
  ["tx_frames", "tx_frames_total", "Number of frames transmitted by host port"],
  ["tx_words", "tx_words_total", "Number of words transmitted by host port"],
];

/** One FC host: its info attributes and statistics (as read). */
export interface FcHost {
  readonly name: string;
  readonly info: Readonly<Record<string, string | undefined>>;
  readonly statistics: Readonly<Record<string, string | undefined>>;
}

/** The families for the hosts. */
export function fibrechannelFamilies(hosts: readonly FcHost[]): MetricFamily[] {
  const set = new FamilySet();
  for (const h of hosts) {
    const labels: Record<string, string> = { fc_host: h.name };
    for (const k of INFO) labels[k] = (h.info[k] ?? "").replace(/^0x/, "");
    set.add(
      "node_fibrechannel_info",
      "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.",
      "gauge",
      labels,
      1,
    );
    for (const [file, name, help] of FC_STATISTICS) {
      const text = h.statistics[file];
      if (text === undefined) continue;
      const v = Number(text);
      if (Number.isFinite(v)) {
        set.add(`node_fibrechannel_${name}`, help, "counter", { fc_host: h.name }, v);
      }
    }
  }
  return set.list();
}

/** The fibrechannel collector. */
export function fibrechannelCollector(): Collector {
  return {
    name: "fibrechannel",
    collect: ({ paths }) => {
      const base = at(paths.sys, "class/fc_host");
      const hosts = listSubsystem(base).map((name): FcHost => {
        const dir = `${base}/${name}`;
        return {
          name,
          info: Object.fromEntries(INFO.map((k) => [k, readAttr(`${dir}/${k}`)])),
          statistics: Object.fromEntries(
            FC_STATISTICS.map(([f]) => [f, readAttr(`${dir}/statistics/${f}`)]),
          ),
        };
      });
      return fibrechannelFamilies(hosts);
    },
  };
}
