/**
 * The vmstat collector: /proc/vmstat fields matching a regex as `node_vmstat_<field>`, untyped
 * like node_exporter (default fields `^(oom_kill|pgpg|pswp|pg.*fault).*`).
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { type MetricFamily, single } from "./metric.ts";

/** node_exporter's default `--collector.vmstat.fields`. */
export const DEFAULT_VMSTAT_FIELDS = "^(oom_kill|pgpg|pswp|pg.*fault).*";

/** Parses /proc/vmstat (`name value` lines) into a map. */
export function parseVmstat(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const sp = line.indexOf(" ");
    if (sp <= 0) continue;
    const v = Number(line.slice(sp + 1));
    if (Number.isFinite(v)) out.set(line.slice(0, sp), v);
  }
  return out;
}

/** The families for the fields that match `fields`. */
export function vmstatFamilies(
  values: ReadonlyMap<string, number>,
  fields: RegExp,
): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const [k, v] of values) {
    if (!fields.test(k)) continue;
    out.push(single(`node_vmstat_${k}`, `/proc/vmstat information field ${k}.`, v, "untyped"));
  }
  return out;
}

/** Options of the vmstat collector. */
export interface VmstatOptions {
  /** Regex of the fields to export. */
  readonly fields?: string | undefined;
}

/** The vmstat collector. */
export function vmstatCollector(options: VmstatOptions = {}): Collector {
  const fields = new RegExp(options.fields ?? DEFAULT_VMSTAT_FIELDS);
  return {
    name: "vmstat",
    collect({ paths }) {
      return vmstatFamilies(parseVmstat(readText(at(paths.proc, "vmstat"))), fields);
    },
  };
}
