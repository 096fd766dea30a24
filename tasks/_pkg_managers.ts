/**
 * Package managers for `package` and `apt`: detection (apt, dnf, yum, zypper, pacman, apk),
 * database queries (`dpkg-query`, `rpm -q`, `pacman -Q`, `apk info`; never a trial install), the
 * commands that install, upgrade and remove, and the shared plan from wanted names and state.
 *
 * @module
 */
import type { Host } from "../lib/apply/host.ts";
import type { Change } from "../lib/apply/task.ts";
import { type Cmd, cmdLine, exists, query, runAll } from "./_run.ts";

/** The managers Driftless drives. */
export const MANAGERS = ["apt", "dnf", "yum", "zypper", "pacman", "apk"] as const;
/** One of {@linkcode MANAGERS}. */
export type ManagerName = typeof MANAGERS[number];

/** A wanted package: `name` or `name=version` (apt also takes `name=1.2*`). */
export interface PkgSpec {
  readonly name: string;
  readonly version?: string;
}

/** Options that change the install command line. */
export interface InstallOptions {
  /** apt: `--no-install-recommends` when false, `APT::Install-Recommends=yes` when true. */
  readonly installRecommends?: boolean;
  /** apt: `Dpkg::Options::=--<opt>` for each. */
  readonly dpkgOptions?: readonly string[];
  readonly allowDowngrade?: boolean;
  /** apt `-t`. */
  readonly defaultRelease?: string;
  /** apt `purge`, pacman `--nosave`. */
  readonly purge?: boolean;
  /** apt `--auto-remove` with removals. */
  readonly autoremove?: boolean;
  /** Extra arguments the task adds (`extra_args`). */
  readonly extraArgs?: readonly string[];
}

/** A package manager: how to ask and how to act. */
export interface Manager {
  readonly name: ManagerName;
  /** Installed versions of these names (names not installed are left out). */
  installed(host: Host, names: readonly string[]): Promise<Record<string, string>>;
  /**
   * Versions an install or upgrade would bring, where the manager tells cheaply; a name the
   * manager knows nothing about maps to `null`.
   */
  candidates(host: Host, names: readonly string[]): Promise<Record<string, string | null>>;
  install(specs: readonly PkgSpec[], o: InstallOptions): Cmd;
  upgrade(names: readonly string[], o: InstallOptions): Cmd;
  remove(names: readonly string[], o: InstallOptions): Cmd;
  updateCache(): Cmd;
}

const APT_ENV = { DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C" } as const;

function aptBase(o: InstallOptions, install = true): string[] {
  const args = ["-y", "-q"];
  for (const d of o.dpkgOptions ?? ["force-confdef", "force-confold"]) {
    args.push("-o", `Dpkg::Options::=--${d.replace(/^--/, "")}`);
  }
  if (!install) return [...args, ...(o.extraArgs ?? [])];
  if (o.installRecommends === false) args.push("--no-install-recommends");
  if (o.installRecommends === true) args.push("-o", "APT::Install-Recommends=yes");
  if (o.allowDowngrade) args.push("--allow-downgrades");
  if (o.defaultRelease) args.push("-t", o.defaultRelease);
  return [...args, ...(o.extraArgs ?? [])];
}

/** Parses `dpkg-query -W -f='${Package}\t${Architecture}\t${Version}\t${db:Status-Abbrev}\n'`. */
export function parseDpkgQuery(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const [name, arch, version, status] = line.split("\t");
    // Status-Abbrev: desired, current, error; current "i" is installed ("c" = config files only).
    if (!name || !version || status?.[1] !== "i") continue;
    out[name] = version;
    out[`${name}:${arch}`] = version;
  }
  return out;
}

/** Parses `apt-cache policy` blocks into name → candidate (`null` for `(none)`). */
export function parseAptPolicy(text: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  let current: string | undefined;
  for (const line of text.split("\n")) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      current = head[1]!;
      continue;
    }
    const cand = /^\s+Candidate:\s*(\S+)/.exec(line);
    if (cand && current) out[current] = cand[1] === "(none)" ? null : cand[1]!;
  }
  return out;
}

