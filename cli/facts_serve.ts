/**
 * `driftless facts --serve`: a node_exporter replacement (`/metrics`, thresholds, exporters)
 * until SIGTERM/SIGINT, sending threshold crossings to the audit log and its sinks
 * (`agent.audit`). The config is validated in a child process (`driftless validate`), as the
 * agent does, so this long-running process never loads the validation (zod) or the YAML
 * parser: it keeps what it serves with, nothing more.
 *
 * @module
 */
import { lazy } from "../lib/lazy.ts";
import type { AgentConfig } from "../lib/config/agent_schema.ts";
import type { FactsConfig } from "../lib/config/facts_schema.ts";
import { stateDir } from "../lib/config/paths.ts";
import { ConfigError, ExitCode, UsageError } from "../lib/errors.ts";
import { parseListen } from "../lib/facts/server.ts";
import type { EventLog } from "../lib/agent/events.ts";
import denoJson from "../deno.json" with { type: "json" };
import type { GlobalOptions } from "./_context.ts";
import { checkCollectorNames, requireProcAccess } from "./_facts.ts";
import { debug, info, warn } from "./_render.ts";

/** Options of `facts --serve`. */
export interface ServeOptions {
  readonly collectors: readonly string[];
  readonly listen?: string;
  readonly path?: string;
  /** The config dir was named by the user (so it must exist). */
  readonly configExplicit: boolean;
}

/** Runs `facts --serve` and returns the exit code. */
export async function factsServe(g: GlobalOptions, o: ServeOptions): Promise<number> {
  checkCollectorNames(o.collectors);
  if (o.listen !== undefined) {
    try {
      parseListen(o.listen);
    } catch {
      throw new UsageError(
        `--listen: expected host:port like 0.0.0.0:8000 or [::]:8000, found "${o.listen}"`,
      );
    }
  }
  const loaded = await validatedConfig(g, o.configExplicit);
  requireProcAccess();
  const config = loaded?.facts;
  let events: EventLog | undefined;
  // Thresholds come with a config dir, whose agent config (defaults included) says where the
  // audit log goes.
  if (config?.thresholds?.length && loaded?.agent) {
    const [{ EventLog }, { redactor }] = await Promise.all([
      lazy<typeof import("../lib/agent/events.ts")>("../lib/agent/events.ts", import.meta.url),
      lazy<typeof import("../lib/secrets.ts")>("../lib/secrets.ts", import.meta.url),
    ]);
    for (const s of loaded.secrets) redactor.add(s);
    events = new EventLog({ host: hostName, stateDir: stateDir(), redactor, onError: warn });
    await events.configure(loaded.agent);
  }
  const { FactsService } = await lazy<typeof import("../lib/facts/service.ts")>(
    "../lib/facts/service.ts",
    import.meta.url,
  );
  const controller = new AbortController();
  const stop = () => controller.abort();
  for (const sig of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(sig, stop);
  try {
    const service = await FactsService.start(config, {
      version: denoJson.version,
      long: true,
      listen: o.listen ?? config?.serve?.listen ?? "0.0.0.0:8000",
      ...(o.path !== undefined ? { path: o.path } : {}),
      only: o.collectors,
      pollThresholds: true,
      hostFacts: async () =>
        loaded?.hostFacts ??
          (await lazy<typeof import("../lib/facts/host_facts.ts")>(
            "../lib/facts/host_facts.ts",
            import.meta.url,
          )).gatherFacts(),
      onThreshold: (e) => {
        info(JSON.stringify(e));
        void events?.send({ ...e });
      },
      log: (level, m) => (level === "warn" ? warn(m) : debug(m)),
    });
    info(`serving metrics on ${service.url} (${service.metrics.scraper.names.length} collectors)`);
    await new Promise<void>((resolve) =>
      controller.signal.addEventListener("abort", () => resolve())
    );
    await service.stop();
    info("stopped");
    return ExitCode.ok;
  } finally {
    for (const sig of ["SIGTERM", "SIGINT"] as const) Deno.removeSignalListener(sig, stop);
    await events?.close();
  }
}

/** The validated facts and agent configs; undefined when the default config dir is absent. */
async function validatedConfig(
  g: GlobalOptions,
  explicit: boolean,
): Promise<
  {
    facts?: FactsConfig;
    agent?: AgentConfig;
    secrets: readonly string[];
    hostFacts: Readonly<Record<string, unknown>>;
  } | undefined
> {
  const exists = (p: string) => {
    try {
      Deno.statSync(p);
      return true;
    } catch {
      return false;
    }
  };
  if (!explicit && !exists(g.config)) {
    // Running as a node_exporter replacement needs no config: defaults apply.
    debug(`no config dir at ${g.config}; using the defaults`);
    return undefined;
  }
  const { loadAgentConfig } = await lazy<typeof import("../lib/agent/config.ts")>(
    "../lib/agent/config.ts",
    import.meta.url,
  );
  const load = await loadAgentConfig(g.config, {
    ...(g.envFileRequired || exists(g.envFile) ? { envFile: g.envFile } : {}),
    onLog: (line) => debug(`validate: ${line}`),
  });
  if (!load.ok) throw new ConfigError(load.issues);
  return {
    ...(load.config.facts ? { facts: load.config.facts } : {}),
    agent: load.config.agent,
    secrets: load.config.secrets,
    hostFacts: load.config.hostFacts,
  };
}

function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}
