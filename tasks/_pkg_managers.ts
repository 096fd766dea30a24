/**
 * Package managers for `package`, `apt`, `dnf`, `yum`, `zypper` and `pacman`: detection, the
 * state read for the wanted specs (from each manager's own database and repositories, never a
 * trial install), and the shared plan and apply from wanted specs and state.
 *
 * @module
 */
import type { Host } from "../lib/apply/host.ts";
import type { Change } from "../lib/apply/task.ts";
import type { Manager, ManagerName, PkgOptions, PkgState } from "./_pkg.ts";
import { apk } from "./_pkg_apk.ts";
import { apt } from "./_pkg_apt.ts";
import { dnf, yum } from "./_pkg_dnf.ts";
import { pacman } from "./_pkg_pacman.ts";
import { zypper } from "./_pkg_zypper.ts";
import { type Cmd, cmdLine, exists, runAll } from "./_run.ts";

export { MANAGERS } from "./_pkg.ts";
export type { ManagerName, PkgOptions } from "./_pkg.ts";

/** Every manager by name. */
export const MANAGER: Readonly<Record<ManagerName, Manager>> = {
  apt,
  dnf,
  yum,
  zypper,
  pacman,
  apk,
};

/** The program whose presence selects each manager, in the order they are tried. */
const PROBES: readonly [string, ManagerName][] = [
  ["apt-get", "apt"],
  ["dnf", "dnf"],
  ["yum", "yum"],
  ["zypper", "zypper"],
  ["pacman", "pacman"],
  ["apk", "apk"],
];

/** Finds the host's package manager by the programs present (no fork). */
export async function detectManager(host: Host): Promise<ManagerName> {
  for (const [program, name] of PROBES) {
    for (const dir of ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]) {
      if (await exists(host, `${dir}/${program}`)) return name;
    }
  }
  throw new Error(
    "no supported package manager found (looked for apt-get, dnf, yum, zypper, pacman, apk)",
  );
}

/** What the package tasks read. */
export interface PkgCurrent {
  readonly manager: ManagerName;
  readonly pkgs: readonly PkgState[];
  /** Seconds since the package lists were refreshed (apt), when known. */
  readonly cacheAge?: number;
}

/** What the package tasks ask for. */
export interface PkgWanted {
  readonly names: readonly string[];
  readonly state: "present" | "absent" | "latest";
  readonly updateCache: boolean;
  readonly cacheValidTime?: number;
  readonly options: PkgOptions;
}

/** A package change: commands to run, and whether to touch apt's update stamp after. */
export interface PkgOp {
  readonly cmds: readonly Cmd[];
  readonly touchStamp?: boolean;
}

const APT_STAMP = "/var/lib/apt/periodic/update-success-stamp";

/** Reads the state of every wanted spec, and apt's cache age when the plan needs it. */
export async function readPackages(
  host: Host,
  managerName: ManagerName,
  wanted: PkgWanted,
): Promise<PkgCurrent> {
  const names = wanted.names.filter((n) => n.trim() !== "");
  const pkgs = names.length > 0
    ? await MANAGER[managerName].read(host, names, wanted.state, wanted.options)
    : [];
  let cacheAge: number | undefined;
  if (managerName === "apt" && wanted.cacheValidTime !== undefined) {
    const st = (await host.stat(APT_STAMP)) ?? (await host.stat("/var/lib/apt/lists"));
    if (st?.mtime) cacheAge = Math.max(0, Math.floor((Date.now() - st.mtime.getTime()) / 1000));
  }
  return { manager: managerName, pkgs, ...(cacheAge !== undefined ? { cacheAge } : {}) };
}

function pkgLines(entries: readonly [string, string | null | undefined][]): string {
  return entries.map(([n, v]) => `${n} ${v ?? "(not installed)"}\n`).join("");
}

const LABELS = { beforeLabel: "packages before", afterLabel: "packages after" } as const;

