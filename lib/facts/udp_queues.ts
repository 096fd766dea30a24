/**
 * The udp_queues collector: `node_udp_queues{ip,queue}`, the bytes queued in UDP sockets, summed
 * from the `tx_queue:rx_queue` column of /proc/net/udp and udp6.
 *
 * @module
 */
import { at, readOptional, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { family, type MetricFamily } from "./metric.ts";

/** Sums the tx and rx queues of a /proc/net/udp table. */
export function parseUdpQueues(text: string): { tx: number; rx: number } {
  let tx = 0;
  let rx = 0;
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    const q = f[4];
    if (!q || !q.includes(":")) continue;
    const [t, r] = q.split(":");
    tx += parseInt(t!, 16) || 0;
    rx += parseInt(r!, 16) || 0;
  }
  return { tx, rx };
}

/** The family for the v4 and (when present) v6 queues. */
export function udpQueuesFamilies(
  v4: { tx: number; rx: number },
  v6?: { tx: number; rx: number },
): MetricFamily[] {
  const samples = [
    { labels: { ip: "v4", queue: "rx" }, value: v4.rx },
    { labels: { ip: "v4", queue: "tx" }, value: v4.tx },
  ];
  if (v6) {
    samples.push({ labels: { ip: "v6", queue: "rx" }, value: v6.rx });
    samples.push({ labels: { ip: "v6", queue: "tx" }, value: v6.tx });
  }
  return [
    family(
      "node_udp_queues",
      "Number of allocated memory in the kernel for UDP datagrams in bytes.",
      "gauge",
      samples,
    ),
  ];
}

/** The udp_queues collector. */
export function udpQueuesCollector(): Collector {
  return {
    name: "udp_queues",
    collect({ paths }) {
      const v4 = readText(at(paths.proc, "net/udp"));
      const v6 = readOptional(at(paths.proc, "net/udp6"));
      return udpQueuesFamilies(
        parseUdpQueues(v4),
        v6 !== undefined ? parseUdpQueues(v6) : undefined,
      );
    },
  };
}
