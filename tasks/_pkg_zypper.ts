/**
 * zypper as a package manager: one `zypper search --details` (XML) tells installed and
 * available editions; specs take community.general.zypper's forms (`nginx`, `nginx=1.24`,
 * `nginx>=1.2`, `-nginx` to remove, `+nginx` to install); a version implies `--oldpackage`.
 *
 * @module
 */
import type { Host } from "../lib/apply/host.ts";
import type { Manager, PkgOptions, PkgState } from "./_pkg.ts";
import { type Cmd, query } from "./_run.ts";
import { evrCompare, satisfies, type VersionOp } from "./_rpm_version.ts";

const ENV = { LANG: "C", LC_ALL: "C", LC_MESSAGES: "C" } as const;
/** Exit codes zypper uses for success: 102 is "reboot needed", 103 "zypper updated itself". */
const OK = [0, 102, 103] as const;

/** A zypper spec split: `prefix` `+`/`-`, name, and a version range. */
export interface ZypperSpec {
  readonly prefix: "" | "+" | "-";
  readonly name: string;
  readonly op?: VersionOp;
  readonly version?: string;
}

/** Splits `[+-~]name[op version]` as community.general.zypper does (`~` means `-`). */
export function parseZypperSpec(text: string): ZypperSpec {
  let s = text.trim();
  let prefix: ZypperSpec["prefix"] = "";
  if (/^[-~+]/.test(s)) {
    prefix = s[0] === "+" ? "+" : "-";
    s = s.slice(1);
  }
  const m = /^(.*?)(<=|>=|<|>|=)([0-9][\w.:~^+-]*)$/.exec(s);
  return m ? { prefix, name: m[1]!, op: m[2] as VersionOp, version: m[3]! } : { prefix, name: s };
}

/** One `<solvable>` of `zypper --xmlout search --details`. */
export interface Solvable {
  readonly name: string;
  readonly edition: string;
  readonly installed: boolean;
  readonly repository: string;
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&apos;": "'",
};

/** Parses the `<solvable .../>` elements of zypper's XML output. */
export function parseSolvables(xml: string): Solvable[] {
  const out: Solvable[] = [];
  for (const m of xml.matchAll(/<solvable\s([^>]*)\/?>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1]!.matchAll(/(\w[\w-]*)="([^"]*)"/g)) {
      attrs[a[1]!] = a[2]!.replace(/&(amp|lt|gt|quot|apos);/g, (e) => ENTITIES[e]!);
    }
    if (!attrs.name || !attrs.edition) continue;
    out.push({
      name: attrs.name,
      edition: attrs.edition,
      installed: attrs.status === "installed",
      repository: attrs.repository ?? "",
    });
  }
  return out;
}

/** The global options (before the command) for every call. */
function globals(o: PkgOptions): string[] {
  return ["--non-interactive", ...(o.global ?? [])];
}

async function search(host: Host, names: readonly string[], o: PkgOptions, type: string) {
  if (names.length === 0) return [];
  const r = await query(host, "zypper", [
    ...globals(o),
    "--xmlout",
    "search",
    "--match-exact",
    "--details",
    "--type",
    type,
    "--",
    ...names,
  ], { env: ENV });
  // 104: nothing matched (ZYPPER_EXIT_INF_CAP_NOT_FOUND), the answer for unknown names.
  if (r.code !== 0 && r.code !== 104) {
    throw new Error(`zypper search failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  }
  return parseSolvables(r.stdout);
}

/** The newest of these editions. */
function newest(editions: readonly string[]): string | undefined {
  return editions.reduce<string | undefined>(
    (best, e) => best === undefined || evrCompare(e, best) > 0 ? e : best,
    undefined,
  );
}

/** States from the solvables zypper reported. */
export function zypperStates(
  specs: readonly string[],
  found: readonly Solvable[],
  state: "present" | "absent" | "latest",
): PkgState[] {
  return specs.map((text) => {
    const s = parseZypperSpec(text);
    const mine = found.filter((x) => x.name === s.name);
    const installed = mine.find((x) => x.installed)?.edition;
    const inRange = (e: string) => !s.op || satisfies(e, s.op, s.version!);
    // An installed package that no repository carries shows as "(System Packages)".
    const available = mine.filter((x) => x.repository !== "(System Packages)").map((x) =>
      x.edition
    );
    const best = newest(available.filter(inRange));
    const satisfied = installed !== undefined && inRange(installed);
    const base = {
      spec: s.op ? `${s.name}${s.op}${s.version}` : s.name,
      name: s.name,
      ...(installed !== undefined ? { installed } : {}),
    };
    if (s.prefix === "+" && state === "absent") {
      throw new Error(`"${text}": the + prefix cannot be combined with state absent`);
    }
    if (state === "absent") return { ...base, satisfied };
    if (s.prefix === "-") return { ...base, satisfied, remove: true };
    if (!satisfied) return { ...base, satisfied, candidate: best ?? null };
    const upgrade = state === "latest" && best && evrCompare(best, installed) > 0;
    return { ...base, satisfied, ...(upgrade ? { upgrade: best } : {}) };
  });
}

function installCmd(specs: readonly string[], o: ZypperOptions): Cmd[] {
  // A version in a spec implies --oldpackage, as in Ansible: the range may mean a downgrade.
  const old = o.allowDowngrade || specs.some((s) => parseZypperSpec(s).op);
  return [{
    cmd: "zypper",
    args: [
      ...globals(o),
      "install",
      "--type",
      o.type ?? "package",
      "--auto-agree-with-licenses",
      ...(o.installRecommends === true ? [] : ["--no-recommends"]),
      ...(old && !(o.extraArgs ?? []).includes("--oldpackage") ? ["--oldpackage"] : []),
      ...(o.extraArgs ?? []),
      "--",
      ...specs,
    ],
    env: ENV,
    ok: OK,
  }];
}

/** Options zypper reads beyond the shared ones. */
export interface ZypperOptions extends PkgOptions {
  /** `--type`: package, patch, pattern, product, srcpackage, application. */
  readonly type?: string;
  /** Arguments for `remove` only (`--clean-deps`). */
  readonly removeArgs?: readonly string[];
}

/** zypper. */
export const zypper: Manager = {
  name: "zypper",
  async installed(host, names, o = {}) {
    const found = await search(host, names, o, "package");
    return Object.fromEntries(found.filter((x) => x.installed).map((x) => [x.name, x.edition]));
  },
  async read(host, specs, state, o: ZypperOptions) {
    const names = [...new Set(specs.map((s) => parseZypperSpec(s).name))];
    return zypperStates(specs, await search(host, names, o, o.type ?? "package"), state);
  },
  install: installCmd,
  // `zypper install` upgrades to the best version in range, as Ansible's state=latest runs it.
  upgrade: installCmd,
  remove: (names, o: ZypperOptions) => [{
    cmd: "zypper",
    args: [
      ...globals(o),
      "remove",
      "--type",
      o.type ?? "package",
      ...(o.removeArgs ?? []),
      ...(o.extraArgs ?? []),
      "--",
      ...names,
    ],
    env: ENV,
    ok: OK,
  }],
  updateCache: (o) => ({
    cmd: "zypper",
    args: [...globals(o), "refresh", ...(o.refreshArgs ?? [])],
    env: ENV,
    ok: OK,
  }),
  notFound: (spec) => `No provider of '${spec}' found.`,
};