const apt: Manager = {
  name: "apt",
  async installed(host, names) {
    if (names.length === 0) return {};
    const r = await query(host, "dpkg-query", [
      "-W",
      "-f=${Package}\t${Architecture}\t${Version}\t${db:Status-Abbrev}\n",
      "--",
      ...names,
    ], { env: { LC_ALL: "C" } });
    return parseDpkgQuery(r.stdout);
  },
  async candidates(host, names) {
    if (names.length === 0) return {};
    const r = await query(host, "apt-cache", ["policy", "--", ...names], { env: { LC_ALL: "C" } });
    const found = parseAptPolicy(r.stdout);
    // apt-cache prints nothing at all for names it has never heard of.
    return Object.fromEntries(names.map((n) => [n, found[n.split(":")[0]!] ?? found[n] ?? null]));
  },
  install: (specs, o) => ({
    cmd: "apt-get",
    args: [
      ...aptBase(o),
      "install",
      ...specs.map((s) => s.version ? `${s.name}=${s.version}` : s.name),
    ],
    env: APT_ENV,
  }),
  upgrade: (names, o) => ({
    cmd: "apt-get",
    args: [...aptBase(o), "install", "--only-upgrade", ...names],
    env: APT_ENV,
  }),
  remove: (names, o) => ({
    cmd: "apt-get",
    args: [
      ...aptBase(o, false),
      o.purge ? "purge" : "remove",
      ...(o.autoremove ? ["--auto-remove"] : []),
      ...names,
    ],
    env: APT_ENV,
  }),
  updateCache: () => ({ cmd: "apt-get", args: ["update", "-q"], env: APT_ENV }),
};

/** Parses `rpm -q --queryformat '%{NAME}\t%{VERSION}-%{RELEASE}\n'` (skips "not installed"). */
export function parseRpmQuery(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const [name, version] = line.split("\t");
    if (name && version) out[name] = version;
  }
  return out;
}

function rpmInstalled(host: Host, names: readonly string[]) {
  if (names.length === 0) return Promise.resolve({});
  return query(host, "rpm", ["-q", "--queryformat", "%{NAME}\t%{VERSION}-%{RELEASE}\n", ...names])
    .then((r) => parseRpmQuery(r.stdout));
}

/** Parses `dnf/yum -q check-update` lines (`name.arch  version  repo`). */
export function parseCheckUpdate(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^(\S+)\.(\w+)\s+(\S+)\s+\S+\s*$/.exec(line);
    if (m) out[m[1]!] = m[3]!;
  }
  return out;
}

function rpmFamily(name: "dnf" | "yum"): Manager {
  return {
    name,
    installed: rpmInstalled,
    async candidates(host, names) {
      if (names.length === 0) return {};
      // Exit 100 means "updates available"; only upgradable names are listed.
      const r = await query(host, name, ["-q", "check-update", ...names]);
      return parseCheckUpdate(r.stdout);
    },
    install: (specs, o) => ({
      cmd: name,
      args: [
        "-y",
        ...(o.allowDowngrade ? ["--allowerasing"] : []),
        ...(o.extraArgs ?? []),
        "install",
        ...specs.map((s) => s.version ? `${s.name}-${s.version}` : s.name),
      ],
    }),
    upgrade: (names, o) => ({
      cmd: name,
      args: ["-y", ...(o.extraArgs ?? []), "upgrade", ...names],
    }),
    remove: (names, o) => ({ cmd: name, args: ["-y", ...(o.extraArgs ?? []), "remove", ...names] }),
    updateCache: () => ({ cmd: name, args: ["-q", "makecache"] }),
  };
}

/** Parses `zypper list-updates` table rows (`v | repo | name | current | available | arch`). */
export function parseZypperUpdates(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const cols = line.split("|").map((c) => c.trim());
    if (cols.length >= 6 && cols[0] === "v") out[cols[2]!] = cols[4]!;
  }
  return out;
}

const zypper: Manager = {
  name: "zypper",
  installed: rpmInstalled,
  async candidates(host, names) {
    if (names.length === 0) return {};
    const r = await query(host, "zypper", ["--non-interactive", "--quiet", "list-updates"]);
    const all = parseZypperUpdates(r.stdout);
    return Object.fromEntries(names.filter((n) => n in all).map((n) => [n, all[n]!]));
  },
  install: (specs, o) => ({
    cmd: "zypper",
    args: [
      "--non-interactive",
      "install",
      ...(o.allowDowngrade ? ["--oldpackage"] : []),
      ...(o.extraArgs ?? []),
      ...specs.map((s) => s.version ? `${s.name}=${s.version}` : s.name),
    ],
  }),
  upgrade: (names, o) => ({
    cmd: "zypper",
    args: ["--non-interactive", "update", ...(o.extraArgs ?? []), ...names],
  }),
  remove: (names, o) => ({
    cmd: "zypper",
    args: ["--non-interactive", "remove", ...(o.extraArgs ?? []), ...names],
  }),
  updateCache: () => ({ cmd: "zypper", args: ["--non-interactive", "refresh"] }),
};

/** Name (group 1) to version (group 2) from each line, trimmed, that `re` matches. */
function nameVersions(text: string, re: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = re.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** The entries of `all` for `names` (in that order). */
function pick(all: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => n in all).map((n) => [n, all[n]!]));
}

