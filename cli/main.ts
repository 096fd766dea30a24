/**
 * The command table. Only commander is imported at start-up; each command's body is a lazily
 * imported `cli/<command>.ts`, so `--help` and `validate` stay fast.
 *
 * @module
 */
import { Command, CommanderError, Option } from "@commander-js/extra-typings";
import denoJson from "../deno.json" with { type: "json" };
import type { GlobalOptions } from "./_context.ts";

/** Runs the CLI with the given arguments and returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command("driftless")
    .description("Configure a host, export its metrics and ship its logs from one config dir.")
    .version(denoJson.version, "-V, --version")
    .addOption(
      new Option("-c, --config <dir>", "config dir (a Git checkout)")
        .env("DRIFTLESS_CONFIG")
        .default("~/.config/driftless/config"),
    )
    .addOption(
      new Option("--env-file <file>", "dotenv file with secrets, outside the config dir")
        .env("DRIFTLESS_ENV_FILE")
        .default("~/.config/driftless/env"),
    )
    .addOption(
      new Option("--log-level <level>", "how much to log on stderr")
        .choices(["error", "warn", "info", "debug"] as const)
        .default("info" as const),
    )
    .option("--no-color", "plain output (also when NO_COLOR is set)")
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => Deno.stdout.writeSync(new TextEncoder().encode(s)),
      writeErr: (s) => Deno.stderr.writeSync(new TextEncoder().encode(s)),
    });

  /** Runs a command body with the global options, turning errors into exit codes. */
  const run = async (body: (g: GlobalOptions) => Promise<number>) => {
    const { setup, handleError } = await import("./_context.ts");
    const global = setup(program.opts(), program.getOptionValueSource("envFile"));
    try {
      exitCode = await body(global);
    } catch (e) {
      exitCode = handleError(e);
    }
  };

  program
    .command("validate")
    .description("check every config file and report all problems; change nothing")
    .action(async () => {
      await run(async (g) => (await import("./validate.ts")).validate(g));
    });

  program
    .command("schema")
    .description("print the JSON Schema of a config file, for editors")
    .argument("[name]", "apply, facts, logs, agent or vars", "apply")
    .action(async (name) => {
      await run(async () => (await import("./schema.ts")).schema(name));
    });

  try {
    await program.parseAsync(args, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage errors exit 2 like every config error (DESIGN §1).
      return e.exitCode === 0 ? 0 : 2;
    }
    throw e;
  }
  return exitCode;
}
