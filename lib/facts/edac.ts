/**
 * The edac collector: correctable and uncorrectable memory errors per memory controller and
 * chip-select row from /sys/devices/system/edac/mc (errors without row information count under
 * `csrow="unknown"`, as in node_exporter).
 *
 * @module
 */
import { at, listDir, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** One memory controller's counts. */
export interface EdacController {
  readonly controller: string;
  readonly ce: number;
  readonly ue: number;
  readonly ceNoinfo: number;
  readonly ueNoinfo: number;
  readonly csrows: ReadonlyArray<{ csrow: string; ce: number; ue: number }>;
}

/** The families for the controllers. */
export function edacFamilies(controllers: readonly EdacController[]): MetricFamily[] {
  const set = new FamilySet();
  for (const c of controllers) {
    const controller = c.controller;
    set.add("node_edac_correctable_errors_total", "Total correctable memory errors.", "counter", {
      controller,
    }, c.ce);
    set.add(
      "node_edac_uncorrectable_errors_total",
      "Total uncorrectable memory errors.",
      "counter",
      { controller },
      c.ue,
    );
    const rows = [...c.csrows, { csrow: "unknown", ce: c.ceNoinfo, ue: c.ueNoinfo }];
    for (const r of rows) {
      set.add(
        "node_edac_csrow_correctable_errors_total",
        "Total correctable memory errors for this csrow.",
        "counter",
        { controller, csrow: r.csrow },
        r.ce,
      );
      set.add(
        "node_edac_csrow_uncorrectable_errors_total",
        "Total uncorrectable memory errors for this csrow.",
        "counter",
        { controller, csrow: r.csrow },
        r.ue,
      );
    }
  }
  return set.list();
}

/** The edac collector. */
export function edacCollector(): Collector {
  return {
    name: "edac",
    collect: ({ paths }) => {
      const base = at(paths.sys, "devices/system/edac/mc");
      const num = (p: string) => Number(readAttr(p) ?? 0);
      const controllers = listDir(base).filter((d) => /^mc\d+$/.test(d)).map((mc) => {
        const dir = `${base}/${mc}`;
        return {
          controller: mc.slice(2),
          ce: num(`${dir}/ce_count`),
          ue: num(`${dir}/ue_count`),
          ceNoinfo: num(`${dir}/ce_noinfo_count`),
          ueNoinfo: num(`${dir}/ue_noinfo_count`),
          csrows: listDir(dir).filter((d) => /^csrow\d+$/.test(d)).map((r) => ({
            csrow: r.slice(5),
            ce: num(`${dir}/${r}/ce_count`),
            ue: num(`${dir}/${r}/ue_count`),
          })),
        };
      });
      return edacFamilies(controllers);
    },
  };
}
