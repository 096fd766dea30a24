/**
 * Services for `service` and `systemd`: reading a unit's state (systemd's `systemctl show`, sysv
 * `service <name> status` + rc.d links, OpenRC `rc-service <name> status` + runlevel links), and
 * planning start/stop/restart/reload, enable/disable, mask and daemon-reload. `restarted` and
 * `reloaded` act once per run (see `_once.ts`).
 *
 * @module
 */
import type { Host } from "../lib/apply/host.ts";
import type { Change } from "../lib/apply/task.ts";
import { PLANNED_LOAD_STATE } from "../lib/apply/overlay_services.ts";
import { type Cmd, cmdLine, firstProgram, query, runAll, systemdBooted } from "./_run.ts";

/** The init systems Driftless drives. */
export type InitSystem = "systemd" | "sysv" | "openrc";

/** A service's state as read. */
export interface ServiceState {
  readonly init: InitSystem;
  /** systemd is PID 1 (false in containers and chroots). */
  readonly booted: boolean;
  readonly active?: boolean;
  readonly enabled?: boolean;
  readonly masked?: boolean;
  /** systemd: the unit file changed on disk since it was loaded. */
  readonly needReload?: boolean;
  /** systemd: LoadState=not-found. */
  readonly missing?: boolean;
  /** Dry run: systemd has no such unit yet, and the plan installs a package that may bring it. */
  readonly planned?: boolean;
}

/** What a service task asks for. */
export interface ServiceWanted {
  readonly name?: string;
  readonly state?: "started" | "stopped" | "restarted" | "reloaded";
  readonly enabled?: boolean;
  readonly masked?: boolean;
  readonly daemonReload?: boolean;
  /** systemctl scope flags (`--user`, `--global`). */
  readonly systemctlFlags?: readonly string[];
  /** systemctl `--no-block` for start/stop/restart/reload. */
  readonly noBlock?: boolean;
  readonly forceEnable?: boolean;
  /** sysv: extra arguments after the verb. */
  readonly arguments?: readonly string[];
  /** OpenRC runlevel (default `default`). */
  readonly runlevel?: string;
}

/** A service change: the commands to run. */
export interface ServiceOp {
  readonly cmds: readonly Cmd[];
}

/** Picks the init system: systemd when it is PID 1, OpenRC when installed, else sysv. */
export async function detectInit(host: Host): Promise<InitSystem> {
  if (await systemdBooted(host)) return "systemd";
  if (await firstProgram(host, ["openrc-run", "rc-service"])) return "openrc";
  return "sysv";
}

/** Parses `systemctl show` `Key=Value` lines. */
export function parseShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

const ENABLED = new Set(["enabled", "enabled-runtime", "alias", "static", "indirect", "generated"]);

async function readSystemd(host: Host, w: ServiceWanted, booted: boolean) {
  const flags = w.systemctlFlags ?? [];
  if (booted) {
    const r = await query(host, "systemctl", [
      ...flags,
      "show",
      w.name!,
      "--property=ActiveState,UnitFileState,LoadState,NeedDaemonReload",
    ]);
    if (r.code !== 0) throw new Error(`systemctl show ${w.name} failed: ${r.stderr.trim()}`);
    const s = parseShow(r.stdout);
    const masked = s.UnitFileState === "masked" || s.LoadState === "masked";
    let enabled = ENABLED.has(s.UnitFileState ?? "");
    if (!s.UnitFileState) {
      // Units generated from sysv scripts have no unit file state; ask is-enabled.
      enabled = (await query(host, "systemctl", [...flags, "is-enabled", w.name!])).code === 0;
    }
    return {
      active: ["active", "activating", "reloading"].includes(s.ActiveState ?? ""),
      enabled,
      masked,
      needReload: s.NeedDaemonReload === "yes",
      missing: s.LoadState === "not-found",
      planned: s.LoadState === PLANNED_LOAD_STATE,
    };
  }
  // Not booted (a chroot or an image): unit files can still be enabled and masked offline.
  const r = await query(host, "systemctl", [...flags, "is-enabled", w.name!]);
  const word = r.stdout.trim();
  return { enabled: ENABLED.has(word), masked: word.startsWith("masked") };
}

async function readSysv(host: Host, name: string) {
  const status = await query(host, "service", [name, "status"]);
  let enabled = false;
  for (const level of ["2", "3", "4", "5"]) {
    const names = await host.readDir(`/etc/rc${level}.d`).catch(() => [] as string[]);
    if (
      names.some((n) =>
        new RegExp(`^S\\d\\d${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`).test(n)
      )
    ) {
      enabled = true;
    }
  }
  return { active: status.code === 0, enabled };
}

async function readOpenrc(host: Host, name: string, runlevel: string) {
  const status = await query(host, "rc-service", [name, "status"]);
  const link = await host.stat(`/etc/runlevels/${runlevel}/${name}`, { follow: false });
  return { active: status.code === 0, enabled: link !== undefined };
}

/** Reads a service (with `init` forced, or detected). */
export async function readService(
  host: Host,
  w: ServiceWanted,
  init?: InitSystem,
): Promise<ServiceState> {
  const booted = await systemdBooted(host);
  const use = init ?? await detectInit(host);
  if (!w.name) return { init: use, booted };
  const s = use === "systemd"
    ? await readSystemd(host, w, booted)
    : use === "openrc"
    ? await readOpenrc(host, w.name, w.runlevel ?? "default")
    : await readSysv(host, w.name);
  return { init: use, booted, ...s };
}

