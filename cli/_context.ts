/**
 * What every command body shares: the global options, loading the config dir with them, and
 * turning errors into messages and exit codes.
 *
 * @module
 */
import { ConfigError, ExitCode, PermissionError, UsageError } from "../lib/errors.ts";
import type { LoadedConfig } from "../lib/config/loader.ts";
import type { PreflightOptions } from "../lib/apply/preflight.ts";
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
 * Loads the config dir named by the global options; warnings are printed. Apply tasks are
 * checked against the task registry unless `tasks` is false: the facts and logs jobs skip
 * loading every task module (memory and start-up matter for long-running jobs).
 */
export async function loadFromOptions(
  g: GlobalOptions,
  options: { tasks?: boolean; redactor?: Redactor } = {},
): Promise<LoadedConfig> {
  const redactor = options.redactor ?? (await import("../lib/secrets.ts")).redactor;
  const catalog = options.tasks === false ? undefined : (await import("../tasks/mod.ts")).catalog;
  // Imported here, not at the top: the agent process never loads the YAML parser or zod.
  const { loadConfig } = await import("../lib/config/loader.ts");
  const config = await loadConfig(g.config, {
    envFile: g.envFile,
    envFileRequired: g.envFileRequired,
    ...(catalog ? { catalog } : {}),
    redactor,
  });
  for (const w of config.warnings) warn(w);
  return config;
}

/**
 * What the preflight and the run of a loaded apply config share: the template engine, the task
 * modules, the include loader. `validate` and `apply` both take them from here, so they check
 * the same things the same way.
 */
export async function applyOptions(config: LoadedConfig): Promise<PreflightOptions> {
  const [engine, { catalog, loaded }, { redactor }, { TaskLoader }] = await Promise.all([
    import("../lib/template/engine.ts"),
    import("../tasks/mod.ts"),
    import("../lib/secrets.ts"),
    import("../lib/config/task_loader.ts"),
  ]);
  return {
    engine,
    // The task modules the config and its static includes name were loaded with it.
    tasks: loaded,
    configDir: config.dir,
    vars: config.vars,
    loader: new TaskLoader(config.dir, { catalog, redactor, secrets: config.secrets }),
    onWarning: (message) => warn(message),
  };
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
