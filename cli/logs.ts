/**
 * `driftless logs`: ship the log files of the logs config to its outputs. Runs until SIGTERM or
 * SIGINT, then delivers what is queued and saves checkpoints within `shutdown_timeout`.
 * `--once` ships what the files hold now and exits 0 when all of it is acknowledged (for cron),
 * 1 when it was not, or an output gave events up (`max_attempts`, or refused for good).
 *
 * @module
 */
import { lazy } from "../lib/lazy.ts";
import type { LogsConfig } from "../lib/config/logs_schema.ts";
import type { LogsPipeline } from "../lib/logs/pipeline.ts";
import { ConfigError, ExitCode, UsageError } from "../lib/errors.ts";
import { redactor } from "../lib/secrets.ts";
import { type GlobalOptions, loadFromOptions } from "./_context.ts";
import { debug, info, warn } from "./_render.ts";

/** Options of `logs`. */
export interface LogsOptions {
  readonly once: boolean;
  /** With --once: give up after this long (a duration like "5m"). */
  readonly timeout?: string;
}

/** Runs `logs` and returns the exit code. */
export async function logs(g: GlobalOptions, o: LogsOptions): Promise<number> {
  let timeoutMs: number | undefined;
  if (o.timeout !== undefined) {
    if (!o.once) throw new UsageError("--timeout goes with --once");
    const { parseDuration } = await lazy<typeof import("../lib/sinks/units.ts")>(
      "../lib/sinks/units.ts",
      import.meta.url,
    );
    try {
      timeoutMs = parseDuration(o.timeout);
    } catch (e) {
      throw new UsageError(`--timeout: ${(e as Error).message}`);
    }
  }
  const logsConfig = await loadLogsConfig(g, !o.once);
  if (!logsConfig?.sources?.length) {
    throw new UsageError(
      `no log sources in ${g.config} (expected a logs.yml with sources: and outputs:)`,
    );
  }
  const { LogsPipeline: Pipeline } = await lazy<typeof import("../lib/logs/pipeline.ts")>(
    "../lib/logs/pipeline.ts",
    import.meta.url,
  );
  const log = (level: "warn" | "info" | "debug", message: string) =>
    level === "warn" ? warn(message) : level === "info" ? info(message) : debug(message);
  let pipeline: LogsPipeline;
  try {
    pipeline = await Pipeline.create(logsConfig, { log });
  } catch (e) {
    // Settings only known to be wrong when a sink is built (a template placeholder, a facility).
    if (e instanceof RangeError || e instanceof SyntaxError) {
      throw new ConfigError([{ file: g.config, path: "logs", message: e.message }]);
    }
    if ((e as Error).name === "StateDirError") {
      throw new ConfigError([{
        file: g.config,
        path: "logs.state_dir",
        message: (e as Error).message,
      }]);
    }
    throw e;
  }
  try {
    await pipeline.check();
  } catch (e) {
    await pipeline.close(true);
    throw e;
  }
  const summary = () => {
    const s = pipeline.sources.reduce(
      (a, r) => ({
        lines: a.lines + r.stats.linesRead,
        events: a.events + r.stats.events,
        dropped: a.dropped + r.stats.filtered + r.stats.rateLimited,
      }),
      { lines: 0, events: 0, dropped: 0 },
    );
    return `${s.lines} lines read, ${s.events} events shipped, ${s.dropped} dropped by filters`;
  };

  if (o.once) {
    const done = await pipeline.once(timeoutMs !== undefined ? { timeoutMs } : {});
    if (!done) {
      warn(`not everything was acknowledged within ${o.timeout}; the rest is shipped next time`);
      info(summary());
      return ExitCode.failed;
    }
    info(summary());
    const lost = [...pipeline.sinks.values()].filter((s) => s.stats.dropped + s.stats.rejected > 0);
    for (const s of lost) {
      warn(
        `output ${s.name} gave up ${s.stats.dropped} event(s) after max_attempts and had ` +
          `${s.stats.rejected} refused for good: they were not delivered`,
      );
    }
    return lost.length > 0 ? ExitCode.failed : ExitCode.ok;
  }

  let stopping: Promise<boolean> | undefined;
  const stop = () => {
    if (stopping) return;
    info("stopping: delivering queued lines and saving checkpoints");
    stopping = pipeline.stop();
  };
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  info(
    `shipping logs: ${plural(pipeline.sources.length, "source")} to ${
      plural(pipeline.sinks.size, "output")
    } (checkpoints in ${pipeline.stateDir})`,
  );
  try {
    await pipeline.run();
    const clean = await (stopping ?? pipeline.stop());
    if (!clean) {
      warn("stopped before everything queued was acknowledged; it is read again next time");
    }
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, stop);
  }
  info(summary());
  return ExitCode.ok;
}

/**
 * The logs section of the config. Following runs for months: when it may run driftless, the
 * config is validated in a child process (as the agent does), so this process never loads the
 * YAML parser, zod or the schemas (about 30 MB it would keep). `--once` validates in-process.
 */
async function loadLogsConfig(g: GlobalOptions, follow: boolean): Promise<LogsConfig | undefined> {
  if (follow && mayRunSelf()) {
    const { loadAgentConfig } = await lazy<typeof import("../lib/agent/config.ts")>(
      "../lib/agent/config.ts",
      import.meta.url,
    );
    const r = await loadAgentConfig(g.config, {
      ...(g.envFileRequired ? { envFile: g.envFile } : {}),
      onLog: (line) => debug(line),
    });
    if (!r.ok) throw new ConfigError(r.issues);
    for (const s of r.config.secrets) redactor.add(s);
    for (const w of r.config.warnings) warn(w);
    return r.config.logs;
  }
  return (await loadFromOptions(g, { tasks: false })).logs;
}

/** True when this process may start driftless again (a child with the same Deno). */
function mayRunSelf(): boolean {
  try {
    return Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state ===
      "granted";
  } catch {
    return false;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
