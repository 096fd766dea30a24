/**
 * Host facts (Ansible's `setup` keys) and node_exporter-compatible metrics, for scripts:
 * gather the facts, take one metrics snapshot, or serve `/metrics` until closed. Metrics are
 * read from /proc and /sys, which Deno allows only with `-A`.
 *
 * @example Gather facts
 * ```ts
 * import { gatherFacts } from "@driftless/cli/facts";
 * const facts = await gatherFacts();
 * console.assert(facts.system === "Linux");
 * ```
 *
 * @module
 */
import { lazy } from "../lib/lazy.ts";
import type { FactsConfig } from "../lib/config/facts_types.ts";
import type { MetricFamily } from "../lib/facts/metric.ts";
import denoJson from "../deno.json" with { type: "json" };
import { type ConfigInput, resolveConfig } from "./_load.ts";

import type { GatherOptions, HostFacts } from "../lib/facts/host_facts.ts";
export type { GatherOptions, HostFacts } from "../lib/facts/host_facts.ts";
export { formatValue, toPrometheusText } from "../lib/facts/exposition.ts";
export type { Labels, MetricFamily, MetricType, Sample } from "../lib/facts/metric.ts";
export type * from "../lib/config/facts_types.ts";
export type { S3Target } from "../lib/sinks/config_types.ts";

/**
 * Gathers the host's facts: Ansible's `setup` keys (`ansible_facts` without the prefix). The
 * fact modules load on the first call, so importing the library (and starting the CLI, which
 * runs from `mod.ts`) does not pay for them.
 *
 * @example Gather facts
 * ```ts
 * import { gatherFacts } from "@driftless/cli/facts";
 * const facts = await gatherFacts();
 * console.assert(facts.system === "Linux");
 * ```
 */
export async function gatherFacts(options: GatherOptions = {}): Promise<HostFacts> {
  return await (await lazy<typeof import("../lib/facts/host_facts.ts")>(
    "../lib/facts/host_facts.ts",
    import.meta.url,
  )).gatherFacts(options);
}

/** The facts section of a config input (none: node_exporter's defaults). */
async function factsOf(config: ConfigInput | undefined): Promise<FactsConfig | undefined> {
  if (config === undefined) return undefined;
  return (await resolveConfig(config, { tasks: false })).facts;
}

/** Options of {@linkcode collectMetrics}. */
export interface CollectOptions {
  /** Only these collectors (node_exporter's `--collector.disable-defaults --collector.X`). */
  readonly collectors?: readonly string[];
}

/**
 * Takes one metrics snapshot with the collectors of a config's `facts.*` (or node_exporter's
 * defaults), thresholds included; returns the families, sorted by name.
 *
 * @example One snapshot
 * ```ts
 * import { collectMetrics } from "@driftless/cli/facts";
 * const families = await collectMetrics(undefined, { collectors: ["loadavg"] });
 * console.assert(families.some((f) => f.name === "node_load1"));
 * ```
 */
export async function collectMetrics(
  config?: ConfigInput,
  options: CollectOptions = {},
): Promise<readonly MetricFamily[]> {
  const { MetricsAgent } = await lazy<typeof import("../lib/facts/metrics_agent.ts")>(
    "../lib/facts/metrics_agent.ts",
    import.meta.url,
  );
  const agent = new MetricsAgent(await factsOf(config), {
    version: denoJson.version,
    ...(options.collectors ? { only: options.collectors } : {}),
  });
  return (await agent.collect()).families;
}

/** Options of {@linkcode serveMetrics}. */
export interface ServeOptions {
  /** `host:port` to listen on (default: `facts.serve.listen`, else `0.0.0.0:8000`). */
  readonly listen?: string;
}

/** A running `/metrics` listener. */
export interface MetricsHandle {
  /** The metrics URL, with the real port when 0 was asked for. */
  readonly url: string;
  /** Stops listening (and the exporters' pushes); resolves when stopped. */
  close(): Promise<void>;
}

/**
 * Serves `/metrics` as `driftless facts --serve` does (node_exporter's families, `collect[]`
 * and `exclude[]`, gzip, TLS and basic auth from `facts.serve`), and runs the config's
 * exporters, until closed.
 *
 * @example Serve on a free port and scrape once
 * ```ts
 * import { serveMetrics } from "@driftless/cli/facts";
 * const server = await serveMetrics(undefined, { listen: "127.0.0.1:0" });
 * const text = await (await fetch(server.url)).text();
 * console.assert(text.includes("# TYPE node_load1 gauge"));
 * await server.close();
 * ```
 */
export async function serveMetrics(
  config?: ConfigInput,
  options: ServeOptions = {},
): Promise<MetricsHandle> {
  const { FactsService } = await lazy<typeof import("../lib/facts/service.ts")>(
    "../lib/facts/service.ts",
    import.meta.url,
  );
  const facts = await factsOf(config);
  const service = await FactsService.start(facts, {
    version: denoJson.version,
    long: true,
    listen: options.listen ?? facts?.serve?.listen ?? "0.0.0.0:8000",
    hostFacts: () => gatherFacts(),
    pollThresholds: true,
  });
  return { url: service.url!, close: () => service.stop() };
}
