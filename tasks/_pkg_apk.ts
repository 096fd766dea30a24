/**
 * apk (Alpine) as a package manager: `apk info -v` for what is installed, `apk version -l '<'`
 * for upgrades, `apk add` / `apk del` to act.
 *
 * @module
 */
import type { Host } from "../lib/apply/host.ts";
import type { Manager } from "./_pkg.ts";
import { nameVersions, parseSpec, pick, statesByName } from "./_pkg.ts";
import { query } from "./_run.ts";

/** Parses `apk info -v` (`name-1.2.3-r0` per line) into name → version. */
export function parseApkInfo(text: string): Record<string, string> {
  return nameVersions(text, /^(.+)-([^-]+-r\d+)$/);
}

async function installed(host: Host, names: readonly string[]) {
  if (names.length === 0) return {};
  return pick(parseApkInfo((await query(host, "apk", ["info", "-v"])).stdout), names);
}

/** apk. */
export const apk: Manager = {
  name: "apk",
  installed,
  async read(host, specs, state) {
    const names = specs.map((s) => parseSpec(s).name);
    const have = await installed(host, names);
    let upgrades: Record<string, string> = {};
    if (state === "latest") {
      const r = await query(host, "apk", ["version", "-l", "<"]);
      upgrades = pick(nameVersions(r.stdout, /^(.+)-[^-]+-r\d+\s+<\s+(\S+)/), names);
    }
    return statesByName(specs, have, upgrades, state);
  },
  install: (specs, o) => [{
    cmd: "apk",
    args: [
      "add",
      ...(o.extraArgs ?? []),
      ...specs.map(parseSpec).map((s) => s.version ? `${s.name}=${s.version}` : s.name),
    ],
  }],
  upgrade: (names, o) => [{
    cmd: "apk",
    args: ["add", "--upgrade", ...(o.extraArgs ?? []), ...names],
  }],
  remove: (names, o) => [{ cmd: "apk", args: ["del", ...(o.extraArgs ?? []), ...names] }],
  updateCache: () => ({ cmd: "apk", args: ["update"] }),
  notFound: (spec) => `unable to select packages: ${spec} (no such package)`,
};
