/**
 * `driftless facts`: print the host facts and a metrics snapshot and exit; with `--check`
 * evaluate the thresholds once (exit 1 when one is critical); with `--push` send one snapshot
 * to the exporters. (`--serve` is facts_serve.ts.)
 *
 * @module
 */
import type { FactsConfig } from "../lib/config/facts_schema.ts";
import { ConfigError, ExitCode, UsageError } from "../lib/errors.ts";
import { createExporters } from "../lib/facts/exporters.ts";
import { formatValue, toJsonFamilies, toPrometheusText } from "../lib/facts/exposition.ts";
import { gatherFacts } from "../lib/facts/host_facts.ts";
import type { MetricsAgent } from "../lib/facts/metrics_agent.ts";
import type { Snapshot } from "../lib/facts/snapshot.ts";
import { type GlobalOptions, loadFromOptions } from "./_context.ts";
import { checkCollectorNames, metricsAgent, requireProcAccess } from "./_facts.ts";
import { debug, info, print, printRaw, warn } from "./_render.ts";

/** Options of `facts`. */
export interface FactsOptions {
  readonly format: "json" | "yaml" | "prometheus";
  /** Only these collectors (as node_exporter's `--collector.disable-defaults --collector.X`). */
  readonly collectors: readonly string[];
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
  const config = await loadFactsConfig(g, o.configExplicit);
  checkCollectorNames(o.collectors);
  if (o.check && !config?.thresholds?.length) {
    throw new UsageError("--check: the facts config has no thresholds to check");
  }
  if (o.push || o.metrics || o.check) requireProcAccess();
  const agent = metricsAgent(config, o.collectors);
  if (o.check) return await check(agent, o.formatExplicit ? o.format : "text");

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
    return (await loadFromOptions(g, { tasks: false })).facts;
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