/** Parses `pacman -Q` lines (`name version`). */
export function parsePacmanQ(text: string): Record<string, string> {
  return nameVersions(text, /^(\S+) (\S+)$/);
}

const pacman: Manager = {
  name: "pacman",
  async installed(host, names) {
    if (names.length === 0) return {};
    return parsePacmanQ((await query(host, "pacman", ["-Q", ...names])).stdout);
  },
  async candidates(host, names) {
    if (names.length === 0) return {};
    const r = await query(host, "pacman", ["-Qu", ...names]);
    return nameVersions(r.stdout, /^(\S+) \S+ -> (\S+)/);
  },
  install: (specs, o) => {
    const pinned = specs.find((s) => s.version);
    if (pinned) {
      throw new Error(`pacman cannot install a pinned version (${pinned.name}=${pinned.version})`);
    }
    return {
      cmd: "pacman",
      args: ["-S", "--noconfirm", "--needed", ...(o.extraArgs ?? []), ...specs.map((s) => s.name)],
    };
  },
  // Only the named packages: never a full -Syu behind the user's back.
  upgrade: (names, o) => ({
    cmd: "pacman",
    args: ["-S", "--noconfirm", ...(o.extraArgs ?? []), ...names],
  }),
  remove: (names, o) => ({
    cmd: "pacman",
    args: ["-R", "--noconfirm", ...(o.purge ? ["--nosave"] : []), ...(o.extraArgs ?? []), ...names],
  }),
  updateCache: () => ({ cmd: "pacman", args: ["-Sy"] }),
};

/** Parses `apk info -v` (`name-1.2.3-r0` per line) into name → version. */
export function parseApkInfo(text: string): Record<string, string> {
  return nameVersions(text, /^(.+)-([^-]+-r\d+)$/);
}

const apk: Manager = {
  name: "apk",
  async installed(host, names) {
    if (names.length === 0) return {};
    return pick(parseApkInfo((await query(host, "apk", ["info", "-v"])).stdout), names);
  },
  async candidates(host, names) {
    if (names.length === 0) return {};
    const r = await query(host, "apk", ["version", "-l", "<"]);
    return pick(nameVersions(r.stdout, /^(.+)-[^-]+-r\d+\s+<\s+(\S+)/), names);
  },
  install: (specs, o) => ({
    cmd: "apk",
    args: [
      "add",
      ...(o.extraArgs ?? []),
      ...specs.map((s) => s.version ? `${s.name}=${s.version}` : s.name),
    ],
  }),
  upgrade: (names, o) => ({
    cmd: "apk",
    args: ["add", "--upgrade", ...(o.extraArgs ?? []), ...names],
  }),
  remove: (names, o) => ({ cmd: "apk", args: ["del", ...(o.extraArgs ?? []), ...names] }),
  updateCache: () => ({ cmd: "apk", args: ["update"] }),
};

/** Every manager by name. */
export const MANAGER: Readonly<Record<ManagerName, Manager>> = {
  apt,
  dnf: rpmFamily("dnf"),
  yum: rpmFamily("yum"),
  zypper,
  pacman,
  apk,
};

