/**
 * The env file: dotenv-format secrets kept outside the config dir (DESIGN §5).
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { isInside, realPathOrSelf } from "./paths.ts";

/** A read env file. */
export interface EnvFile {
  /** Absolute path, or undefined when no file was found at the default location. */
  readonly path?: string;
  readonly values: Readonly<Record<string, string>>;
  /** Problems worth telling the user that do not stop the run (e.g. loose permissions). */
  readonly warnings: readonly string[];
  /** The default env file exists but Deno may not read it (no `--allow-read` for it). */
  readonly unreadable?: string;
}

/**
 * Reads an env file. A missing file is an error only when `required` (the user named it);
 * a file inside the config dir is refused because the config dir is a Git checkout.
 */
export async function readEnvFile(
  path: string,
  options: { configDir: string; required: boolean },
): Promise<EnvFile> {
  const real = await realPathOrSelf(path);
  if (isInside(real, await realPathOrSelf(options.configDir))) {
    throw new ConfigError([{
      file: path,
      path: "",
      message:
        "the env file is inside the config dir, which is a Git checkout: its secrets would be committed",
      hint: "move it outside (default ~/.config/driftless/env) and pass --env-file",
    }]);
  }
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(real);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound && !options.required) return { values: {}, warnings: [] };
    // The default location is optional: without read permission it is skipped, and a
    // variable missing because of that says which flag would let it be read.
    if (e instanceof Deno.errors.NotCapable && !options.required) {
      return { values: {}, warnings: [], unreadable: real };
    }
    if (e instanceof Deno.errors.NotFound) {
      throw new ConfigError([{ file: path, path: "", message: "env file not found" }]);
    }
    throw e;
  }
  const warnings: string[] = [];
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, "0");
    warnings.push(
      `env file ${path} is readable by group or others (mode ${mode}); run: chmod 600 ${path}`,
    );
  }
  const { default: dotenv } = await import("dotenv");
  const values = dotenv.parse(await Deno.readTextFile(real));
  return { path: real, values, warnings };
}
