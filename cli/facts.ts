/**
 * `driftless facts`: print the host facts and a metrics snapshot and exit; with `--check`
 * evaluate the thresholds once (exit 1 when one is critical); with `--serve` run as a
 * node_exporter replacement (`/metrics`, thresholds, exporters) until SIGTERM/SIGINT, sending
 * threshold crossings to the audit log and its sinks (`agent.audit`).
 *
 * @module
 */
import type { AgentConfig } from "../lib/config/agent_schema.ts";
import type { FactsConfig } from "../lib/config/facts_schema.ts";
import { ConfigError, didYouMean, ExitCode, PermissionError, UsageError } from "../lib/errors.ts";
import { procAccess } from "../lib/facts/_perm.ts";
import { COLLECTOR_NAMES } from "../lib/facts/collectors.ts";
import { createExporters, runExportLoop } from "../lib/facts/exporters.ts";
import { formatValue, toJsonFamilies, toPrometheusText } from "../lib/facts/exposition.ts";
import { gatherFacts, type HostFacts } from "../lib/facts/host_facts.ts";
import { MetricsAgent } from "../lib/facts/metrics_agent.ts";
import { parseListen, serveMetrics, serveOptions } from "../lib/facts/server.ts";
import { setReadCache } from "../lib/facts/_read.ts";
import type { Snapshot } from "../lib/facts/snapshot.ts";
import denoJson from "../deno.json" with { type: "json" };
import { type GlobalOptions, loadFromOptions } from "./_context.ts";
import { debug, info, print, printRaw, warn } from "./_render.ts";
import type { EventLog } from "../lib/agent/events.ts";
import { stateDir } from "../lib/config/paths.ts";

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
  /** Evaluate the thresholds once and exit 1 when any is critical. */
  readonly check?: boolean;
  /** `--format` was given (`--check` prints lines of text otherwise). */
  readonly formatExplicit?: boolean;
  /** Leave the metrics out of the printed output. */
  readonly metrics: boolean;
  /** The config dir was named by the user (so it must exist). */
  readonly configExplicit: boolean;
}

/** Runs `facts` and returns the exit code. */
export async function facts(g: GlobalOptions, o: FactsOptions): Promise<number> {
  const loaded = await loadFactsConfig(g, o.configExplicit);
  const config = loaded?.facts;
  for (const name of o.collectors) {
    if (!(COLLECTOR_NAMES as readonly string[]).includes(name)) {
      const hint = didYouMean(name, COLLECTOR_NAMES) ??
        `expected one of ${COLLECTOR_NAMES.join(", ")}`;
      throw new UsageError(`unknown collector "${name}"; ${hint}`);
    }
  }
  if (o.check && !config?.thresholds?.length) {
    throw new UsageError("--check: the facts config has no thresholds to check");
  }
  if ((o.serve || o.push || o.metrics || o.check) && !procAccess()) {
    // Deno lets a program read /proc and /sys only with every permission (deno-ecosystem.md §6).
    throw new PermissionError("metrics are read from /proc and /sys, which needs all permissions", [
      "-A",
    ]);
  }
  // Threshold crossings of a long-running server also go to the audit log and its sinks.
  let events: EventLog | undefined;
  const agent = new MetricsAgent(config, {
    only: o.collectors,
    version: denoJson.version,
    log: (level, m) => (level === "warn" ? warn(m) : debug(m)),
    onEvent: (e) => {
      info(JSON.stringify(e));
      void events?.send({ ...e });
    },
  });
  if (o.check) return await check(agent, o.formatExplicit ? o.format : "text");
  if (o.serve && agent.thresholds.active) {
    const [{ EventLog }, { redactor }] = await Promise.all([
      import("../lib/agent/events.ts"),
      import("../lib/secrets.ts"),
    ]);
    events = new EventLog({ host: agent.host, stateDir: stateDir(), redactor, onError: warn });
    await events.configure(loaded?.agent ?? await defaultAgentConfig());
  }
  if (o.serve) {
    try {
      return await serve(agent, config, o);
    } finally {
      await events?.close();
    }
  }

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

/** The facts and agent configs, or undefined when the default config dir does not exist. */
async function loadFactsConfig(
  g: GlobalOptions,
  explicit: boolean,
): Promise<{ facts?: FactsConfig; agent?: AgentConfig } | undefined> {
  try {
    const loaded = await loadFromOptions(g, { tasks: false });
    return {
      ...(loaded.facts ? { facts: loaded.facts } : {}),
      ...(loaded.agent ? { agent: loaded.agent } : {}),
    };
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

async function defaultAgentConfig(): Promise<AgentConfig> {
  return (await import("../lib/config/agent_schema.ts")).agentSchema.parse({});
}

const WORDS = { above: "at or above", below: "at or below" } as const;
const RANK = { ok: 0, warning: 1, critical: 2 } as const;

/** `facts --check`: one evaluation; prints every series' severity, 1 when one is critical. */
async function check(
  agent: MetricsAgent,
  format: FactsOptions["format"] | "text",
): Promise<number> {
  const snapshot = await agent.collect();
  const states = [...agent.thresholds.states].sort((a, b) =>
    RANK[b.severity] - RANK[a.severity] || a.threshold.localeCompare(b.threshold)
  );
  if (format === "json" || format === "yaml") {
    const doc = states.map((s) => ({
      threshold: s.threshold,
      severity: s.severity,
      metric: s.metric,
      labels: s.labels,
      value: s.value,
    }));
    if (format === "json") print(JSON.stringify(doc, null, 2));
    else printRaw((await import("yaml")).stringify(doc, { lineWidth: 0 }));
  } else if (format === "prometheus") {
    printRaw(
      toPrometheusText(snapshot.families.filter((f) => f.name === "driftless_threshold_state")),
    );
  } else {
    for (const s of states) {
      const r = s.rule;
      const word = WORDS[r.direction ?? "above"];
      const bounds = [
        ...(r.warn !== undefined ? [`warn ${word} ${r.warn}`] : []),
        ...(r.crit !== undefined ? [`crit ${word} ${r.crit}`] : []),
      ].join(", ");
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(",");
      print(
        `${s.severity.padEnd(8)} ${s.threshold}: ${s.metric}${labels ? `{${labels}}` : ""} = ${
          formatValue(s.value)
        } (${bounds})`,
      );
    }
  }
  const matched = new Set(states.map((s) => s.threshold));
  for (const name of agent.thresholds.names) {
    if (!matched.has(name)) warn(`threshold ${name} matched no series on this host`);
  }
  return states.some((s) => s.severity === "critical") ? ExitCode.failed : ExitCode.ok;
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
