/**
 * `zypper` (community.general.zypper): packages on SUSE with Ansible's parameters. Specs are
 * names, version ranges (`nginx=1.24`, `nginx>=1.2`, which imply `--oldpackage`), and `-name`
 * to remove in the same run; `name: "*"` with `latest` or `dist-upgrade` updates everything.
 * State comes from `zypper search --details` and, for whole-system updates, zypper's own
 * `--dry-run` summary.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { shlexSplit } from "../lib/shlex.ts";
import { bool, list } from "./_ansible_params.ts";
import {
  applyPackages,
  type PkgCurrent,
  type PkgOp,
  type PkgWanted,
  planPackages,
  readPackages,
} from "./_pkg_managers.ts";
import type { ZypperOptions } from "./_pkg_zypper.ts";
import { cmdLine, query } from "./_run.ts";

const schema = z.strictObject({
  name: list().optional(),
  pkg: list().optional(),
  state: z.enum(["present", "installed", "latest", "absent", "removed", "dist-upgrade"])
    .default("present"),
  type: z.enum(["package", "patch", "pattern", "product", "srcpackage", "application"])
    .default("package"),
  extra_args_precommand: z.string().optional(),
  disable_gpg_check: bool().default(false),
  /** `--no-recommends` unless false (Ansible's default differs from zypper's). */
  disable_recommends: bool().default(true),
  force: bool().default(false),
  force_resolution: bool().default(false),
  update_cache: bool().optional(),
  refresh: bool().optional(),
  oldpackage: bool().default(false),
  extra_args: z.string().optional(),
  allow_vendor_change: bool().default(false),
  replacefiles: bool().default(false),
  clean_deps: bool().default(false),
  /** Accepted for compatibility: errors already carry zypper's own message. */
  simple_errors: bool().default(false),
  quiet: bool().default(true),
}).refine((p) => (p.name ?? p.pkg ?? []).length > 0, {
  message: 'name is required (a package, a list, or "*" with state latest or dist-upgrade)',
  path: ["name"],
});
type Params = z.output<typeof schema>;

function names(p: Params): string[] {
  return p.name ?? p.pkg ?? [];
}

const everything = (p: Params) => names(p).length === 1 && names(p)[0] === "*";

function options(p: Params): ZypperOptions {
  const global = [
    ...(p.quiet ? ["--quiet"] : []),
    ...(p.extra_args_precommand ? shlexSplit(p.extra_args_precommand) : []),
    ...(p.disable_gpg_check ? ["--no-gpg-checks"] : []),
  ];
  const extra = [
    ...(p.force ? ["--force"] : []),
    ...(p.force_resolution ? ["--force-resolution"] : []),
    ...(p.replacefiles ? ["--replacefiles"] : []),
    ...(p.extra_args ? shlexSplit(p.extra_args) : []),
  ];
  return {
    global,
    type: p.type,
    installRecommends: !p.disable_recommends,
    allowDowngrade: p.oldpackage,
    ...(extra.length > 0 ? { extraArgs: extra } : {}),
    ...(p.clean_deps ? { removeArgs: ["--clean-deps"] } : {}),
  };
}

function wanted(p: Params): PkgWanted {
  const s = p.state;
  return {
    names: everything(p) ? [] : names(p),
    state: s === "installed"
      ? "present"
      : s === "removed"
      ? "absent"
      : s === "dist-upgrade"
      ? "latest"
      : s,
    updateCache: p.update_cache ?? p.refresh ?? false,
    options: options(p),
  };
}

/** One package in zypper's `--dry-run` summary. */
export interface SummaryEntry {
  /** `to-upgrade`, `to-install`, `to-remove`, `to-downgrade`, ... */
  readonly group: string;
  readonly name: string;
  readonly edition: string;
  readonly old?: string;
}

/** Parses the `<install-summary>` of a zypper `--xmlout ... --dry-run`. */
export function parseInstallSummary(xml: string): SummaryEntry[] {
  const out: SummaryEntry[] = [];
  let group = "";
  for (const m of xml.matchAll(/<(to-[a-z-]+)>|<solvable\s([^>]*)>/g)) {
    if (m[1]) {
      group = m[1];
      continue;
    }
    const attr = (k: string) => new RegExp(`\\b${k}="([^"]*)"`).exec(m[2]!)?.[1];
    const name = attr("name");
    const edition = attr("edition");
    if (!group || !name || !edition) continue;
    const old = attr("edition-old");
    out.push({ group, name, edition, ...(old ? { old } : {}) });
  }
  return out;
}

interface ZypperCurrent {
  readonly pkgs: PkgCurrent;
  /** `name: "*"`: what `zypper update` / `dist-upgrade` would change. */
  readonly system: readonly SummaryEntry[];
}

function systemCmd(p: Params, dryRun: boolean) {
  const o = options(p);
  const verb = p.state === "dist-upgrade"
    ? "dist-upgrade"
    : p.type === "patch"
    ? "patch"
    : "update";
  return {
    cmd: "zypper",
    args: [
      "--non-interactive",
      ...(dryRun ? ["--xmlout"] : []),
      ...(o.global ?? []),
      verb,
      ...(verb === "update" ? ["--type", p.type] : []),
      "--auto-agree-with-licenses",
      ...(p.disable_recommends ? ["--no-recommends"] : []),
      ...(verb === "dist-upgrade" && p.allow_vendor_change ? ["--allow-vendor-change"] : []),
      ...(o.extraArgs ?? []),
      ...(dryRun ? ["--dry-run"] : []),
    ],
    env: { LC_ALL: "C" },
    ok: [0, 102, 103],
  };
}

/** The zypper task. */
export const zypper = defineTask({
  type: "zypper",
  schema,
  mainParam: "name",
  async read(p, host: Host): Promise<ZypperCurrent> {
    if (p.state === "dist-upgrade" && !everything(p)) {
      throw new Error('state dist-upgrade updates everything: set name: "*"');
    }
    const pkgs = await readPackages(host, "zypper", wanted(p));
    if (!everything(p)) return { pkgs, system: [] };
    if (p.state !== "latest" && p.state !== "dist-upgrade") {
      throw new Error('name "*" works with state latest or dist-upgrade');
    }
    const c = systemCmd(p, true);
    const r = await query(host, c.cmd, c.args, { env: c.env });
    if (!c.ok.includes(r.code)) {
      throw new Error(`${cmdLine(c)} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
    }
    return { pkgs, system: parseInstallSummary(r.stdout) };
  },
  plan(p, cur): Change<PkgOp>[] {
    const changes = planPackages(wanted(p), cur.pkgs);
    if (cur.system.length > 0) {
      const c = systemCmd(p, false);
      changes.push({
        op: { cmds: [c] },
        summary: `${cmdLine(c)}: ${
          cur.system.map((e) => `${e.name} ${e.old ? `${e.old} -> ` : ""}${e.edition}`).join(", ")
        }`,
        diff: {
          before: cur.system.filter((e) => e.group !== "to-install")
            .map((e) => `${e.name} ${e.old ?? e.edition}\n`).join(""),
          after: cur.system.filter((e) => e.group !== "to-remove")
            .map((e) => `${e.name} ${e.edition}\n`).join(""),
          beforeLabel: "packages before",
          afterLabel: "packages after",
        },
      });
    }
    return changes;
  },
  apply: (op: PkgOp, host) => applyPackages(op, host),
});
