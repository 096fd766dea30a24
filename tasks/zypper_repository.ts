/**
 * `zypper_repository` (community.general.zypper_repository): adds, changes or removes a zypper
 * repository, matched by alias or URL as Ansible matches it, from `zypper --xmlout repos`.
 * `repo` may be a local `.repo` file with one section; a repository whose settings differ is
 * removed and added again, as Ansible does.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, int } from "./_ansible_params.ts";
import { type Cmd, cmdLine, query, readOptional, runAll } from "./_run.ts";

const schema = z.strictObject({
  /** The alias. */
  name: z.string().optional(),
  /** The URI, or a local `.repo` file. */
  repo: z.string().optional(),
  state: z.enum(["present", "absent"]).default("present"),
  /** The repository's display name (zypper's `--name`). */
  description: z.string().optional(),
  disable_gpg_check: bool().default(false),
  autorefresh: bool().optional(),
  refresh: bool().optional(),
  priority: int().optional(),
  enabled: bool().default(true),
  overwrite_multiple: bool().default(false),
  auto_import_keys: bool().default(false),
  runrefresh: bool().default(false),
});
type Params = z.output<typeof schema>;

/** A repository as `zypper --xmlout repos` lists it. */
export interface ZypperRepo {
  readonly alias: string;
  readonly name: string;
  readonly url: string;
  readonly priority: string;
  readonly enabled: string;
  readonly autorefresh: string;
  readonly gpgcheck: string;
}

/** Parses `zypper --xmlout repos`. */
export function parseRepos(xml: string): ZypperRepo[] {
  const out: ZypperRepo[] = [];
  for (const m of xml.matchAll(/<repo\s([^>]*)>([\s\S]*?)<\/repo>/g)) {
    const attr = (k: string) => new RegExp(`\\b${k}="([^"]*)"`).exec(m[1]!)?.[1] ?? "";
    out.push({
      alias: attr("alias"),
      name: attr("name"),
      url: /<url>([^<]*)<\/url>/.exec(m[2]!)?.[1]?.replace(/&amp;/g, "&") ?? "",
      priority: attr("priority"),
      enabled: attr("enabled"),
      autorefresh: attr("autorefresh"),
      gpgcheck: attr("gpgcheck"),
    });
  }
  return out;
}

/** zypper prints `file:///x` as `file:/x`; both mean the same repository. */
function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => u.replace(/^(\w+):\/\/\//, "$1:/").replace(/\/+$/, "");
  return norm(a) === norm(b);
}

/** The wanted repository: what the parameters (or the `.repo` file) say. */
interface Wanted {
  readonly alias?: string;
  readonly url?: string;
  readonly name?: string;
  readonly priority?: string;
  readonly enabled: string;
  readonly autorefresh: string;
  readonly gpgcheck: string;
  readonly importKeys: boolean;
}

/** Parses a `.repo` file with exactly one section. */
export function parseRepoFile(
  text: string,
  path: string,
): Record<string, string> & { alias: string } {
  const sections: { alias: string; items: Record<string, string> }[] = [];
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t === "" || t.startsWith("#") || t.startsWith(";")) continue;
    const head = /^\[(.+)\]$/.exec(t);
    if (head) sections.push({ alias: head[1]!, items: {} });
    else if (sections.length > 0) {
      const eq = t.indexOf("=");
      if (eq > 0) sections.at(-1)!.items[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
    }
  }
  if (sections.length !== 1) {
    throw new Error(`${path}: expected one repository in the .repo file, found ${sections.length}`);
  }
  const [s] = sections;
  if (!s!.items.baseurl) throw new Error(`${path}: no baseurl in the .repo file`);
  return { ...s!.items, alias: s!.alias };
}

interface Current {
  readonly wanted: Wanted;
  readonly matches: readonly ZypperRepo[];
}

async function listRepos(host: Host): Promise<ZypperRepo[]> {
  const r = await query(host, "zypper", ["--quiet", "--non-interactive", "--xmlout", "repos"], {
    env: { LC_ALL: "C" },
  });
  // 6: ZYPPER_EXIT_NO_REPOS.
  if (r.code === 6) return [];
  if (r.code !== 0) throw new Error(`zypper repos failed (exit ${r.code}): ${r.stderr.trim()}`);
  return parseRepos(r.stdout);
}

async function wantedRepo(p: Params, host: Host): Promise<Wanted> {
  const base = {
    enabled: p.enabled ? "1" : "0",
    autorefresh: (p.autorefresh ?? p.refresh ?? true) ? "1" : "0",
    gpgcheck: p.disable_gpg_check ? "0" : "1",
    importKeys: p.auto_import_keys,
    ...(p.description !== undefined ? { name: p.description } : {}),
    ...(p.priority !== undefined ? { priority: String(p.priority) } : {}),
  };
  if (!p.repo?.endsWith(".repo")) {
    return { ...base, ...(p.name ? { alias: p.name } : {}), ...(p.repo ? { url: p.repo } : {}) };
  }
  if (p.name) throw new Error("name cannot be used with a .repo file: the file names the alias");
  if (/^[a-z]+:\/\//.test(p.repo)) {
    throw new Error(
      `repo: "${p.repo}" is a URL; download it with get_url first, then name the file`,
    );
  }
  const text = await readOptional(host, p.repo);
  if (text === undefined) throw new Error(`repo: ${p.repo} does not exist`);
  const f = parseRepoFile(text, p.repo);
  return {
    ...base,
    alias: f.alias,
    url: f.baseurl!,
    ...(f.name ? { name: f.name } : {}),
    ...(f.enabled ? { enabled: f.enabled } : {}),
    ...(f.autorefresh ? { autorefresh: f.autorefresh } : {}),
    ...(f.gpgcheck ? { gpgcheck: f.gpgcheck } : {}),
    importKeys: p.auto_import_keys || f.gpgkey !== undefined,
  };
}