/** The program whose presence selects each manager, in the order they are tried. */
const PROBES: readonly [string, ManagerName][] = [
  ["apt-get", "apt"],
  ["dnf", "dnf"],
  ["dnf5", "dnf"],
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

/** What the package tasks read. */
export interface PkgCurrent {
  readonly manager: ManagerName;
  readonly installed: Readonly<Record<string, string>>;
  readonly candidates: Readonly<Record<string, string | null>>;
  /** Seconds since the package lists were refreshed (apt), when known. */
  readonly cacheAge?: number;
}

/** What the package tasks ask for. */
export interface PkgWanted {
  readonly names: readonly string[];
  readonly state: "present" | "absent" | "latest";
  readonly updateCache: boolean;
  readonly cacheValidTime?: number;
  readonly options: InstallOptions;
}

/** A package change: commands to run, and whether to touch apt's update stamp after. */
export interface PkgOp {
  readonly cmds: readonly Cmd[];
  readonly touchStamp?: boolean;
}

const APT_STAMP = "/var/lib/apt/periodic/update-success-stamp";

/** Reads installed versions (and candidates where the plan needs them). */
export async function readPackages(
  host: Host,
  managerName: ManagerName,
  wanted: PkgWanted,
): Promise<PkgCurrent> {
  const m = MANAGER[managerName];
  const specs = wanted.names.map(parseSpec);
  const names = specs.map((s) => s.name);
  const installed = await m.installed(host, names);
  // Candidates: for latest, and (apt) for versions to show and unknown names to report.
  const ask = wanted.state === "latest"
    ? names
    : wanted.state === "present" && m.name === "apt"
    ? specs.filter((s) => !(s.name in installed) && !s.version).map((s) => s.name)
    : [];
  const candidates = await m.candidates(host, ask);
  let cacheAge: number | undefined;
  if (managerName === "apt" && wanted.cacheValidTime !== undefined) {
    const st = (await host.stat(APT_STAMP)) ?? (await host.stat("/var/lib/apt/lists"));
    if (st?.mtime) cacheAge = Math.max(0, Math.floor((Date.now() - st.mtime.getTime()) / 1000));
  }
  return {
    manager: managerName,
    installed,
    candidates,
    ...(cacheAge !== undefined ? { cacheAge } : {}),
  };
}

function pkgLines(entries: readonly [string, string | null | undefined][]): string {
  return entries.map(([n, v]) => `${n} ${v ?? "(not installed)"}\n`).join("");
}

/** Plans installs, upgrades, removals and cache refreshes. */
export function planPackages(wanted: PkgWanted, cur: PkgCurrent): Change<PkgOp>[] {
  const m = MANAGER[cur.manager];
  const specs = wanted.names.map(parseSpec);
  const changes: Change<PkgOp>[] = [];
  const o = wanted.options;

  const stale = wanted.updateCache && wanted.cacheValidTime !== undefined &&
    (cur.cacheAge === undefined || cur.cacheAge > wanted.cacheValidTime);
  if (stale) {
    changes.push({
      op: { cmds: [m.updateCache()], touchStamp: cur.manager === "apt" },
      summary: `${cmdLine(m.updateCache())} (cache ${
        cur.cacheAge === undefined ? "never updated" : `${cur.cacheAge}s old`
      }, valid for ${wanted.cacheValidTime}s)`,
    });
  } else if (wanted.updateCache && wanted.names.length === 0) {
    changes.push({
      op: { cmds: [m.updateCache()] },
      action: true,
      summary: cmdLine(m.updateCache()),
    });
  }
  // Refresh before installing when asked and not just refreshed above.
  const refresh = wanted.updateCache && !stale ? [m.updateCache()] : [];

  if (wanted.state === "absent") {
    const gone = specs.filter((s) =>
      s.name in cur.installed && (!s.version || versionMatches(cur.installed[s.name]!, s.version))
    );
    if (gone.length > 0) {
      const names = gone.map((s) => s.name);
      changes.push({
        op: { cmds: [m.remove(names, o)] },
        summary: `${o.purge ? "purge" : "remove"} ${
          gone.map((s) => `${s.name}=${cur.installed[s.name]}`).join(" ")
        }`,
        diff: {
          before: pkgLines(names.map((n) => [n, cur.installed[n]])),
          after: pkgLines(names.map((n) => [n, null])),
          beforeLabel: "packages before",
          afterLabel: "packages after",
        },
      });
    }
    return changes;
  }

  const install: PkgSpec[] = [];
  const upgrade: string[] = [];
  for (const s of specs) {
    const have = cur.installed[s.name];
    if (have === undefined) {
      if (!s.version && s.name in cur.candidates && cur.candidates[s.name] === null) {
        throw new Error(`no package matching "${s.name}" is available (${cur.manager})`);
      }
      install.push(s);
    } else if (s.version && !versionMatches(have, s.version)) install.push(s);
    else if (wanted.state === "latest" && !s.version) {
      const cand = cur.candidates[s.name];
      if (cand && cand !== have) upgrade.push(s.name);
    }
  }
  const target = (s: PkgSpec) => s.version ?? cur.candidates[s.name] ?? undefined;
  if (install.length > 0) {
    const names = install.map((s) => s.name);
    changes.push({
      op: { cmds: [...refresh, m.install(install, o)] },
      summary: `install ${
        install.map((s) => (target(s) ? `${s.name}=${target(s)}` : s.name)).join(" ")
      }`,
      diff: {
        before: pkgLines(names.map((n) => [n, cur.installed[n]])),
        after: pkgLines(install.map((s) => [s.name, target(s) ?? "(latest)"])),
        beforeLabel: "packages before",
        afterLabel: "packages after",
      },
    });
  }
  if (upgrade.length > 0) {
    changes.push({
      op: { cmds: [...(install.length > 0 ? [] : refresh), m.upgrade(upgrade, o)] },
      summary: `upgrade ${
        upgrade.map((n) => `${n} ${cur.installed[n]} -> ${cur.candidates[n]}`).join(", ")
      }`,
      diff: {
        before: pkgLines(upgrade.map((n) => [n, cur.installed[n]])),
        after: pkgLines(upgrade.map((n) => [n, cur.candidates[n]])),
        beforeLabel: "packages before",
        afterLabel: "packages after",
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
