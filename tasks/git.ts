/**
 * `git`: a checkout of a repository at a version, through the `git` CLI (Ansible's git module:
 * repo, dest, version, update, force, depth, clone, remote, recursive, accept_hostkey, key_file,
 * ssh_opts). The target commit is resolved with `git ls-remote` before anything changes, so a
 * dry run shows the before → after commits as the diff. Local modifications stop the update
 * unless `force`.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, int, str } from "./_ansible_params.ts";
import { type Cmd, query, runAll } from "./_run.ts";

const schema = z.strictObject({
  repo: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  dest: z.string().min(1),
  /** Branch, tag, commit (full or abbreviated) or HEAD. */
  version: str().default("HEAD"),
  update: bool().default(true),
  force: bool().default(false),
  depth: int().optional(),
  clone: bool().default(true),
  remote: z.string().default("origin"),
  recursive: bool().default(true),
  single_branch: bool().default(false),
  accept_hostkey: bool().default(false),
  key_file: z.string().optional(),
  ssh_opts: z.string().optional(),
}).refine((p) => (p.repo ?? p.name) !== undefined, { message: "repo is required" });
type Params = z.output<typeof schema>;

/** What the version names on the remote. */
interface Target {
  readonly kind: "branch" | "tag" | "sha";
  /** Branch or tag name (for sha: the version as given). */
  readonly ref: string;
  /** The commit; `undefined` for an abbreviated sha the remote cannot resolve up front. */
  readonly sha?: string;
}

interface GitCurrent {
  readonly cloned: boolean;
  readonly before?: string;
  readonly url?: string;
  readonly dirty: boolean;
  readonly target?: Target;
}

type GitOp =
  | { kind: "clone"; repo: string; dest: string; target: Target; p: GitFlags }
  | { kind: "set-url"; dest: string; remote: string; repo: string; p: GitFlags }
  | { kind: "update"; dest: string; target: Target; p: GitFlags };

interface GitFlags {
  readonly depth?: number;
  readonly remote: string;
  readonly recursive: boolean;
  readonly singleBranch: boolean;
  readonly force: boolean;
  readonly env: Record<string, string>;
}

const repoOf = (p: Params) => (p.repo ?? p.name)!;
const short = (sha: string | undefined) => sha?.slice(0, 10) ?? "(unknown)";

function gitEnv(p: Params): Record<string, string> {
  const ssh: string[] = [];
  if (p.accept_hostkey) ssh.push("-o", "StrictHostKeyChecking=accept-new");
  if (p.key_file) ssh.push("-i", p.key_file, "-o", "IdentitiesOnly=yes");
  if (p.ssh_opts) ssh.push(p.ssh_opts);
  return {
    GIT_TERMINAL_PROMPT: "0",
    LC_ALL: "C",
    ...(ssh.length > 0 ? { GIT_SSH_COMMAND: `ssh ${ssh.join(" ")}` } : {}),
  };
}

function flags(p: Params): GitFlags {
  return {
    ...(p.depth !== undefined ? { depth: p.depth } : {}),
    remote: p.remote,
    recursive: p.recursive,
    singleBranch: p.single_branch,
    force: p.force,
    env: gitEnv(p),
  };
}

/** Parses `git ls-remote [--symref]` output into refs → sha (and HEAD's symref). */
export function parseLsRemote(text: string): { refs: Map<string, string>; head?: string } {
  const refs = new Map<string, string>();
  let head: string | undefined;
  for (const line of text.split("\n")) {
    const sym = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
    if (sym) {
      head = sym[1]!;
      continue;
    }
    const [sha, ref] = line.split("\t");
    if (sha && ref) refs.set(ref, sha);
  }
  return head ? { refs, head } : { refs };
}

/** Resolves a version against ls-remote's refs. */
export function resolveVersion(version: string, ls: ReturnType<typeof parseLsRemote>): Target {
  if (/^[0-9a-f]{40}$/.test(version)) return { kind: "sha", ref: version, sha: version };
  if (version === "HEAD") {
    const branch = ls.head;
    if (branch && ls.refs.has(`refs/heads/${branch}`)) {
      return { kind: "branch", ref: branch, sha: ls.refs.get(`refs/heads/${branch}`)! };
    }
    return { kind: "sha", ref: "HEAD", sha: ls.refs.get("HEAD")! };
  }
  const branch = ls.refs.get(`refs/heads/${version}`);
  if (branch) return { kind: "branch", ref: version, sha: branch };
  const tag = ls.refs.get(`refs/tags/${version}^{}`) ?? ls.refs.get(`refs/tags/${version}`);
  if (tag) return { kind: "tag", ref: version, sha: tag };
  if (/^[0-9a-f]{7,39}$/.test(version)) {
    const full = [...ls.refs.values()].find((s) => s.startsWith(version));
    return { kind: "sha", ref: version, ...(full ? { sha: full } : {}) };
  }
  throw new Error(`version "${version}" is not a branch, tag or commit of the repository`);
}

async function git(host: Host, env: Record<string, string>, args: string[]) {
  return await query(host, "git", args, { env });
}

