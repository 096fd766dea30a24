/**
 * GitOps with the `git` CLI: clone the config repo, fetch the followed branch, check a
 * revision's signature (`git verify-commit` against the keys the user configured, in a
 * keyring of the agent's own), export a revision for validation, and move the checkout to it.
 *
 * @module
 */
import { join } from "node:path";
import type { AgentConfig } from "../config/agent_schema.ts";

/** The `git:` section of the agent config. */
export type GitConfig = NonNullable<AgentConfig["git"]>;

/** A git command failed; the message carries git's own words. */
export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GitError";
  }
}

/** Options of {@linkcode GitSource}. */
export interface GitSourceOptions {
  /** The agent's state dir (`<state>/agent`): the keyring lives there. */
  readonly stateDir: string;
}

/** The config dir as a checkout of `git.url`. */
export class GitSource {
  readonly dir: string;
  readonly config: GitConfig;
  readonly #gnupgHome: string;
  #branch: string | undefined;

  constructor(dir: string, config: GitConfig, options: GitSourceOptions) {
    this.dir = dir;
    this.config = config;
    this.#branch = config.branch;
    this.#gnupgHome = join(options.stateDir, "gnupg");
  }

  /** The followed branch (the remote's default unless configured), once `prepare` ran. */
  get branch(): string {
    return this.#branch ?? "HEAD";
  }

  /**
   * Makes sure the remote answers and the config dir is a Git checkout (it points `origin` at
   * the configured URL), and imports the signing keys.
   */
  async prepare(signal?: AbortSignal): Promise<void> {
    const remote = await this.#git(
      [
        "ls-remote",
        "--symref",
        this.config.url,
        this.#branch ? `refs/heads/${this.#branch}` : "HEAD",
      ],
      { cwd: undefined, signal, what: `cannot reach ${this.config.url}` },
    );
    if (!this.#branch) {
      const m = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(remote);
      if (!m) throw new GitError(`${this.config.url} has no default branch; set git.branch`);
      this.#branch = m[1]!;
    } else if (!remote.trim()) {
      throw new GitError(`${this.config.url} has no branch "${this.#branch}"`);
    }
    if (!(await isRepo(this.dir))) {
      throw new GitError(
        `${this.dir} is not a Git checkout; clone it first: git clone ${this.config.url} ${this.dir}`,
      );
    }
    // Follow the configured URL even when the checkout was made from another.
    await this.#git(["remote", "set-url", "origin", this.config.url], { what: "git remote" })
      .catch(() => this.#git(["remote", "add", "origin", this.config.url], { what: "git remote" }));
    if (this.config.verify === "signed") await this.#importKeys();
  }

  /** Fetches the branch; resolves with the remote revision. */
  async fetch(signal?: AbortSignal): Promise<string> {
    const ref = `refs/remotes/origin/${this.branch}`;
    await this.#git([
      "fetch",
      "--quiet",
      "--no-tags",
      "origin",
      `+refs/heads/${this.branch}:${ref}`,
    ], {
      signal,
      what: `cannot fetch ${this.config.url}`,
    });
    return (await this.#git(["rev-parse", "--verify", `${ref}^{commit}`], {
      what: "git rev-parse",
    }))
      .trim();
  }

  /** The revision the checkout is at, if any. */
  async head(): Promise<string | undefined> {
    try {
      return (await this.#git(["rev-parse", "--verify", "HEAD^{commit}"], { what: "" })).trim();
    } catch {
      return undefined;
    }
  }

  /** Throws unless the revision carries a good signature by one of the configured keys. */
  async verify(rev: string): Promise<void> {
    if (this.config.verify !== "signed") return;
    await this.#git(["verify-commit", "--", rev], {
      env: { GNUPGHOME: this.#gnupgHome },
      what: `revision ${rev.slice(0, 12)} is not signed by a trusted key`,
    });
  }

  /** Writes the tree of a revision into `dest` (which exists and is empty). */
  async export(rev: string, dest: string): Promise<void> {
    const archive = new Deno.Command("git", {
      args: ["-C", this.dir, "archive", "--format=tar", rev],
      env: GIT_ENV,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const tar = new Deno.Command("tar", {
      args: ["-x", "-C", dest, "--no-same-owner"],
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const [a, t] = await Promise.all([
      archive.stdout.pipeTo(tar.stdin).then(() => archive.output()),
      tar.output(),
    ]);
    if (!a.success) throw new GitError(`git archive ${rev}: ${text(a.stderr)}`);
    if (!t.success) throw new GitError(`extracting ${rev}: ${text(t.stderr)}`);
  }

  /** Moves the checkout (and its branch) to a revision, discarding local edits. */
  async checkout(rev: string): Promise<void> {
    await this.#git(["checkout", "--quiet", "--force", "-B", this.branch, rev], {
      what: `cannot check out ${rev.slice(0, 12)}`,
    });
  }

  async #importKeys(): Promise<void> {
    await Deno.mkdir(this.#gnupgHome, { recursive: true, mode: 0o700 });
    await Deno.chmod(this.#gnupgHome, 0o700);
    for (const key of this.config.keys) {
      const out = await new Deno.Command("gpg", {
        args: ["--batch", "--quiet", "--import", key],
        env: { GNUPGHOME: this.#gnupgHome },
        stdout: "null",
        stderr: "piped",
      }).output().catch((e) => {
        throw new GitError(`cannot run gpg to import ${key}: ${(e as Error).message}`);
      });
      if (!out.success) throw new GitError(`cannot import the key ${key}: ${text(out.stderr)}`);
    }
  }

  async #git(
    args: string[],
    o: {
      cwd?: string | undefined;
      signal?: AbortSignal | undefined;
      env?: Record<string, string>;
      what: string;
    },
  ): Promise<string> {
    const cwd = "cwd" in o ? o.cwd : this.dir;
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command("git", {
        args: cwd ? ["-C", cwd, ...args] : args,
        env: { ...GIT_ENV, ...o.env },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        ...(o.signal ? { signal: o.signal } : {}),
      }).output();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw new GitError("git is not installed");
      throw e;
    }
    if (!out.success) {
      const why = text(out.stderr) || `exit ${out.code}${out.signal ? ` (${out.signal})` : ""}`;
      throw new GitError(o.what ? `${o.what}: ${why}` : why);
    }
    return new TextDecoder().decode(out.stdout);
  }
}

/** Never prompt for credentials: a daemon has nobody to answer. */
const GIT_ENV = { GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "true", LC_ALL: "C" };

function text(bytes: Uint8Array): string {
  const s = new TextDecoder().decode(bytes).trim();
  return s.length > 500 ? `${s.slice(0, 500)}…` : s;
}

async function isRepo(dir: string): Promise<boolean> {
  try {
    await Deno.stat(join(dir, ".git"));
    return true;
  } catch {
    return false;
  }
}
