/**
 * What every command body shares: the global options, loading the config dir with them, and
 * turning errors into messages and exit codes.
 *
 * @module
 */
import { lazy } from "../lib/lazy.ts";
import { ConfigError, ExitCode, PermissionError, UsageError } from "../lib/errors.ts";
import type { LoadedConfig } from "../lib/config/loader.ts";
import { configure, defaultColor, error, printErr, printIssues, warn } from "./_render.ts";
import type { LogLevel } from "./_render.ts";
import type { Redactor } from "../lib/secrets.ts";

/** The global options, after defaults and env. */
export interface GlobalOptions {
  readonly config: string;
  readonly envFile: string;
  /** True when the env file was named by the user (flag or env), so it must exist. */
  readonly envFileRequired: boolean;
  readonly logLevel: LogLevel;
  readonly color: boolean;
}

/** The global options as commander parsed them. */
export interface ParsedGlobals {
  readonly config: string;
  readonly envFile: string;
  readonly logLevel: LogLevel;
  readonly color: boolean;
}

/** Turns parsed global options into GlobalOptions and configures the printer. */
export function setup(o: ParsedGlobals, envFileSource: string | undefined): GlobalOptions {
  const color = o.color && defaultColor();
  configure({ color, level: o.logLevel });
  return {
    config: o.config,
    envFile: o.envFile,
    envFileRequired: envFileSource !== "default",
    logLevel: o.logLevel,
    color,
  };
}

/**
 * Loads the config dir named by the global options; warnings are printed. With `check`, the
 * apply preflight runs too (what `validate` and `apply` check before any change). Apply tasks
 * are checked against the task registry unless `tasks` is false: the facts and logs jobs skip
 * loading every task module (memory and start-up matter for long-running jobs).
 */
export async function loadFromOptions(
  g: GlobalOptions,
  options: { tasks?: boolean; redactor?: Redactor; check?: boolean } = {},
): Promise<LoadedConfig> {
  // Imported here, not at the top: the agent process never loads the YAML parser or zod.
  const { load, loadChecked } = await lazy<typeof import("../api/_load.ts")>(
    "../api/_load.ts",
    import.meta.url,
  );
  const config = await (options.check ? loadChecked : load)(g.config, {
    envFile: g.envFile,
    envFileRequired: g.envFileRequired,
    onWarning: warn,
    ...(options.tasks === false ? { tasks: false } : {}),
    ...(options.redactor ? { redactor: options.redactor } : {}),
  });
  for (const w of config.warnings) warn(w);
  return config;
}

/** Prints an error the way its kind deserves and returns the exit code. */
export function handleError(e: unknown): number {
  if (e instanceof ConfigError) {
    printIssues(e.issues);
    return ExitCode.config;
  }
  if (e instanceof UsageError) {
    error(e.message);
    return ExitCode.config;
  }
  const permission = asPermissionError(e);
  if (permission) {
    error(permission.message);
    printErr(`run again with: ${permission.flags.join(" ")}`);
    return ExitCode.permission;
  }
  error(e instanceof Error ? e.message : String(e));
  return ExitCode.failed;
}

/** Maps Deno's NotCapable ("Requires read access to "/x", run again with the --allow-read flag"). */
export function asPermissionError(e: unknown): PermissionError | undefined {
  if (e instanceof PermissionError) return e;
  if (!(e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied)) {
    return undefined;
  }
  const m = /Requires (\w+) access(?: to "?([^",]+)"?)?,.*?(--allow-[\w-]+)/.exec(e.message);
  if (!m) return undefined;
  const [, kind, target, flag] = m;
  const flagWithTarget = target ? `${flag}=${target}` : flag!;
  return new PermissionError(
    `missing Deno permission: ${kind} access${target ? ` to ${target}` : ""}`,
    [flagWithTarget],
  );
}
