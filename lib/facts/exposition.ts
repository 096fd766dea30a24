/**
 * The one Prometheus text writer (format 0.0.4) for every metric family Driftless exposes
 * (facts, logs, the agent), and the JSON form for `--format json|yaml` and the JSON exporters.
 * Values are written as node_exporter's Go client writes them (`1.6779968e+10`, `NaN`, `+Inf`),
 * so our exposition diffs cleanly against node_exporter's.
 *
 * @module
 */
import type { MetricFamily } from "./metric.ts";

/** The content type node_exporter answers with (text format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * A number as Go's `strconv.FormatFloat(v, 'g', -1, 64)` writes it: the shortest digits that
 * read back to the same value, in exponent form below 1e-4 and from 1e6 up.
 *
 * @example
 * ```ts
 * formatValue(16779968000); // "1.6779968e+10"
 * formatValue(0.25); // "0.25"
 * ```
 */
export function formatValue(v: number): string {
  if (Number.isInteger(v) && v > -1e6 && v < 1e6) return Object.is(v, -0) ? "-0" : String(v);
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const abs = Math.abs(v);
  if (abs >= 1e-4 && abs < 1e6) return String(v);
  const [mantissa, exp] = v.toExponential().split("e") as [string, string];
  const sign = exp[0] === "-" ? "-" : "+";
  const digits = exp.replace(/^[+-]/, "");
  return `${mantissa}e${sign}${digits.length < 2 ? `0${digits}` : digits}`;
}

const escapeHelp = (s: string) =>
  s.includes("\\") || s.includes("\n") ? s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n") : s;

const escapeLabel = (s: string) =>
  /[\\"\n]/.test(s) ? s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n") : s;

/**
 * Renders families as Prometheus text, in the given order. A family without samples is left
 * out (as client libraries do), and a help text is escaped as the format requires.
 *
 * @example
 * ```ts
 * toPrometheusText([{ name: "up", help: "Up.", type: "gauge", samples: [{ labels: {}, value: 1 }] }]);
 * // "# HELP up Up.\n# TYPE up gauge\nup 1\n"
 * ```
 */
export function toPrometheusText(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    if (f.help !== "") out.push(`# HELP ${f.name} ${escapeHelp(f.help)}\n`);
    out.push(`# TYPE ${f.name} ${f.type}\n`);
    for (const s of f.samples) {
      let labels = "";
      for (const k in s.labels) {
        labels += `${labels === "" ? "" : ","}${k}="${escapeLabel(s.labels[k]!)}"`;
      }
      out.push(
        `${s.name ?? f.name}${labels === "" ? "" : `{${labels}}`} ${formatValue(s.value)}\n`,
      );
    }
  }
  return out.join("");
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
      value: Number.isFinite(s.value) ? s.value : formatValue(s.value),
    })),
  }));
}