/** What differs between the existing repository and the wanted one (Ansible's comparison). */
function differences(have: ZypperRepo, want: Wanted): string[] {
  const out: string[] = [];
  if (want.url !== undefined && !sameUrl(have.url, want.url)) {
    out.push(`url ${have.url} -> ${want.url}`);
  }
  if (want.alias !== undefined && have.alias !== want.alias) {
    out.push(`alias ${have.alias} -> ${want.alias}`);
  }
  if (want.name !== undefined && have.name !== want.name) {
    out.push(`name ${have.name} -> ${want.name}`);
  }
  if (want.priority !== undefined && have.priority !== want.priority) {
    out.push(`priority ${have.priority} -> ${want.priority}`);
  }
  for (const k of ["enabled", "autorefresh", "gpgcheck"] as const) {
    if (have[k] !== want[k]) out.push(`${k} ${have[k]} -> ${want[k]}`);
  }
  return out;
}

const Z = ["zypper", "--quiet", "--non-interactive"] as const;
const zcmd = (...args: string[]): Cmd => ({
  cmd: Z[0],
  args: [...Z.slice(1), ...args],
  env: { LC_ALL: "C" },
});

function refreshCmd(w: Wanted, alias: string): Cmd {
  return zcmd(
    ...(w.importKeys ? ["--gpg-auto-import-keys"] : []),
    "refresh",
    "--force",
    "-r",
    alias,
  );
}

function addCmd(w: Wanted, repo: string): Cmd {
  return zcmd(
    "addrepo",
    "--check",
    ...(w.name !== undefined ? ["--name", w.name] : []),
    ...(w.priority !== undefined ? ["--priority", w.priority] : []),
    ...(w.enabled === "0" ? ["--disable"] : []),
    w.gpgcheck === "1" ? "--gpgcheck" : "--no-gpgcheck",
    ...(w.autorefresh === "1" ? ["--refresh"] : []),
    repo,
    ...(repo.endsWith(".repo") ? [] : [w.alias!]),
  );
}

function describeRepo(r: Pick<ZypperRepo, "alias" | "url">): string {
  return `${r.alias} (${r.url})`;
}

/** The zypper_repository task. */
export const zypperRepository = defineTask({
  type: "zypper_repository",
  schema,
  mainParam: ["name", "repo"],
  async read(p, host: Host): Promise<Current> {
    if (p.state === "present" && !p.repo) throw new Error("state present requires repo");
    if (p.state === "absent" && !p.repo && !p.name) {
      throw new Error("state absent requires name (the alias) or repo");
    }
    if (p.state === "present" && !p.repo!.endsWith(".repo") && !p.name) {
      throw new Error("name (the alias) is required unless repo is a .repo file");
    }
    const wanted = await wantedRepo(p, host);
    const all = await listRepos(host);
    const matches = all.filter((r) =>
      (wanted.alias !== undefined && r.alias === wanted.alias) ||
      (wanted.url !== undefined && sameUrl(r.url, wanted.url))
    );
    if (matches.length > 1 && !p.overwrite_multiple) {
      throw new Error(
        `more than one repository matched: ${matches.map(describeRepo).join(", ")}; ` +
          "set overwrite_multiple: true to replace them all",
      );
    }
    return { wanted, matches };
  },
  plan(p, cur): Change<{ cmds: Cmd[] }>[] {
    const w = cur.wanted;
    if (p.state === "absent") {
      if (cur.matches.length === 0) return [];
      const target = p.name ?? p.repo!;
      return [{
        op: { cmds: [zcmd("removerepo", target)] },
        summary: `remove repository ${cur.matches.map(describeRepo).join(", ")}`,
      }];
    }
    const alias = w.alias ?? p.repo!;
    const changed = cur.matches.length > 1 ||
      (cur.matches.length === 1 && differences(cur.matches[0]!, w).length > 0);
    if (cur.matches.length === 1 && !changed) {
      return p.runrefresh
        ? [{
          op: { cmds: [refreshCmd(w, alias)] },
          action: true,
          summary: cmdLine(refreshCmd(w, alias)),
        }]
        : [];
    }
    const cmds = [
      ...cur.matches.map((r) => zcmd("removerepo", r.alias)),
      addCmd(w, p.repo!),
      ...(p.runrefresh || w.importKeys ? [refreshCmd(w, alias)] : []),
    ];
    const summary = cur.matches.length === 0
      ? `add repository ${alias} (${w.url})`
      : `replace repository ${cur.matches.map(describeRepo).join(", ")}: ${
        cur.matches.flatMap((r) => differences(r, w)).join(", ")
      }`;
    return [{ op: { cmds }, summary }];
  },
  async apply(op, host) {
    await runAll(host, op.cmds);
  },
});
