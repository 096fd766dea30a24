/**
 * `driftless agent`: one long-running process that serves `/metrics` (facts and the agent's
 * own metrics), ships logs, pushes snapshots, evaluates thresholds, pulls the config repo and
 * runs apply on a schedule (DESIGN §6). Apply and config validation run in child processes
 * (see child.ts), so this process stays small and its event loop never waits on them.
 *
 * @module
 */
import { lazy } from "../lazy.ts";
import { join } from "node:path";
import type { AgentConfig } from "../config/agent_schema.ts";
import type { FactsConfig } from "../config/facts_schema.ts";
import type { LogsConfig } from "../config/logs_schema.ts";
import { formatIssue } from "../errors.ts";
import type { MetricFamily } from "../facts/metric.ts";
import type { ThresholdEvent } from "../facts/thresholds.ts";
import type { LogsPipeline } from "../logs/pipeline.ts";
import type { Redactor } from "../secrets.ts";
import { type ApplyOutcome, runApplyChild } from "./apply_run.ts";
import type { AgentConfigSet } from "./config.ts";
import { EventLog } from "./events.ts";
import { FactsService } from "../facts/service.ts";
import { ConfigSource } from "./reload.ts";
import { agentRoutes } from "./routes.ts";
import { hostSeed, splayOffset } from "./schedule.ts";
import { type JobSpec, type RunRecord, Scheduler } from "./scheduler.ts";
import { agentFamilies } from "./self_metrics.ts";
import { type AgentStatus, jobStatus } from "./status.ts";

/** Log levels the agent reports at. */
export type AgentLogLevel = "error" | "warn" | "info" | "debug";

/** Options of {@linkcode Agent.start}. */
export interface AgentOptions {
  /** The config dir (absolute). */
  readonly configDir: string;
  /** The env file, when the user named one (it must then exist). */
  readonly envFile?: string;
  /** The state dir; the agent keeps snapshots and its keyring in `<stateDir>/agent`. */
  readonly stateDir: string;
  /** The driftless version, for build info. */
  readonly version: string;
  /** Registers secret values so that every output redacts them. */
  readonly redactor: Redactor;
  readonly log: (level: AgentLogLevel, message: string) => void;
  /** Run every job once and let `once()` report; no listener, watcher or schedule. */
  readonly once?: boolean;
}

/** The last apply run, as reported. */
interface ApplyReport {
  durationMs?: number;
  lastSuccess?: number;
  drifted?: ApplyOutcome["drifted"];
  last?: ApplyOutcome;
}

/** The running logs side. */
interface LogsPart {
  readonly key: string;
  readonly pipeline: LogsPipeline;
  readonly running: Promise<void>;
}

/** The apply job's name (as in `driftless_job_*{job="apply"}`). */
const APPLY_JOB = "apply";

/** The agent. */
export class Agent {
  readonly #o: AgentOptions;
  readonly #scheduler: Scheduler;
  #config!: ConfigSource;
  #events!: EventLog;
  #seed = "";
  #facts: { readonly key: string; readonly service: FactsService } | undefined;
  #logs: LogsPart | undefined;
  #apply: ApplyReport = {};
  #thresholds: MetricFamily | undefined;
  #ready = false;
  #stopping: Promise<void> | undefined;
  readonly #done = Promise.withResolvers<void>();

  private constructor(o: AgentOptions) {
    this.#o = o;
    this.#scheduler = new Scheduler({ onRun: (job, r) => this.#onRun(job, r) });
  }

  /**
   * Loads and validates the config (throws ConfigError listing every problem), checks the Git
   * remote, starts the listener, the log pipelines and the schedule.
   */
  static async start(o: AgentOptions): Promise<Agent> {
    const agent = new Agent(o);
    await agent.#start();
    return agent;
  }

  /** Resolves when the agent has stopped. */
  get finished(): Promise<void> {
    return this.#done.promise;
  }

  /** The listener's URL, when facts.serve is set. */
  get url(): string | undefined {
    return this.#facts?.service.url;
  }

