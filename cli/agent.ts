/**
 * `driftless agent`: run facts, /metrics, log shipping, Git pulls and apply in one process
 * until SIGTERM or SIGINT (a second one exits at once). SIGHUP reloads the config, SIGUSR1
 * starts an apply run now. `--once` runs every job a single time and exits.
 *
 * @module
 */
import { lazy } from "../lib/lazy.ts";
import { procAccess } from "../lib/facts/_perm.ts";
import { expandHome, stateDir } from "../lib/config/paths.ts";
import { ExitCode, PermissionError } from "../lib/errors.ts";
import { redactor } from "../lib/secrets.ts";
import denoJson from "../deno.json" with { type: "json" };
import type { GlobalOptions } from "./_context.ts";
import { debug, error, info, warn } from "./_render.ts";

/** Options of `agent`. */
export interface AgentCliOptions {
  /** Run every job once, then exit (0 when all succeeded). */
  readonly once: boolean;
  /** Where the agent keeps its state. */
  readonly stateDir?: string;
}

/** Runs `agent` and returns the exit code. */
export async function agent(g: GlobalOptions, o: AgentCliOptions): Promise<number> {
  if (!procAccess()) {
    // Deno lets a program read /proc and /sys only with every permission (deno-ecosystem.md §6).
    throw new PermissionError("the agent reads /proc and /sys, which needs all permissions", [
      "-A",
    ]);
  }
  const state = o.stateDir ? expandHome(o.stateDir) : stateDir();
  // One state dir for the whole agent: its log checkpoints, and the apply runs it starts
  // (their lock and audit log), which inherit the environment.
  Deno.env.set("DRIFTLESS_STATE_DIR", state);
  const { Agent } = await lazy<typeof import("../lib/agent/agent.ts")>(
    "../lib/agent/agent.ts",
    import.meta.url,
  );
  const log = (level: "error" | "warn" | "info" | "debug", m: string) =>
    level === "error"
      ? error(m)
      : level === "warn"
      ? warn(m)
      : level === "info"
      ? info(m)
      : debug(m);
  const running = await Agent.start({
    configDir: expandHome(g.config),
    ...(g.envFileRequired ? { envFile: expandHome(g.envFile) } : {}),
    stateDir: state,
    version: denoJson.version,
    redactor,
    log,
    once: o.once,
  });
  if (o.once) {
    const ok = await running.once();
    await running.stop();
    return ok ? ExitCode.ok : ExitCode.failed;
  }

  let stops = 0;
  const stop = () => {
    if (++stops > 1) {
      warn("second signal: exiting now");
      Deno.exit(ExitCode.failed);
    }
    info("stopping: finishing the running apply, flushing logs, saving checkpoints");
    void running.stop();
  };
  const handlers: [Deno.Signal, () => void][] = [
    ["SIGTERM", stop],
    ["SIGINT", stop],
    ["SIGHUP", () => void running.reload("SIGHUP")],
    ["SIGUSR1", () => void running.triggerApply("SIGUSR1")],
  ];
  for (const [sig, fn] of handlers) Deno.addSignalListener(sig, fn);
  try {
    await running.finished;
  } finally {
    for (const [sig, fn] of handlers) Deno.removeSignalListener(sig, fn);
  }
  info("agent stopped");
  return ExitCode.ok;
}
