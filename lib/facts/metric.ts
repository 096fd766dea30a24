/**
 * The one metric model of Driftless: plain families of samples that collectors return, logs and
 * the agent report, thresholds read and exposition.ts renders, so parsers stay pure and every
 * exporter shares one shape. Names, types and labels follow node_exporter (vmstat/netstat are
 * `untyped`).
 *
 * @module
 */

/** A Prometheus metric type; `untyped` is what node_exporter uses for vmstat and netstat. */
export type MetricType = "counter" | "gauge" | "untyped" | "summary" | "histogram";

/** Label names to values. */
export type Labels = Readonly<Record<string, string>>;

/** One series value. */
export interface Sample {
  /** Full series name when it differs from the family (`_bucket`, `_sum`, `_count`). */
  readonly name?: string;
  /** Label names to values. */
  readonly labels: Labels;
  /** The sample's value. */
  readonly value: number;
}

/** A metric family: one name, help and type, and its samples. */
export interface MetricFamily {
  /** Metric name, e.g. `node_load1`. */
  readonly name: string;
  /** The HELP text. */
  readonly help: string;
  /** The TYPE. */
  readonly type: MetricType;
  /** The series. */
  readonly samples: Sample[];
}

const NO_LABELS: Labels = Object.freeze({});

/**
 * A family with samples.
 *
 * @example
 * ```ts
 * family("node_load1", "1m load average.", "gauge", [{ labels: {}, value: 0.5 }]);
 * ```
 */
export function family(
  name: string,
  help: string,
  type: MetricType,
  samples: Sample[] = [],
): MetricFamily {
  return { name, help, type, samples };
}

/** A gauge family with one unlabelled sample. */
export function single(name: string, help: string, value: number, type: MetricType = "gauge") {
  return family(name, help, type, [{ labels: NO_LABELS, value }]);
}

/** Collects families by name in insertion order, so a collector can add samples as it parses. */
export class FamilySet {
  readonly #byName = new Map<string, MetricFamily>();

  /** Adds a sample to the family `name`, creating it with `help` and `type` when new. */
  add(name: string, help: string, type: MetricType, labels: Labels, value: number): void {
    let f = this.#byName.get(name);
    if (!f) this.#byName.set(name, f = family(name, help, type));
    f.samples.push({ labels, value });
  }

  /** The families, in the order they were first added. */
  list(): MetricFamily[] {
    return [...this.#byName.values()];
  }
}

/** Parses a number the way /proc writes it; NaN for anything else. */
export function num(text: string | undefined): number {
  if (text === undefined || text === "") return NaN;
  return Number(text);
}

/** Prometheus metric-name rule: invalid characters become `_`. */
export function sanitizeName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_:]/g, "_");
  return /^[0-9]/.test(s) ? `_${s}` : s;
}
