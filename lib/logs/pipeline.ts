/**
 * The logs pipeline (DESIGN §6): tail → parse → filter → route to sinks → acknowledge →
 * checkpoint. Builds the checkpoint store (one process per state dir, by lock), the outputs
 * (each behind the shared batching/retry/queue wrapper) and one reader per source, then runs
 * them until stopped, or once over what exists now.
 *
 * @module
 */
import { join } from "node:path";
import { acquireLock, type Lock } from "../apply/lock.ts";
import type { LogsConfig } from "../config/logs_schema.ts";
import { expandHome, stateDir as defaultStateDir } from "../config/paths.ts";
import type { BufferedSink } from "../sinks/buffered.ts";
import { createSink } from "../sinks/create.ts";
import { CheckpointStore } from "./checkpoint.ts";
import { outputLoops } from "./output_loop.ts";
import { SourceReader } from "./source.ts";
import { openStateDir } from "./state_dir.ts";

/** Options for {@linkcode LogsPipeline.create}. */
export interface PipelineOptions {
  /** Host name for events (default: `host` from the config, else the system's). */
  readonly host?: string;
  /** Receives warnings (sink failures, unreadable files), notes and debug lines. */
  readonly log?: (level: "warn" | "info" | "debug", message: string) => void;
}

/** A running (or runnable) set of sources and sinks. */
export class LogsPipeline {
  readonly sources: readonly SourceReader[];
  readonly sinks: ReadonlyMap<string, BufferedSink>;
  readonly store: CheckpointStore;
  readonly stateDir: string;
  readonly shutdownTimeoutMs: number;
  readonly #lock: Lock;
  readonly #log: NonNullable<PipelineOptions["log"]>;
  #running: Promise<unknown> | undefined;
  #closed = false;

  private constructor(init: {
    sources: SourceReader[];
    sinks: Map<string, BufferedSink>;
    store: CheckpointStore;
    stateDir: string;
    lock: Lock;
    shutdownTimeoutMs: number;
    log: NonNullable<PipelineOptions["log"]>;
  }) {
    this.sources = init.sources;
    this.sinks = init.sinks;
    this.store = init.store;
    this.stateDir = init.stateDir;
    this.#lock = init.lock;
    this.shutdownTimeoutMs = init.shutdownTimeoutMs;
    this.#log = init.log;
  }

  /**
   * Opens the state dir (locked: one pipeline per state dir), builds the sinks the sources use
   * and the sources. Throws when another pipeline holds the state dir, the state dir is not
   * safe (owned by another user, or writable by others: a `StateDirError`), a checkpoint file
   * is unreadable, or a file output would be read back by a source (a RangeError).
   */
  static async create(config: LogsConfig, options: PipelineOptions = {}): Promise<LogsPipeline> {
    const log = options.log ?? (() => {});
    const host = options.host ?? config.host ?? Deno.hostname();
    const stateDir = config.state_dir
      ? expandHome(config.state_dir)
      : join(defaultStateDir(), "logs");
    // The schema checked this with a sample host; the real one may differ.
    const loop = outputLoops(config, host)[0];
    if (loop) throw new RangeError(loop.message);
    await openStateDir(stateDir);
    const lock = await acquireLock(join(stateDir, "logs.lock"), { wait: false });
    if (!lock) {
      throw new Error(
        `another driftless logs is running with the state dir ${stateDir}; stop it first`,
      );
    }
    const sinks = new Map<string, BufferedSink>();
    try {
      const store = await CheckpointStore.open(stateDir);
      for (const note of store.notes) log("warn", note);
      const used = new Set((config.sources ?? []).flatMap((s) => s.outputs));
      for (const out of config.outputs ?? []) {
        if (!used.has(out.name)) {
          log("info", `output ${out.name} is not used by any source`);
          continue;
        }
        sinks.set(out.name, await createSink(out, { host, log }));
      }
      const sources = (config.sources ?? []).map((s) =>
        new SourceReader(s, {
          store,
          sinks: s.outputs.map((name) => sinks.get(name)!),
          host,
          log,
        })
      );
      return new LogsPipeline({
        sources,
        sinks,
        store,
        stateDir,
        lock,
        shutdownTimeoutMs: config.shutdown_timeout ?? 10_000,
        log,
      });
    } catch (e) {
      for (const s of sinks.values()) await s.abort().catch(() => {});
      lock.release();
      throw e;
    }
  }

  /**
   * Checks every sink once. An unreachable destination is reported, not fatal (lines wait on
   * disk until it is back); a missing Deno permission is thrown, since no retry can fix it.
   */
  async check(): Promise<void> {
    await Promise.all(
      [...this.sinks.values()].map((s) =>
        s.check().catch((e) => {
          const cause = (e as { cause?: unknown }).cause ?? e;
          if (
            cause instanceof Deno.errors.NotCapable || cause instanceof Deno.errors.PermissionDenied
          ) throw cause;
          this.#log("warn", `output ${s.name} is not reachable yet: ${(e as Error).message}`);
        })
      ),
    );
  }

  /** Follows every source until `stop()`; then flushes and saves within the deadline. */
  async run(): Promise<void> {
    this.#running = Promise.allSettled(this.sources.map((s) => s.run()));
    const results = await this.#running as PromiseSettledResult<void>[];
    for (const r of results) {
      if (r.status === "rejected" && !this.#closed) {
        this.#log("warn", `a source stopped: ${(r.reason as Error).message}`);
      }
    }
  }

  /**
   * Ships everything the files hold now and returns when all of it is acknowledged (or the
   * deadline passes: then returns false and the rest is shipped next time).
   */
  async once(options: { timeoutMs?: number } = {}): Promise<boolean> {
    const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
    const work = (async () => {
      await Promise.all(this.sources.map((s) => s.once()));
      await Promise.all([...this.sinks.values()].map((s) => s.flush()));
      await this.store.save();
    })();
    let done = false;
    try {
      done = await withDeadline(work, deadline);
    } finally {
      await this.close(!done);
    }
    return done;
  }

  /**
   * Stops reading, delivers what is queued, saves checkpoints, within `shutdown_timeout`.
   * Lines not acknowledged by then are read again at the next start (at-least-once).
   */
  async stop(): Promise<boolean> {
    const deadline = Date.now() + this.shutdownTimeoutMs;
    for (const s of this.sources) s.stop();
    const flush = async () => {
      await Promise.all([...this.sinks.values()].map((s) => s.flush()));
      await this.#running;
      await Promise.all([...this.sinks.values()].map((s) => s.flush()));
    };
    let done = false;
    try {
      done = await withDeadline(flush(), deadline);
    } finally {
      await this.close(!done);
    }
    return done;
  }

  /** Saves checkpoints, closes files and sinks, releases the state dir. */
  async close(abort = false): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.sources) s.stop();
    if (abort) await Promise.all([...this.sinks.values()].map((s) => s.abort()));
    await this.#running;
    try {
      await this.store.save();
    } catch (e) {
      this.#log("warn", `checkpoints not saved: ${(e as Error).message}`);
    }
    for (const s of this.sources) s.close();
    await Promise.all(
      [...this.sinks.values()].map((s) =>
        s.close().catch((e) => this.#log("warn", `closing ${s.name}: ${(e as Error).message}`))
      ),
    );
    this.#lock.release();
  }
}

async function withDeadline(
  work: Promise<unknown>,
  deadline: number | undefined,
): Promise<boolean> {
  if (deadline === undefined) {
    await work;
    return true;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work.then(() => true as const), expired]);
  } finally {
    clearTimeout(timer);
    work.catch(() => {});
  }
}
