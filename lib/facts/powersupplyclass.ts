/**
 * The powersupplyclass collector: batteries, AC adapters and UPSes from /sys/class/power_supply,
 * named as node_exporter names them (µA, µV, µW and µWh become A, V, W and Wh; tenths of a
 * degree become degrees), and `node_power_supply_info` with the text attributes.
 *
 * @module
 */
import { at, listSubsystem, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** [sysfs attribute, metric, divisor]. */
const NUMERIC: readonly [string, string, number][] = [
  ["authentic", "authentic", 1],
  ["calibrate", "calibrate", 1],
  ["capacity", "capacity", 1],
  ["capacity_alert_max", "capacity_alert_max", 1],
  ["capacity_alert_min", "capacity_alert_min", 1],
  ["cycle_count", "cyclecount", 1],
  ["online", "online", 1],
  ["present", "present", 1],
  ["time_to_empty_now", "time_to_empty_seconds", 1],
  ["time_to_full_now", "time_to_full_seconds", 1],
  ["current_boot", "current_boot", 1e6],
  ["current_max", "current_max", 1e6],
  ["current_now", "current_ampere", 1e6],
  ["energy_empty", "energy_empty", 1e6],
  ["energy_empty_design", "energy_empty_design", 1e6],
  ["energy_full", "energy_full", 1e6],
  ["energy_full_design", "energy_full_design", 1e6],
  ["energy_now", "energy_watthour", 1e6],
  ["voltage_boot", "voltage_boot", 1e6],
  ["voltage_max", "voltage_max", 1e6],
  ["voltage_max_design", "voltage_max_design", 1e6],
  ["voltage_min", "voltage_min", 1e6],
  ["voltage_min_design", "voltage_min_design", 1e6],
  ["voltage_now", "voltage_volt", 1e6],
  ["voltage_ocv", "voltage_ocv", 1e6],
  ["charge_control_limit", "charge_control_limit", 1e6],
  ["charge_control_limit_max", "charge_control_limit_max", 1e6],
  ["charge_counter", "charge_counter", 1e6],
  ["charge_empty", "charge_empty", 1e6],
  ["charge_empty_design", "charge_empty_design", 1e6],
  ["charge_full", "charge_full", 1e6],
  ["charge_full_design", "charge_full_design", 1e6],
  ["charge_now", "charge_ampere", 1e6],
  ["charge_term_current", "charge_term_current", 1e6],
  ["constant_charge_current", "constant_charge_current", 1e6],
  ["constant_charge_current_max", "constant_charge_current_max", 1e6],
  ["constant_charge_voltage", "constant_charge_voltage", 1e6],
  ["constant_charge_voltage_max", "constant_charge_voltage_max", 1e6],
  ["precharge_current", "precharge_current", 1e6],
  ["input_current_limit", "input_current_limit", 1e6],
  ["power_now", "power_watt", 1e6],
  ["temp", "temp_celsius", 10],
  ["temp_alert_max", "temp_alert_max_celsius", 10],
  ["temp_alert_min", "temp_alert_min_celsius", 10],
  ["temp_ambient", "temp_ambient_celsius", 10],
  ["temp_ambient_max", "temp_ambient_max_celsius", 10],
  ["temp_ambient_min", "temp_ambient_min_celsius", 10],
  ["temp_max", "temp_max_celsius", 10],
  ["temp_min", "temp_min_celsius", 10],
];

/** The text attributes of `node_power_supply_info`. */
const INFO = [
  "capacity_level",
  "charge_type",
  "health",
  "manufacturer",
  "model_name",
  "serial_number",
  "status",
  "technology",
  "type",
  "usb_type",
  "scope",
];

/** The attributes a supply needs read. */
export const POWER_SUPPLY_ATTRS: readonly string[] = [...NUMERIC.map(([a]) => a), ...INFO];

/** The families for each supply's attributes (attribute → text). */
export function powerSupplyFamilies(
  supplies: ReadonlyArray<readonly [string, Readonly<Record<string, string | undefined>>]>,
): MetricFamily[] {
  const set = new FamilySet();
  for (const [name, a] of supplies) {
    for (const [attr, metric, div] of NUMERIC) {
      const v = Number(a[attr]);
      if (a[attr] === undefined || a[attr] === "" || !Number.isFinite(v)) continue;
      set.add(
        `node_power_supply_${metric}`,
        `${metric} value of /sys/class/power_supply/<power_supply>.`,
        "gauge",
        { power_supply: name },
        v / div,
      );
    }
    const labels: Record<string, string> = { power_supply: name };
    // Go's strings.ToValidUTF8, as node_exporter applies it: a run of bad bytes is one U+FFFD.
    for (const k of INFO) if (a[k]) labels[k] = a[k]!.replace(/\uFFFD+/g, "\uFFFD");
    set.add(
      "node_power_supply_info",
      "info of /sys/class/power_supply/<power_supply>.",
      "gauge",
      labels,
      1,
    );
  }
  return set.list();
}

/** The powersupplyclass collector. */
export function powerSupplyClassCollector(
  options: { ignoredSupplies?: string | undefined } = {},
): Collector {
  const ignored = new RegExp(options.ignoredSupplies ?? "^$");
  return {
    name: "powersupplyclass",
    collect: ({ paths }) => {
      const base = at(paths.sys, "class/power_supply");
      const supplies = listSubsystem(base).filter((n) => !ignored.test(n)).map((n) => {
        const attrs: Record<string, string | undefined> = {};
        for (const a of POWER_SUPPLY_ATTRS) attrs[a] = readAttr(`${base}/${n}/${a}`);
        return [n, attrs] as const;
      });
      return powerSupplyFamilies(supplies);
    },
  };
}
