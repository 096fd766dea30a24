/**
 * dnf and yum (yum is dnf on EL 8 and later): `rpm -q` decides whether a spec is installed as
 * written (`nginx`, `nginx-1.24`, `nginx-1.24-1.el9.x86_64`), `repoquery` what installing it or
 * upgrading brings, `rpm -qp` what a local `.rpm` file holds. Options that pick repositories or a root go on every call, queries too.
 *
 * @module
 */
import type { Host } from "../lib/apply/host.ts";
import type { Manager, ManagerName, PkgOptions, PkgState } from "./_pkg.ts";
import { parseSpec } from "./_pkg.ts";
import { query } from "./_run.ts";
import { evrCompare } from "./_rpm_version.ts";

const ENV = { LC_ALL: "C" } as const;
/** `[epoch:]version-release`, the form dnf's `%{evr}` prints. */
const RPM_QF = "%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\n";

/** Parses `name\tversion` lines (rpm and repoquery `--qf` output) in order, first wins. */
export function parseNameVersions(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split("\n")) {
    const [name, version] = line.trim().split("\t");
    if (name && version && !out.some(([n]) => n === name)) out.push([name, version]);
  }
  return out;
}

/** rpm's database answer for one spec: the installed name and version, if any. */
async function rpmQuery(host: Host, spec: string, o: PkgOptions) {
  const r = await query(host, "rpm", [
    ...(o.rpmRoot ? ["--root", o.rpmRoot] : []),
    "-q",
    "--qf",
    RPM_QF,
    "--",
    spec,
  ], { env: ENV });
  // Exit 1 with "package X is not installed" is the normal "no".
  if (r.code !== 0 && !/is not installed/.test(r.stdout)) {
    throw new Error(`rpm -q ${spec} failed (exit ${r.code}): ${r.stderr.trim()}`);
  }
  return r.code === 0 ? parseNameVersions(r.stdout)[0] : undefined;
}

/** The newest packages `args` select, as `[name, evr]`. */
async function repoquery(
  host: Host,
  program: string,
  args: readonly string[],
  o: PkgOptions,
): Promise<[string, string][]> {
  const r = await query(host, program, [
    "-q",
    ...(o.global ?? []),
    "repoquery",
    "--latest-limit",
    "1",
    "--qf",
    "%{name}\t%{evr}",
    ...args,
  ], { env: ENV });
  if (r.code !== 0) {
    throw new Error(`${program} repoquery failed (exit ${r.code}): ${r.stderr.trim()}`);
  }
  return parseNameVersions(r.stdout);
}

/** `name=version` (the generic package task's pin) in dnf's `name-version` form. */
function dnfSpec(text: string): string {
  const { name, version } = parseSpec(text);
  return version ? `${name}-${version}` : name;
}

/** A local package file (`/srv/pkgs/nginx-1.24-1.x86_64.rpm`): its name and version. */
async function readFile(host: Host, spec: string, o: PkgOptions): Promise<PkgState> {
  if (/^[a-z]+:\/\//.test(spec)) {
    throw new Error(`"${spec}" is a URL; download it with get_url first, then name the file`);
  }
  const r = await query(host, "rpm", ["-qp", "--qf", RPM_QF, "--", spec], { env: ENV });
  const found = parseNameVersions(r.stdout)[0];
  if (r.code !== 0 || !found) {
    throw new Error(`cannot read package file ${spec}: ${(r.stderr || r.stdout).trim()}`);
  }
  const [name, version] = found;
  const installed = (await rpmQuery(host, name, o))?.[1];
  const newer = installed !== undefined && evrCompare(installed, version) > 0;
  return {
    spec,
    name,
    ...(installed !== undefined ? { installed } : {}),
    satisfied: installed === version || (newer && !o.allowDowngrade),
    candidate: version,
  };
}

async function readOne(
  host: Host,
  program: string,
  spec: string,
  state: "present" | "absent" | "latest",
  o: PkgOptions,
): Promise<PkgState> {
  if (spec.endsWith(".rpm")) {
    const file = await readFile(host, spec, o);
    // absent: remove the package the file holds when that version is installed.
    return state === "absent" ? { ...file, satisfied: file.installed === file.candidate } : file;
  }
  const have = await rpmQuery(host, spec, o);
  if (have) return { spec, name: have[0], installed: have[1], satisfied: true };
  if (state === "absent") return { spec, name: parseSpec(spec).name, satisfied: false };
  const found = (await repoquery(host, program, ["--", spec], o))[0];
  if (!found) return { spec, name: spec, satisfied: false, candidate: null };
  const [name, candidate] = found;
  const installed = (await rpmQuery(host, name, o))?.[1];
  // A pin older than what is installed is left alone unless downgrades are allowed (Ansible).
  const newer = installed !== undefined && evrCompare(installed, candidate) > 0;
  return {
    spec,
    name,
    ...(installed !== undefined ? { installed } : {}),
    satisfied: newer && !o.allowDowngrade,
    candidate,
  };
}

function rpmFamily(name: ManagerName & ("dnf" | "yum")): Manager {
  const base = (o: PkgOptions) => ["-y", ...(o.global ?? [])];
  return {
    name,
    async installed(host, names, o = {}) {
      const out: Record<string, string> = {};
      for (const n of names) {
        const have = await rpmQuery(host, n, o);
        if (have) out[have[0]] = have[1];
      }
      return out;
    },
    async read(host, specs, state, o) {
      if (state === "latest" && specs.length === 1 && specs[0] === "*") {
        // Everything upgradable, as `dnf upgrade` with no names would take it.
        const ups = await repoquery(host, name, ["--upgrades"], o);
        const states: PkgState[] = [];
        for (const [pkg, upgrade] of ups) {
          const installed = (await rpmQuery(host, pkg, o))?.[1];
          if (installed) states.push({ spec: pkg, name: pkg, installed, satisfied: true, upgrade });
        }
        return states;
      }
      const states: PkgState[] = [];
      for (const spec of specs.map(dnfSpec)) states.push(await readOne(host, name, spec, state, o));
      const plain = states.filter((s) => s.satisfied && s.spec === s.name);
      if (state !== "latest" || plain.length === 0) return states;
      const ups = new Map(
        await repoquery(host, name, ["--upgrades", "--", ...plain.map((s) => s.name)], o),
      );
      return states.map((s) =>
        s.spec === s.name && ups.has(s.name) ? { ...s, upgrade: ups.get(s.name)! } : s
      );
    },
    install: (specs, o) => [{
      cmd: name,
      args: [...base(o), ...(o.extraArgs ?? []), "install", "--", ...specs.map(dnfSpec)],
      env: ENV,
    }],
    upgrade: (names, o) => [{
      cmd: name,
      args: [...base(o), ...(o.extraArgs ?? []), "upgrade", "--", ...names],
      env: ENV,
    }],
    remove: (names, o) => [{
      cmd: name,
      args: [...base(o), ...(o.extraArgs ?? []), "remove", "--", ...names],
      env: ENV,
    }],
    updateCache: (o) => ({
      cmd: name,
      args: ["-q", ...(o.global ?? []), "makecache", "--refresh"],
      env: ENV,
    }),
    notFound: (spec) => `No package ${spec} available.`,
  };
}

/** dnf. */
export const dnf: Manager = rpmFamily("dnf");
/** yum (the dnf command line it is on EL 8 and later). */
export const yum: Manager = rpmFamily("yum");
