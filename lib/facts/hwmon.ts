/**
 * The hwmon collector: hardware sensors from /sys/class/hwmon (temperatures, voltages, fans,
 * PWM, power, current, energy, humidity, intrusion), named and scaled exactly as node_exporter
 * 1.5 names them, with `node_hwmon_chip_names` and `node_hwmon_sensor_label` annotations.
 *
 * @module
 */
import { at, listDir, listSubsystem, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

const SENSOR_TYPES = new Set([
  "vrm",
  "beep_enable",
  "update_interval",
  "in",
  "cpu",
  "fan",
  "pwm",
  "temp",
  "curr",
  "power",
  "energy",
  "humidity",
  "intrusion",
]);

/** Lower-cases a name and turns every character Prometheus does not allow into `_`. */
export function cleanHwmonName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9:_]/g, "_").replace(/^_+|_+$/g, "");
}

/** Splits a sensor file name (`temp1_crit_alarm`) into type, number and property. */
export function explodeSensorFile(
  name: string,
): { type: string; num: number; property: string } | undefined {
  const m = /^([^0-9]+)([0-9]*)(?:_(.+))?$/.exec(name);
  if (!m) return undefined;
  return { type: m[1]!, num: m[2] ? Number(m[2]) : 0, property: m[3] ?? "" };
}

/** Sensor name (`temp1`) → property (`input`, `crit`, `label`, ...) → raw value. */
export type HwmonSensors = Map<string, Map<string, string>>;

/** Adds the sensor files of one directory (file name → content) to `sensors`. */
export function addSensorFiles(
  sensors: HwmonSensors,
  files: ReadonlyArray<readonly [string, string]>,
): void {
  for (const [file, content] of files) {
    const e = explodeSensorFile(file);
    if (!e || !SENSOR_TYPES.has(e.type)) continue;
    const key = `${e.type}${e.num}`;
    let s = sensors.get(key);
    if (!s) sensors.set(key, s = new Map());
    s.set(e.property, content.replace(/^\n+|\n+$/g, ""));
  }
}

/** A float as Go's strconv.ParseFloat accepts it (no blanks, no empty string). */
function parseFloat64(text: string): number | undefined {
  if (
    !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) && !/^[+-]?(inf|infinity|nan)$/i.test(text)
  ) {
    return undefined;
  }
  const lower = text.toLowerCase().replace(/^\+/, "");
  if (lower === "nan") return NaN;
  if (lower === "inf" || lower === "infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  return Number(text);
}

/** One chip: its metric name, human-readable name and sensors. */
export interface HwmonChip {
  readonly chip: string;
  readonly chipName?: string | undefined;
  readonly sensors: HwmonSensors;
}

