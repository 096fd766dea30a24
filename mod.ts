/**
 * Driftless: configure a host, export its metrics and ship its logs from one config dir.
 *
 * Run it as a CLI (`deno run -A jsr:@driftless/cli apply`) or import the library:
 *
 * @example Load and validate a config dir
 * ```ts ignore
 * import { loadConfig } from "jsr:@driftless/cli";
 * const config = await loadConfig("./config");
 * console.log(config.files);
 * ```
 *
 * @module
 */
import type { LoadedConfigBase } from "./lib/config/loader.ts";
import type { Redactor } from "./lib/secrets.ts";

export type {
  ApplyConfig,
  ConfigIssueLocation,
  LoadedConfigBase as LoadedConfig,
} from "./lib/config/loader.ts";
export type { TaskOrigin } from "./lib/config/task_list.ts";
export type { Role, RoleCall } from "./lib/config/roles.ts";
export type { SchemaName } from "./lib/config/schemas.ts";
export type { Condition, LoopControl, TaskSpec } from "./lib/config/apply_schema.ts";
export type { SecretSource } from "./lib/secrets.ts";

/** Options for {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  /** Path of the env file with secrets (`~` is expanded); must be outside the config dir. */
  readonly envFile?: string;
  /** True when a missing env file is an error (the user named it). */
  readonly envFileRequired?: boolean;
  /** Receives every substituted secret value (default: the process-wide redactor). */
  readonly redactor?: Redactor;
}

/**
 * Loads and validates every file of a config dir, apply tasks included; throws ConfigError
 * listing all problems. The parsers load on first call, so importing this module stays cheap.
 *
 * @example Load a config dir and list its tasks
 * ```ts ignore
 * import { loadConfig } from "jsr:@driftless/cli";
 * const config = await loadConfig("./config");
 * for (const task of config.apply?.tasks ?? []) console.log(task.type, task.description);
 * ```
 */
export async function loadConfig(
  dir: string,
  options: LoadConfigOptions = {},
): Promise<LoadedConfigBase> {
  const [{ loadConfig }, { catalog }, { redactor }] = await Promise.all([
    import("./lib/config/loader.ts"),
    import("./tasks/mod.ts"),
    import("./lib/secrets.ts"),
  ]);
  return await loadConfig(dir, { redactor, ...options, catalog });
}

export { ConfigError, ExitCode, formatIssue, PermissionError, UsageError } from "./lib/errors.ts";
export type { ConfigIssue, KeyPath } from "./lib/errors.ts";
export { REDACTED, Redactor, redactor } from "./lib/secrets.ts";
export { type RenderOptions, renderTemplate, TemplateError } from "./lib/template/engine.ts";

if (import.meta.main) {
  const { main } = await import("./cli/main.ts");
  Deno.exitCode = await main(Deno.args);
}
