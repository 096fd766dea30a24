/**
 * `driftless facts --serve`: a node_exporter replacement (`/metrics`, thresholds, exporters)
 * until SIGTERM/SIGINT, sending threshold crossings to the audit log and its sinks
 * (`agent.audit`). The config is validated in a child process (`driftless validate`), as the
 * agent does, so this long-running process never loads the validation (zod) or the YAML
 * parser: it keeps what it serves with, nothing more.
 *
 * @module
 */
import type { AgentConfig } from "../lib/config/agent_schema.ts";
import type { FactsConfig } from "../lib/config/facts_schema.ts";
import { stateDir } from "../lib/config/paths.ts";
import { ConfigError, ExitCode, UsageError } from "../lib/errors.ts";
import { toPrometheusText } from "../lib/facts/exposition.ts";
import type { MetricsAgent } from "../lib/facts/metrics_agent.ts";
import { parseListen, serveMetrics, serveOptions } from "../lib/facts/server.ts";
import { setReadCache } from "../lib/facts/_read.ts";
import type { EventLog } from "../lib/agent/events.ts";
import type { GlobalOptions } from "./_context.ts";
import { checkCollectorNames, metricsAgent, requireProcAccess } from "./_facts.ts";
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
  const agent = metricsAgent(config, o.collectors, (e) => void events?.send({ ...e }));
  // Thresholds come with a config dir, whose agent config (defaults included) says where the
  // audit log goes.
  if (agent.thresholds.active && loaded?.agent) {
    const [{ EventLog }, { redactor }] = await Promise.all([
      import("../lib/agent/events.ts"),
      import("../lib/secrets.ts"),
    ]);
    for (const s of loaded?.secrets ?? []) redactor.add(s);
    events = new EventLog({ host: agent.host, stateDir: stateDir(), redactor, onError: warn });
    await events.configure(loaded.agent);
  }
  try {
    return await serve(agent, config, o);
  } finally {
    await events?.close();
  }
}

/** The validated facts and agent configs; undefined when the default config dir is absent. */
async function validatedConfig(
  g: GlobalOptions,
  explicit: boolean,
): Promise<{ facts?: FactsConfig; agent?: AgentConfig; secrets: readonly string[] } | undefined> {
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
  const { loadAgentConfig } = await import("../lib/agent/config.ts");
  const load = await loadAgentConfig(g.config, {
    ...(g.envFileRequired || exists(g.envFile) ? { envFile: g.envFile } : {}),
    onLog: (line) => debug(`validate: ${line}`),
  });
  if (!load.ok) throw new ConfigError(load.issues);
  return {
    ...(load.config.facts ? { facts: load.config.facts } : {}),
    agent: load.config.agent,
    secrets: load.config.secrets,
  };
}

async function serve(
  agent: MetricsAgent,
  config: FactsConfig | undefined,
  o: ServeOptions,
): Promise<number> {
  const options = await serveOptions(config?.serve);
  const controller = new AbortController();
  const stop = () => controller.abort();
  // Scrapes repeat every few seconds: keep /proc and /sys files open between them.
  setReadCache(true);
  for (const sig of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(sig, stop);
  try {
    const server = await serveMetrics({
      ...options,
      ...(o.listen !== undefined ? { listen: o.listen } : {}),
      ...(o.path !== undefined ? { path: o.path } : {}),
      render: async (select) => toPrometheusText((await agent.collect(select)).families),
      signal: controller.signal,
      onError: (m) => warn(m),
    });
    info(`serving metrics on ${server.url} (${agent.scraper.names.length} collectors)`);

    const tasks: Promise<void>[] = [server.finished];
    if (config?.exporters?.length) {
      // Loaded only when there are exporters to push to (and facts to push with them).
      const [{ createExporters, runExportLoop }, { gatherFacts }] = await Promise.all([
        import("../lib/facts/exporters.ts"),
        import("../lib/facts/host_facts.ts"),
      ]);
      const exporters = createExporters(config);
      const hostFacts = await gatherFacts();
      tasks.push(runExportLoop(exporters, {
        snapshot: async () => ({ ...(await agent.collect()), facts: hostFacts }),
        signal: controller.signal,
        onPush: (name, where) => debug(`pushed ${where} (${name})`),
        onError: (name, m) =>
          warn(`push to ${name} failed: ${m}; trying again at the next interval`),
      }));
    }
    if (agent.thresholds.active) {
      tasks.push(pollThresholds(agent, config?.interval ?? 60_000, controller.signal));
    }
    await Promise.all(tasks);
    info("stopped");
    return ExitCode.ok;
  } finally {
    for (const sig of ["SIGTERM", "SIGINT"] as const) Deno.removeSignalListener(sig, stop);
    setReadCache(false);
  }
}

/** Evaluates thresholds between scrapes too, so crossings are seen without a scraper. */
async function pollThresholds(
  agent: MetricsAgent,
  intervalMs: number,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, intervalMs);
      signal.addEventListener("abort", () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
    if (!signal.aborted) await agent.collect();
  }
}
