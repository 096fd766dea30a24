/**
 * Runs the collectors for one scrape: all at once, each with its own timeout (a collector that
 * hangs fails alone and is not started again until its run returns), each with an optional
 * interval (the cached result is served in between), and adds node_exporter's
 * `node_scrape_collector_duration_seconds` and `node_scrape_collector_success` per collector.
 *
 * Durations are each collector's own: most collectors read /proc synchronously, one after the
 * other on this thread, so a collector's wall time leaves out the time the others spent
 * running meanwhile. At its timeout a collector is aborted and gets a short grace to return
 * what it has (the command collector returns the commands that finished).
 *
 * @module
 */
import { type CollectContext, DEFAULT_PATHS, type ProcPaths } from "./collector.ts";
import type { ConfiguredCollector } from "./collectors.ts";
import { sweepReadCache } from "./_read.ts";
import { NoDataError } from "./errors.ts";
import { family, type MetricFamily } from "./metric.ts";

/** How one collector did in a scrape. */
export interface CollectorStatus {
  readonly name: string;
  readonly success: boolean;
  readonly durationSeconds: number;
  /** Why it failed. */
  readonly error?: string;
  /** The result came from the interval cache. */
  readonly cached?: boolean;
}

/** One scrape's output. */
export interface ScrapeResult {
  /** Every family, sorted by name (as node_exporter's registry sorts them). */
  readonly families: MetricFamily[];
  readonly collectors: readonly CollectorStatus[];
}

/** Which collectors a scrape runs: node_exporter's `collect[]` / `exclude[]`. */
export interface Selection {
  readonly collect?: readonly string[];
  readonly exclude?: readonly string[];
}

/** A selection named a collector that is not enabled. */
export class UnknownCollectorError extends Error {
  readonly collector: string;
  constructor(name: string) {
    super(`collector "${name}" not available`);
    this.name = "UnknownCollectorError";
    this.collector = name;
  }
}

interface Outcome {
  families: MetricFamily[];
  status: CollectorStatus;
  at: number;
}

interface State {
  readonly c: ConfiguredCollector;
  cache?: Outcome;
  /** A run that has not returned yet (it may have timed out). */
  inflight?: Promise<Outcome> | undefined;
  /** The in-flight run already outlived its timeout: later scrapes fail at once. */
  stuck?: boolean;
}

/** Logs a collector problem: level and message. */
export type ScrapeLog = (level: "warn" | "debug", collector: string, message: string) => void;

/** Runs configured collectors. */
export class Scraper {
  readonly #states: Map<string, State>;
  readonly #paths: ProcPaths;
  readonly #log: ScrapeLog | undefined;

  constructor(
    collectors: readonly ConfiguredCollector[],
    options: { paths?: ProcPaths; log?: ScrapeLog } = {},
  ) {
    this.#states = new Map(collectors.map((c) => [c.collector.name, { c }]));
    this.#paths = options.paths ?? DEFAULT_PATHS;
    this.#log = options.log;
  }

