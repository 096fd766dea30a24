/**
 * Driftless: configure a host, export its metrics and ship its logs from one config dir.
 *
 * Run it as a CLI (`deno run -A jsr:@driftless/cli apply`) or import it. Everything is here;
 * the subpaths `@driftless/cli/apply`, `/facts`, `/logs`, `/template` and `/sinks` hold one job
 * each and load only what it needs (`/template` loads no schemas and no task modules).
 *
 * @example Plan a config and print what would change
 * ```ts
 * import { loadConfig, plan } from "@driftless/cli";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/apply.yml`, "tasks:\n  - { type: directory, path: /srv/app }\n");
 * const config = await loadConfig(dir);
 * const result = await plan(config, { audit: false });
 * for (const task of result.tasks) console.log(task.status, task.name);
 * ```
 *
 * @module
 */
export {
  checkConfig,
  type ConfigInput,
  loadConfig,
  type LoadConfigOptions,
  validateConfig,
  type Validation,
} from "./api/config.ts";
export {
  type Account,
  apply,
  type ApplyOptions,
  type ApplyResult,
  BusyError,
  type ChangeResult,
  type CommandResult,
  type FileStat,
  type Host,
  plan,
  type PlanOptions,
  type RunOptions,
  type RunStats,
  type TaskResult,
  type TaskStatus,
  type WriteOptions,
} from "./api/apply.ts";
export {
  collectMetrics,
  type CollectOptions,
  formatValue,
  gatherFacts,
  type GatherOptions,
  type HostFacts,
  type Labels,
  type MetricFamily,
  type MetricsHandle,
  type MetricType,
  type Sample,
  serveMetrics,
  type ServeOptions,
  toPrometheusText,
} from "./api/facts.ts";
export { type LogsHandle, shipLogs, type ShipOptions } from "./api/logs.ts";
export {
  type AckHandle,
  type BufferedSink,
  createSink,
  type CreateSinkOptions,
  type EventList,
  type EventRun,
  type Sink,
  type SinkEvent,
  type SinkStats,
} from "./api/sinks.ts";
export {
  checkTemplate,
  evaluateExpression,
  markUnsafe,
  type RenderOptions,
  renderTemplate,
  renderTemplateFile,
  TemplateError,
  templateValue,
} from "./api/template.ts";
export type { ApplyConfig, ConfigIssueLocation, LoadedConfig } from "./lib/config/loader.ts";
export type * from "./lib/config/facts_types.ts";
export type * from "./lib/config/logs_types.ts";
export type * from "./lib/config/agent_types.ts";
export type * from "./lib/sinks/config_types.ts";
export type { TaskOrigin } from "./lib/config/task_list.ts";
export type { Role, RoleCall } from "./lib/config/roles.ts";
export type { SchemaName } from "./lib/config/schemas.ts";
export type { Condition, LoopControl, TaskSpec } from "./lib/config/apply_schema.ts";
export type { SecretSource } from "./lib/secrets.ts";
export {
  ConfigError,
  type ConfigIssue,
  ExitCode,
  formatIssue,
  type KeyPath,
  PermissionError,
  UsageError,
} from "./lib/errors.ts";
export { REDACTED, Redactor, redactor } from "./lib/secrets.ts";
import { PermissionError } from "./lib/errors.ts";
import { lazy } from "./lib/lazy.ts";

if (import.meta.main) {
  try {
    // Not a literal import(): importing the library must not load the CLI and commander.
    const cli = await lazy<typeof import("./cli/main.ts")>("./cli/main.ts", import.meta.url);
    Deno.exitCode = await cli.main(Deno.args);
  } catch (e) {
    if (!(e instanceof PermissionError)) throw e;
    // The CLI's printer is among the modules that could not be read: said here, the same way.
    const text = `error: ${e.message}\nrun again with: ${e.flags.join(" ")}\n`;
    Deno.stderr.writeSync(new TextEncoder().encode(text));
    Deno.exitCode = e.exitCode;
  }
}
