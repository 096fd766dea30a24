/**
 * The outputs of the logs job and the audit log, for a script's own events: file, S3, syslog,
 * HTTP (NDJSON, JSON or Elasticsearch `_bulk`) and console, behind the same batching, bounded
 * queue and retries with capped exponential backoff. `send` resolves once the batch is durable.
 *
 * @example Write events to a JSON-lines file
 * ```ts
 * import { createSink } from "@driftless/cli/sinks";
 * const dir = await Deno.makeTempDir();
 * const sink = await createSink({ name: "deploys", type: "file", path: `${dir}/deploys.ndjson` });
 * await sink.send([{ event: "deploy", version: "1.4.2" }]);
 * await sink.close();
 * console.assert((await Deno.readTextFile(`${dir}/deploys.ndjson`)).includes('"version":"1.4.2"'));
 * ```
 *
 * @module
 */
import { lazy } from "../lib/lazy.ts";
import { ConfigError, type ConfigIssue, formatPath, type KeyPath } from "../lib/errors.ts";
import type { BufferedSink } from "../lib/sinks/buffered.ts";
import type { SinkInput } from "../lib/sinks/config_types.ts";
import type { CreateSinkOptions } from "../lib/sinks/create.ts";

export type { CreateSinkOptions } from "../lib/sinks/create.ts";
export type { EventList, EventRun, Sink, SinkEvent } from "../lib/sinks/sink.ts";
export type { AckHandle, BufferedSink, SinkStats } from "../lib/sinks/buffered.ts";
export type * from "../lib/sinks/config_types.ts";

/**
 * Builds a sink from a config written as a logs output (`{ name, type, ... }`), validated as
 * the config files are: a bad one throws ConfigError with every problem and its key path.
 *
 * The config is a {@linkcode SinkInput}: durations and sizes as a config file writes them
 * (`timeout: "5s"`, `max_bytes: "1MiB"`; a bare number is seconds or bytes). A loaded config's
 * `logs.outputs` are a {@linkcode SinkConfig}, already parsed to milliseconds: to reuse one,
 * load its config and pass `shipLogs` the config instead.
 */
export async function createSink(
  config: SinkInput,
  options: CreateSinkOptions = {},
): Promise<BufferedSink> {
  const [{ sinkSchema }, { describeIssue }, { createSink }] = await Promise.all([
    lazy<typeof import("../lib/sinks/config.ts")>("../lib/sinks/config.ts", import.meta.url),
    lazy<typeof import("../lib/config/apply_schema.ts")>(
      "../lib/config/apply_schema.ts",
      import.meta.url,
    ),
    lazy<typeof import("../lib/sinks/create.ts")>("../lib/sinks/create.ts", import.meta.url),
  ]);
  const parsed = sinkSchema.safeParse(config);
  if (!parsed.success) {
    const issues: ConfigIssue[] = parsed.error.issues.map((issue) => ({
      file: "<sink config>",
      path: formatPath(issue.path as KeyPath),
      message: describeIssue(issue, config),
    }));
    throw new ConfigError(issues);
  }
  return await createSink(parsed.data, options);
}
