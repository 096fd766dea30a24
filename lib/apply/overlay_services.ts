/**
 * systemd units in a dry run: the overlay notes what the `systemctl` commands it records would
 * do (start, stop, enable, disable, mask), and answers the `systemctl show` and `is-enabled`
 * queries of later tasks as if they had run. A unit systemd does not know yet, asked about after
 * the plan installs a package, is taken to come with that package, so `package: nginx` followed
 * by `service: {name: nginx, state: started}` plans both instead of failing.
 *
 * @module
 */
import type { RunResult } from "./host.ts";

/**
 * The LoadState the overlay reports for a unit systemd does not know while the plan installs
 * packages: the service task reads it as "expected from a planned package".
 */
export const PLANNED_LOAD_STATE = "planned";

/** The properties a recorded command sets. */
type Planned = { ActiveState?: string; UnitFileState?: string };

const VERBS: Readonly<Record<string, Planned>> = {
  start: { ActiveState: "active" },
  restart: { ActiveState: "active" },
  "try-restart": {},
  "reload-or-restart": { ActiveState: "active" },
  stop: { ActiveState: "inactive" },
  enable: { UnitFileState: "enabled" },
  disable: { UnitFileState: "disabled" },
  mask: { UnitFileState: "masked" },
  // The unit file's own state returns, which only systemd can tell: disabled is the safe guess.
  unmask: { UnitFileState: "disabled" },
};

/** Flags that change what a command does, not which unit manager it talks to. */
const ACTION_FLAGS = new Set(["--now", "--no-block", "--force", "-f", "-q", "--quiet"]);

/** `nginx` and `nginx.service` are one unit. */
function unitName(name: string): string {
  return /\.[a-z]+$/.test(name) ? name : `${name}.service`;
}

/** The units a dry run has planned to start, stop, enable, disable or mask. */
export class PlannedServices {
  /** Keyed by scope flags (`--user`) and unit name. */
  readonly #units = new Map<string, Planned>();

  /** Notes a `systemctl` command; false when it changes no unit the overlay tracks. */
  record(args: readonly string[]): boolean {
    const { scope, rest } = split(args);
    const verb = rest[0];
    const planned = verb === undefined ? undefined : VERBS[verb];
    if (!planned) return false;
    const now = args.includes("--now");
    for (const name of rest.slice(1)) {
      const key = `${scope}\0${unitName(name)}`;
      const unit = { ...this.#units.get(key), ...planned };
      if (now && verb === "enable") unit.ActiveState = "active";
      if (now && (verb === "disable" || verb === "mask")) unit.ActiveState = "inactive";
      this.#units.set(key, unit);
    }
    return true;
  }

  /**
   * A `systemctl show` or `is-enabled` result as it would read after the planned commands, or
   * the result unchanged. `installing` says whether the plan installs any package.
   */
  adjust(args: readonly string[], r: RunResult, installing: boolean): RunResult {
    const { scope, rest } = split(args);
    const [verb, name, ...more] = rest;
    if (name === undefined || more.length > 0) return r;
    const unit = this.#units.get(`${scope}\0${unitName(name)}`);
    if (verb === "show") {
      const lines = r.stdout.split("\n").filter((l) => l !== "");
      const props = new Map(lines.map((l) => [l.slice(0, l.indexOf("=")), l]));
      const set = (key: string, value: string) => {
        if (props.has(key)) props.set(key, `${key}=${value}`);
      };
      if (installing && props.get("LoadState") === "LoadState=not-found") {
        set("LoadState", PLANNED_LOAD_STATE);
        set("ActiveState", "inactive");
        set("UnitFileState", "disabled");
      }
      if (unit?.ActiveState) set("ActiveState", unit.ActiveState);
      if (unit?.UnitFileState) set("UnitFileState", unit.UnitFileState);
      if (!unit && props.get("LoadState") !== `LoadState=${PLANNED_LOAD_STATE}`) return r;
      return { ...r, stdout: [...props.values()].map((l) => `${l}\n`).join("") };
    }
    if (verb === "is-enabled" && unit?.UnitFileState) {
      const state = unit.UnitFileState;
      return { ...r, code: state === "enabled" ? 0 : 1, stdout: `${state}\n`, stderr: "" };
    }
    return r;
  }
}

/** Splits `systemctl` arguments into the scope (`--user`, `--global`) and the verb and units. */
function split(args: readonly string[]): { scope: string; rest: string[] } {
  const scope: string[] = [];
  const rest: string[] = [];
  for (const a of args) {
    if (a.startsWith("--property")) continue;
    if (!a.startsWith("-")) rest.push(a);
    else if (!ACTION_FLAGS.has(a)) scope.push(a);
  }
  return { scope: scope.join(" "), rest };
}
