/**
 * The command table. Only commander and the error printer are imported at start-up; each
 * command's body is a `cli/<command>.ts` imported through `lazy` (which Deno does not load
 * ahead), so `--help` and `validate` stay fast.
 *
 * @module
 */
import { Command, CommanderError, Option } from "@commander-js/extra-typings";
import denoJson from "../deno.json" with { type: "json" };
import { type GlobalOptions, handleError, setup } from "./_context.ts";
import { lazy } from "../lib/lazy.ts";

/** An ANSI SGR escape (colour, bold): none of our help text has one, but a user string might. */
// deno-lint-ignore no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

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
    // Plain text on Deno's own streams: commander's defaults build Node's process.stdout and
    // load node:util's stripVTControlCharacters, which costs tens of ms at start.
    .configureHelp({ displayWidth: (s) => s.replace(SGR, "").length })
    .configureOutput({
      writeOut: (s) => Deno.stdout.writeSync(new TextEncoder().encode(s)),
      writeErr: (s) => Deno.stderr.writeSync(new TextEncoder().encode(s)),
      getOutHelpWidth: () => width(Deno.stdout),
      getErrHelpWidth: () => width(Deno.stderr),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      stripColor: (s) => s.replace(SGR, ""),
    });

  /** Runs a command body with the global options, turning errors into exit codes. */
  const run = async (body: (g: GlobalOptions) => Promise<number>) => {
    const global = setup(program.opts(), program.getOptionValueSource("envFile"));
    try {
      exitCode = await body(global);
    } catch (e) {
      exitCode = handleError(e);
    }
  };

  const list = (
    v: string,
    prev: string[],
  ) => [...prev, ...v.split(",").map((t) => t.trim()).filter(Boolean)];
  program
    .command("apply")
    .description(
      "converge this host to the apply config; --dry-run shows the diffs and changes nothing",
    )
    .option("-n, --dry-run", "plan and show what would change, change nothing (alias --check)")
    .option("--check", "same as --dry-run (Ansible's name)")
    .option("--diff", "show unified diffs of changed files (always on with --dry-run)")
    .option(
      "-t, --tags <tags>",
      "only tasks with these tags (comma-separated; repeatable)",
      list,
      [] as string[],
    )
    .option(
      "--skip-tags <tags>",
      "skip tasks with these tags (comma-separated; repeatable)",
      list,
      [] as string[],
    )
    .option("--json", "print one JSON document with every result instead of lines")
    .option("--json-lines", "print one JSON line per task as it finishes, then a summary line")
    .option(
      "--detailed-exitcode",
      "exit 0 when nothing changed, 2 when something changed (or would), 1 on failure",
    )
    .option("--no-wait", "exit 1 at once when another apply holds the lock, instead of waiting")
    .option("--root <dir>", "manage this directory tree as the host (commands run with chroot)")
    .action(async (opts) => {
      await run(async (g) =>
        (await lazy<typeof import("./apply.ts")>("./apply.ts", import.meta.url)).apply(g, {
          dryRun: Boolean(opts.dryRun || opts.check),
          diff: Boolean(opts.diff),
          tags: opts.tags,
          skipTags: opts.skipTags,
          json: Boolean(opts.json),
          jsonLines: Boolean(opts.jsonLines),
          detailedExitcode: Boolean(opts.detailedExitcode),
          wait: opts.wait,
          ...(opts.root ? { root: opts.root } : {}),
        })
      );
    });

  program
    .command("logs")
    .description(
      "ship log files to the outputs of the logs config until stopped; --once ships what exists",
    )
    .option("--once", "ship what the files hold now, exit 0 when all of it is acknowledged")
    .option("--timeout <duration>", "with --once: give up after this long (e.g. 5m), exit 1")
    .action(async (opts) => {
      await run(async (g) =>
        (await lazy<typeof import("./logs.ts")>("./logs.ts", import.meta.url)).logs(g, {
          once: Boolean(opts.once),
          ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
        })
      );
    });

  program
    .command("facts")
    .description(
      "print host facts and a metrics snapshot; --serve: node_exporter-compatible /metrics (needs -A)",
    )
    .addOption(
      new Option("-f, --format <format>", "output format")
        .choices(["json", "yaml", "prometheus"] as const)
        .default("json" as const),
    )
    .option(
      "--collector <names>",
      "only these collectors (comma-separated; repeatable)",
      list,
      [] as string[],
    )
    .option("--no-metrics", "print the facts only")
    .option("--serve", "serve /metrics until SIGTERM/SIGINT (listen and path from facts.serve)")
    .option("--listen <addr>", "with --serve: host:port to listen on (default 0.0.0.0:8000)")
    .option("--path <path>", "with --serve: path of the metrics (default /metrics)")
    .option("--push", "push one snapshot to every exporter in the facts config, then exit")
    .option(
      "--check",
      "evaluate the thresholds once; exit 1 when one is critical (for cron and CI)",
    )
    .action(async (opts, cmd) => {
      const configExplicit = program.getOptionValueSource("config") !== "default";
      await run(async (g) =>
        opts.serve
          // The long-running server has a module of its own: it never loads the validation.
          ? (await lazy<typeof import("./facts_serve.ts")>("./facts_serve.ts", import.meta.url))
            .factsServe(g, {
              collectors: opts.collector,
              ...(opts.listen !== undefined ? { listen: opts.listen } : {}),
              ...(opts.path !== undefined ? { path: opts.path } : {}),
              configExplicit,
            })
          : (await lazy<typeof import("./facts.ts")>("./facts.ts", import.meta.url)).facts(g, {
            check: Boolean(opts.check),
            formatExplicit: cmd.getOptionValueSource("format") !== "default",
            format: opts.format,
            collectors: opts.collector,
            push: Boolean(opts.push),
            metrics: opts.metrics,
            configExplicit,
          })
      );
    });

  program
    .command("agent")
    .description(
      "run facts, /metrics, log shipping, Git pulls and apply on their intervals until stopped (needs -A)",
    )
    .option("--once", "run every job a single time, then exit (1 when one failed)")
    .addOption(
      new Option("--state-dir <dir>", "where the agent keeps config snapshots and its keyring")
        .env("DRIFTLESS_STATE_DIR"),
    )
    .action(async (opts) => {
      await run(async (g) =>
        (await lazy<typeof import("./agent.ts")>("./agent.ts", import.meta.url)).agent(g, {
          once: Boolean(opts.once),
          ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
        })
      );
    });

  program
    .command("template")
    .description("render one Jinja2 template (Ansible-compatible) with vars and host facts")
    .argument("<file>", "template file, or - for stdin")
    .option("--vars <file>", "vars file (JSON, YAML or TOML; repeatable)", list, [] as string[])
    .option(
      "-e, --extra-vars <vars>",
      "key=value, a JSON mapping or @file (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option(
      "--search-path <dir>",
      "dir for include/import and file lookups (repeatable)",
      list,
      [] as string[],
    )
    .option("--no-trim-blocks", "keep the newline after a block tag")
    .option("--lstrip-blocks", "strip whitespace before a block tag at the start of a line")
    .action(async (file, opts) => {
      await run(async () =>
        (await lazy<typeof import("./template.ts")>("./template.ts", import.meta.url)).template(
          file,
          {
            vars: opts.vars,
            extraVars: opts.extraVars,
            searchPath: opts.searchPath,
            trimBlocks: opts.trimBlocks,
            lstripBlocks: Boolean(opts.lstripBlocks),
          },
        )
      );
    });

  program
    .command("init")
    .description(
      "start a config dir: commented apply, facts, logs, agent and vars files, an env file, git init",
    )
    .argument("[dir]", "the config dir to create (default: --config)")
    .action(async (dir) => {
      await run(async (g) =>
        (await lazy<typeof import("./init.ts")>("./init.ts", import.meta.url)).init(g, dir)
      );
    });

  program
    .command("validate")
    .description("check every config file and report all problems; change nothing")
    .addOption(new Option("--agent-payload").hideHelp())
    .action(async (opts) => {
      await run(async (g) =>
        (await lazy<typeof import("./validate.ts")>("./validate.ts", import.meta.url)).validate(g, {
          agentPayload: Boolean(opts.agentPayload),
        })
      );
    });

  program
    .command("schema")
    .description("print the JSON Schema of a config file, for editors")
    .argument("[name]", "apply, facts, logs, agent or vars", "apply")
    .action(async (name) => {
      await run(async () =>
        (await lazy<typeof import("./schema.ts")>("./schema.ts", import.meta.url)).schema(name)
      );
    });

  try {
    await program.parseAsync(args, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage errors exit 2 like every config error (DESIGN §1).
      return e.exitCode === 0 ? 0 : 2;
    }
    // Outside a command body: commander reading DRIFTLESS_* without --allow-env, say.
    return handleError(e);
  }
  return exitCode;
}

/** The terminal's width for wrapping help; 80 (commander's default) when not a terminal. */
function width(stream: typeof Deno.stdout | typeof Deno.stderr): number {
  try {
    return stream.isTerminal() ? Deno.consoleSize().columns : 80;
  } catch {
    return 80;
  }
}
