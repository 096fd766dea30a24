/**
 * The facts side of the agent: the collectors and thresholds of `facts.*`, the listener (when
 * `facts.serve` is set) with the agent's own routes and families beside `/metrics`, and the
 * exporters' push loop. Rebuilt as a whole when `facts.*` changes.
 *
 * @module
 */
import type { FactsConfig } from "../config/facts_schema.ts";
import type { MetricFamily } from "../facts/metric.ts";
import type { MetricsAgent } from "../facts/metrics_agent.ts";
import type { Snapshot } from "../facts/snapshot.ts";
import type { ThresholdEvent } from "../facts/thresholds.ts";

/** What the facts side needs from the agent. */
export interface FactsServiceOptions {
  readonly version: string;
  /** Serve and push (false for `agent --once`). */
  readonly long: boolean;
  /** Host facts, added to pushed snapshots. */
  readonly hostFacts: Readonly<Record<string, unknown>>;
  /** The agent's families, added to every unfiltered scrape. */
  readonly selfFamilies: () => Promise<MetricFamily[]>;
  /** Every scrape's snapshot (the agent keeps the threshold states). */
  readonly onSnapshot: (s: Snapshot) => void;
  /** The agent's routes beside /metrics. */
  readonly routes: (req: Request, url: URL) => Response | undefined;
  readonly onThreshold: (e: ThresholdEvent) => void;
  readonly log: (level: "warn" | "debug", message: string) => void;
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
        import("../facts/metrics_agent.ts"),
        import("../facts/_read.ts"),
        import("../facts/exporters.ts"),
      ]);
    const metrics = new MetricsAgent(facts, {
      version: o.version,
      log: o.log,
      onEvent: o.onThreshold,
    });
    const stop = new AbortController();
    const running: Promise<unknown>[] = [];
    let url: string | undefined;
    if (facts?.serve && o.long) {
      setReadCache(true);
      const server = await serve(metrics, facts, stop.signal, o);
      url = server.url;
      running.push(server.finished);
    }
    const exporters = createExporters(facts);
    if (exporters.length > 0 && o.long) {
      running.push(runExportLoop(exporters, {
        snapshot: async () => ({ ...(await metrics.collect()), facts: o.hostFacts }),
        signal: stop.signal,
        onPush: (name, where) => o.log("debug", `pushed ${where} (${name})`),
        onError: (name, m) => o.log("warn", `push to ${name} failed: ${m}`),
      }));
    }
    return new FactsService(metrics, url, stop, Promise.all(running));
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
  facts: FactsConfig,
  signal: AbortSignal,
  o: FactsServiceOptions,
) {
  const s = facts.serve!;
  const [{ serveMetrics, serveOptions }, { toPrometheusText }] = await Promise.all([
    import("../facts/server.ts"),
    import("../facts/exposition.ts"),
  ]);
  return await serveMetrics({
    ...(await serveOptions(s)),
    render: async (select) => {
      const snap = await metrics.collect(select);
      o.onSnapshot(snap);
      // A filtered scrape (collect[]) asks for those collectors only.
      const filtered = (select.collect?.length ?? 0) > 0;
      return await toPrometheusText(
        filtered ? snap.families : [...snap.families, ...(await o.selfFamilies())],
      );
    },
    routes: o.routes,
    signal,
    onError: (m) => o.log("warn", m),
  });
}
