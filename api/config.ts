/**
 * Loading and validating a config dir, as the CLI does: the same files, the same secrets
 * handling, the same checks `validate` and `apply` make, with the problems as data.
 *
 * @example Validate a config dir and list its problems
 * ```ts
 * import { validateConfig } from "@driftless/cli";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/apply.yml`, "tasks:\n  - type: fiel\n    path: /tmp/x\n");
 * const { valid, issues } = await validateConfig(dir);
 * console.assert(!valid);
 * console.assert(issues[0]!.message === 'unknown task "fiel"');
 * console.assert(issues[0]!.line === 2);
 * ```
 *
 * @module
 */
import type { LoadedConfig } from "../lib/config/loader.ts";
import { ConfigError, type ConfigIssue } from "../lib/errors.ts";
import { load, loadChecked, type LoadOptions } from "./_load.ts";

export type { ConfigInput } from "./_load.ts";

/** Options for {@linkcode loadConfig} and {@linkcode validateConfig}. */
export type LoadConfigOptions = LoadOptions;

/**
 * Loads every file of a config dir and validates it against its schema (apply tasks against
 * their task types); throws {@linkcode ConfigError} listing every problem. It never prints and
 * never exits.
 *
 * @example Load a config dir and list its tasks
 * ```ts
 * import { loadConfig } from "@driftless/cli";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/apply.yml`, "tasks:\n  - { type: directory, path: /srv/app }\n");
 * const config = await loadConfig(dir);
 * console.assert(config.apply?.tasks[0]?.type === "directory");
 * ```
 */
export function loadConfig(
  dir: string,
  options: LoadConfigOptions = {},
): Promise<LoadedConfig> {
  return load(dir, options);
}

/**
 * Loads a config dir and runs exactly the checks `apply` makes before its first change
 * (template syntax, notify targets, include files, params after templating); throws
 * {@linkcode ConfigError} listing every problem.
 */
export function checkConfig(
  dir: string,
  options: LoadConfigOptions = {},
): Promise<LoadedConfig> {
  return loadChecked(dir, options);
}

/** What {@linkcode validateConfig} found. */
export interface Validation {
  /** True when `apply` (and every other job) would accept the config. */
  readonly valid: boolean;
  /** Every problem, with file, line, column and key path. */
  readonly issues: readonly ConfigIssue[];
  /** Non-fatal notes (e.g. an env file readable by others). */
  readonly warnings: readonly string[];
}

/**
 * Checks a config dir exactly as `driftless validate` does and returns the problems as data;
 * it throws only for what is not a config problem (a missing permission, say).
 */
export async function validateConfig(
  dir: string,
  options: LoadConfigOptions = {},
): Promise<Validation> {
  try {
    const config = await loadChecked(dir, options);
    return { valid: true, issues: [], warnings: config.warnings };
  } catch (e) {
    if (e instanceof ConfigError) return { valid: false, issues: e.issues, warnings: [] };
    throw e;
  }
}
