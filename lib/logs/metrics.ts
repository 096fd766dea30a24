/**
 * Self-metrics of the logs pipeline and its sinks, as the metric families the agent's
 * `/metrics` exposes (rendered by lib/facts/exposition.ts, the one Prometheus writer): lines
 * read, events shipped, drops by reason, retries, sink errors, queue sizes, lag bytes and
 * checkpoint age.
 *
 * @module
 */
import type { MetricFamily } from "../facts/metric.ts";
import type { LogsPipeline } from "./pipeline.ts";

/** The pipeline's metrics now. */
export function logsMetrics(p: LogsPipeline, now = Date.now()): MetricFamily[] {
  const out: MetricFamily[] = [];
  const per = (
    name: string,
    help: string,
    type: "counter" | "gauge",
    value: (s: LogsPipeline["sources"][number]) => number,
  ) =>
    out.push({
      name,
      help,
      type,
      samples: p.sources.map((s) => ({ labels: { source: s.name }, value: value(s) })),
    });
  per(
    "driftless_logs_lines_read_total",
    "Lines read from files.",
    "counter",
    (s) => s.stats.linesRead,
  );
  per(
    "driftless_logs_bytes_read_total",
    "Bytes read from files.",
    "counter",
    (s) => s.stats.bytesRead,
  );
  per(
    "driftless_logs_events_total",
    "Events routed to outputs (after filters).",
    "counter",
    (s) => s.stats.events,
  );
  out.push({
    name: "driftless_logs_dropped_total",
    help: "Events dropped on purpose, by reason.",
    type: "counter",
    samples: p.sources.flatMap((s) => [
      { labels: { source: s.name, reason: "filtered" }, value: s.stats.filtered },
      { labels: { source: s.name, reason: "rate_limited" }, value: s.stats.rateLimited },
      // A line cut by a copytruncate (its rest went to the new content): never spliced.
      { labels: { source: s.name, reason: "truncated" }, value: s.stats.truncatedLines },
    ]),
  });
  per(
    "driftless_logs_parse_errors_total",
    "Lines that did not parse (kept raw, with an error field).",
    "counter",
    (s) => s.stats.parseErrors,
  );
  per(
    "driftless_logs_long_lines_total",
    "Lines longer than max_line_bytes (split or truncated).",
    "counter",
    (s) => s.stats.longLines,
  );
  per(
    "driftless_logs_invalid_utf8_total",
    "Chunks with invalid UTF-8 (replaced).",
    "counter",
    (s) => s.stats.invalidUtf8,
  );
  per(
    "driftless_logs_multiline_cut_total",
    "Multiline groups cut at max_lines.",
    "counter",
    (s) => s.stats.multilineCut,
  );
  per(
    "driftless_logs_truncations_total",
    "Files truncated in place (copytruncate).",
    "counter",
    (s) => s.stats.truncations,
  );
  per(
    "driftless_logs_rotations_total",
    "Files that left their path (renamed or deleted).",
    "counter",
    (s) => s.stats.rotations,
  );
  per(
    "driftless_logs_files_released_total",
    "Rotated or deleted files read to their end and closed.",
    "counter",
    (s) => s.stats.released,
  );
  per("driftless_logs_open_files", "Files open now.", "gauge", (s) => s.openFiles);
  per("driftless_logs_files", "Files followed now (open or not).", "gauge", (s) => s.followedFiles);
  per(
    "driftless_logs_files_closed_over_limit_total",
    "Files closed to stay under max_open_files (opened again when they grow).",
    "counter",
    (s) => s.stats.closedOverLimit,
  );
  per(
    "driftless_logs_watch_overflows_total",
    "Times inotify lost events (queue overflow) and the source rescanned.",
    "counter",
    (s) => s.stats.watchOverflows,
  );
  per(
    "driftless_logs_unreadable_paths",
    "Paths named by the globs that could not be read at the last scan.",
    "gauge",
    (s) => s.stats.unreadable,
  );
  per(
    "driftless_logs_lag_bytes",
    "Bytes in the files not yet acknowledged by every output.",
    "gauge",
    (s) => s.lagBytes,
  );
  const sinks = [...p.sinks.values()];
  const sink = (
    name: string,
    help: string,
    type: "counter" | "gauge",
    value: (s: (typeof sinks)[number]) => number,
  ) =>
    out.push({
      name,
      help,
      type,
      samples: sinks.map((s) => ({ labels: { sink: s.name }, value: value(s) })),
    });
  sink(
    "driftless_sink_events_sent_total",
    "Events delivered.",
    "counter",
    (s) => s.stats.eventsSent,
  );
  sink(
    "driftless_sink_batches_sent_total",
    "Batches delivered.",
    "counter",
    (s) => s.stats.batchesSent,
  );
  sink(
    "driftless_sink_retries_total",
    "Retries after a failed attempt.",
    "counter",
    (s) => s.stats.retries,
  );
  sink("driftless_sink_errors_total", "Failed attempts.", "counter", (s) => s.stats.errors);
  sink(
    "driftless_sink_events_rejected_total",
    "Events the destination refused for good.",
    "counter",
    (s) => s.stats.rejected,
  );
  sink(
    "driftless_sink_events_dropped_total",
    "Events given up after max_attempts.",
    "counter",
    (s) => s.stats.dropped,
  );
  sink(
    "driftless_sink_queue_events",
    "Events queued or in flight.",
    "gauge",
    (s) => s.stats.queuedEvents,
  );
  sink(
    "driftless_sink_queue_bytes",
    "Bytes queued or in flight.",
    "gauge",
    (s) => s.stats.queuedBytes,
  );
  out.push({
    name: "driftless_logs_checkpoint_saves_total",
    help: "Checkpoint files written.",
    type: "counter",
    samples: [{ labels: {}, value: p.store.saves }],
  });
  out.push({
    name: "driftless_logs_checkpoint_age_seconds",
    help: "Seconds since checkpoints were last saved.",
    type: "gauge",
    samples: [{ labels: {}, value: p.store.savedAt ? (now - p.store.savedAt) / 1000 : 0 }],
  });
  return out;
}
