/**
 * What every package manager module shares: the wanted spec, the state read for it, the options
 * that shape command lines, and the {@linkcode Manager} contract each manager file implements.
 *
 * @module
 */
import type { Host } from "../lib/apply/host.ts";
import type { Cmd } from "./_run.ts";

/** The managers Driftless drives. */
export const MANAGERS = ["apt", "dnf", "yum", "zypper", "pacman", "apk"] as const;
/** One of {@linkcode MANAGERS}. */
export type ManagerName = typeof MANAGERS[number];

/** Options that change the query and change command lines. */
export interface PkgOptions {
  /** apt: `--no-install-recommends` when false, `APT::Install-Recommends=yes` when true. */
  readonly installRecommends?: boolean;
  /** apt: `Dpkg::Options::=--<opt>` for each. */
  readonly dpkgOptions?: readonly string[];
  /** Install a pinned version older than the installed one. */
  readonly allowDowngrade?: boolean;
  /** apt `-t`. */
  readonly defaultRelease?: string;
  /** apt `purge`, pacman `--nosave`. */
  readonly purge?: boolean;
  /** apt `--auto-remove` with removals. */
  readonly autoremove?: boolean;
  /** Extra arguments for the commands that change packages (`extra_args`). */
  readonly extraArgs?: readonly string[];
  /** Options for every call of the manager, queries too (dnf `--enablerepo`, `--installroot`). */
  readonly global?: readonly string[];
  /** rpm's `--root` for the database queries (dnf/yum `installroot`). */
  readonly rpmRoot?: string;
  /** Extra arguments for the cache refresh only (pacman `update_cache_extra_args`). */
  readonly refreshArgs?: readonly string[];
}

/** What the manager knows about one wanted package. */
export interface PkgState {
  /** The spec as the manager's commands take it: `nginx`, `nginx-1.24`, `nginx=1.24`, a file. */
  readonly spec: string;
  /** The package name the spec resolves to. */
  readonly name: string;
  /** The installed version of `name`. */
  readonly installed?: string;
  /** The spec is installed as written: any version for a bare name, the pinned one for a pin. */
  readonly satisfied: boolean;
  /** The version installing the spec brings; `null` when nothing provides it; unset: not asked. */
  readonly candidate?: string | null;
  /** `latest`: the newer version an upgrade brings. */
  readonly upgrade?: string;
  /** The spec asks for removal whatever the state (zypper's `-name`). */
  readonly remove?: boolean;
}

/** A package manager: how to ask and how to act. */
export interface Manager {
  readonly name: ManagerName;
  /** The state of each wanted spec (`latest` also looks up upgrades). */
  read(
    host: Host,
    specs: readonly string[],
    state: "present" | "absent" | "latest",
    o: PkgOptions,
  ): Promise<PkgState[]>;
  /** Installed versions of these names (names not installed are left out). */
  installed(host: Host, names: readonly string[], o?: PkgOptions): Promise<Record<string, string>>;
  /** The commands that install these specs. */
  install(specs: readonly string[], o: PkgOptions): Cmd[];
  /** The commands that upgrade these specs (bare names, or zypper ranges) to the newest. */
  upgrade(specs: readonly string[], o: PkgOptions): Cmd[];
  remove(names: readonly string[], o: PkgOptions): Cmd[];
  updateCache(o: PkgOptions): Cmd;
  /** Why nothing provides `spec`, in the manager's own words. */
  notFound(spec: string): string;
}

/** A wanted package split into name and pinned version. */
export interface PkgSpec {
  readonly name: string;
  readonly version?: string;
}

/** Splits `name=version` (and `name==version`). */
export function parseSpec(text: string): PkgSpec {
  const m = /^([^=<>\s]+)\s*==?\s*(\S+)$/.exec(text.trim());
  return m ? { name: m[1]!, version: m[2]! } : { name: text.trim() };
}

/** An installed version satisfies a pin: equal, or matching apt's `1.2*` glob. */
export function versionMatches(installed: string, pin: string): boolean {
  if (!pin.includes("*")) return installed === pin;
  const re = new RegExp(
    `^${pin.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`,
  );
  return re.test(installed);
}

/** Name (group 1) to version (group 2) from each line, trimmed, that `re` matches. */
export function nameVersions(text: string, re: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = re.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** The entries of `all` for `names` (in that order). */
export function pick(
  all: Record<string, string>,
  names: readonly string[],
): Record<string, string> {
  return Object.fromEntries(names.filter((n) => n in all).map((n) => [n, all[n]!]));
}

/**
 * States for managers whose specs are `name` or `name=version` and that answer by name:
 * installed versions, and candidates (`null`: unknown) for what the plan must show or check.
 */
export function statesByName(
  specs: readonly string[],
  installed: Readonly<Record<string, string>>,
  candidates: Readonly<Record<string, string | null>>,
  state: "present" | "absent" | "latest",
): PkgState[] {
  return specs.map((text) => {
    const { name, version } = parseSpec(text);
    const have = installed[name];
    const satisfied = have !== undefined && (!version || versionMatches(have, version));
    const cand = name in candidates ? candidates[name] : undefined;
    return {
      spec: text,
      name,
      ...(have !== undefined ? { installed: have } : {}),
      satisfied,
      ...(version ? { candidate: version } : cand !== undefined ? { candidate: cand } : {}),
      ...(state === "latest" && satisfied && !version && cand && cand !== have
        ? { upgrade: cand }
        : {}),
    };
  });
}
