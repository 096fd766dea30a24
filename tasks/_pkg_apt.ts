/**
 * apt as a package manager: `dpkg-query` for what is installed, `apt-cache policy` for
 * candidates, `apt-get` to act.
 *
 * @module
 */
import type { Manager, PkgOptions } from "./_pkg.ts";
import { parseSpec, statesByName } from "./_pkg.ts";
import { query } from "./_run.ts";

const APT_ENV = { DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C" } as const;

function aptBase(o: PkgOptions, install = true): string[] {
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

async function candidates(host: Parameters<Manager["read"]>[0], names: readonly string[]) {
  if (names.length === 0) return {};
  const r = await query(host, "apt-cache", ["policy", "--", ...names], { env: { LC_ALL: "C" } });
  const found = parseAptPolicy(r.stdout);
  // apt-cache prints nothing at all for names it has never heard of.
  return Object.fromEntries(names.map((n) => [n, found[n.split(":")[0]!] ?? found[n] ?? null]));
}

/** apt. */
export const apt: Manager = {
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
  async read(host, specs, state) {
    const parsed = specs.map(parseSpec);
    const installed = await this.installed(host, parsed.map((s) => s.name));
    // Candidates: for latest, and for versions to show and unknown names to report.
    const ask = state === "latest"
      ? parsed.map((s) => s.name)
      : state === "present"
      ? parsed.filter((s) => !(s.name in installed) && !s.version).map((s) => s.name)
      : [];
    return statesByName(specs, installed, await candidates(host, ask), state);
  },
  install: (specs, o) => [{
    cmd: "apt-get",
    args: [
      ...aptBase(o),
      "install",
      ...specs.map(parseSpec).map((s) => s.version ? `${s.name}=${s.version}` : s.name),
    ],
    env: APT_ENV,
  }],
  upgrade: (names, o) => [{
    cmd: "apt-get",
    args: [...aptBase(o), "install", "--only-upgrade", ...names],
    env: APT_ENV,
  }],
  remove: (names, o) => [{
    cmd: "apt-get",
    args: [
      ...aptBase(o, false),
      o.purge ? "purge" : "remove",
      ...(o.autoremove ? ["--auto-remove"] : []),
      ...names,
    ],
    env: APT_ENV,
  }],
  updateCache: () => ({ cmd: "apt-get", args: ["update", "-q"], env: APT_ENV }),
  notFound: (spec) => `No package matching '${spec}' is available`,
};
