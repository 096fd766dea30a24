/**
 * The dmi collector: `node_dmi_info` from /sys/class/dmi/id, with a label for each DMI field
 * the kernel provides (serials are readable by root only; unreadable fields are left out).
 *
 * @module
 */
import { at, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { family, type MetricFamily } from "./metric.ts";

/** [label, sysfs file]. */
export const DMI_FIELDS: readonly [string, string][] = [
  ["bios_date", "bios_date"],
  ["bios_release", "bios_release"],
  ["bios_vendor", "bios_vendor"],
  ["bios_version", "bios_version"],
  ["board_asset_tag", "board_asset_tag"],
  ["board_name", "board_name"],
  ["board_serial", "board_serial"],
  ["board_vendor", "board_vendor"],
  ["board_version", "board_version"],
  ["chassis_asset_tag", "chassis_asset_tag"],
  ["chassis_serial", "chassis_serial"],
  ["chassis_vendor", "chassis_vendor"],
  ["chassis_version", "chassis_version"],
  ["product_family", "product_family"],
  ["product_name", "product_name"],
  ["product_serial", "product_serial"],
  ["product_sku", "product_sku"],
  ["product_uuid", "product_uuid"],
  ["product_version", "product_version"],
  ["system_vendor", "sys_vendor"],
];

/** The family for the fields read (label → value). */
export function dmiFamilies(fields: Readonly<Record<string, string>>): MetricFamily[] {
  return [family(
    "node_dmi_info",
    `A metric with a constant '1' value labeled by ${
      DMI_FIELDS.map(([l]) => l).join(", ")
    } if provided by DMI.`,
    "gauge",
    [{ labels: { ...fields }, value: 1 }],
  )];
}

/** The dmi collector. */
export function dmiCollector(): Collector {
  return {
    name: "dmi",
    collect: ({ paths }) => {
      const base = at(paths.sys, "class/dmi/id");
      const fields: Record<string, string> = {};
      for (const [label, file] of DMI_FIELDS) {
        const v = readAttr(`${base}/${file}`);
        if (v !== undefined) fields[label] = v;
      }
      if (Object.keys(fields).length === 0) throw new NoDataError("no DMI in sysfs");
      return dmiFamilies(fields);
    },
  };
}
