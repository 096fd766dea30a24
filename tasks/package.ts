/**
 * `package`: installs, upgrades or removes packages with whatever manager the host has (apt,
 * dnf, yum, zypper, pacman, apk), as Ansible's generic package module. State is read from the
 * package database (`dpkg-query`, `rpm -q`, `pacman -Q`, `apk info`), never by a trial install.
 *
 * @module
 */
import * as z from "zod";
import { defineTask } from "../lib/apply/task.ts";
import { bool, int, list } from "./_ansible_params.ts";
import {
  applyPackages,
  detectManager,
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
});
type Params = z.output<typeof schema>;

/** The normalised wish list of a package task. */
export function packageWanted(p: Params): PkgWanted {
  const state = p.state === "installed" ? "present" : p.state === "removed" ? "absent" : p.state;
  return {
    names: p.name,
    state,
    updateCache: p.update_cache,
    ...(p.cache_valid_time !== undefined ? { cacheValidTime: p.cache_valid_time } : {}),
    options: p.extra_args ? { extraArgs: p.extra_args } : {},
  };
}

/** The package task. */
export const packageTask = defineTask({
  type: "package",
  schema,
  mainParam: "name",
  async read(p, host): Promise<PkgCurrent> {
    const manager = p.use === "auto" ? await detectManager(host) : p.use;
    return await readPackages(host, manager, packageWanted(p));
  },
  plan: (p, current) => planPackages(packageWanted(p), current),
  apply: (op: PkgOp, host) => applyPackages(op, host),
  result: (_p, current) => ({ manager: current.manager }),
});
