/**
 * The metrics side of a host agent, built from a facts config: the enabled collectors, the
 * thresholds and the exporter's own metrics, giving one snapshot per call. `driftless facts`
 * uses it for printing, serving and pushing; the agent can run it on its own schedule.
 *
 * @module
 */
import type { FactsConfig } from "../config/facts_schema.ts";
import type { ProcPaths } from "./collector.ts";
import { configureCollectors } from "./collectors.ts";
import type { MetricFamily } from "./metric.ts";
import { Scraper, type Selection } from "./scraper.ts";
import { buildInfoFamilies, processSelfFamilies } from "./self.ts";
import type { Snapshot } from "./snapshot.ts";
import { ThresholdEvaluator, type ThresholdEvent } from "./thresholds.ts";

/** Options of {@linkcode MetricsAgent}. */
export interface MetricsAgentOptions {
  /** Only these collectors (node_exporter's `--collector.disable-defaults --collector.X`). */
  readonly only?: readonly string[];
  /** The version in `driftless_build_info` / `node_exporter_build_info`. */
  readonly version: string;
  /** Collector problems; each distinct message comes once at `warn`, repeats at `debug`. */
  readonly log?: (level: "warn" | "debug", message: string) => void;
  /** Threshold state changes. */
  readonly onEvent?: (event: ThresholdEvent) => void;
}

/** Collectors, thresholds and self metrics of one facts config. */
export class MetricsAgent {
  readonly scraper: Scraper;
  readonly thresholds: ThresholdEvaluator;
  readonly host: string;
  readonly #exporterMetrics: boolean;
  readonly #version: string;
  readonly #log: MetricsAgentOptions["log"];
  readonly #warned = new Map<string, string>();

  constructor(config: FactsConfig | undefined, options: MetricsAgentOptions) {
    this.#log = options.log;
    this.#version = options.version;
    const paths: ProcPaths = {
      proc: config?.paths?.procfs ?? "/proc",
      sys: config?.paths?.sysfs ?? "/sys",
      root: config?.paths?.rootfs ?? "/",
      udev: config?.paths?.udev_data ?? "/run/udev/data",
    };
    const only = options.only && options.only.length > 0 ? { only: options.only } : {};
    const collectors = configureCollectors(config, {
      log: (c, m) => this.#report("warn", c, m),
      ...only,
    });
    this.scraper = new Scraper(collectors, {
      paths,
      log: (level, c, m) => this.#report(level, c, m),
    });
    this.thresholds = new ThresholdEvaluator(config?.thresholds ?? [], {
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    this.#exporterMetrics = config?.serve?.exporter_metrics ?? true;
    this.host = hostName();
  }

  /** Reports a collector problem once per distinct message (scrapes repeat every few seconds). */
  #report(level: "warn" | "debug", collector: string, message: string): void {
    const repeated = this.#warned.get(collector) === message;
    if (level === "warn" && !repeated) this.#warned.set(collector, message);
    this.#log?.(
      level === "debug" || repeated ? "debug" : "warn",
      `collector ${collector}: ${message}`,
    );
  }

  /** One snapshot: the selected collectors, the threshold states and the self metrics. */
  async collect(select: Selection = {}): Promise<Snapshot> {
    const result = await this.scraper.scrape(select);
    const families: MetricFamily[] = [
      ...result.families,
      ...this.thresholds.evaluate(result.families, {
        partial: (select.collect?.length ?? 0) > 0 || (select.exclude?.length ?? 0) > 0,
      }),
    ];
    if (this.#exporterMetrics) {
      families.push(
        ...buildInfoFamilies({ version: this.#version }),
        ...(await processSelfFamilies()),
      );
    }
    families.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { time: new Date(), host: this.host, families };
  }
}

function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}
