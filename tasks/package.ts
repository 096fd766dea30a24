/**
 * `package`: installs, upgrades or removes packages with whatever manager the host has (apt,
 * dnf, yum, zypper, pacman, apk), as Ansible's generic package module. State is read from the
 * package database and repositories (`dpkg-query`, `rpm -q`, `repoquery`, `zypper search`,
 * `pacman -Q`, `apk info`), never by a trial install. `enablerepo`/`disablerepo` are passed to
 * dnf and yum, as Ansible passes them to its backend module.
 *
 * @module
 */
import * as z from "zod";
import { defineTask } from "../lib/apply/task.ts";
import { bool, int, list } from "./_ansible_params.ts";
import {
  applyPackages,
  detectManager,
  type ManagerName,
  MANAGERS,
  type PkgCurrent,
  type PkgOp,
  type PkgWanted,
  planPackages,
  readPackages,
} from "./_pkg_managers.ts";

const schema = z.strictObject({
  /** Names, `name=version` pins (apt also `name=1.2*`); a list or a comma-separated string. */
  name: list(),
  state: z.enum(["present", "installed", "absent", "removed", "latest"]).default("present"),
  /** Which manager; `auto` detects it from the programs present. */
  use: z.enum(["auto", ...MANAGERS]).default("auto"),
  update_cache: bool().default(false),
  cache_valid_time: int().optional(),
  extra_args: list().optional(),
  /** dnf and yum only: repositories to enable or disable for this task. */
  enablerepo: list().optional(),
  disablerepo: list().optional(),
});
type Params = z.output<typeof schema>;

/** The normalised wish list of a package task on `manager`. */
export function packageWanted(p: Params, manager: ManagerName): PkgWanted {
  const state = p.state === "installed" ? "present" : p.state === "removed" ? "absent" : p.state;
  const repos = [
    ...(p.enablerepo ?? []).map((r) => `--enablerepo=${r}`),
    ...(p.disablerepo ?? []).map((r) => `--disablerepo=${r}`),
  ];
  if (repos.length > 0 && manager !== "dnf" && manager !== "yum") {
    throw new Error(
      `enablerepo/disablerepo work with dnf and yum; this host uses ${manager} (remove them, ` +
        `or add the repository with ${manager === "apt" ? "apt_repository" : "its own task"})`,
    );
  }
  return {
    names: p.name,
    state,
    updateCache: p.update_cache,
    ...(p.cache_valid_time !== undefined ? { cacheValidTime: p.cache_valid_time } : {}),
    options: {
      ...(p.extra_args ? { extraArgs: p.extra_args } : {}),
      ...(repos.length > 0 ? { global: repos } : {}),
    },
  };
}

/** The package task. */
export const packageTask = defineTask({
  type: "package",
  schema,
  mainParam: "name",
  async read(p, host): Promise<PkgCurrent> {
    const manager = p.use === "auto" ? await detectManager(host) : p.use;
    return await readPackages(host, manager, packageWanted(p, manager));
  },
  plan: (p, current) => planPackages(packageWanted(p, current.manager), current),
  apply: (op: PkgOp, host) => applyPackages(op, host),
  result: (_p, current) => ({ manager: current.manager }),
});
