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
export { loadConfig } from "./lib/config/loader.ts";
export type { ApplyConfig, LoadedConfig, LoadOptions } from "./lib/config/loader.ts";
export type { Condition, LoopControl, TaskSpec } from "./lib/config/apply_schema.ts";
export { ConfigError, ExitCode, formatIssue, PermissionError, UsageError } from "./lib/errors.ts";
export type { ConfigIssue } from "./lib/errors.ts";
export { REDACTED, Redactor, redactor } from "./lib/secrets.ts";
export { type RenderOptions, renderTemplate, TemplateError } from "./lib/template/engine.ts";

if (import.meta.main) {
  const { main } = await import("./cli/main.ts");
  Deno.exitCode = await main(Deno.args);
}
