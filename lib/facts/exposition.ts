/**
 * Renders metric families: Prometheus text through prom-client's registry (imported lazily),
 * and a JSON form for `--format json|yaml` and the JSON exporters.
 *
 * @module
 */
import type { MetricFamily } from "./metric.ts";

/** The content type node_exporter answers with (text format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type PromClient = typeof import("prom-client");
let promClient: Promise<PromClient> | undefined;

/** prom-client, imported on first use (it is not needed by `--help` or `validate`). */
export function loadPromClient(): Promise<PromClient> {
  return promClient ??= import("prom-client");
}

/**
 * Renders families as Prometheus text. Each family is registered with a fresh prom-client
 * registry as a collect-time metric, so the registry formats and escapes exactly as prom-client
 * does for its own metrics, including the `untyped` type node_exporter uses.
 */
export async function toPrometheusText(families: readonly MetricFamily[]): Promise<string> {
  const { Registry } = await loadPromClient();
  const registry = new Registry();
  for (const f of families) {
    if (f.samples.length === 0) continue;
    registry.registerMetric(
      {
        name: f.name,
        get: () => ({
          name: f.name,
          help: f.help || f.name,
          type: f.type,
          aggregator: "sum",
          values: f.samples.map((s) => ({
            value: s.value,
            labels: s.labels,
            ...(s.name ? { metricName: s.name } : {}),
          })),
        }),
        reset() {},
      } as unknown as Parameters<typeof registry.registerMetric>[0],
    );
  }
  return await registry.metrics();
}

/** A family in JSON: non-finite values become the strings Prometheus writes ("NaN", "+Inf"). */
export interface JsonFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly samples: { name?: string; labels: Record<string, string>; value: number | string }[];
}

/** Families as plain JSON-safe objects. */
export function toJsonFamilies(families: readonly MetricFamily[]): JsonFamily[] {
  return families.map((f) => ({
    name: f.name,
    help: f.help,
    type: f.type,
    samples: f.samples.map((s) => ({
      ...(s.name ? { name: s.name } : {}),
      labels: { ...s.labels },
      value: Number.isFinite(s.value)
        ? s.value
        : Number.isNaN(s.value)
        ? "NaN"
        : s.value > 0
        ? "+Inf"
        : "-Inf",
    })),
  }));
}