  async #start(): Promise<void> {
    const stateDir = join(this.#o.stateDir, "agent");
    await ensurePrivateDir(stateDir);
    this.#seed = hostSeed();
    this.#events = new EventLog({
      host: () => this.#hostname(),
      stateDir: this.#o.stateDir,
      redactor: this.#o.redactor,
      onError: (m) => this.#o.log("warn", m),
    });
    this.#config = new ConfigSource({
      configDir: this.#o.configDir,
      ...(this.#o.envFile ? { envFile: this.#o.envFile } : {}),
      stateDir,
      events: this.#events,
      log: this.#o.log,
      onLoad: (config) => {
        for (const s of config.secrets) this.#o.redactor.add(s);
        for (const w of config.warnings) this.#o.log("warn", w);
      },
      onSwap: (old, next) => this.#configure(old.config, next.config),
    });
    const current = await this.#config.init();
    await this.#configure(undefined, current.config);
    if (!this.#o.once) {
      // A newer revision waiting on the remote is taken before the first run.
      if (this.#config.git) {
        await this.#config.pull(AbortSignal.timeout(current.config.agent.git!.timeout))
          .catch((e) => this.#o.log("warn", `${e.message}; trying again at the next fetch`));
      }
      if (current.config.agent.watch) {
        this.#config.watch(
          current.config.agent.debounce,
          () => void this.reload("config dir changed"),
        );
      }
      this.#scheduler.start();
    }
    this.#ready = true;
    this.#o.log(
      "info",
      `agent started: config ${this.#config.current.revision}${
        this.url ? `, serving ${this.url}` : ""
      }`,
    );
  }

  /** Starts, restarts or stops each part whose config changed. */
  async #configure(old: AgentConfigSet | undefined, next: AgentConfigSet): Promise<void> {
    await this.#events.configure(next.agent);
    await this.#configureFacts(next.facts);
    await this.#configureLogs(next.logs);
    await this.#configureJobs(old?.agent, next);
  }

  async #configureFacts(facts: FactsConfig | undefined): Promise<void> {
    const key = JSON.stringify(facts ?? null);
    if (this.#facts?.key === key) return;
    // The listen address may be the same: free it before binding again.
    const old = this.#facts;
    this.#facts = undefined;
    await old?.service.stop();
    const service = await FactsService.start(facts, {
      version: this.#o.version,
      long: !this.#o.once,
      hostFacts: () => Promise.resolve(this.#config.current.config.hostFacts),
      selfFamilies: () => this.selfFamilies(),
      onSnapshot: (snap) => this.#keepThresholds(snap.families),
      routes: agentRoutes({
        ready: () => this.#ready && !this.#stopping,
        status: () => this.status(),
        httpTrigger: () => this.#config.current.config.agent.apply.http_trigger,
        triggerApply: (reason) => this.triggerApply(reason),
        redact: (text) => this.#o.redactor.redact(text),
      }),
      onThreshold: (e) => this.#onThreshold(e),
      log: (level, m) => this.#o.log(level, m),
    });
    this.#facts = { key, service };
  }

  async #configureLogs(logs: LogsConfig | undefined): Promise<void> {
    const key = JSON.stringify(logs ?? null);
    if (this.#logs?.key === key) return;
    const old = this.#logs;
    this.#logs = undefined;
    if (old) {
      // Stopping delivers what is queued and saves checkpoints: the new pipeline resumes
      // exactly where this one stopped.
      await old.pipeline.stop();
      await old.running;
    }
    if (!logs?.sources?.length) return;
    const { LogsPipeline } = await lazy<typeof import("../logs/pipeline.ts")>(
      "../logs/pipeline.ts",
      import.meta.url,
    );
    const pipeline = await LogsPipeline.create(logs, {
      log: (level, m) => this.#o.log(level, m),
    });
    await pipeline.check();
    const running = this.#o.once ? Promise.resolve() : pipeline.run().catch((e) => {
      this.#o.log("error", `log shipping stopped: ${(e as Error).message}`);
    });
    this.#logs = { key, pipeline, running };
  }

  async #configureJobs(old: AgentConfig | undefined, next: AgentConfigSet): Promise<void> {
    const a = next.agent.apply;
    const jobs: JobSpec[] = [];
    if (next.apply && a.enabled) {
      const splay = Math.min(a.splay ?? Math.round(a.interval / 10), a.interval);
      jobs.push({
        name: APPLY_JOB,
        intervalMs: a.interval,
        offsetMs: await splayOffset(this.#seed, APPLY_JOB, splay),
        // A reload does not start a run of its own; a new Git revision does (see #pull).
        runOnStart: a.run_on_start && old === undefined,
        timeoutMs: a.timeout,
        backoffMaxMs: a.interval,
        run: (signal) => this.#runApply(signal),
      });
    } else this.#scheduler.remove(APPLY_JOB);
    const facts = next.facts;
    if (facts?.thresholds?.length) {
      const interval = facts.interval ?? 60_000;
      jobs.push({
        name: "facts",
        intervalMs: interval,
        offsetMs: await splayOffset(this.#seed, "facts", interval),
        runOnStart: false,
        timeoutMs: Math.max(interval, 10_000),
        backoffMaxMs: 5 * 60_000,
        run: async () => {
          // Between a stop and a start on reload there is no facts side for a moment.
          const facts = this.#facts;
          if (facts) this.#keepThresholds((await facts.service.collect()).families);
        },
      });
    } else this.#scheduler.remove("facts");
    const git = next.agent.git;
    if (git && this.#config.git) {
      jobs.push({
        name: "git",
        intervalMs: git.interval,
        offsetMs: await splayOffset(this.#seed, "git", git.interval),
        runOnStart: false,
        timeoutMs: git.timeout,
        backoffMaxMs: 10 * 60_000,
        run: (signal) => this.#pull(signal),
      });
    } else this.#scheduler.remove("git");
    for (const job of jobs) this.#scheduler.add(job);
  }

  /** One apply run, from the snapshot in use. */
  async #runApply(signal: AbortSignal): Promise<"success" | "failure" | "skipped"> {
    const snapshot = this.#config.retain();
    try {
      const mode = this.#config.current.config.agent.apply.mode;
      const outcome = await runApplyChild({
        configDir: snapshot.dir,
        ...(this.#o.envFile ? { envFile: this.#o.envFile } : {}),
        mode,
        signal,
        onLog: (line) => this.#o.log("debug", `apply: ${line}`),
      });
      this.#apply = {
        ...this.#apply,
        last: outcome,
        durationMs: outcome.durationMs,
        ...(outcome.result === "success" ? { lastSuccess: Date.now() } : {}),
        ...(outcome.stats ? { drifted: outcome.drifted } : {}),
      };
      if (outcome.stats) {
        const verb = mode === "report" ? "drifted (not corrected: report mode)" : "corrected";
        const n = outcome.drifted.length;
        this.#o.log(
          n > 0 ? "warn" : "info",
          `apply ${outcome.result}: ${n} task${n === 1 ? "" : "s"} ${verb}` +
            (outcome.error ? `; ${outcome.error}` : ""),
        );
      } else if (outcome.result !== "success" && !signal.aborted) {
        this.#o.log("warn", `apply ${outcome.result}: ${outcome.error ?? "no result"}`);
      }
      if (outcome.result === "failure" && !outcome.stats) throw new Error(outcome.error);
      return outcome.result;
    } finally {
      this.#config.release(snapshot);
    }
  }

  /** The Git job: fetch, and apply a new revision at once. */
  async #pull(signal: AbortSignal): Promise<void> {
    const rev = await this.#config.pull(signal);
    if (rev && this.#ready) this.triggerApply(`revision ${rev.slice(0, 12)}`);
  }

  /**
   * Reloads the config: from the config dir, or, with `agent.git`, by fetching. An invalid
   * config keeps the one in use and is reported (log, metric, audit event, /status).
   */
  async reload(reason: string): Promise<void> {
    this.#o.log("info", `reloading (${reason})`);
    if (!this.#config.git) return await this.#config.reload();
    this.#config.retryRefused();
    if (this.#scheduler.trigger("git", reason)) return;
    const timeout = this.#config.current.config.agent.git?.timeout ?? 120_000;
    await this.#pull(AbortSignal.timeout(timeout)).catch((e) => this.#o.log("warn", e.message));
  }

  /** Starts an apply run now (or right after the one in progress). */
  triggerApply(reason: string): boolean {
    return this.#scheduler.trigger(APPLY_JOB, reason);
  }

  /** Runs every job once (for `agent --once`); resolves true when all of them succeeded. */
  async once(): Promise<boolean> {
    let ok = true;
    const attempt = async (what: string, work: () => Promise<boolean | void>) => {
      try {
        if ((await work()) === false) ok = false;
      } catch (e) {
        ok = false;
        this.#o.log("error", `${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    const config = () => this.#config.current.config;
    if (this.#config.git) {
      await attempt("git", async () => {
        await this.#config.pull(AbortSignal.timeout(config().agent.git!.timeout));
        return this.#config.lastError === undefined;
      });
    }
    if (this.#facts) {
      await attempt("facts", async () => {
        const snap = await this.#facts!.service.collect();
        this.#keepThresholds(snap.families);
        const { createExporters } = await lazy<typeof import("../facts/exporters.ts")>(
          "../facts/exporters.ts",
          import.meta.url,
        );
        for (const { exporter } of createExporters(config().facts)) {
          try {
            this.#o.log(
              "info",
              `pushed ${await exporter.push({ ...snap, facts: config().hostFacts })}`,
            );
          } finally {
            exporter.close();
          }
        }
      });
    }
    if (this.#logs) {
      const logs = this.#logs;
      await attempt("logs", async () => {
        if (!(await logs.pipeline.once())) throw new Error("not everything was acknowledged");
      });
    }
    if (config().apply && config().agent.apply.enabled) {
      await attempt(
        "apply",
        async () =>
          (await this.#runApply(AbortSignal.timeout(config().agent.apply.timeout))) === "success",
      );
    }
    return ok;
  }

  /**
   * Stops: no new runs, a running apply may finish within `shutdown_timeout` (then it is
   * stopped), log sinks are flushed and checkpoints saved, the listener closes.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const deadline = this.#config.current.config.agent.shutdown_timeout;
      const idle = this.#scheduler.stop();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([idle, new Promise((r) => (timer = setTimeout(r, deadline)))]);
      clearTimeout(timer);
      if (this.#scheduler.states().some((j) => j.running)) {
        this.#o.log("warn", `a run is still going after ${deadline} ms; stopping it`);
        this.#scheduler.abort();
        await idle;
      }
      await this.#config.close();
      if (this.#logs) {
        const clean = await this.#logs.pipeline.stop();
        await this.#logs.running;
        if (!clean) {
          this.#o.log(
            "warn",
            "log outputs did not acknowledge everything; it is read again next time",
          );
        }
      }
      await this.#facts?.service.stop();
      await this.#events.close();
      this.#done.resolve();
    })();
    return this.#stopping;
  }

  /** The agent's own metric families. */
  async selfFamilies(): Promise<MetricFamily[]> {
    const current = this.#config.current;
    const families = agentFamilies({
      jobs: this.#scheduler.states(),
      apply: {
        ...(this.#apply.drifted ? { changedTasks: this.#apply.drifted.length } : {}),
        ...this.#apply,
      },
      reloads: this.#config.reloads,
      revision: current.revision,
      lastReload: current.loadedAt,
    });
    if (this.#logs) {
      const { logsMetrics } = await lazy<typeof import("../logs/metrics.ts")>(
        "../logs/metrics.ts",
        import.meta.url,
      );
      families.push(...logsMetrics(this.#logs.pipeline));
    }
    return families;
  }

  /** What `/status` shows. */
  status(): AgentStatus {
    const { current, lastError, git, gitError, reloads } = this.#config;
    const last = this.#apply.last;
    const iso = (t: number) => new Date(t).toISOString();
    return {
      host: this.#hostname(),
      ready: this.#ready && !this.#stopping,
      config: {
        dir: this.#o.configDir,
        revision: current.revision,
        loaded_at: iso(current.loadedAt),
        reloads,
        ...(lastError
          ? {
            last_error: {
              time: iso(lastError.time),
              message: lastError.message,
              issues: (lastError.issues ?? []).map(formatIssue),
            },
          }
          : {}),
        ...(git
          ? { git: { url: git.config.url, branch: git.branch, error: gitError ?? null } }
          : {}),
      },
      apply: {
        mode: current.config.agent.apply.mode,
        ...(last
          ? {
            last: {
              result: last.result,
              dry_run: last.dryRun,
              ...(last.runId ? { run_id: last.runId } : {}),
              ...(last.stats ? { stats: last.stats } : {}),
              duration_ms: Math.round(last.durationMs),
              ...(last.error ? { error: last.error } : {}),
            },
          }
          : {}),
        ...(this.#apply.lastSuccess ? { last_success: iso(this.#apply.lastSuccess) } : {}),
      },
      drift: { tasks: this.#apply.drifted?.length ?? 0, drifted: this.#apply.drifted ?? [] },
      jobs: Object.fromEntries(this.#scheduler.states().map((j) => [j.name, jobStatus(j)])),
      thresholds: (this.#thresholds?.samples ?? [])
        .filter((s) => s.value === 1)
        .map((s) => ({ ...s.labels })),
      ...(this.#logs
        ? {
          logs: this.#logs.pipeline.sources.map((s) => ({
            source: s.name,
            lines_read: s.stats.linesRead,
            events: s.stats.events,
          })),
        }
        : {}),
    };
  }

  #keepThresholds(families: readonly MetricFamily[]): void {
    const f = families.find((f) => f.name === "driftless_threshold_state");
    if (f) this.#thresholds = f;
  }

  #onThreshold(e: ThresholdEvent): void {
    this.#o.log(e.severity === "ok" ? "info" : "warn", `threshold: ${e.message}`);
    void this.#events.send({ ...e });
  }

  #onRun(job: string, r: RunRecord): void {
    if (r.result === "failure" || r.result === "timeout") {
      this.#o.log("warn", `${job} ${r.result}: ${r.error ?? ""}`);
    } else this.#o.log("debug", `${job} ${r.result} (${r.end - r.start} ms, ${r.reason})`);
  }

  #hostname(): string {
    const facts = this.#config?.current?.config.hostFacts ?? {};
    return String(facts.fqdn ?? facts.hostname ?? "localhost");
  }
}

/** Creates the agent's state dir, private to this user; refuses one others could write. */
async function ensurePrivateDir(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await Deno.lstat(dir);
  const uid = Deno.uid();
  if (!st.isDirectory || (uid !== null && st.uid !== uid) || ((st.mode ?? 0) & 0o022) !== 0) {
    throw new Error(
      `the state dir ${dir} must be a directory owned by this user and writable only by it`,
    );
  }
}
