/**
 * `pacman` (community.general.pacman): packages on Arch with Ansible's parameters. Names may
 * be `repo/name` or a package file (a pinned version: `pacman -U`); `upgrade: true` is a
 * system upgrade (`pacman -Su`); `reason`/`reason_for` set the install reason.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { shlexSplit } from "../lib/shlex.ts";
import { bool, list } from "./_ansible_params.ts";
import {
  applyPackages,
  type PkgCurrent,
  type PkgOp,
  type PkgWanted,
  planPackages,
  readPackages,
} from "./_pkg_managers.ts";
import type { PacmanOptions } from "./_pkg_pacman.ts";
import { cmdLine, query } from "./_run.ts";

const schema = z.strictObject({
  name: list().optional(),
  pkg: list().optional(),
  package: list().optional(),
  state: z.enum(["present", "installed", "latest", "absent", "removed"]).default("present"),
  force: bool().default(false),
  remove_nosave: bool().default(false),
  executable: z.string().default("pacman"),
  extra_args: z.string().default(""),
  update_cache: bool().optional(),
  update_cache_extra_args: z.string().default(""),
  upgrade: bool().optional(),
  upgrade_extra_args: z.string().default(""),
  reason: z.enum(["dependency", "explicit"]).optional(),
  reason_for: z.enum(["new", "all"]).default("new"),
}).superRefine((p, ctx) => {
  const named = (p.name ?? p.pkg ?? p.package ?? []).length > 0;
  if (!named && !p.update_cache && !p.upgrade) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: "one of name, update_cache or upgrade is required",
    });
  }
  if (named && p.upgrade) {
    ctx.addIssue({
      code: "custom",
      path: ["upgrade"],
      message: "name and upgrade are mutually exclusive",
    });
  }
});
type Params = z.output<typeof schema>;

function names(p: Params): string[] {
  return p.name ?? p.pkg ?? p.package ?? [];
}

function options(p: Params): PacmanOptions {
  const extra = shlexSplit(p.extra_args);
  const refresh = shlexSplit(p.update_cache_extra_args);
  return {
    executable: p.executable,
    force: p.force,
    purge: p.remove_nosave,
    ...(extra.length > 0 ? { extraArgs: extra } : {}),
    ...(refresh.length > 0 ? { refreshArgs: refresh } : {}),
  };
}

function wanted(p: Params): PkgWanted {
  return {
    names: names(p),
    state: p.state === "installed" ? "present" : p.state === "removed" ? "absent" : p.state,
    updateCache: p.update_cache ?? false,
    options: options(p),
  };
}

interface PacmanCurrent {
  readonly pkgs: PkgCurrent;
  /** `upgrade: true`: `name old -> new` for each upgradable package. */
  readonly upgrades: readonly string[];
  /** `reason`: the packages installed with the other reason. */
  readonly otherReason: readonly string[];
}

/** Lists installed packages, `-Qq` plus `flags`. */
async function listQ(host: Host, p: Params, flags: string): Promise<string[]> {
  const r = await query(host, p.executable, [`-Qq${flags}`], { env: { LC_ALL: "C" } });
  return r.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
}

/** The pacman task. */
export const pacman = defineTask({
  type: "pacman",
  schema,
  mainParam: "name",
  async read(p, host: Host): Promise<PacmanCurrent> {
    const pkgs = await readPackages(host, "pacman", wanted(p));
    let upgrades: string[] = [];
    if (p.upgrade) {
      const r = await query(host, p.executable, ["-Qu"], { env: { LC_ALL: "C" } });
      // Exit 1 with no output: nothing to upgrade.
      if (r.code !== 0 && r.stdout.trim() !== "") {
        throw new Error(`${p.executable} -Qu failed (exit ${r.code}): ${r.stderr.trim()}`);
      }
      upgrades = r.stdout.split("\n").map((l) => l.trim())
        .filter((l) => l !== "" && !l.includes("[ignored]"));
    }
    let otherReason: string[] = [];
    if (p.reason && p.reason_for === "all" && p.state !== "absent") {
      // -Qqd: installed as dependencies; -Qqe: explicitly.
      const other = new Set(await listQ(host, p, p.reason === "explicit" ? "d" : "e"));
      otherReason = pkgs.pkgs.filter((s) => s.installed !== undefined && other.has(s.name))
        .map((s) => s.name);
    }
    return { pkgs, upgrades, otherReason };
  },
  plan(p, cur): Change<PkgOp>[] {
    const changes = planPackages(wanted(p), cur.pkgs);
    if (cur.upgrades.length > 0) {
      const cmd = {
        cmd: p.executable,
        args: ["-Su", "--quiet", "--noconfirm", ...shlexSplit(p.upgrade_extra_args)],
        env: { LC_ALL: "C" },
      };
      changes.push({
        op: { cmds: [cmd] },
        summary: `${cmdLine(cmd)}: ${cur.upgrades.join(", ")}`,
      });
    }
    if (p.reason && p.state !== "absent") {
      // New packages get the reason after their install; with reason_for all, existing ones too.
      const fresh = cur.pkgs.pkgs.filter((s) => s.installed === undefined).map((s) => s.name);
      const mark = [...fresh, ...cur.otherReason];
      if (mark.length > 0) {
        const cmd = {
          cmd: p.executable,
          args: [
            "-D",
            "--noconfirm",
            p.reason === "dependency" ? "--asdeps" : "--asexplicit",
            "--",
            ...mark,
          ],
          env: { LC_ALL: "C" },
        };
        changes.push({ op: { cmds: [cmd] }, summary: `mark ${mark.join(" ")} as ${p.reason}` });
      }
    }
    return changes;
  },
  apply: (op: PkgOp, host) => applyPackages(op, host),
});
