/**
 * `createSink(config)`: builds any sink from its config (logs `outputs[]`, `agent.audit.sinks[]`,
 * metrics push) behind the shared batching/retry/queue wrapper. Each sink type's module, and
 * the AWS SDK for S3, is imported only when a sink of that type is made.
 *
 * @module
 */
import { lazy } from "../lazy.ts";
import { type BufferedOptions, BufferedSink } from "./buffered.ts";
import type { SinkConfig, SinkType } from "./config.ts";
import type { Sink } from "./sink.ts";

/** Options for {@linkcode createSink}. */
export interface CreateSinkOptions {
  /** Host name for templates and event metadata; default `Deno.hostname()`. */
  readonly host?: string;
  /** Where the wrapper and sinks report failures, retries and recoveries. */
  readonly log?: (level: "warn" | "info" | "debug", message: string) => void;
  /** Overrides of the per-type defaults (e.g. a finite `maxAttempts` for the audit log). */
  readonly defaults?: Partial<{ maxAttempts: number }>;
}

interface Defaults {
  readonly batch: BufferedOptions["batch"];
  readonly queueBytes: number;
}

const MiB = 1024 * 1024;

/** Batch and queue defaults per sink type: big batches where requests are costly. */
export const SINK_DEFAULTS: Readonly<Record<SinkType, Defaults>> = {
  file: { batch: { maxEvents: 20_000, maxBytes: 4 * MiB, timeoutMs: 1000 }, queueBytes: 8 * MiB },
  s3: { batch: { maxEvents: 200_000, maxBytes: 8 * MiB, timeoutMs: 60_000 }, queueBytes: 20 * MiB },
  http: { batch: { maxEvents: 2000, maxBytes: 2 * MiB, timeoutMs: 1000 }, queueBytes: 8 * MiB },
  syslog: { batch: { maxEvents: 1000, maxBytes: 256 * 1024, timeoutMs: 200 }, queueBytes: 4 * MiB },
  console: { batch: { maxEvents: 1000, maxBytes: MiB, timeoutMs: 200 }, queueBytes: 4 * MiB },
};

/** The wrapper options of a sink config: its own values over the type's defaults. */
export function bufferedOptions(
  config: SinkConfig,
  options: CreateSinkOptions = {},
): BufferedOptions {
  const d = SINK_DEFAULTS[config.type];
  const batch = {
    maxEvents: config.batch?.max_events ?? d.batch.maxEvents,
    maxBytes: config.batch?.max_bytes ?? d.batch.maxBytes,
    timeoutMs: config.batch?.timeout ?? d.batch.timeoutMs,
  };
  return {
    batch,
    retry: {
      initialMs: config.retry?.initial_backoff ?? 1000,
      maxMs: config.retry?.max_backoff ?? 60_000,
      maxAttempts: config.retry?.max_attempts ?? options.defaults?.maxAttempts ?? 0,
    },
    // Two batches fit, so one can fill while the other is sent.
    queue: {
      maxEvents: config.queue?.max_events ?? Math.max(2 * batch.maxEvents, 10_000),
      maxBytes: config.queue?.max_bytes ?? Math.max(2 * batch.maxBytes, d.queueBytes),
    },
    ...(options.log ? { log: options.log } : {}),
  };
}

/** Makes the sink itself, without the wrapper. */
export async function createInnerSink(
  config: SinkConfig,
  options: CreateSinkOptions = {},
): Promise<Sink> {
  const host = options.host ?? Deno.hostname();
  switch (config.type) {
    case "file": {
      const { FileSink } = await lazy<typeof import("./file.ts")>("./file.ts", import.meta.url);
      return new FileSink(config, { host, ...(options.log ? { log: options.log } : {}) });
    }
    case "s3": {
      const { S3Sink } = await lazy<typeof import("./s3.ts")>("./s3.ts", import.meta.url);
      return new S3Sink(config, { host });
    }
    case "syslog": {
      const { SyslogSink } = await lazy<typeof import("./syslog.ts")>(
        "./syslog.ts",
        import.meta.url,
      );
      return new SyslogSink(config, { host });
    }
    case "http": {
      const { HttpSink } = await lazy<typeof import("./http.ts")>("./http.ts", import.meta.url);
      return new HttpSink(config, { host });
    }
    case "console": {
      const { ConsoleSink } = await lazy<typeof import("./console.ts")>(
        "./console.ts",
        import.meta.url,
      );
      return new ConsoleSink(config);
    }
  }
}

/**
 * Builds a sink from its config, wrapped in batching, retries and a bounded queue. `send()`
 * on it resolves when the batch is durable; the logs pipeline uses `push()` with ack handles.
 *
 * @example
 * ```ts
 * const sink = await createSink({ name: "audit", type: "file", path: "/var/log/driftless/audit.jsonl" });
 * await sink.send([{ time: new Date().toISOString(), task: "x" }]);
 * await sink.close();
 * ```
 */
export async function createSink(
  config: SinkConfig,
  options: CreateSinkOptions = {},
): Promise<BufferedSink> {
  return new BufferedSink(await createInnerSink(config, options), bufferedOptions(config, options));
}

/** Builds several sinks (e.g. `agent.audit.sinks`); on a failure the ones made are closed. */
export async function createSinks(
  configs: readonly SinkConfig[],
  options: CreateSinkOptions = {},
): Promise<BufferedSink[]> {
  const out: BufferedSink[] = [];
  try {
    for (const c of configs) out.push(await createSink(c, options));
  } catch (e) {
    await Promise.all(out.map((s) => s.abort()));
    throw e;
  }
  return out;
}
