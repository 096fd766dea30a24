/**
 * pacman as a package manager: `pacman -Q` for what is installed, `pacman -Si` for what the
 * repositories carry, `pacman -Qu` for upgrades, `pacman -Qp` for a package file's name and
 * version. A repository holds one version of a package, so a pinned version is a package file
 * (`name: /srv/pkgs/foo-1.0-1-any.pkg.tar.zst`), installed with `pacman -U`.
 *
 * @module
 */
import type { Host } from "../lib/apply/host.ts";
import type { Manager, PkgOptions, PkgState } from "./_pkg.ts";
import { nameVersions } from "./_pkg.ts";
import type { Cmd } from "./_run.ts";
import { query } from "./_run.ts";

const ENV = { LC_ALL: "C" } as const;

/** Options pacman reads beyond the shared ones. */
export interface PacmanOptions extends PkgOptions {
  /** The program (`pacman`, or a pacman-compatible helper). */
  readonly executable?: string;
  /** `force`: `--nodeps --nodeps` on removal, `--refresh` twice on the cache refresh. */
  readonly force?: boolean;
}

/** A spec that names a package file rather than a repository package. */
export function isPackageFile(spec: string): boolean {
  return /\.pkg\.tar(\.\w+)?$/.test(spec) || /^[./~]/.test(spec);
}

/** Parses `pacman -Q` / `-Qp` lines (`name version`). */
export function parsePacmanQ(text: string): Record<string, string> {
  return nameVersions(text, /^(\S+) (\S+)$/);
}

/** Parses `pacman -Si` blocks into name → version (the first repository that has it wins). */
export function parsePacmanSi(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let name: string | undefined;
  for (const line of text.split("\n")) {
    const m = /^(Name|Version)\s*:\s*(\S+)/.exec(line);
    if (m?.[1] === "Name") name = m[2];
    else if (m && name) {
      if (!(name in out)) out[name] = m[2]!;
      name = undefined;
    }
  }
  return out;
}

const program = (o: PacmanOptions) => o.executable ?? "pacman";

async function installed(host: Host, names: readonly string[], o: PacmanOptions = {}) {
  if (names.length === 0) return {};
  // Exit 1 lists the names not installed on stderr; the installed ones are on stdout.
  const r = await query(host, program(o), ["-Q", "--", ...names], { env: ENV });
  return parsePacmanQ(r.stdout);
}

async function readFile(host: Host, spec: string, o: PacmanOptions): Promise<PkgState> {
  if (/^[a-z]+:\/\//.test(spec)) {
    throw new Error(`"${spec}" is a URL; download it with get_url first, then name the file`);
  }
  const r = await query(host, program(o), ["-Qp", "--", spec], { env: ENV });
  const [entry] = Object.entries(parsePacmanQ(r.stdout));
  if (r.code !== 0 || !entry) {
    throw new Error(`cannot read package file ${spec}: ${(r.stderr || r.stdout).trim()}`);
  }
  const [name, version] = entry;
  const have = (await installed(host, [name], o))[name];
  return {
    spec,
    name,
    ...(have !== undefined ? { installed: have } : {}),
    satisfied: have === version,
    candidate: version,
  };
}

/** `-S` for repository packages, `-U` for package files; `--needed` skips what is current. */
function installCmds(specs: readonly string[], o: PacmanOptions): Cmd[] {
  const base = ["--noconfirm", "--noprogressbar", "--needed", ...(o.extraArgs ?? [])];
  const repo = specs.filter((s) => !isPackageFile(s));
  const files = specs.filter(isPackageFile);
  return [
    ...(repo.length > 0
      ? [{ cmd: program(o), args: ["-S", ...base, "--", ...repo], env: ENV }]
      : []),
    ...(files.length > 0
      ? [{ cmd: program(o), args: ["-U", ...base, "--", ...files], env: ENV }]
      : []),
  ];
}

/** pacman. */
export const pacman: Manager = {
  name: "pacman",
  installed,
  async read(host, specs, state, o: PacmanOptions) {
    const pinned = specs.find((s) => !isPackageFile(s) && /[=<>]/.test(s));
    if (pinned) {
      throw new Error(
        `"${pinned}": a pacman repository carries one version of a package; to pin a version, ` +
          "name its package file (e.g. /srv/pkgs/foo-1.0-1-any.pkg.tar.zst)",
      );
    }
    const files = specs.filter(isPackageFile);
    const repo = specs.filter((s) => !isPackageFile(s));
    // `core/vim` names the repository; the package is `vim`.
    const nameOf = (s: string) => s.slice(s.lastIndexOf("/") + 1);
    const have = await installed(host, repo.map(nameOf), o);
    const missing = repo.filter((s) => !(nameOf(s) in have));
    let available: Record<string, string> = {};
    if (state !== "absent" && missing.length > 0) {
      const r = await query(host, program(o), ["-Si", "--", ...missing], { env: ENV });
      available = parsePacmanSi(r.stdout);
    }
    let upgrades: Record<string, string> = {};
    const present = repo.map(nameOf).filter((n) => n in have);
    if (state === "latest" && present.length > 0) {
      const r = await query(host, program(o), ["-Qu", "--", ...present], { env: ENV });
      const lines = r.stdout.split("\n").filter((l) => !l.includes("[ignored]")).join("\n");
      upgrades = nameVersions(lines, /^(\S+) \S+ -> (\S+)/);
    }
    const states: PkgState[] = repo.map((spec) => {
      const name = nameOf(spec);
      const v = have[name];
      return {
        spec,
        name,
        ...(v !== undefined ? { installed: v, satisfied: true } : { satisfied: false }),
        ...(v === undefined && state !== "absent" ? { candidate: available[name] ?? null } : {}),
        ...(upgrades[name] ? { upgrade: upgrades[name] } : {}),
      };
    });
    for (const f of files) {
      states.push(
        state === "absent"
          ? { ...(await readFile(host, f, o)), satisfied: false }
          : await readFile(host, f, o),
      );
    }
    return states;
  },
  install: installCmds,
  // Only the named packages (-S --needed takes the newer one): never a -Syu behind the user's back.
  upgrade: installCmds,
  remove: (names, o: PacmanOptions) => [{
    cmd: program(o),
    args: [
      "-R",
      "--noconfirm",
      "--noprogressbar",
      ...(o.extraArgs ?? []),
      ...(o.force ? ["--nodeps", "--nodeps"] : []),
      ...(o.purge ? ["--nosave"] : []),
      "--",
      ...names,
    ],
    env: ENV,
  }],
  updateCache: (o: PacmanOptions) => ({
    cmd: program(o),
    args: ["-Sy", ...(o.force ? ["--refresh"] : []), ...(o.refreshArgs ?? [])],
    env: ENV,
  }),
  notFound: (spec) => `target not found: ${spec}`,
};
