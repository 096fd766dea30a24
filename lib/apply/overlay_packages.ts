/**
 * Packages in a dry run: the overlay notes what the install and remove commands it records
 * would do (apt-get, dnf, yum, zypper, pacman, apk), and answers the package database queries
 * later tasks make (`dpkg-query -W`, `rpm -q`, `pacman -Q`, `apk info -v`) as if they had run,
 * so installing a package twice plans once. Only the query formats the package tasks use are
 * adjusted; anything else is answered by the real host.
 *
 * @module
 */
import type { RunResult } from "./host.ts";

/** What an installed-by-plan package reports as its version when the plan named none. */
export const PLANNED_VERSION = "(planned)";

const DPKG_FORMAT = "-f=${Package}\t${Architecture}\t${Version}\t${db:Status-Abbrev}\n";

/** Options that take a value before the package names, per tool. */
const VALUE_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  "apt-get": ["-o", "-t", "-c"],
  dnf: ["--setopt", "--repo", "--enablerepo", "--disablerepo"],
  yum: ["--setopt", "--enablerepo", "--disablerepo"],
  zypper: ["--repo", "-r"],
  pacman: [],
  apk: ["--repository", "-X"],
};

/** Subcommands that install and remove, per tool. */
const VERBS: Readonly<Record<string, { install: string[]; remove: string[] }>> = {
  "apt-get": { install: ["install"], remove: ["remove", "purge"] },
  dnf: { install: ["install", "upgrade"], remove: ["remove"] },
  yum: { install: ["install", "upgrade"], remove: ["remove"] },
  zypper: { install: ["install", "update"], remove: ["remove"] },
  apk: { install: ["add"], remove: ["del"] },
  pacman: { install: ["-S"], remove: ["-R"] },
};

/** The packages a dry run has planned to install (name → version) or remove. */
export class PlannedPackages {
  readonly #installed = new Map<string, string>();
  readonly #removed = new Set<string>();

  /** The plan installs at least one package. */
  get installing(): boolean {
    return this.#installed.size > 0;
  }

  /** Notes an install or remove command; false when it is not one. */
  record(cmd: string, args: readonly string[]): boolean {
    const verbs = VERBS[cmd];
    if (!verbs) return false;
    const values = VALUE_OPTIONS[cmd] ?? [];
    let verb: "install" | "remove" | undefined;
    const names: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (!verb) {
        if (verbs.install.includes(a)) verb = "install";
        else if (verbs.remove.includes(a)) verb = "remove";
        else if (values.includes(a)) i++;
        continue;
      }
      // A local file (`/tmp/app.deb`) names no package by itself: left to the real query.
      if (!a.startsWith("-") && !a.includes("/")) names.push(a);
    }
    if (!verb) return false;
    for (const spec of names) {
      const [name, version] = spec.split(/==?/) as [string, string?];
      if (verb === "install") {
        this.#installed.set(name, version ?? PLANNED_VERSION);
        this.#removed.delete(name);
      } else {
        this.#removed.add(name);
        this.#installed.delete(name);
      }
    }
    return true;
  }

  /** A query's result as it would read after the planned commands, or the result unchanged. */
  adjust(cmd: string, args: readonly string[], r: RunResult): RunResult {
    if (this.#installed.size === 0 && this.#removed.size === 0) return r;
    const query = QUERIES.find((q) => q.cmd === cmd && q.matches(args));
    if (!query) return r;
    const asked = query.all ? [...this.#installed.keys()] : args.filter((a) => !a.startsWith("-"));
    const out = r.stdout.split("\n").filter((l) => l !== "" && !this.#removed.has(query.name(l)));
    const listed = new Set(out.map(query.name));
    for (const name of new Set(asked)) {
      const version = this.#installed.get(name);
      if (version !== undefined && !listed.has(name)) out.push(query.line(name, version));
    }
    return { ...r, code: 0, stdout: out.map((l) => `${l}\n`).join("") };
  }
}

/** A package database query the package tasks make: how to read and write its lines. */
interface Query {
  readonly cmd: string;
  matches(args: readonly string[]): boolean;
  /** It lists every installed package, not just the ones named. */
  readonly all?: boolean;
  name(line: string): string;
  line(name: string, version: string): string;
}

const QUERIES: readonly Query[] = [
  {
    cmd: "dpkg-query",
    matches: (a) => a.includes("-W") && a.includes(DPKG_FORMAT),
    name: (l) => l.split("\t")[0]!,
    line: (n, v) => `${n}\tall\t${v}\tii `,
  },
  {
    cmd: "rpm",
    // Any format that starts with the name and a tab: the package task's, and the dnf task's,
    // which adds the epoch.
    matches: (a) => a.includes("-q") && a.some((x) => x.startsWith("%{NAME}\t")),
    name: (l) => l.split("\t")[0]!,
    line: (n, v) => `${n}\t${v}`,
  },
  {
    cmd: "pacman",
    matches: (a) => a[0] === "-Q",
    name: (l) => l.split(" ")[0]!,
    line: (n, v) => `${n} ${v}`,
  },
  {
    cmd: "apk",
    matches: (a) => a[0] === "info" && a.includes("-v"),
    all: true,
    name: (l) => /^(.+)-[^-]+-r\d+$/.exec(l)?.[1] ?? l,
    line: (n, v) => `${n}-${v}-r0`,
  },
];
