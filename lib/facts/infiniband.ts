/**
 * The infiniband collector: per InfiniBand device its identity, and per port its state, rate
 * and the counters of `counters/` and (as `legacy_*`, node_exporter's name for them)
 * `counters_ext/`. Data counters count 4-byte words and become bytes; a counter the adapter
 * cannot report (`N/A (no PMA)`) is left out.
 *
 * @module
 */
import { at, listDir, listSubsystem, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** [directory/file, metric, help, multiplier]. */
const COUNTERS: readonly [string, string, string, number][] = [
  [
    "counters/link_downed",
    "link_downed_total",
    "Number of times the link failed to recover from an error state and went down",
    1,
  ],
  [
    "counters/link_error_recovery",
    "link_error_recovery_total",
    "Number of times the link successfully recovered from an error state",
    1,
  ],
  [
    "counters/multicast_rcv_packets",
    "multicast_packets_received_total",
    "Number of multicast packets received (including errors)",
    1,
  ],
  [
    "counters/multicast_xmit_packets",
    "multicast_packets_transmitted_total",
    "Number of multicast packets transmitted (including errors)",
    1,
  ],
  [
    "counters/port_rcv_constraint_errors",
    "port_constraint_errors_received_total",
    "Number of packets received on the switch physical port that are discarded",
    1,
  ],
  [
    "counters/port_xmit_constraint_errors",
    "port_constraint_errors_transmitted_total",
    "Number of packets not transmitted from the switch physical port",
    1,
  ],
  [
    "counters/port_rcv_data",
    "port_data_received_bytes_total",
    "Number of data octets received on all links",
    4,
  ],
  [
    "counters/port_xmit_data",
    "port_data_transmitted_bytes_total",
    "Number of data octets transmitted on all links",
    4,
  ],
  [
    "counters/port_rcv_discards",
    "port_discards_received_total",
    "Number of inbound packets discarded by the port because the port is down or congested",
    1,
  ],
  [
    "counters/port_xmit_discards",
    "port_discards_transmitted_total",
    "Number of outbound packets discarded by the port because the port is down or congested",
    1,
  ],
  [
    "counters/port_rcv_errors",
    "port_errors_received_total",
    "Number of packets containing an error that were received on this port",
    1,
  ],
  [
    "counters/port_rcv_packets",
    "port_packets_received_total",
    "Number of packets received on all VLs by this port (including errors)",
    1,
  ],
  [
    "counters/port_xmit_packets",
    "port_packets_transmitted_total",
    "Number of packets transmitted on all VLs from this port (including errors)",
    1,
  ],
  [
    "counters/port_xmit_wait",
    "port_transmit_wait_total",
    "Number of ticks during which the port had data to transmit but no data was sent during the entire tick",
    1,
  ],
  [
    "counters/unicast_rcv_packets",
    "unicast_packets_received_total",
    "Number of unicast packets received (including errors)",
    1,
  ],
  [
    "counters/unicast_xmit_packets",
    "unicast_packets_transmitted_total",
    "Number of unicast packets transmitted (including errors)",
    1,
  ],
  [
    "counters_ext/port_rcv_data_64",
    "legacy_data_received_bytes_total",
    "Number of data octets received on all links",
    4,
  ],
  [
    "counters_ext/port_xmit_data_64",
    "legacy_data_transmitted_bytes_total",
    "Number of data octets transmitted on all links",
    4,
  ],
  [
    "counters_ext/port_multicast_rcv_packets",
    "legacy_multicast_packets_received_total",
    "Number of multicast packets received",
    1,
  ],
  [
    "counters_ext/port_multicast_xmit_packets",
    "legacy_multicast_packets_transmitted_total",
    "Number of multicast packets transmitted",
    1,
  ],
  [
    "counters_ext/port_rcv_packets_64",
    "legacy_packets_received_total",
    "Number of data packets received on all links",
    1,
  ],
  [
    "counters_ext/port_xmit_packets_64",
    "legacy_packets_transmitted_total",
    "Number of data packets received on all links",
    1,
  ],
  [
    "counters_ext/port_unicast_rcv_packets",
    "legacy_unicast_packets_received_total",
    "Number of unicast packets received",
    1,
  ],
  [
    "counters_ext/port_unicast_xmit_packets",
    "legacy_unicast_packets_transmitted_total",
    "Number of unicast packets transmitted",
    1,
  ],
];

/** The port files read, relative to the port directory. */
export const IB_PORT_FILES: readonly string[] = [
  "state",
  "phys_state",
  "rate",
  ...COUNTERS.map(([f]) => f),
];

/** One device: its identity and each port's files (relative path → text). */
export interface IbDevice {
  readonly name: string;
  readonly boardId: string;
  readonly firmwareVersion: string;
  readonly hcaType: string;
  readonly ports: ReadonlyArray<readonly [string, Readonly<Record<string, string | undefined>>]>;
}

/** Parses `40 Gb/sec (4X QDR)` into bytes per second. */
export function parseIbRate(text: string): number | undefined {
  const m = /^([\d.]+)\s*Gb\/sec/.exec(text.trim());
  return m ? Number(m[1]) * 1e9 / 8 : undefined;
}

/** The families for the devices. */
export function infinibandFamilies(devices: readonly IbDevice[]): MetricFamily[] {
  const set = new FamilySet();
  for (const d of devices) {
    set.add(
      "node_infiniband_info",
      "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
      "gauge",
      {
        board_id: d.boardId,
        device: d.name,
        firmware_version: d.firmwareVersion,
        hca_type: d.hcaType,
      },
      1,
    );
    for (const [port, f] of d.ports) {
      const labels = { device: d.name, port };
      const id = (
        text: string | undefined,
      ) => (text !== undefined ? Number(text.split(":")[0]) : NaN);
      const state = id(f.state);
      if (Number.isFinite(state)) {
        set.add(
          "node_infiniband_state_id",
          "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)",
          "gauge",
          labels,
          state,
        );
      }
      const phys = id(f.phys_state);
      if (Number.isFinite(phys)) {
        set.add(
          "node_infiniband_physical_state_id",
          "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)",
          "gauge",
          labels,
          phys,
        );
      }
      const rate = f.rate !== undefined ? parseIbRate(f.rate) : undefined;
      if (rate !== undefined) {
        set.add(
          "node_infiniband_rate_bytes_per_second",
          "Maximum signal transfer rate",
          "gauge",
          labels,
          rate,
        );
      }
      for (const [file, name, help, mult] of COUNTERS) {
        const text = f[file];
        if (text === undefined || !/^\d+$/.test(text)) continue;
        set.add(`node_infiniband_${name}`, help, "counter", labels, Number(text) * mult);
      }
    }
  }
  return set.list();
}

/** The infiniband collector. */
export function infinibandCollector(): Collector {
  return {
    name: "infiniband",
    collect: ({ paths }) => {
      const base = at(paths.sys, "class/infiniband");
      const devices = listSubsystem(base).map((name): IbDevice => {
        const dir = `${base}/${name}`;
        return {
          name,
          boardId: readAttr(`${dir}/board_id`) ?? "",
          firmwareVersion: readAttr(`${dir}/fw_ver`) ?? "",
          hcaType: readAttr(`${dir}/hca_type`) ?? "",
          ports: listDir(`${dir}/ports`).map((port) =>
            [
              port,
              Object.fromEntries(
                IB_PORT_FILES.map((f) => [f, readAttr(`${dir}/ports/${port}/${f}`)]),
              ),
            ] as const
          ),
        };
      });
      return infinibandFamilies(devices);
    },
  };
}