/** The git task. */
export const gitTask = defineTask({
  type: "git",
  schema,
  mainParam: "dest",
  async read(p, host): Promise<GitCurrent> {
    const env = gitEnv(p);
    const cloned = (await host.stat(`${p.dest}/.git`)) !== undefined;
    let before: string | undefined;
    let url: string | undefined;
    let dirty = false;
    if (cloned) {
      const head = await git(host, env, ["-C", p.dest, "rev-parse", "HEAD"]);
      if (head.code === 0) before = head.stdout.trim();
      const u = await git(host, env, ["-C", p.dest, "config", "--get", `remote.${p.remote}.url`]);
      if (u.code === 0) url = u.stdout.trim();
      const st = await git(host, env, [
        "-C",
        p.dest,
        "status",
        "--porcelain",
        "--untracked-files=no",
      ]);
      dirty = st.stdout.trim() !== "";
    }
    let target: Target | undefined;
    if ((!cloned && p.clone) || (cloned && p.update)) {
      const ls = await git(host, env, ["ls-remote", "--symref", repoOf(p)]);
      if (ls.code !== 0) throw new Error(`git ls-remote ${repoOf(p)} failed: ${ls.stderr.trim()}`);
      target = resolveVersion(p.version, parseLsRemote(ls.stdout));
      // An abbreviated sha the remote does not advertise may already be here.
      if (!target.sha && cloned) {
        const r = await git(host, env, [
          "-C",
          p.dest,
          "rev-parse",
          "--verify",
          `${p.version}^{commit}`,
        ]);
        if (r.code === 0) target = { ...target, sha: r.stdout.trim() };
      }
    }
    return {
      cloned,
      ...(before ? { before } : {}),
      ...(url ? { url } : {}),
      dirty,
      ...(target ? { target } : {}),
    };
  },
  plan(p, cur): Change<GitOp>[] {
    const repo = repoOf(p);
    const f = flags(p);
    const diff = (before: string | undefined, after: string | undefined) => ({
      before: `${before ?? "(not cloned)"}\n`,
      after: `${after ?? p.version}\n`,
      beforeLabel: `${p.dest} before`,
      afterLabel: `${p.dest} after`,
    });
    if (!cur.cloned) {
      if (!p.clone) return [];
      return [{
        op: { kind: "clone", repo, dest: p.dest, target: cur.target!, p: f },
        summary: `git clone ${repo} ${p.dest} (${p.version} = ${short(cur.target!.sha)})`,
        diff: diff(undefined, cur.target!.sha),
      }];
    }
    if (!p.update) return [];
    const changes: Change<GitOp>[] = [];
    if (cur.url !== repo) {
      changes.push({
        op: { kind: "set-url", dest: p.dest, remote: p.remote, repo, p: f },
        summary: `git remote set-url ${p.remote} ${repo} (was ${cur.url ?? "unset"})`,
      });
    }
    const t = cur.target!;
    // As Ansible: local modifications fail an update unless force, which discards them.
    if (cur.dirty && !p.force) {
      throw new Error(`${p.dest} has local modifications; set force: true to discard them`);
    }
    if (t.sha === undefined || t.sha !== cur.before || cur.dirty) {
      const moves = t.sha === undefined || t.sha !== cur.before;
      changes.push({
        op: { kind: "update", dest: p.dest, target: t, p: f },
        summary: moves
          ? `update ${p.dest} to ${p.version}: ${short(cur.before)} -> ${short(t.sha)}`
          : `discard local modifications in ${p.dest}`,
        diff: diff(cur.before, t.sha),
      });
    }
    return changes;
  },
  async apply(op, host) {
    const e = op.p.env;
    const cmds: Cmd[] = [];
    const g = (args: string[]): Cmd => ({ cmd: "git", args, env: e });
    const depth = op.p.depth !== undefined ? [`--depth=${op.p.depth}`] : [];
    // A checkout of a commit or tag, without git's advice about the detached HEAD.
    const detached = (...args: string[]) =>
      g(["-C", op.dest, "-c", "advice.detachedHead=false", "checkout", "--force", ...args]);
    if (op.kind === "set-url") {
      cmds.push(g(["-C", op.dest, "remote", "set-url", op.remote, op.repo]));
    } else if (op.kind === "clone") {
      const named = op.target.kind !== "sha";
      cmds.push(g([
        "clone",
        "--origin",
        op.p.remote,
        ...(named ? ["--branch", op.target.ref] : []),
        ...(named ? depth : []),
        ...(op.p.singleBranch ? ["--single-branch"] : []),
        ...(op.p.recursive ? ["--recurse-submodules"] : []),
        op.repo,
        op.dest,
      ]));
      if (!named && op.target.ref !== "HEAD") cmds.push(detached(op.target.sha ?? op.target.ref));
    } else {
      cmds.push(g(["-C", op.dest, "fetch", ...depth, "--tags", "--force", op.p.remote]));
      const sha = op.target.sha ?? op.target.ref;
      if (op.target.kind === "branch") {
        cmds.push(g(["-C", op.dest, "checkout", "--force", "-B", op.target.ref, sha]));
      } else {
        cmds.push(detached("--detach", sha));
      }
      if (op.p.recursive) {
        cmds.push(g(["-C", op.dest, "submodule", "update", "--init", "--recursive"]));
      }
    }
    await runAll(host, cmds);
    return op.kind === "set-url" ? { remote_url_changed: true } : { after: op.target.sha };
  },
  result: (_p, cur) => ({ before: cur.before ?? null, after: cur.before ?? null }),
});
