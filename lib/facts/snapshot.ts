/**
 * A metrics snapshot for exporters and `driftless facts`: the families of one scrape with the
 * time and host, encoded as Prometheus text or JSON, gzipped unless asked not to.
 *
 * @module
 */
import { gzip } from "../sinks/gzip.ts";
import { toJsonFamilies, toPrometheusText } from "./exposition.ts";
import type { MetricFamily } from "./metric.ts";

/** One scrape, ready to export. */
export interface Snapshot {
  readonly time: Date;
  readonly host: string;
  readonly families: readonly MetricFamily[];
  /** Host facts, included in the JSON form. */
  readonly facts?: Readonly<Record<string, unknown>>;
}

/** An encoded snapshot. */
export interface EncodedSnapshot {
  readonly body: Uint8Array;
  /** File extension: `.prom`, `.json`, plus `.gz`. */
  readonly ext: string;
  readonly contentType: string;
  readonly gzipped: boolean;
}

/** Encodes a snapshot. */
export async function encodeSnapshot(
  s: Snapshot,
  options: { format?: "prometheus" | "json"; gzip?: boolean } = {},
): Promise<EncodedSnapshot> {
  const json = options.format === "json";
  const text = json
    ? JSON.stringify({
      time: s.time.toISOString(),
      host: s.host,
      ...(s.facts ? { facts: s.facts } : {}),
      metrics: toJsonFamilies(s.families),
    }) + "\n"
    : toPrometheusText(s.families);
  const raw = new TextEncoder().encode(text);
  const zip = options.gzip ?? true;
  return {
    body: zip ? await gzip(raw) : raw,
    ext: (json ? ".json" : ".prom") + (zip ? ".gz" : ""),
    contentType: json ? "application/json" : "text/plain; version=0.0.4; charset=utf-8",
    gzipped: zip,
  };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `YYYY/MM/DD/HHMMSS.mmm` of an instant in UTC. */
export function datePath(t: Date): string {
  return `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/` +
    `${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}.` +
    String(t.getUTCMilliseconds()).padStart(3, "0");
}
