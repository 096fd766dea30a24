/**
 * The facts side of a long-running process (`facts --serve`, `driftless agent`, the library's
 * `serveMetrics`): the collectors and thresholds of `facts.*`, the listener (when `facts.serve`
 * is set, or a listen address is given) with any extra routes and families beside `/metrics`,
 * the exporters' push loop, and threshold polls between scrapes. Rebuilt as a whole when
 * `facts.*` changes.
 *
 * @module
 */
import { lazy } from "../lazy.ts";
import type { FactsConfig } from "../config/facts_schema.ts";
import type { MetricFamily } from "./metric.ts";
import type { MetricsAgent } from "./metrics_agent.ts";
import type { Snapshot } from "./snapshot.ts";
import type { ThresholdEvent } from "./thresholds.ts";

/** What the facts side needs from its host process. */
export interface FactsServiceOptions {
  readonly version: string;
  /** Serve and push (false for a single collection, as `agent --once`). */
  readonly long: boolean;
  /** Serve even without `facts.serve`, on this address (`host:port`). */
  readonly listen?: string;
  /** The metrics path, over `facts.serve.path`. */
  readonly path?: string;
  /** Only these collectors (node_exporter's `--collector.disable-defaults --collector.X`). */
  readonly only?: readonly string[];
  /** Evaluate thresholds every `facts.interval` between scrapes (the agent has a job for it). */
  readonly pollThresholds?: boolean;
  /** Host facts for pushed snapshots; asked once, when there are exporters. */
  readonly hostFacts?: () => Promise<Readonly<Record<string, unknown>>>;
  /** More families, added to every unfiltered scrape (the agent's own). */
  readonly selfFamilies?: () => Promise<MetricFamily[]>;
  /** Every scrape's snapshot (the agent keeps the threshold states). */
  readonly onSnapshot?: (s: Snapshot) => void;
  /** More routes beside /metrics, behind the same auth. */
  readonly routes?: (req: Request, url: URL) => Response | undefined;
  readonly onThreshold?: (e: ThresholdEvent) => void;
  readonly log?: (level: "warn" | "debug", message: string) => void;
}

/** A running facts side. */
export class FactsService {
  readonly metrics: MetricsAgent;
  /** The listener's metrics URL, when serving. */
  readonly url: string | undefined;
  readonly #stop: AbortController;
  readonly #running: Promise<unknown>;

  private constructor(
    metrics: MetricsAgent,
    url: string | undefined,
    stop: AbortController,
    running: Promise<unknown>,
  ) {
    this.metrics = metrics;
    this.url = url;
    this.#stop = stop;
    this.#running = running;
  }

  /** Starts collectors, listener and exporters for a facts config. */
  static async start(
    facts: FactsConfig | undefined,
    o: FactsServiceOptions,
  ): Promise<FactsService> {
    const [{ MetricsAgent }, { setReadCache }, { createExporters, runExportLoop }] = await Promise
      .all([
        lazy<typeof import("./metrics_agent.ts")>("./metrics_agent.ts", import.meta.url),
        lazy<typeof import("./_read.ts")>("./_read.ts", import.meta.url),
        lazy<typeof import("./exporters.ts")>("./exporters.ts", import.meta.url),
      ]);
    const log = o.log ?? (() => {});
    const metrics = new MetricsAgent(facts, {
      version: o.version,
      log,
      ...(o.only?.length ? { only: o.only } : {}),
      ...(o.onThreshold ? { onEvent: o.onThreshold } : {}),
    });
    const stop = new AbortController();
    const running: Promise<unknown>[] = [];
    let url: string | undefined;
    if ((facts?.serve || o.listen) && o.long) {
      // Scrapes repeat every few seconds: keep /proc and /sys files open between them.
      setReadCache(true);
      const server = await serve(metrics, facts?.serve ?? {}, stop.signal, o);
      url = server.url;
      running.push(server.finished);
    }
    const exporters = createExporters(facts);
    if (exporters.length > 0 && o.long) {
      const hostFacts = await o.hostFacts?.() ?? {};
      running.push(runExportLoop(exporters, {
        snapshot: async () => ({ ...(await metrics.collect()), facts: hostFacts }),
        signal: stop.signal,
        onPush: (name, where) => log("debug", `pushed ${where} (${name})`),
        onError: (name, m) => log("warn", `push to ${name} failed: ${m}`),
      }));
    }
    if (o.pollThresholds && o.long && metrics.thresholds.active) {
      running.push(poll(() => metrics.collect(), facts?.interval ?? 60_000, stop.signal));
    }
    return new FactsService(metrics, url, stop, Promise.all(running));
  }

  /** Resolves when the listener and the loops have stopped. */
  get finished(): Promise<unknown> {
    return this.#running;
  }

  /** Takes a snapshot (thresholds are evaluated as part of it). */
  async collect(): Promise<Snapshot> {
    return await this.metrics.collect();
  }

  /** Stops the listener and the exporters. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }
}

async function serve(
  metrics: MetricsAgent,
  s: NonNullable<FactsConfig["serve"]>,
  signal: AbortSignal,
  o: FactsServiceOptions,
) {
  const [{ serveMetrics, serveOptions }, { toPrometheusText }] = await Promise.all([
    lazy<typeof import("./server.ts")>("./server.ts", import.meta.url),
    lazy<typeof import("./exposition.ts")>("./exposition.ts", import.meta.url),
  ]);
  const options = { ...(await serveOptions(s)), ...(o.listen ? { listen: o.listen } : {}) };
  try {
    return await serveMetrics({
      ...options,
      ...(o.path ? { path: o.path } : {}),
      render: async (select) => {
        const snap = await metrics.collect(select);
        o.onSnapshot?.(snap);
        // A filtered scrape (collect[]) asks for those collectors only.
        const filtered = (select.collect?.length ?? 0) > 0 || !o.selfFamilies;
        return await toPrometheusText(
          filtered ? snap.families : [...snap.families, ...(await o.selfFamilies!())],
        );
      },
      ...(o.routes ? { routes: o.routes } : {}),
      signal,
      onError: (m) => o.log?.("warn", m),
    });
  } catch (e) {
    if (!(e instanceof Deno.errors.AddrInUse)) throw e;
    throw new Error(
      `cannot listen on ${options.listen}: the address is in use (another exporter?)`,
    );
  }
}

/** Runs `work` every `intervalMs` until the signal aborts (crossings seen without a scraper). */
async function poll(work: () => Promise<unknown>, intervalMs: number, signal: AbortSignal) {
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, intervalMs);
      function done() {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
    if (!signal.aborted) await work();
  }
}
