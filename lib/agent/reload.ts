/**
 * The config the agent runs, and how it changes: validate, then swap. A change (the config dir
 * edited, SIGHUP, a new Git revision) becomes a snapshot that is validated in a child process;
 * only a valid one (and, with `verify: signed`, a verified one) replaces the config in use. A
 * refused change keeps the old config and is reported: log, audit event, metric, `/status`.
 *
 * @module
 */
import { join } from "node:path";
import { ConfigError, type ConfigIssue, formatIssue } from "../errors.ts";
import { type AgentConfigSet, loadAgentConfig } from "./config.ts";
import type { EventLog } from "./events.ts";
import { GitError, GitSource } from "./git.ts";
import { copyTree, type Snapshot, SnapshotStore } from "./snapshot.ts";

/** The config in use. */
export interface ConfigState {
  readonly config: AgentConfigSet;
  /** The validated copy that apply runs from. */
  readonly snapshot: Snapshot;
  /** A Git commit, or `sha256:<digest>` of the config dir. */
  readonly revision: string;
  readonly loadedAt: number;
}

/** Why the last change was refused. */
export interface ReloadError {
  readonly time: number;
  readonly message: string;
  readonly issues?: readonly ConfigIssue[];
}

/** Options of {@linkcode ConfigSource}. */
export interface ConfigSourceOptions {
  readonly configDir: string;
  /** The env file, when the user named one. */
  readonly envFile?: string;
  /** `<state>/agent`: snapshots and the keyring. */
  readonly stateDir: string;
  readonly events: EventLog;
  readonly log: (level: "warn" | "info" | "debug", message: string) => void;
  /** Called with each validated config before it is used (register its secrets). */
  readonly onLoad: (config: AgentConfigSet) => void;
  /** Puts a new config to use; resolves once every part runs on it. */
  readonly onSwap: (old: ConfigState, next: ConfigState) => Promise<void>;
}

/** The agent's config and its changes. */
export class ConfigSource {
  readonly #o: ConfigSourceOptions;
  readonly #snapshots: SnapshotStore;
  #current!: ConfigState;
  #git: GitSource | undefined;
  #gitError: string | undefined;
  #watcher: Deno.FsWatcher | undefined;
  #debounce: ReturnType<typeof setTimeout> | undefined;
  #reloading: Promise<void> | undefined;
  /** The last Git revision refused (unsigned, invalid, or failing to start). */
  #refusedRevision: string | undefined;
  #again = false;
  #closed = false;
  /** Reloads by result since start. */
  readonly reloads = { success: 0, failure: 0 };
  /** Why the last change was refused, until one is accepted. */
  lastError: ReloadError | undefined;

  constructor(options: ConfigSourceOptions) {
    this.#o = options;
    this.#snapshots = new SnapshotStore(join(options.stateDir, "config"));
  }

  /** The config in use. */
  get current(): ConfigState {
    return this.#current;
  }

  /** The Git source, with `agent.git`. */
  get git(): GitSource | undefined {
    return this.#git;
  }

  /** The last fetch error, until a fetch succeeds. */
  get gitError(): string | undefined {
    return this.#gitError;
  }

