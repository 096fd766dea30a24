/**
 * `apt`: Debian packages with Ansible's apt parameters — names with `=version` pins, `latest`,
 * local `deb` files, `update_cache` + `cache_valid_time`, `autoremove`, `upgrade`,
 * `install_recommends`, `dpkg_options`. State comes from `dpkg-query`, `apt-cache policy` and
 * apt's own simulation (`apt-get -s`), so a dry run shows exactly the packages and versions.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, int, list } from "./_ansible_params.ts";
import {
  applyPackages,
  MANAGER,
  type PkgCurrent,
  type PkgOp,
  type PkgOptions,
  type PkgWanted,
  planPackages,
  readPackages,
} from "./_pkg_managers.ts";
import { query } from "./_run.ts";

const schema = z.strictObject({
  name: list().optional(),
  pkg: list().optional(),
  package: list().optional(),
  state: z.enum(["present", "absent", "latest"]).default("present"),
  update_cache: bool().optional(),
  "update-cache": bool().optional(),
  /** Seconds; refresh the lists when older. Setting it implies `update_cache`. */
  cache_valid_time: int().optional(),
  /** A .deb file on the host to install. */
  deb: z.string().optional(),
  autoremove: bool().default(false),
  purge: bool().default(false),
  install_recommends: bool().optional(),
  "install-recommends": bool().optional(),
  dpkg_options: z.string().default("force-confdef,force-confold"),
  allow_downgrade: bool().optional(),
  allow_downgrades: bool().optional(),
  "allow-downgrade": bool().optional(),
  "allow-downgrades": bool().optional(),
  allow_unauthenticated: bool().default(false),
  allow_change_held_packages: bool().default(false),
  default_release: z.string().optional(),
  "default-release": z.string().optional(),
  only_upgrade: bool().default(false),
  force: bool().default(false),
  /** `yes`/`safe` = `apt-get upgrade`, `full`/`dist` = `apt-get dist-upgrade`. */
  upgrade: z.union([z.enum(["dist", "full", "safe", "yes", "no"]), z.boolean()]).default("no"),
}).refine((p) => !(p.deb && (p.name ?? p.pkg ?? p.package)), {
  message: "deb and name are mutually exclusive",
});
type Params = z.output<typeof schema>;

interface AptCurrent {
  readonly pkgs: PkgCurrent;
  /** The deb file's package and version, and the installed version of it. */
  readonly deb?: { name: string; version: string; installed?: string };
  /** Packages `apt-get autoremove` would remove. */
  readonly autoremovable: readonly string[];
  /** Packages the requested upgrade would install or upgrade (`name old -> new`). */
  readonly upgradable: readonly string[];
}

function names(p: Params): string[] {
  return p.name ?? p.pkg ?? p.package ?? [];
}

function upgradeMode(p: Params): "upgrade" | "dist-upgrade" | undefined {
  const u = p.upgrade;
  if (u === false || u === "no") return undefined;
  return u === "dist" || u === "full" ? "dist-upgrade" : "upgrade";
}

function options(p: Params): PkgOptions {
  const recommends = p.install_recommends ?? p["install-recommends"];
  const release = p.default_release ?? p["default-release"];
  const extra: string[] = [];
  if (p.allow_unauthenticated) extra.push("--allow-unauthenticated");
  if (p.allow_change_held_packages || p.force) extra.push("--allow-change-held-packages");
  if (p.force) extra.push("--allow-remove-essential");
  if (p.only_upgrade) extra.push("--only-upgrade");
  return {
    dpkgOptions: p.dpkg_options.split(",").map((s) => s.trim()).filter(Boolean),
    allowDowngrade: p.allow_downgrade ?? p.allow_downgrades ?? p["allow-downgrade"] ??
      p["allow-downgrades"] ?? p.force,
    purge: p.purge,
    autoremove: p.autoremove,
    ...(recommends !== undefined ? { installRecommends: recommends } : {}),
    ...(release ? { defaultRelease: release } : {}),
    ...(extra.length > 0 ? { extraArgs: extra } : {}),
  };
}

function wanted(p: Params): PkgWanted {
  return {
    names: names(p),
    state: p.state,
    updateCache: p.update_cache ?? p["update-cache"] ?? p.cache_valid_time !== undefined,
    ...(p.cache_valid_time !== undefined ? { cacheValidTime: p.cache_valid_time } : {}),
    options: options(p),
  };
}

