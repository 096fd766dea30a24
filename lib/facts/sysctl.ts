/**
 * The sysctl collector (off by default, as in node_exporter): chosen kernel parameters from
 * /proc/sys. `include` entries are numeric (`kernel.threads-max`; several values get an
 * `index` label, or one family per field with `fs.file-nr:total,current,max`); `include_info`
 * entries are strings, exported as `node_sysctl_info{name,index,value}`.
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** A parsed `include` entry. */
export interface SysctlEntry {
  readonly name: string;
  /** Field names for a multi-value parameter. */
  readonly fields: readonly string[];
}

/** Parses `name` or `name:field,field`. */
export function parseSysctlEntry(text: string): SysctlEntry {
  const [name, fields] = text.split(":", 2) as [string, string | undefined];
  return { name, fields: fields ? fields.split(",") : [] };
}

/** The /proc/sys path of a parameter (`kernel.threads-max` → `sys/kernel/threads-max`). */
export function sysctlPath(name: string): string {
  return `sys/${name.replaceAll(".", "/")}`;
}

const metricName = (name: string) => `node_sysctl_${name.replace(/[.-]/g, "_")}`;

/** The families of numeric parameters; throws when a value is not a number. */
export function sysctlFamilies(
  values: ReadonlyArray<readonly [SysctlEntry, string]>,
  info: ReadonlyArray<readonly [string, string]> = [],
): MetricFamily[] {
  const set = new FamilySet();
  for (const [entry, text] of values) {
    const words = text.trim().split(/\s+/);
    const nums = words.map((w) => {
      const n = Number(w);
      if (w === "" || !Number.isFinite(n)) {
        throw new Error(`sysctl ${entry.name}: expected numbers, found ${JSON.stringify(text)}`);
      }
      return n;
    });
    const name = metricName(entry.name);
    if (entry.fields.length > 0) {
      entry.fields.forEach((field, i) => {
        if (nums[i] === undefined) return;
        set.add(`${name}_${field}`, `sysctl ${entry.name}, field ${i}`, "untyped", {}, nums[i]!);
      });
    } else if (nums.length === 1) {
      set.add(name, `sysctl ${entry.name}`, "untyped", {}, nums[0]!);
    } else {
      nums.forEach((v, i) =>
        set.add(name, `sysctl ${entry.name}`, "untyped", { index: String(i) }, v)
      );
    }
  }
  for (const [name, text] of info) {
    text.trim().split(/\s+/).forEach((value, i) =>
      set.add("node_sysctl_info", "sysctl info", "gauge", { index: String(i), name, value }, 1)
    );
  }
  return set.list();
}

/** Options of the sysctl collector. */
export interface SysctlOptions {
  readonly include?: readonly string[] | undefined;
  readonly includeInfo?: readonly string[] | undefined;
}

/** The sysctl collector. */
export function sysctlCollector(options: SysctlOptions = {}): Collector {
  const entries = (options.include ?? []).map(parseSysctlEntry);
  return {
    name: "sysctl",
    collect: ({ paths }) =>
      sysctlFamilies(
        entries.map((e) => [e, readText(at(paths.proc, sysctlPath(e.name)))] as const),
        (options.includeInfo ?? []).map((n) =>
          [n, readText(at(paths.proc, sysctlPath(n)))] as const
        ),
      ),
  };
}
