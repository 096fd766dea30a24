/**
 * The meminfo collector: every /proc/meminfo field as `node_memory_<Field>_bytes`, keeping the
 * kernel's spelling as node_exporter does (`Active(anon)` → `node_memory_Active_anon_bytes`;
 * fields without a unit, like `HugePages_Total`, get no `_bytes`).
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { type MetricFamily, single } from "./metric.ts";

/** One /proc/meminfo field, already in bytes when the kernel gave kB. */
export interface MeminfoField {
  /** Metric-name part: `Active_anon_bytes`, `HugePages_Total`. */
  readonly name: string;
  readonly value: number;
}

/** Parses /proc/meminfo; lines that do not parse are skipped. */
export function parseMeminfo(text: string): MeminfoField[] {
  const out: MeminfoField[] = [];
  for (const line of text.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2 || !parts[0]!.endsWith(":")) continue;
    const value = Number(parts[1]);
    if (!Number.isFinite(value)) continue;
    const key = parts[0]!.slice(0, -1).replace(/\((.*)\)/, "_$1");
    if (parts.length === 3) out.push({ name: `${key}_bytes`, value: value * 1024 });
    else out.push({ name: key, value });
  }
  return out;
}

/** Meminfo fields by their kernel key (`MemTotal`), in kB as written; for facts. */
export function meminfoKb(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^([^:\s]+):\s+(\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** The families for parsed meminfo fields. */
export function meminfoFamilies(fields: readonly MeminfoField[]): MetricFamily[] {
  return fields.map((f) =>
    single(
      `node_memory_${f.name}`,
      `Memory information field ${f.name}.`,
      f.value,
    )
  );
}

/** The meminfo collector. */
export function meminfoCollector(): Collector {
  return {
    name: "meminfo",
    collect({ paths }) {
      return meminfoFamilies(parseMeminfo(readText(at(paths.proc, "meminfo"))));
    },
  };
}
