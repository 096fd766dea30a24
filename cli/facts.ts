/**
 * `driftless facts`: print the host facts and a metrics snapshot and exit, or with `--serve`
 * run as a node_exporter replacement (`/metrics`, thresholds, exporters) until SIGTERM/SIGINT.
 *
 * @module
 */
import type { FactsConfig } from "../lib/config/facts_schema.ts";
import { ConfigError, didYouMean, ExitCode, PermissionError, UsageError } from "../lib/errors.ts";
import { procAccess } from "../lib/facts/_perm.ts";
import { COLLECTOR_NAMES } from "../lib/facts/collectors.ts";
import { createExporters, runExportLoop } from "../lib/facts/exporters.ts";
import { toJsonFamilies, toPrometheusText } from "../lib/facts/exposition.ts";
import { gatherFacts, type HostFacts } from "../lib/facts/host_facts.ts";
import { MetricsAgent } from "../lib/facts/metrics_agent.ts";
import { parseListen, serveMetrics, serveOptions } from "../lib/facts/server.ts";
import { setReadCache } from "../lib/facts/_read.ts";
import type { Snapshot } from "../lib/facts/snapshot.ts";
import denoJson from "../deno.json" with { type: "json" };
import { type GlobalOptions, loadFromOptions } from "./_context.ts";
import { debug, info, print, printRaw, warn } from "./_render.ts";

/** Options of `facts`. */
export interface FactsOptions {
  readonly format: "json" | "yaml" | "prometheus";
  /** Only these collectors (as node_exporter's `--collector.disable-defaults --collector.X`). */
  readonly collectors: readonly string[];
  readonly serve: boolean;
  readonly listen?: string;
  readonly path?: string;
  /** Push one snapshot to every configured exporter, then exit. */
  readonly push: boolean;
  /** Leave the metrics out of the printed output. */
  readonly metrics: boolean;
  /** The config dir was named by the user (so it must exist). */
  readonly configExplicit: boolean;
}

/** Runs `facts` and returns the exit code. */
export async function facts(g: GlobalOptions, o: FactsOptions): Promise<number> {
  const config = await loadFactsConfig(g, o.configExplicit);
  for (const name of o.collectors) {
    if (!(COLLECTOR_NAMES as readonly string[]).includes(name)) {
      const hint = didYouMean(name, COLLECTOR_NAMES) ??
        `expected one of ${COLLECTOR_NAMES.join(", ")}`;
      throw new UsageError(`unknown collector "${name}"; ${hint}`);
    }
  }
  if ((o.serve || o.push || o.metrics) && !procAccess()) {
    // Deno lets a program read /proc and /sys only with every permission (deno-ecosystem.md §6).
    throw new PermissionError("metrics are read from /proc and /sys, which needs all permissions", [
      "-A",
    ]);
  }
  const agent = new MetricsAgent(config, {
    only: o.collectors,
    version: denoJson.version,
    log: (level, m) => (level === "warn" ? warn(m) : debug(m)),
    onEvent: (e) => info(JSON.stringify(e)),
  });
  if (o.serve) return await serve(agent, config, o);

  const [hostFacts, snapshot] = await Promise.all([
    gatherFacts(),
    o.metrics || o.push ? agent.collect() : undefined,
  ]);
  if (o.push) return await pushOnce(config, { ...snapshot!, facts: hostFacts });
  if (o.format === "prometheus") {
    printRaw(toPrometheusText(snapshot?.families ?? []));
    return ExitCode.ok;
  }
  const doc = {
    facts: hostFacts,
    ...(snapshot ? { metrics: toJsonFamilies(snapshot.families) } : {}),
  };
  if (o.format === "yaml") {
    const { stringify } = await import("yaml");
    printRaw(stringify(doc, { lineWidth: 0 }));
  } else {
    print(JSON.stringify(doc, null, 2));
  }
  return ExitCode.ok;
}

/** The facts config, or undefined when the default config dir does not exist. */
async function loadFactsConfig(
  g: GlobalOptions,
  explicit: boolean,
): Promise<FactsConfig | undefined> {
  try {
    const loaded = await loadFromOptions(g, { tasks: false });
    return loaded.facts;
  } catch (e) {
    // Running as a node_exporter replacement needs no config: defaults apply.
    if (
      !explicit && e instanceof ConfigError && e.issues.length === 1 &&
      e.issues[0]!.message === "config dir not found"
    ) {
      debug(`no config dir at ${g.config}; using the defaults`);
      return undefined;
    }
    throw e;
  }
}

async function pushOnce(config: FactsConfig | undefined, snapshot: Snapshot): Promise<number> {
  const exporters = createExporters(config);
  if (exporters.length === 0) throw new UsageError("--push: no exporters in the facts config");
  let failed = 0;
  for (const { exporter } of exporters) {
    try {
      info(`pushed ${await exporter.push(snapshot)} (${exporter.name})`);
    } catch (e) {
      failed++;
      warn(`push to ${exporter.name} failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      exporter.close();
    }
  }
  return failed > 0 ? ExitCode.failed : ExitCode.ok;
}

async function serve(
  agent: MetricsAgent,
  config: FactsConfig | undefined,
  o: FactsOptions,
): Promise<number> {
  const s = config?.serve;
  if (o.listen !== undefined) {
    try {
      parseListen(o.listen);
    } catch {
      throw new UsageError(
        `--listen: expected host:port like 0.0.0.0:8000 or [::]:8000, found "${o.listen}"`,
      );
    }
  }
  const options = await serveOptions(s);
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
    const exporters = createExporters(config);
    if (exporters.length > 0) {
      const hostFacts: HostFacts = await gatherFacts();
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

/** Evaluates thresholds between scrapes too, so state changes are logged without a scraper. */
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
