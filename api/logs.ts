/**
 * Log shipping for scripts, as `driftless logs` does it: tail the `logs.*` sources, parse and
 * filter them, deliver to the outputs at least once (offsets are saved only after every output
 * acknowledged the lines).
 *
 * @example Ship what a file holds, once
 * ```ts
 * import { loadConfig } from "@driftless/cli";
 * import { shipLogs } from "@driftless/cli/logs";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/app.log`, "started\nready\n");
 * await Deno.mkdir(`${dir}/config`);
 * await Deno.mkdir(`${dir}/state`, { mode: 0o700 });
 * await Deno.writeTextFile(`${dir}/config/logs.yml`, `
 * state_dir: ${dir}/state
 * sources: [{ name: app, paths: ["${dir}/app.log"], start_at: beginning, outputs: [out] }]
 * outputs: [{ name: out, type: file, path: "${dir}/out/{source}.ndjson" }]
 * `);
 * const shipping = await shipLogs(await loadConfig(`${dir}/config`), { once: true });
 * console.assert(await shipping.done);
 * const lines = (await Deno.readTextFile(`${dir}/out/app.ndjson`)).trim().split("\n");
 * console.assert(JSON.parse(lines[1]!).message === "ready");
 * ```
 *
 * @module
 */
import { lazy } from "../lib/lazy.ts";
import { UsageError } from "../lib/errors.ts";
import type { MetricFamily } from "../lib/facts/metric.ts";
import { type ConfigInput, resolveConfig } from "./_load.ts";

export type * from "../lib/config/logs_types.ts";

/** Options of {@linkcode shipLogs}. */
export interface ShipOptions {
  /** Ship what the files hold now and stop (`done` tells whether all of it was acknowledged). */
  readonly once?: boolean;
  /** With `once`: give up after this many milliseconds (the rest is shipped next time). */
  readonly timeoutMs?: number;
  /** Warnings (outputs failing, unreadable files), notes and debug lines; default: none. */
  readonly log?: (level: "warn" | "info" | "debug", message: string) => void;
}

/** Log shipping in progress. */
export interface LogsHandle {
  /**
   * Resolves when shipping has ended: true when everything read was acknowledged (with
   * `once`: everything the files held), false when the deadline cut it short.
   */
  readonly done: Promise<boolean>;
  /** Stops following, delivers what is queued and saves checkpoints; resolves like `done`. */
  stop(): Promise<boolean>;
  /** Lines read, shipped and dropped per source, and each output's counters, as metrics. */
  metrics(): Promise<MetricFamily[]>;
}

/**
 * Starts shipping the sources of a config's `logs.*` to its outputs. Throws ConfigError for a
 * config without sources, and when another process holds the state dir.
 */
export async function shipLogs(
  config: ConfigInput,
  options: ShipOptions = {},
): Promise<LogsHandle> {
  const loaded = await resolveConfig(config, { tasks: false });
  if (!loaded.logs?.sources?.length) {
    throw new UsageError(`no log sources in ${loaded.dir} (expected logs.yml with sources:)`);
  }
  const { LogsPipeline } = await lazy<typeof import("../lib/logs/pipeline.ts")>(
    "../lib/logs/pipeline.ts",
    import.meta.url,
  );
  const pipeline = await LogsPipeline.create(loaded.logs, {
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    await pipeline.check();
  } catch (e) {
    await pipeline.close(true);
    throw e;
  }
  const done = options.once
    ? pipeline.once(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {})
    : pipeline.run().then(() => pipeline.stop());
  let stopping: Promise<boolean> | undefined;
  return {
    done,
    stop: () => (stopping ??= options.once ? done : pipeline.stop()),
    metrics: async () =>
      (await lazy<typeof import("../lib/logs/metrics.ts")>(
        "../lib/logs/metrics.ts",
        import.meta.url,
      )).logsMetrics(pipeline),
  };
}