/** The families for the chips. */
export function hwmonFamilies(chips: readonly HwmonChip[]): MetricFamily[] {
  const set = new FamilySet();
  const g = (
    name: string,
    help: string,
    labels: Record<string, string>,
    v: number,
    type: "gauge" | "counter" = "gauge",
  ) => set.add(name, help, type, labels, v);
  for (const c of chips) {
    if (c.chipName) {
      g("node_hwmon_chip_names", "Annotation metric for human-readable chip names", {
        chip: c.chip,
        chip_name: c.chipName,
      }, 1);
    }
    for (const [sensor, data] of c.sensors) {
      const type = explodeSensorFile(sensor)!.type;
      const labels = { chip: c.chip, sensor };
      const label = data.get("label");
      if (label !== undefined) {
        g("node_hwmon_sensor_label", "Label for given chip and sensor", { ...labels, label }, 1);
      }
      const raw = data.get("");
      if (type === "beep_enable") {
        g("node_hwmon_beep_enabled", "Hardware beep enabled", labels, raw === "1" ? 1 : 0);
        continue;
      }
      if (type === "vrm" || type === "update_interval") {
        const v = raw !== undefined ? parseFloat64(raw) : undefined;
        if (v === undefined) continue;
        if (type === "vrm") {
          g("node_hwmon_voltage_regulator_version", "Hardware voltage regulator", labels, v);
        } else {g(
            "node_hwmon_update_interval_seconds",
            "Hardware monitor update interval",
            labels,
            v * 0.001,
          );}
        continue;
      }
      const prefix = `node_hwmon_${type}`;
      for (const [element, text] of data) {
        if (element === "label") continue;
        const v = parseFloat64(text);
        if (v === undefined) continue;
        let name = prefix;
        if (element === "input") {
          if (data.has("")) name += "_input";
        } else if (element !== "") name += `_${cleanHwmonName(element)}`;
        if (element === "fault" || element === "alarm") {
          g(name, `Hardware sensor ${element} status (${type})`, labels, v);
        } else if (element === "beep") {
          g(`${name}_enabled`, "Hardware monitor sensor has beeping enabled", labels, v);
        } else if (type === "in" || type === "cpu") {
          g(`${name}_volts`, `Hardware monitor for voltage (${element})`, labels, v * 0.001);
        } else if (type === "temp" && element !== "type") {
          g(
            `${name}_celsius`,
            `Hardware monitor for temperature (${element || "input"})`,
            labels,
            v * 0.001,
          );
        } else if (type === "curr") {
          g(`${name}_amps`, `Hardware monitor for current (${element})`, labels, v * 0.001);
        } else if (type === "energy") {
          g(
            `${name}_joule_total`,
            `Hardware monitor for joules used so far (${element})`,
            labels,
            v / 1e6,
            "counter",
          );
        } else if (type === "power" && element === "accuracy") {
          g(name, "Hardware monitor power meter accuracy, as a ratio", labels, v / 1e6);
        } else if (type === "power" && /^average_interval(_min|_max)?$/.test(element)) {
          g(
            `${name}_seconds`,
            `Hardware monitor power usage update interval (${element})`,
            labels,
            v * 0.001,
          );
        } else if (type === "power") {
          g(
            `${name}_watt`,
            `Hardware monitor for power usage in watts (${element})`,
            labels,
            v / 1e6,
          );
        } else if (type === "humidity") {
          g(
            name,
            `Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (${element})`,
            labels,
            v / 1e6,
          );
        } else if (type === "fan" && ["input", "min", "max", "target"].includes(element)) {
          g(
            `${name}_rpm`,
            `Hardware monitor for fan revolutions per minute (${element})`,
            labels,
            v,
          );
        } else {
          g(name, `Hardware monitor ${type} element ${element}`, labels, v);
        }
      }
    }
  }
  return set.list();
}

/** The metric name of a chip: from its device path (stable), else its name file, else hwmonN. */
export function hwmonChipName(
  device: string | undefined,
  nameFile: string | undefined,
  dir: string,
): string {
  if (device !== undefined) {
    const parts = device.split("/");
    const devName = cleanHwmonName(parts.at(-1) ?? "");
    const devType = cleanHwmonName(parts.at(-2) ?? "");
    if (devType !== "" && devName !== "") return `${devType}_${devName}`;
    if (devName !== "") return devName;
  }
  const clean = nameFile !== undefined ? cleanHwmonName(nameFile) : "";
  return clean !== "" ? clean : cleanHwmonName(dir.split("/").at(-1) ?? "");
}

function sensorFiles(dir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const f of listDir(dir)) {
    const e = explodeSensorFile(f);
    if (!e || !SENSOR_TYPES.has(e.type)) continue;
    // Write-only or failing attributes are skipped, as node_exporter skips them.
    let text: string | undefined;
    try {
      text = readOptional(`${dir}/${f}`);
    } catch {
      continue;
    }
    if (text !== undefined) out.push([f, text]);
  }
  return out;
}

/** The hwmon collector. */
export function hwmonCollector(): Collector {
  return {
    name: "hwmon",
    collect: ({ paths }) => {
      const base = at(paths.sys, "class/hwmon");
      const chips: HwmonChip[] = [];
      for (const entry of listSubsystem(base)) {
        const dir = `${base}/${entry}`;
        let real: string;
        try {
          real = Deno.realPathSync(dir);
          if (!Deno.statSync(real).isDirectory) continue;
        } catch {
          continue;
        }
        let device: string | undefined;
        try {
          device = Deno.realPathSync(`${dir}/device`);
        } catch { /* no device link */ }
        const name = readOptional(`${dir}/name`)?.trim();
        const sensors: HwmonSensors = new Map();
        addSensorFiles(sensors, sensorFiles(dir));
        if (device !== undefined) addSensorFiles(sensors, sensorFiles(`${dir}/device`));
        const chipName = name ? cleanHwmonName(name) : undefined;
        chips.push({
          chip: hwmonChipName(device, name, real),
          chipName: chipName || undefined,
          sensors,
        });
      }
      return hwmonFamilies(chips);
    },
  };
}
