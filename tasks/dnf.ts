/**
 * `dnf` (ansible.builtin.dnf) and, through {@linkcode rpmTask}, `yum`: packages on the Red Hat
 * family with Ansible's parameters. Specs are names, `name-version[-release]` pins or
 * `name.arch`; `latest` upgrades, and `name: "*"` with `latest` upgrades everything. Options
 * that choose repositories or the root (`enablerepo`, `disablerepo`, `conf_file`,
 * `installroot`, `releasever`, ...) apply to the queries as well as the changes, so the plan
 * sees what the install will see.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, int, list } from "./_ansible_params.ts";
import type { PkgOptions } from "./_pkg.ts";
import {
  applyPackages,
  type PkgCurrent,
  type PkgOp,
  type PkgWanted,
  planPackages,
  readPackages,
} from "./_pkg_managers.ts";
import { cmdLine, query } from "./_run.ts";

const fields = {
  name: list().optional(),
  pkg: list().optional(),
  /** Defaults to `present`, or `absent` when only `autoremove` is set (as Ansible). */
  state: z.enum(["present", "installed", "absent", "removed", "latest"]).optional(),
  enablerepo: list().optional(),
  disablerepo: list().optional(),
  conf_file: z.string().optional(),
  disable_gpg_check: bool().default(false),
  installroot: z.string().default("/"),
  releasever: z.string().optional(),
  autoremove: bool().default(false),
  exclude: list().optional(),
  skip_broken: bool().default(false),
  update_cache: bool().optional(),
  "expire-cache": bool().optional(),
  update_only: bool().default(false),
  security: bool().default(false),
  bugfix: bool().default(false),
  enable_plugin: list().optional(),
  disable_plugin: list().optional(),
  disable_excludes: z.string().optional(),
  validate_certs: bool().default(true),
  sslverify: bool().default(true),
  allow_downgrade: bool().default(false),
  /** Accepted for compatibility; repoquery is part of dnf. */
  install_repoquery: bool().default(true),
  /** Accepted for compatibility; dnf waits for its own lock. */
  lock_timeout: int().default(30),
  install_weak_deps: bool().default(true),
  allowerasing: bool().default(false),
  nobest: bool().default(false),
  cacheonly: bool().default(false),
};

/** The names Ansible's dnf and yum share that Driftless refuses, with the reason. */
const REFUSED = {
  list: "list is a query, not a state: use package_facts to read installed packages",
  download_only: "download_only installs nothing, so there is no state to converge",
} as const;

function schemaFor(type: "dnf" | "yum") {
  const shape = type === "yum"
    ? { ...fields, use_backend: z.enum(["auto", "yum", "yum4", "dnf"]).default("auto") }
    : fields;
  return z.strictObject({
    ...shape,
    list: z.string().optional(),
    download_only: bool().optional(),
    download_dir: z.string().optional(),
  }).superRefine((p, ctx) => {
    for (const [key, why] of Object.entries(REFUSED)) {
      if (p[key as keyof typeof p] !== undefined && p[key as keyof typeof p] !== false) {
        ctx.addIssue({ code: "custom", path: [key], message: why });
      }
    }
  });
}
type Params = z.output<ReturnType<typeof schemaFor>>;

function names(p: Params): string[] {
  return p.name ?? p.pkg ?? [];
}

function state(p: Params): PkgWanted["state"] {
  const s = p.state ?? (p.autoremove && names(p).length === 0 ? "absent" : "present");
  return s === "installed" ? "present" : s === "removed" ? "absent" : s;
}

/** The dnf options for these parameters: global ones for every call, the rest for changes. */
export function dnfOptions(p: Params): PkgOptions {
  const global: string[] = [];
  for (const r of p.enablerepo ?? []) global.push(`--enablerepo=${r}`);
  for (const r of p.disablerepo ?? []) global.push(`--disablerepo=${r}`);
  if (p.conf_file) global.push(`--config=${p.conf_file}`);
  if (p.installroot !== "/") global.push(`--installroot=${p.installroot}`);
  if (p.releasever) global.push(`--releasever=${p.releasever}`);
  if (p.disable_gpg_check) global.push("--nogpgcheck");
  for (const x of p.exclude ?? []) global.push(`--exclude=${x}`);
  if (p.disable_excludes) global.push(`--disableexcludes=${p.disable_excludes}`);
  for (const x of p.enable_plugin ?? []) global.push(`--enableplugin=${x}`);
  for (const x of p.disable_plugin ?? []) global.push(`--disableplugin=${x}`);
  if (!p.validate_certs || !p.sslverify) global.push("--setopt=sslverify=0");
  if (p.cacheonly) global.push("--cacheonly");
  const extra: string[] = [];
  if (p.skip_broken) extra.push("--skip-broken");
  if (p.allowerasing) extra.push("--allowerasing");
  if (p.nobest) extra.push("--nobest");
  if (!p.install_weak_deps) extra.push("--setopt=install_weak_deps=False");
  if (p.security) extra.push("--security");
  if (p.bugfix) extra.push("--bugfix");
  if (p.autoremove) extra.push("--setopt=clean_requirements_on_remove=True");
  return {
    global,
    ...(extra.length > 0 ? { extraArgs: extra } : {}),
    ...(p.installroot !== "/" ? { rpmRoot: p.installroot } : {}),
    allowDowngrade: p.allow_downgrade,
  };
}

function wanted(p: Params): PkgWanted {
  return {
    names: names(p),
    state: state(p),
    updateCache: p.update_cache ?? p["expire-cache"] ?? false,
    options: dnfOptions(p),
  };
}

interface DnfCurrent {
  readonly pkgs: PkgCurrent;
  /** `autoremove`: the packages nothing needs any more. */
  readonly unneeded: readonly string[];
}

/** The dnf-style task for `dnf` or `yum`. */
export function rpmTask(type: "dnf" | "yum") {
  return defineTask({
    type,
    schema: schemaFor(type),
    mainParam: "name",
    async read(p: Params, host: Host): Promise<DnfCurrent> {
      const w = wanted(p);
      const pkgs = await readPackages(host, type, w);
      let unneeded: string[] = [];
      if (p.autoremove && names(p).length === 0) {
        const r = await query(host, type, [
          "-q",
          ...(w.options.global ?? []),
          "repoquery",
          "--unneeded",
          "--qf",
          "%{name}",
        ], { env: { LC_ALL: "C" } });
        if (r.code !== 0) {
          throw new Error(`${type} repoquery --unneeded failed: ${r.stderr.trim()}`);
        }
        unneeded = r.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
      }
      // update_only: upgrade what is installed, install nothing new.
      const kept = p.update_only ? pkgs.pkgs.filter((s) => s.installed !== undefined) : pkgs.pkgs;
      return { pkgs: { ...pkgs, pkgs: kept }, unneeded };
    },
    plan(p: Params, cur: DnfCurrent): Change<PkgOp>[] {
      const changes = planPackages(wanted(p), cur.pkgs);
      if (cur.unneeded.length > 0) {
        const cmd = { cmd: type, args: ["-y", ...(dnfOptions(p).global ?? []), "autoremove"] };
        changes.push({
          op: { cmds: [cmd] },
          summary: `${cmdLine(cmd)}: ${cur.unneeded.join(", ")}`,
          diff: {
            before: cur.unneeded.map((n) => `${n}\n`).join(""),
            after: "",
            beforeLabel: "packages before",
            afterLabel: "packages after",
          },
        });
      }
      return changes;
    },
    apply: (op: PkgOp, host) => applyPackages(op, host),
  });
}

/** The dnf task. */
export const dnf = rpmTask("dnf");