  /**
   * Loads the config at start. Throws ConfigError (exit 2) for an invalid config, an
   * unreachable remote, or, with `verify: signed`, a checkout whose HEAD is not signed.
   */
  async init(): Promise<ConfigState> {
    let snapshot = await this.#snapshots.create((dir) => copyTree(this.#o.configDir, dir));
    let load = await this.#validate(snapshot);
    if (!load.ok) {
      await this.#snapshots.prune([]);
      throw new ConfigError(load.issues);
    }
    let revision = digestRevision(snapshot);
    if (load.config.agent.git) {
      // With Git, only revisions count (verified, when asked): run HEAD as committed.
      const git = this.#git = await this.#prepareGit(load.config);
      const head = await git.head();
      if (!head) throw new Error(`${this.#o.configDir} has no commit checked out`);
      try {
        await git.verify(head);
      } catch (e) {
        if (!(e instanceof GitError)) throw e;
        throw new ConfigError([{ file: this.#o.configDir, path: "HEAD", message: e.message }]);
      }
      snapshot = await this.#snapshots.create((dir) => git.export(head, dir));
      load = await this.#validate(snapshot);
      if (!load.ok) throw new ConfigError(load.issues);
      revision = head;
    }
    this.#o.onLoad(load.config);
    this.#current = { config: load.config, snapshot, revision, loadedAt: Date.now() };
    await this.#snapshots.prune([snapshot]);
    return this.#current;
  }

  /** Checks the remote named by `agent.git` (exit 2 at start when unreachable). */
  async #prepareGit(config: AgentConfigSet): Promise<GitSource> {
    const git = new GitSource(this.#o.configDir, config.agent.git!, {
      stateDir: this.#o.stateDir,
    });
    try {
      await git.prepare(AbortSignal.timeout(config.agent.git!.timeout));
    } catch (e) {
      if (!(e instanceof GitError) && !(e instanceof DOMException)) throw e;
      throw new ConfigError([{
        ...(config.gitUrlAt ?? { file: "agent" }),
        path: "git.url",
        message: (e as Error).message,
        hint: "check the URL, the network and the credentials (the agent never prompts)",
      }]);
    }
    return git;
  }

  async #validate(snapshot: Snapshot) {
    return await loadAgentConfig(snapshot.dir, {
      ...(this.#o.envFile ? { envFile: this.#o.envFile } : {}),
      onLog: (line) => this.#o.log("debug", `validate: ${line}`),
    });
  }

  /**
   * Fetches the config repo; a new revision that verifies and validates replaces the config in
   * use. Resolves with the revision switched to, if any. Throws when the fetch fails.
   */
  async pull(signal: AbortSignal): Promise<string | undefined> {
    const git = this.#git!;
    let rev: string;
    try {
      rev = await git.fetch(signal);
    } catch (e) {
      const message = (e as Error).message;
      if (this.#gitError !== message) {
        this.#gitError = message;
        await this.#o.events.send({ event: "git_fetch_failed", error: message });
      }
      throw e;
    }
    if (this.#gitError) {
      this.#gitError = undefined;
      await this.#o.events.send({ event: "git_fetch_recovered" });
    }
    if (rev === this.#current.revision) return undefined;
    let switched: string | undefined;
    await this.#exclusive(async () => {
      if (await this.#switchTo(rev)) switched = rev;
    });
    return switched;
  }

  /** Validates a Git revision and, when valid and verified, makes it the config in use. */
  async #switchTo(rev: string): Promise<boolean> {
    // A refused revision is reported once, not at every fetch (until `retryRefused`).
    if (rev === this.#current.revision || rev === this.#refusedRevision) return false;
    const git = this.#git!;
    try {
      await git.verify(rev);
      const snapshot = await this.#snapshots.create((dir) => git.export(rev, dir));
      const load = await this.#validate(snapshot);
      if (!load.ok) {
        await this.#snapshots.prune([this.#current.snapshot]);
        await this.#refused(`revision ${rev.slice(0, 12)} is invalid`, load.issues, rev);
        return false;
      }
      await this.#swap({ config: load.config, snapshot, revision: rev, loadedAt: Date.now() });
      await git.checkout(rev);
      return true;
    } catch (e) {
      // Unverified, unreadable, or refused as it started: the revision in use stays.
      await this.#refused((e as Error).message, undefined, rev);
      return false;
    }
  }

  /** Reloads the config dir (without Git): a changed, valid config replaces the one in use. */
  reload(): Promise<void> {
    return this.#exclusive(async () => {
      const snapshot = await this.#snapshots.create((dir) => copyTree(this.#o.configDir, dir));
      if (snapshot.digest === this.#current.snapshot.digest) {
        this.#o.log("debug", "config unchanged");
        await this.#snapshots.prune([this.#current.snapshot]);
        return;
      }
      const load = await this.#validate(snapshot);
      if (!load.ok) {
        await this.#snapshots.prune([this.#current.snapshot]);
        await this.#refused("the changed config is invalid", load.issues);
        return;
      }
      const revision = digestRevision(snapshot);
      await this.#swap({ config: load.config, snapshot, revision, loadedAt: Date.now() });
    });
  }

  /** Runs reloads one at a time; one asked for during another runs once more after it. */
  async #exclusive(work: () => Promise<void>): Promise<void> {
    if (this.#reloading) {
      this.#again = true;
      return await this.#reloading;
    }
    this.#reloading = (async () => {
      do {
        this.#again = false;
        await work().catch((e) => this.#refused((e as Error).message));
      } while (this.#again && !this.#closed);
    })().finally(() => (this.#reloading = undefined));
    return await this.#reloading;
  }

  async #swap(next: ConfigState): Promise<void> {
    const old = this.#current;
    this.#o.onLoad(next.config);
    this.#current = next;
    try {
      await this.#o.onSwap(old, next);
    } catch (e) {
      // A part refused the new config as it started (a log output its own glob matches, a
      // listen address in use): put the old one back everywhere, and report the refusal.
      this.#current = old;
      await this.#o.onSwap(next, old).catch((again) =>
        this.#o.log("warn", `restoring ${old.revision}: ${(again as Error).message}`)
      );
      await this.#snapshots.prune([old.snapshot]);
      throw new Error(`${next.revision} could not be started: ${(e as Error).message}`);
    }
    this.reloads.success++;
    this.lastError = undefined;
    await this.#snapshots.prune([next.snapshot]);
    this.#o.log("info", `config reloaded: ${next.revision}`);
    await this.#o.events.send({
      event: "config_reloaded",
      revision: next.revision,
      previous: old.revision,
    });
  }

  async #refused(message: string, issues?: readonly ConfigIssue[], revision?: string) {
    if (revision) this.#refusedRevision = revision;
    this.reloads.failure++;
    this.lastError = { time: Date.now(), message, ...(issues ? { issues } : {}) };
    this.#o.log("warn", `${message}; keeping ${this.#current.revision}`);
    for (const issue of issues ?? []) this.#o.log("warn", `  ${formatIssue(issue)}`);
    await this.#o.events.send({
      event: "config_rejected",
      error: message,
      ...(revision ? { revision } : {}),
      kept: this.#current.revision,
      ...(issues ? { issues: issues.map(formatIssue) } : {}),
    });
  }

  /**
   * Watches the config dir and calls `onChange` after `debounceMs` of quiet (not with Git:
   * then only fetched revisions count, and edits to the checkout are not deployed).
   */
  watch(debounceMs: number, onChange: () => void): void {
    if (this.#git) return;
    try {
      this.#watcher = Deno.watchFs(this.#o.configDir, { recursive: true });
    } catch (e) {
      this.#o.log("warn", `not watching ${this.#o.configDir}: ${(e as Error).message}; use SIGHUP`);
      return;
    }
    const watcher = this.#watcher;
    (async () => {
      for await (const event of watcher) {
        if (event.paths.every((p) => p.includes("/.git/") || p.endsWith("/.git"))) continue;
        clearTimeout(this.#debounce);
        this.#debounce = setTimeout(onChange, debounceMs);
      }
    })().catch((e) => this.#o.log("warn", `watching the config dir stopped: ${e}`));
  }

  /** Lets the next pull try a refused revision again (SIGHUP: the env file may be fixed). */
  retryRefused(): void {
    this.#refusedRevision = undefined;
  }

  /** Marks the snapshot in use by a run (it is not removed until released). */
  retain(): Snapshot {
    const s = this.#current.snapshot;
    this.#snapshots.retain(s);
    return s;
  }

  /** Ends a run's use of a snapshot. */
  release(s: Snapshot): void {
    this.#snapshots.release(s);
  }

  /** Stops watching, waits for a reload in progress, removes unused snapshots. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#watcher?.close();
    clearTimeout(this.#debounce);
    await this.#reloading?.catch(() => {});
    if (this.#current) await this.#snapshots.prune([this.#current.snapshot]);
  }
}

function digestRevision(s: Snapshot): string {
  return `sha256:${s.digest.slice(0, 16)}`;
}