  /** The enabled collector names. */
  get names(): string[] {
    return [...this.#states.keys()];
  }

  /** Checks a selection; throws UnknownCollectorError or a plain Error for a bad one. */
  resolve(select: Selection = {}): string[] {
    const { collect = [], exclude = [] } = select;
    if (collect.length > 0 && exclude.length > 0) {
      throw new Error("collect[] and exclude[] cannot be combined");
    }
    // An unknown exclude[] name excludes nothing (node_exporter 1.10); collect[] must be known.
    for (const n of collect) {
      if (!this.#states.has(n)) throw new UnknownCollectorError(n);
    }
    if (collect.length > 0) return this.names.filter((n) => collect.includes(n));
    return this.names.filter((n) => !exclude.includes(n));
  }

  /** Runs the selected collectors and returns their families plus the scrape metrics. */
  async scrape(select: Selection = {}): Promise<ScrapeResult> {
    const names = this.resolve(select);
    // Synchronous collector work done so far in this scrape, to take out of others' durations.
    const busy = { ms: 0 };
    const outcomes = await Promise.all(names.map((n) => this.#run(this.#states.get(n)!, busy)));
    // After a full scrape, the files it did not read (devices since removed) are let go.
    if (names.length === this.#states.size) sweepReadCache();
    const byName = new Map<string, MetricFamily>();
    for (const o of outcomes) {
      for (const f of o.families) {
        const prev = byName.get(f.name);
        if (!prev) {
          byName.set(f.name, f);
        } else if (prev.type === f.type) {
          byName.set(f.name, { ...prev, samples: [...prev.samples, ...f.samples] });
        } else {
          this.#log?.(
            "warn",
            o.status.name,
            `${f.name} is also exported as a ${prev.type}; dropped`,
          );
        }
      }
    }
    const statuses = outcomes.map((o) => o.status);
    byName.set(
      "node_scrape_collector_duration_seconds",
      family(
        "node_scrape_collector_duration_seconds",
        "node_exporter: Duration of a collector scrape.",
        "gauge",
        statuses.map((s) => ({ labels: { collector: s.name }, value: s.durationSeconds })),
      ),
    );
    byName.set(
      "node_scrape_collector_success",
      family(
        "node_scrape_collector_success",
        "node_exporter: Whether a collector succeeded.",
        "gauge",
        statuses.map((s) => ({ labels: { collector: s.name }, value: s.success ? 1 : 0 })),
      ),
    );
    const families = [...byName.values()].sort((
      a,
      b,
    ) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { families, collectors: statuses };
  }

  async #run(state: State, busy: { ms: number }): Promise<Outcome> {
    const { c } = state;
    const name = c.collector.name;
    if (c.intervalMs !== undefined && state.cache && Date.now() - state.cache.at < c.intervalMs) {
      return { ...state.cache, status: { ...state.cache.status, cached: true } };
    }
    if (state.inflight && state.stuck) {
      return failure(name, 0, "still running since an earlier scrape timed out");
    }
    let run = state.inflight;
    if (!run) {
      const controller = new AbortController();
      const ctx: CollectContext = { paths: this.#paths, signal: controller.signal };
      const t0 = performance.now();
      const busy0 = busy.ms;
      let started: Promise<MetricFamily[]>;
      let syncSeconds: number | undefined;
      try {
        const r = c.collector.collect(ctx);
        if (Array.isArray(r)) syncSeconds = (performance.now() - t0) / 1000;
        started = Promise.resolve(r);
      } catch (e) {
        syncSeconds = (performance.now() - t0) / 1000;
        started = Promise.reject(e);
      }
      const own = performance.now() - t0;
      busy.ms += own;
      // A synchronous collector's duration is exact; an asynchronous one's is its wall time
      // minus the synchronous work of the collectors that ran meanwhile.
      const duration = () =>
        syncSeconds ?? (performance.now() - t0 - (busy.ms - busy0 - own)) / 1000;
      run = started.then(
        (families): Outcome => ({
          families,
          status: { name, success: true, durationSeconds: duration() },
          at: Date.now(),
        }),
        (e: unknown): Outcome => {
          const message = e instanceof Error ? e.message : String(e);
          this.#log?.(e instanceof NoDataError ? "debug" : "warn", name, message);
          return failure(name, duration(), message);
        },
      );
      state.inflight = run;
      run.finally(() => {
        if (state.inflight === run) {
          state.inflight = undefined;
          state.stuck = false;
        }
      });
      run.then((o) => {
        if (c.intervalMs !== undefined && o.status.success) state.cache = o;
      });
      // Abort on timeout so commands the collector runs are killed.
      const timer = setTimeout(() => controller.abort(), c.timeoutMs);
      run.finally(() => clearTimeout(timer));
    }
    const t0 = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // After the abort, a grace period for the collector to return what it has.
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), c.timeoutMs + ABORT_GRACE_MS);
    });
    const result = await Promise.race([run, timeout]);
    clearTimeout(timer);
    if (result) return result;
    state.stuck = true;
    const message = `timed out after ${c.timeoutMs} ms; its results are left out until it returns`;
    this.#log?.("warn", name, message);
    return failure(name, (performance.now() - t0) / 1000, message);
  }
}

/** How long a collector may take to return partial results once its timeout aborted it. */
export const ABORT_GRACE_MS = 250;

function failure(name: string, durationSeconds: number, error: string): Outcome {
  return { families: [], status: { name, success: false, durationSeconds, error }, at: Date.now() };
}