function verbCmd(init: InitSystem, w: ServiceWanted, verb: string): Cmd {
  const name = w.name!;
  if (init === "systemd") {
    const flags = [...(w.systemctlFlags ?? []), ...(w.noBlock ? ["--no-block"] : [])];
    return { cmd: "systemctl", args: [...flags, verb, name] };
  }
  if (init === "openrc") return { cmd: "rc-service", args: [name, verb] };
  return { cmd: "service", args: [name, verb, ...(w.arguments ?? [])] };
}

function enableCmds(init: InitSystem, w: ServiceWanted, on: boolean, sysvTool: string): Cmd[] {
  const name = w.name!;
  if (init === "systemd") {
    return [{
      cmd: "systemctl",
      args: [
        ...(w.systemctlFlags ?? []),
        on ? "enable" : "disable",
        ...(w.forceEnable ? ["--force"] : []),
        name,
      ],
    }];
  }
  if (init === "openrc") {
    return [{ cmd: "rc-update", args: [on ? "add" : "del", name, w.runlevel ?? "default"] }];
  }
  if (sysvTool === "chkconfig") return [{ cmd: "chkconfig", args: [name, on ? "on" : "off"] }];
  // update-rc.d: `defaults` creates the links when there are none, `enable` turns K into S.
  return on
    ? [{ cmd: "update-rc.d", args: [name, "defaults"] }, {
      cmd: "update-rc.d",
      args: [name, "enable"],
    }]
    : [{ cmd: "update-rc.d", args: [name, "disable"] }];
}

function stateDiff(name: string, key: string, before: string, after: string) {
  return {
    before: `${name} ${key}: ${before}\n`,
    after: `${name} ${key}: ${after}\n`,
    beforeLabel: "unit before",
    afterLabel: "unit after",
  };
}

/** Plans a service's changes; `sysvTool` is `update-rc.d` or `chkconfig` (read by the task). */
export function planService(
  w: ServiceWanted,
  s: ServiceState,
  sysvTool = "update-rc.d",
): Change<ServiceOp>[] {
  const changes: Change<ServiceOp>[] = [];
  // Said in the plan, so that a misspelt unit the dry run could not catch is not a surprise.
  const assumed = s.planned ? " (the unit is expected from a planned package)" : "";
  const push = (cmds: Cmd[], diff?: Change<ServiceOp>["diff"], action?: boolean) =>
    changes.push({
      op: { cmds },
      summary: cmds.map(cmdLine).join(" && ") + assumed,
      ...(diff ? { diff } : {}),
      ...(action ? { action } : {}),
    });
  const systemctl = (args: string[]): Cmd => ({
    cmd: "systemctl",
    args: [...(w.systemctlFlags ?? []), ...args],
  });

  if (w.daemonReload && s.init === "systemd") {
    // Only when systemd says a unit file changed, or when asked without a unit (every run).
    if (s.needReload || !w.name) push([systemctl(["daemon-reload"])], undefined, !w.name);
  }
  if (!w.name) return changes;
  const name = w.name;
  if (w.masked !== undefined && s.init === "systemd" && w.masked !== s.masked) {
    push(
      [systemctl([w.masked ? "mask" : "unmask", name])],
      stateDiff(name, "masked", String(s.masked ?? false), String(w.masked)),
    );
  }
  if (s.missing && (w.state || w.enabled !== undefined) && !w.masked) {
    throw new Error(`service "${name}" not found (systemd has no unit by that name)`);
  }
  if (w.enabled !== undefined && w.enabled !== s.enabled && !(w.masked && w.enabled)) {
    push(
      enableCmds(s.init, w, w.enabled, sysvTool),
      stateDiff(name, "enabled", String(s.enabled ?? false), String(w.enabled)),
    );
  }
  if (w.state !== undefined) {
    if (s.init === "systemd" && !s.booted) {
      throw new Error(
        `cannot make "${name}" ${w.state}: systemd is not running (PID 1 is not systemd); ` +
          "enabled and masked still work offline",
      );
    }
    const active = s.active ?? false;
    if (w.state === "started" && !active) {
      push([verbCmd(s.init, w, "start")], stateDiff(name, "state", "stopped", "started"));
    } else if (w.state === "stopped" && active) {
      push([verbCmd(s.init, w, "stop")], stateDiff(name, "state", "started", "stopped"));
    } else if (w.state === "restarted" || w.state === "reloaded") {
      // reloaded on a stopped service starts it, as Ansible does.
      const verb = w.state === "reloaded" && active ? "reload" : active ? "restart" : "start";
      push(
        [verbCmd(s.init, w, verb)],
        stateDiff(name, "state", active ? "started" : "stopped", w.state),
        true,
      );
    }
  }
  return changes;
}

/** Applies a service change. */
export async function applyService(op: ServiceOp, host: Host): Promise<void> {
  await runAll(host, op.cmds);
}

/** The sysv enable tool present on the host. */
export async function sysvTool(host: Host): Promise<string> {
  return (await firstProgram(host, ["update-rc.d", "chkconfig"])) ?? "update-rc.d";
}