/** Parses `apt-get -s` output: `Remv name [ver]` or `Inst name [old] (new ...)` lines. */
export function parseAptSimulation(text: string): { remove: string[]; install: string[] } {
  const remove: string[] = [];
  const install: string[] = [];
  for (const line of text.split("\n")) {
    let m = /^Remv (\S+)(?: \[([^\]]+)\])?/.exec(line);
    if (m) remove.push(m[2] ? `${m[1]} ${m[2]}` : m[1]!);
    m = /^Inst (\S+)(?: \[([^\]]+)\])? \((\S+)/.exec(line);
    if (m) install.push(m[2] ? `${m[1]} ${m[2]} -> ${m[3]}` : `${m[1]} ${m[3]}`);
  }
  return { remove, install };
}

async function simulate(host: Host, args: string[]) {
  const r = await query(host, "apt-get", ["-s", "-q", ...args], { env: { LC_ALL: "C" } });
  if (r.code !== 0) throw new Error(`apt-get -s ${args.join(" ")} failed: ${r.stderr.trim()}`);
  return parseAptSimulation(r.stdout);
}

const aptEnv = { DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C" };

/** The apt task. */
export const apt = defineTask({
  type: "apt",
  schema,
  mainParam: "name",
  async read(p, host): Promise<AptCurrent> {
    const pkgs = await readPackages(host, "apt", wanted(p));
    let deb: AptCurrent["deb"];
    if (p.deb) {
      if (/^[a-z]+:\/\//.test(p.deb)) {
        throw new Error(
          `deb: "${p.deb}" is a URL; download it with get_url first, then name the file`,
        );
      }
      const r = await query(host, "dpkg-deb", ["-f", p.deb, "Package", "Version"]);
      if (r.code !== 0) throw new Error(`deb: cannot read ${p.deb}: ${r.stderr.trim()}`);
      const fields = Object.fromEntries(
        r.stdout.split("\n").map((l) => l.split(": ")).filter((kv) => kv.length === 2),
      );
      const name = String(fields.Package ?? "");
      const installed = (await MANAGER.apt.installed(host, [name]))[name];
      deb = { name, version: String(fields.Version ?? ""), ...(installed ? { installed } : {}) };
    }
    const autoremovable = p.autoremove && p.state !== "absent"
      ? (await simulate(host, ["autoremove"])).remove
      : [];
    const mode = upgradeMode(p);
    const upgradable = mode ? (await simulate(host, [mode])).install : [];
    return { pkgs, ...(deb ? { deb } : {}), autoremovable, upgradable };
  },
  plan(p, cur) {
    const changes: Change<PkgOp>[] = planPackages(wanted(p), cur.pkgs);
    const o = options(p);
    if (cur.deb && p.state !== "absent" && cur.deb.installed !== cur.deb.version) {
      const path = p.deb!.startsWith("/") ? p.deb! : `./${p.deb}`;
      changes.push({
        op: {
          cmds: [{ cmd: "apt-get", args: [...baseArgs(o), "install", path], env: aptEnv }],
        },
        summary: `install ${cur.deb.name}=${cur.deb.version} from ${p.deb}`,
        diff: {
          before: `${cur.deb.name} ${cur.deb.installed ?? "(not installed)"}\n`,
          after: `${cur.deb.name} ${cur.deb.version}\n`,
          beforeLabel: "packages before",
          afterLabel: "packages after",
        },
      });
    }
    const mode = upgradeMode(p);
    if (mode && cur.upgradable.length > 0) {
      changes.push({
        op: { cmds: [{ cmd: "apt-get", args: [...baseArgs(o), mode], env: aptEnv }] },
        summary: `apt-get ${mode}: ${cur.upgradable.join(", ")}`,
        diff: {
          before: "",
          after: cur.upgradable.map((l) => `${l}\n`).join(""),
          beforeLabel: "upgrades before",
          afterLabel: "upgrades after",
        },
      });
    }
    if (cur.autoremovable.length > 0) {
      changes.push({
        op: { cmds: [{ cmd: "apt-get", args: ["-y", "-q", "autoremove"], env: aptEnv }] },
        summary: `autoremove ${cur.autoremovable.join(", ")}`,
        diff: {
          before: cur.autoremovable.map((l) => `${l}\n`).join(""),
          after: "",
          beforeLabel: "packages before",
          afterLabel: "packages after",
        },
      });
    }
    return changes;
  },
  apply: (op, host) => applyPackages(op, host),
  result: (_p, cur) => ({ cache_age: cur.pkgs.cacheAge }),
});

function baseArgs(o: PkgOptions): string[] {
  const install = MANAGER.apt.install([], o)[0]!.args;
  return install.slice(0, install.indexOf("install"));
}
