/**
 * Loading a config the way every entry point does (the CLI, the agent's child, the library):
 * with the task catalog and the process-wide redactor, and the apply preflight's inputs.
 *
 * @module
 */
import { lazy } from "../lib/lazy.ts";
import type { PreflightOptions } from "../lib/apply/preflight.ts";
import type { LoadedConfig } from "../lib/config/loader.ts";
import type { Redactor } from "../lib/secrets.ts";

/** Options for loading a config dir. */
export interface LoadOptions {
  /** Path of the env file with secrets (`~` is expanded); must be outside the config dir. */
  readonly envFile?: string;
  /** True when a missing env file is an error (the user named it). */
  readonly envFileRequired?: boolean;
  /** Receives every substituted secret value (default: the process-wide redactor). */
  readonly redactor?: Redactor;
  /**
   * Check apply tasks against the task modules (default true). The facts and logs jobs skip
   * it: loading every task module costs memory and start-up time they do not need.
   */
  readonly tasks?: boolean;
}

/** Loads and validates a config dir; throws ConfigError listing every problem. */
export async function load(dir: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const [{ loadConfig }, { redactor }, tasks] = await Promise.all([
    lazy<typeof import("../lib/config/loader.ts")>("../lib/config/loader.ts", import.meta.url),
    lazy<typeof import("../lib/secrets.ts")>("../lib/secrets.ts", import.meta.url),
    options.tasks === false
      ? undefined
      : lazy<typeof import("../tasks/mod.ts")>("../tasks/mod.ts", import.meta.url),
  ]);
  return await loadConfig(dir, {
    redactor: options.redactor ?? redactor,
    ...(options.envFile !== undefined ? { envFile: options.envFile } : {}),
    ...(options.envFileRequired !== undefined ? { envFileRequired: options.envFileRequired } : {}),
    ...(tasks ? { catalog: tasks.catalog } : {}),
  });
}

/**
 * Loads a config dir and runs the apply preflight; throws ConfigError listing every problem.
 * Warnings (a problem in a file only included under a condition) go to `onWarning`.
 */
export async function loadChecked(
  dir: string,
  options: LoadOptions & { onWarning?: (message: string) => void } = {},
): Promise<LoadedConfig> {
  const config = await load(dir, options);
  if (config.apply) {
    const { assertPreflight } = await lazy<typeof import("../lib/apply/preflight.ts")>(
      "../lib/apply/preflight.ts",
      import.meta.url,
    );
    await assertPreflight(
      config.apply,
      await applyOptions(config, options.onWarning ? { onWarning: options.onWarning } : {}),
    );
  }
  return config;
}

/**
 * What the preflight and the run of a loaded apply config share: the template engine, the task
 * modules, the include loader, so `validate` and `apply` check the same things the same way.
 */
export async function applyOptions(
  config: LoadedConfig,
  options: { onWarning?: (message: string) => void } = {},
): Promise<PreflightOptions> {
  const [engine, { catalog, loaded }, { redactor }, { TaskLoader }] = await Promise.all([
    lazy<typeof import("../lib/template/engine.ts")>("../lib/template/engine.ts", import.meta.url),
    lazy<typeof import("../tasks/mod.ts")>("../tasks/mod.ts", import.meta.url),
    lazy<typeof import("../lib/secrets.ts")>("../lib/secrets.ts", import.meta.url),
    lazy<typeof import("../lib/config/task_loader.ts")>(
      "../lib/config/task_loader.ts",
      import.meta.url,
    ),
  ]);
  return {
    engine,
    // The task modules the config and its static includes name were loaded with it.
    tasks: loaded,
    configDir: config.dir,
    vars: config.vars,
    loader: new TaskLoader(config.dir, { catalog, redactor, secrets: config.secrets }),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  };
}

/** A config given as a loaded config or as the path of its dir. */
export type ConfigInput = LoadedConfig | string;

/** The loaded config of an input (a dir is loaded here). */
export async function resolveConfig(
  config: ConfigInput,
  options: LoadOptions = {},
): Promise<LoadedConfig> {
  return typeof config === "string" ? await load(config, options) : config;
}