/** Plans installs, upgrades, removals and cache refreshes. */
export function planPackages(wanted: PkgWanted, cur: PkgCurrent): Change<PkgOp>[] {
  const m = MANAGER[cur.manager];
  const changes: Change<PkgOp>[] = [];
  const o = wanted.options;
  const refreshCmd = m.updateCache(o);

  const stale = wanted.updateCache && wanted.cacheValidTime !== undefined &&
    (cur.cacheAge === undefined || cur.cacheAge > wanted.cacheValidTime);
  if (stale) {
    changes.push({
      op: { cmds: [refreshCmd], touchStamp: cur.manager === "apt" },
      summary: `${cmdLine(refreshCmd)} (cache ${
        cur.cacheAge === undefined ? "never updated" : `${cur.cacheAge}s old`
      }, valid for ${wanted.cacheValidTime}s)`,
    });
  } else if (wanted.updateCache && cur.pkgs.length === 0) {
    changes.push({ op: { cmds: [refreshCmd] }, action: true, summary: cmdLine(refreshCmd) });
  }
  // Refresh before installing when asked and not just refreshed above.
  const refresh = wanted.updateCache && !stale ? [refreshCmd] : [];

  const removing = wanted.state === "absent"
    ? cur.pkgs.filter((s) => s.satisfied)
    : cur.pkgs.filter((s) => s.remove && s.installed !== undefined);
  if (removing.length > 0) {
    changes.push({
      op: { cmds: m.remove(removing.map((s) => s.name), o) },
      summary: `${o.purge ? "purge" : "remove"} ${
        removing.map((s) => `${s.name}=${s.installed}`).join(" ")
      }`,
      diff: {
        before: pkgLines(removing.map((s) => [s.name, s.installed])),
        after: pkgLines(removing.map((s) => [s.name, null])),
        ...LABELS,
      },
    });
  }
  if (wanted.state === "absent") return changes;

  const wantedHere = cur.pkgs.filter((s) => !s.remove);
  // After a refresh the repositories may carry it: then the install itself says if not.
  const missing = wantedHere.find((s) => !s.satisfied && s.candidate === null);
  if (missing && !wanted.updateCache) {
    throw new Error(`${m.notFound(missing.spec)} (${cur.manager}: no repository provides it)`);
  }
  const install = wantedHere.filter((s) => !s.satisfied);
  const upgrade = wantedHere.filter((s) => s.satisfied && s.upgrade);
  if (install.length > 0) {
    changes.push({
      op: { cmds: [...refresh, ...m.install(install.map((s) => s.spec), o)] },
      summary: `install ${
        install.map((s) => (s.candidate ? `${s.name}=${s.candidate}` : s.spec)).join(" ")
      }`,
      diff: {
        before: pkgLines(install.map((s) => [s.name, s.installed])),
        after: pkgLines(install.map((s) => [s.name, s.candidate ?? "(latest)"])),
        ...LABELS,
      },
    });
  }
  if (upgrade.length > 0) {
    changes.push({
      op: {
        cmds: [...(install.length > 0 ? [] : refresh), ...m.upgrade(upgrade.map((s) => s.spec), o)],
      },
      summary: `upgrade ${
        upgrade.map((s) => `${s.name} ${s.installed} -> ${s.upgrade}`).join(", ")
      }`,
      diff: {
        before: pkgLines(upgrade.map((s) => [s.name, s.installed])),
        after: pkgLines(upgrade.map((s) => [s.name, s.upgrade])),
        ...LABELS,
      },
    });
  }
  return changes;
}

/** Applies a package change. */
export async function applyPackages(op: PkgOp, host: Host): Promise<Record<string, unknown>> {
  const results = await runAll(host, op.cmds);
  if (op.touchStamp) {
    // apt leaves the lists dir alone when nothing changed upstream; the stamp records the refresh.
    await host.mkdir("/var/lib/apt/periodic", { recursive: true });
    await host.writeAtomic(APT_STAMP, "");
  }
  return {
    stdout: results.map((r) => r.stdout).join(""),
    stderr: results.map((r) => r.stderr).join(""),
  };
}
