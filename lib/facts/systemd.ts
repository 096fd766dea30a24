/**
 * The systemd collector (off by default): unit states from `systemctl list-units` and service
 * restart counts from `systemctl show`, as node_exporter's `node_systemd_*` families (which it
 * reads over D-Bus). Three short commands per run; give it an interval to run it less often.
 *
 * @module
 */
import { runCommand } from "./_run.ts";
import type { Collector } from "./collector.ts";
import { family, FamilySet, type MetricFamily } from "./metric.ts";

/** node_exporter's default `--collector.systemd.unit-include`. */
export const DEFAULT_UNIT_INCLUDE = ".+";
/** node_exporter's default `--collector.systemd.unit-exclude`. */
export const DEFAULT_UNIT_EXCLUDE = ".+\\.(automount|device|mount|scope|slice|target)";
/** The active states node_exporter reports, one series each. */
export const UNIT_STATES = ["activating", "active", "deactivating", "failed", "inactive"] as const;

/** One unit from `systemctl list-units`. */
export interface UnitState {
  readonly name: string;
  readonly load: string;
  readonly active: string;
  readonly sub: string;
}

/** Parses `systemctl list-units --all --plain --no-legend --full` output. */
export function parseListUnits(text: string): UnitState[] {
  const out: UnitState[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\s*[●*×]\s*/, "").trim();
    if (line === "") continue;
    const [name, load, active, sub] = line.split(/\s+/);
    if (!name || !load || !active || !sub) continue;
    out.push({ name, load, active, sub });
  }
  return out;
}

/** Parses `systemctl show` output: blocks of `Key=value` lines separated by blank lines. */
export function parseShow(text: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let cur: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      if (Object.keys(cur).length > 0) out.push(cur);
      cur = {};
      continue;
    }
    const eq = line.indexOf("=");
    if (eq > 0) cur[line.slice(0, eq)] = line.slice(eq + 1);
  }
  if (Object.keys(cur).length > 0) out.push(cur);
  return out;
}

/** The families for units (already filtered), service properties and the system state. */
export function systemdFamilies(
  units: readonly UnitState[],
  services: ReadonlyMap<string, Record<string, string>>,
  systemState?: string,
): MetricFamily[] {
  const set = new FamilySet();
  for (const u of units) {
    const type = u.name.endsWith(".service") ? services.get(u.name)?.Type ?? "" : "";
    for (const state of UNIT_STATES) {
      set.add(
        "node_systemd_unit_state",
        "Systemd unit",
        "gauge",
        { name: u.name, state, type },
        u.active === state ? 1 : 0,
      );
    }
  }
  for (const u of units) {
    const restarts = services.get(u.name)?.NRestarts;
    if (restarts === undefined || !/^\d+$/.test(restarts)) continue;
    set.add(
      "node_systemd_service_restart_total",
      "Service unit count of Restart triggers",
      "counter",
      { name: u.name },
      Number(restarts),
    );
  }
  const counts = new Map<string, number>(UNIT_STATES.map((s) => [s, 0]));
  for (const u of units) if (counts.has(u.active)) counts.set(u.active, counts.get(u.active)! + 1);
  const out = set.list();
  out.push(family(
    "node_systemd_units",
    "Summary of systemd unit states",
    "gauge",
    [...counts].map(([state, value]) => ({ labels: { state }, value })),
  ));
  if (systemState !== undefined) {
    out.push(
      family(
        "node_systemd_system_running",
        "Whether the system is operational (see 'systemctl is-system-running')",
        "gauge",
        [
          { labels: {}, value: systemState === "running" ? 1 : 0 },
        ],
      ),
    );
  }
  return out;
}

/** Options of the systemd collector. */
export interface SystemdOptions {
  readonly unitInclude?: string | undefined;
  readonly unitExclude?: string | undefined;
  /** The systemctl binary. */
  readonly systemctl?: string | undefined;
  readonly commandTimeoutMs?: number | undefined;
}

/** The systemd collector. */
export function systemdCollector(options: SystemdOptions = {}): Collector {
  const include = new RegExp(`^(?:${options.unitInclude ?? DEFAULT_UNIT_INCLUDE})$`);
  const exclude = new RegExp(`^(?:${options.unitExclude ?? DEFAULT_UNIT_EXCLUDE})$`);
  const systemctl = options.systemctl ?? "systemctl";
  const timeoutMs = options.commandTimeoutMs ?? 5000;
  return {
    name: "systemd",
    async collect({ signal }) {
      const run = (args: string[]) => runCommand([systemctl, ...args], { timeoutMs, signal });
      const [list, show, state] = await Promise.all([
        run(["list-units", "--all", "--plain", "--no-legend", "--no-pager", "--full"]),
        run(["show", "--no-pager", "--property=Id,Type,NRestarts", "*.service"]),
        run(["is-system-running"]),
      ]);
      if (list.code !== 0) throw new Error(`systemctl list-units failed: ${list.stderr.trim()}`);
      const units = parseListUnits(list.stdout).filter((u) =>
        include.test(u.name) && !exclude.test(u.name)
      );
      const services = new Map(parseShow(show.stdout).filter((b) => b.Id).map((b) => [b.Id!, b]));
      const sys = state.stdout.trim();
      return systemdFamilies(units, services, sys === "" ? undefined : sys);
    },
  };
}
