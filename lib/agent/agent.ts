/**
 * `driftless agent`: one long-running process that serves `/metrics` (facts and the agent's
 * own metrics), ships logs, pushes snapshots, evaluates thresholds, pulls the config repo and
 * runs apply on a schedule (DESIGN §6). Apply and config validation run in child processes
 * (see child.ts), so this process stays small and its event loop never waits on them.
 *
 * A config change is validated before it is used: a snapshot of the config dir (or of a Git
 * revision) is checked in a child; only a valid one replaces the running config, and apply
 * always runs from the snapshot in use.
 *
 * @module
 */
import { join } from "node:path";
import type { AgentConfig } from "../config/agent_schema.ts";
import type { FactsConfig } from "../config/facts_schema.ts";
import type { LogsConfig } from "../config/logs_schema.ts";
import { ConfigError, type ConfigIssue, formatIssue } from "../errors.ts";
import type { MetricFamily } from "../facts/metric.ts";
import type { MetricsAgent } from "../facts/metrics_agent.ts";
import type { ThresholdEvent } from "../facts/thresholds.ts";
import type { LogsPipeline } from "../logs/pipeline.ts";
import type { Redactor } from "../secrets.ts";
import type { Sink, SinkEvent } from "../sinks/sink.ts";
import { type ApplyOutcome, runApplyChild } from "./apply_run.ts";
import { type AgentConfigSet, loadAgentConfig } from "./config.ts";
import { GitError, GitSource } from "./git.ts";
import { hostSeed, splayOffset } from "./schedule.ts";
import { type JobSpec, type RunRecord, Scheduler } from "./scheduler.ts";
import { agentFamilies } from "./self_metrics.ts";
import { type AgentStatus, jobStatus } from "./status.ts";
import { copyTree, type Snapshot, SnapshotStore } from "./snapshot.ts";

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

/** The config in use. */
interface Current {
  readonly config: AgentConfigSet;
  readonly snapshot: Snapshot;
  /** A Git commit, or `sha256:<digest>` of the snapshot. */
  readonly revision: string;
  readonly loadedAt: number;
}

/** The last apply run, as reported. */
interface ApplyReport {
  changedTasks?: number;
  durationMs?: number;
  lastSuccess?: number;
  drifted?: ApplyOutcome["drifted"];
  last?: ApplyOutcome;
}

/** The running facts side: collectors, thresholds, listener, exporters. */
interface FactsPart {
  readonly key: string;
  readonly metrics: MetricsAgent;
  readonly stop: AbortController;
  readonly server?: { readonly url: string; readonly finished: Promise<void> };
  readonly exporters?: Promise<void>;
}

/** The running logs side. */
interface LogsPart {
  readonly key: string;
  readonly pipeline: LogsPipeline;
  readonly running: Promise<void>;
}

/** How long after the last change in the config dir a reload starts, by default. */
const APPLY_JOB = "apply";

/** The agent. */
export class Agent {
  readonly #o: AgentOptions;
  readonly #scheduler: Scheduler;
  readonly #snapshots: SnapshotStore;
  readonly #stateDir: string;
  #current!: Current;
  #seed = "";
  #facts: FactsPart | undefined;
  #logs: LogsPart | undefined;
  #audit: { key: string; sinks: Sink[] } | undefined;
  #git: GitSource | undefined;
  #watcher: { close(): void } | undefined;
  #debounce: ReturnType<typeof setTimeout> | undefined;
  #reloading: Promise<void> | undefined;
  #reloadAgain = false;
  #reloads = { success: 0, failure: 0 };
  #lastReloadError: { time: number; message: string; issues?: readonly ConfigIssue[] } | undefined;
  #gitError: string | undefined;
  #apply: ApplyReport = {};
  #thresholds: MetricFamily | undefined;
  #hostFacts: Record<string, unknown> = {};
  #ready = false;
  #stopping: Promise<void> | undefined;
  readonly #done = Promise.withResolvers<void>();

  private constructor(o: AgentOptions) {
    this.#o = o;
    this.#stateDir = join(o.stateDir, "agent");
    this.#snapshots = new SnapshotStore(join(this.#stateDir, "config"));
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
    return this.#facts?.server?.url;
  }

  async #start(): Promise<void> {
    await ensurePrivateDir(this.#stateDir);
    this.#seed = hostSeed();
    const { gatherFacts } = await import("../facts/host_facts.ts");
    this.#hostFacts = await gatherFacts();
    let snapshot = await this.#snapshots.create((dir) => copyTree(this.#o.configDir, dir));
    let load = await this.#validate(snapshot);
    if (!load.ok) {
      await this.#snapshots.prune([]);
      throw new ConfigError(load.issues);
    }
    let revision = `sha256:${snapshot.digest.slice(0, 16)}`;
    if (load.config.agent.git) {
      // With Git, only revisions count (verified, when asked): run HEAD as committed.
      this.#git = await this.#prepareGit(load.config);
      const head = await this.#git.head();
      if (!head) throw new Error(`${this.#o.configDir} has no commit checked out`);
      try {
        await this.#git.verify(head);
      } catch (e) {
        if (!(e instanceof GitError)) throw e;
        throw new ConfigError([{ file: this.#o.configDir, path: "HEAD", message: e.message }]);
      }
      snapshot = await this.#snapshots.create((dir) => this.#git!.export(head, dir));
      load = await this.#validate(snapshot);
      if (!load.ok) throw new ConfigError(load.issues);
      revision = head;
    }
    const current: Current = { config: load.config, snapshot, revision, loadedAt: Date.now() };
    this.#register(current.config);
    this.#current = current;
    await this.#snapshots.prune([snapshot]);
    for (const w of current.config.warnings) this.#o.log("warn", w);
    await this.#configure(undefined, current.config);
    // A newer revision waiting on the remote is taken before the first apply.
    if (this.#git && !this.#o.once) {
      await this.#pull(AbortSignal.timeout(current.config.agent.git!.timeout));
    }
    if (!this.#o.once) {
      this.#watch();
      this.#scheduler.start();
    }
    this.#ready = true;
    this.#o.log(
      "info",
      `agent started: config ${current.revision}${this.url ? `, serving ${this.url}` : ""}`,
    );
  }

  /** Checks the remote named by `agent.git` (exit 2 at start when unreachable). */
  async #prepareGit(config: AgentConfigSet): Promise<GitSource> {
    const git = new GitSource(this.#o.configDir, config.agent.git!, { stateDir: this.#stateDir });
    try {
      await git.prepare(AbortSignal.timeout(config.agent.git!.timeout));
    } catch (e) {
      if (!(e instanceof GitError) && !(e instanceof DOMException)) throw e;
      const at = config.gitUrlAt ?? { file: "agent" };
      throw new ConfigError([{
        ...at,
        path: "git.url",
        message: (e as Error).message,
        hint: "check the URL, the network and the credentials (the agent never prompts)",
      }]);
    }
    return git;
  }

  /** Validates a snapshot in a child process. */
  async #validate(snapshot: Snapshot) {
    return await loadAgentConfig(snapshot.dir, {
      ...(this.#o.envFile ? { envFile: this.#o.envFile } : {}),
      onLog: (line) => this.#o.log("debug", `validate: ${line}`),
    });
  }

  #register(config: AgentConfigSet): void {
    for (const s of config.secrets) this.#o.redactor.add(s);
  }

  /** Starts, restarts or stops each part whose config changed. */
  async #configure(old: AgentConfigSet | undefined, next: AgentConfigSet): Promise<void> {
    await this.#configureAudit(next.agent);
    await this.#configureFacts(next.facts);
    await this.#configureLogs(next.logs);
    await this.#configureJobs(old?.agent, next);
  }

  async #configureAudit(agent: AgentConfig): Promise<void> {
    const key = JSON.stringify(agent.audit?.sinks ?? []);
    if (this.#audit?.key === key) return;
    const old = this.#audit;
    const { AuditDirSink } = await import("../apply/audit.ts");
    const { createSinks } = await import("../sinks/create.ts");
    const { expandHome } = await import("../config/paths.ts");
    const dir = expandHome(agent.audit?.dir ?? join(this.#o.stateDir, "audit"));
    const extra = agent.audit?.sinks?.length
      ? await createSinks(agent.audit.sinks, {
        host: this.#hostname(),
        defaults: { maxAttempts: 5 },
        log: (level, m) => this.#o.log(level === "warn" ? "warn" : "debug", m),
      })
      : [];
    this.#audit = { key, sinks: [new AuditDirSink(dir), ...extra] };
    await Promise.all((old?.sinks ?? []).map((s) => s.close().catch(() => {})));
  }

  async #configureFacts(facts: FactsConfig | undefined): Promise<void> {
    const key = JSON.stringify(facts ?? null);
    if (this.#facts?.key === key) return;
    const old = this.#facts;
    if (old) {
      old.stop.abort();
      await Promise.all([old.server?.finished, old.exporters]);
    }
    const [{ MetricsAgent }, { setReadCache }] = await Promise.all([
      import("../facts/metrics_agent.ts"),
      import("../facts/_read.ts"),
    ]);
    const metrics = new MetricsAgent(facts, {
      version: this.#o.version,
      log: (level, m) => this.#o.log(level, m),
      onEvent: (e) => this.#onThreshold(e),
    });
    const stop = new AbortController();
    let server: FactsPart["server"];
    if (facts?.serve && !this.#o.once) {
      setReadCache(true);
      server = await this.#serve(metrics, facts, stop.signal);
    }
    let exporters: Promise<void> | undefined;
    const { createExporters, runExportLoop } = await import("../facts/exporters.ts");
    const list = createExporters(facts);
    if (list.length > 0 && !this.#o.once) {
      exporters = runExportLoop(list, {
        snapshot: async () => ({ ...(await metrics.collect()), facts: this.#hostFacts }),
        signal: stop.signal,
        onPush: (name, where) => this.#o.log("debug", `pushed ${where} (${name})`),
        onError: (name, m) => this.#o.log("warn", `push to ${name} failed: ${m}`),
      });
    }
    this.#facts = {
      key,
      metrics,
      stop,
      ...(server ? { server } : {}),
      ...(exporters ? { exporters } : {}),
    };
  }

  async #serve(metrics: MetricsAgent, facts: FactsConfig, signal: AbortSignal) {
    const s = facts.serve!;
    const [{ serveMetrics }, { toPrometheusText }] = await Promise.all([
      import("../facts/server.ts"),
      import("../facts/exposition.ts"),
    ]);
    const tls = s.tls
      ? {
        cert: await Deno.readTextFile(s.tls.cert_file),
        key: await Deno.readTextFile(s.tls.key_file),
      }
      : undefined;
    return await serveMetrics({
      listen: s.listen ?? "0.0.0.0:8000",
      path: s.path ?? "/metrics",
      ...(tls ? { tls } : {}),
      ...(s.basic_auth_users ? { basicAuthUsers: s.basic_auth_users } : {}),
      ...(s.max_requests !== undefined ? { maxRequests: s.max_requests } : {}),
      render: async (select) => {
        const snap = await metrics.collect(select);
        this.#keepThresholds(snap.families);
        const filtered = (select.collect?.length ?? 0) > 0;
        return await toPrometheusText(
          filtered ? snap.families : [...snap.families, ...(await this.selfFamilies())],
        );
      },
      routes: (req, url) => this.#route(req, url),
      signal,
      onError: (m) => this.#o.log("warn", m),
    });
  }

  /** The agent's endpoints beside /metrics. */
  #route(req: Request, url: URL): Response | undefined {
    const json = (body: unknown, status = 200) =>
      new Response(this.#o.redactor.redact(JSON.stringify(body, null, 2)) + "\n", {
        status,
        headers: { "content-type": "application/json" },
      });
    switch (url.pathname) {
      case "/healthz":
        return new Response("ok\n");
      case "/readyz":
        return this.#ready && !this.#stopping
          ? new Response("ready\n")
          : new Response("not ready\n", { status: 503 });
      case "/status":
        return json(this.status());
      case "/run": {
        if (!this.#current.config.agent.apply.http_trigger) {
          return new Response("POST /run is off; set agent.apply.http_trigger: true\n", {
            status: 403,
          });
        }
        if (req.method !== "POST") {
          return new Response("Method Not Allowed\n", { status: 405, headers: { allow: "POST" } });
        }
        const ok = this.triggerApply("http");
        return json({ triggered: ok }, ok ? 202 : 409);
      }
    }
    return undefined;
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
    const { LogsPipeline } = await import("../logs/pipeline.ts");
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
      const splay = a.splay ?? Math.round(a.interval / 10);
      jobs.push({
        name: APPLY_JOB,
        intervalMs: a.interval,
        offsetMs: await splayOffset(this.#seed, APPLY_JOB, Math.min(splay, a.interval)),
        // A reload does not start a run of its own unless the revision changed (below).
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
          const snap = await this.#facts!.metrics.collect();
          this.#keepThresholds(snap.families);
        },
      });
    } else this.#scheduler.remove("facts");
    const git = next.agent.git;
    if (git && this.#git) {
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
    const current = this.#current;
    this.#snapshots.retain(current.snapshot);
    try {
      const mode = current.config.agent.apply.mode;
      const outcome = await runApplyChild({
        configDir: current.snapshot.dir,
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
        ...(outcome.stats
          ? { changedTasks: outcome.drifted.length, drifted: outcome.drifted }
          : {}),
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
      this.#snapshots.release(current.snapshot);
    }
  }

  /** Fetches the config repo; a new, verified, valid revision replaces the config in use. */
  async #pull(signal: AbortSignal): Promise<void> {
    const git = this.#git!;
    let rev: string;
    try {
      rev = await git.fetch(signal);
    } catch (e) {
      const message = (e as Error).message;
      if (this.#gitError !== message) {
        this.#gitError = message;
        await this.#event({ event: "git_fetch_failed", error: message });
      }
      throw e;
    }
    if (this.#gitError) {
      this.#gitError = undefined;
      await this.#event({ event: "git_fetch_recovered" });
    }
    if (rev === this.#current.revision) return;
    await this.#reloadExclusive(() => this.#switchTo(rev));
  }

  /** Validates a Git revision and, when valid and verified, makes it the config in use. */
  async #switchTo(rev: string): Promise<void> {
    const git = this.#git!;
    if (rev === this.#current.revision) return;
    let snapshot: Snapshot | undefined;
    try {
      await git.verify(rev);
      snapshot = await this.#snapshots.create((dir) => git.export(rev, dir));
      const load = await this.#validate(snapshot);
      if (!load.ok) {
        await this.#reloadFailed(`revision ${rev.slice(0, 12)} is invalid`, load.issues, rev);
        return;
      }
      await git.checkout(rev);
      await this.#swap({ config: load.config, snapshot, revision: rev, loadedAt: Date.now() });
      snapshot = undefined;
      // Before start-up completes, the first scheduled run takes the new revision anyway.
      if (this.#ready) this.triggerApply(`revision ${rev.slice(0, 12)}`);
    } catch (e) {
      if (!(e instanceof GitError)) throw e;
      await this.#reloadFailed(e.message, undefined, rev);
    } finally {
      if (snapshot) await this.#snapshots.prune([this.#current.snapshot]);
    }
  }

  /**
   * Reloads the config: from the config dir, or, with `agent.git`, by fetching. An invalid
   * config keeps the one in use and is reported (log, metric, audit event, /status).
   */
  reload(reason: string): Promise<void> {
    this.#o.log("info", `reloading (${reason})`);
    if (this.#git) {
      return this.#scheduler.trigger("git", reason) ? Promise.resolve() : this.#pull(
        AbortSignal.timeout(this.#current.config.agent.git?.timeout ?? 120_000),
      ).catch((e) => this.#o.log("warn", (e as Error).message));
    }
    return this.#reloadExclusive(() => this.#reloadDir());
  }

  /** Runs reloads one at a time; a reload asked for during one runs once more after it. */
  async #reloadExclusive(work: () => Promise<void>): Promise<void> {
    if (this.#reloading) {
      this.#reloadAgain = true;
      return await this.#reloading;
    }
    this.#reloading = (async () => {
      do {
        this.#reloadAgain = false;
        await work().catch((e) => this.#reloadFailed((e as Error).message));
      } while (this.#reloadAgain && !this.#stopping);
    })().finally(() => (this.#reloading = undefined));
    return await this.#reloading;
  }

  async #reloadDir(): Promise<void> {
    const snapshot = await this.#snapshots.create((dir) => copyTree(this.#o.configDir, dir));
    if (snapshot.digest === this.#current.snapshot.digest) {
      this.#o.log("debug", "config unchanged");
      await this.#snapshots.prune([this.#current.snapshot]);
      return;
    }
    const load = await this.#validate(snapshot);
    if (!load.ok) {
      await this.#snapshots.prune([this.#current.snapshot]);
      await this.#reloadFailed("the changed config is invalid", load.issues);
      return;
    }
    await this.#swap({
      config: load.config,
      snapshot,
      revision: `sha256:${snapshot.digest.slice(0, 16)}`,
      loadedAt: Date.now(),
    });
  }

  /** Makes a validated config the one in use. */
  async #swap(next: Current): Promise<void> {
    const old = this.#current;
    this.#register(next.config);
    for (const w of next.config.warnings) this.#o.log("warn", w);
    this.#current = next;
    await this.#configure(old.config, next.config);
    this.#reloads.success++;
    this.#lastReloadError = undefined;
    await this.#snapshots.prune([next.snapshot]);
    this.#o.log("info", `config reloaded: ${next.revision}`);
    await this.#event({
      event: "config_reloaded",
      revision: next.revision,
      previous: old.revision,
    });
  }

  async #reloadFailed(message: string, issues?: readonly ConfigIssue[], revision?: string) {
    this.#reloads.failure++;
    this.#lastReloadError = { time: Date.now(), message, ...(issues ? { issues } : {}) };
    this.#o.log("warn", `${message}; keeping ${this.#current.revision}`);
    for (const issue of issues ?? []) this.#o.log("warn", `  ${formatIssue(issue)}`);
    await this.#event({
      event: "config_rejected",
      error: message,
      ...(revision ? { revision } : {}),
      kept: this.#current.revision,
      ...(issues ? { issues: issues.map(formatIssue) } : {}),
    });
  }

  /** Watches the config dir (not with Git: then only verified revisions count). */
  #watch(): void {
    if (this.#git || !this.#current.config.agent.watch) return;
    let watcher: Deno.FsWatcher;
    try {
      watcher = Deno.watchFs(this.#o.configDir, { recursive: true });
    } catch (e) {
      this.#o.log("warn", `not watching ${this.#o.configDir}: ${(e as Error).message}; use SIGHUP`);
      return;
    }
    this.#watcher = watcher;
    (async () => {
      for await (const event of watcher) {
        if (event.paths.every((p) => p.includes("/.git/") || p.endsWith("/.git"))) continue;
        clearTimeout(this.#debounce);
        this.#debounce = setTimeout(
          () => void this.reload("config dir changed"),
          this.#current.config.agent.debounce,
        );
      }
    })().catch((e) => this.#o.log("warn", `watching the config dir stopped: ${e}`));
  }

  /** Starts an apply run now (or right after the one in progress). */
  triggerApply(reason: string): boolean {
    return this.#scheduler.trigger(APPLY_JOB, reason);
  }

  /** Runs every job once (for `agent --once`); resolves true when all of them succeeded. */
  async once(): Promise<boolean> {
    let ok = true;
    const fail = (what: string, e: unknown) => {
      ok = false;
      this.#o.log("error", `${what}: ${e instanceof Error ? e.message : String(e)}`);
    };
    if (this.#git) {
      await this.#pull(AbortSignal.timeout(this.#current.config.agent.git!.timeout)).catch((e) =>
        fail("git", e)
      );
      if (this.#lastReloadError) ok = false;
    }
    if (this.#facts) {
      try {
        const snap = await this.#facts.metrics.collect();
        this.#keepThresholds(snap.families);
        const { createExporters } = await import("../facts/exporters.ts");
        for (const { exporter } of createExporters(this.#current.config.facts)) {
          try {
            this.#o.log(
              "info",
              `pushed ${await exporter.push({ ...snap, facts: this.#hostFacts })}`,
            );
          } finally {
            exporter.close();
          }
        }
      } catch (e) {
        fail("facts", e);
      }
    }
    if (this.#logs && !(await this.#logs.pipeline.once())) {
      fail("logs", new Error("not everything was acknowledged"));
    }
    if (this.#current.config.apply && this.#current.config.agent.apply.enabled) {
      try {
        if (
          (await this.#runApply(AbortSignal.timeout(this.#current.config.agent.apply.timeout))) !==
            "success"
        ) {
          ok = false;
        }
      } catch (e) {
        fail("apply", e);
      }
    }
    return ok;
  }

  /**
   * Stops: no new runs, a running apply may finish within `shutdown_timeout` (then it is
   * stopped), log sinks are flushed and checkpoints saved, the listener closes.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#watcher?.close();
      clearTimeout(this.#debounce);
      const deadline = this.#current.config.agent.shutdown_timeout;
      const idle = this.#scheduler.stop();
      const timer = Promise.withResolvers<void>();
      const t = setTimeout(timer.resolve, deadline);
      await Promise.race([idle, timer.promise]);
      clearTimeout(t);
      if (this.#scheduler.states().some((j) => j.running)) {
        this.#o.log("warn", `a run is still going after ${deadline} ms; stopping it`);
        this.#scheduler.abort();
        await idle;
      }
      await this.#reloading?.catch(() => {});
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
      if (this.#facts) {
        this.#facts.stop.abort();
        await Promise.all([this.#facts.server?.finished, this.#facts.exporters]);
      }
      await Promise.all((this.#audit?.sinks ?? []).map((s) => s.close().catch(() => {})));
      await this.#snapshots.prune([this.#current.snapshot]);
      this.#done.resolve();
    })();
    return this.#stopping;
  }

  /** The agent's own metric families. */
  async selfFamilies(): Promise<MetricFamily[]> {
    const families = agentFamilies({
      jobs: this.#scheduler.states(),
      apply: this.#apply,
      reloads: this.#reloads,
      revision: this.#current.revision,
      lastReload: this.#current.loadedAt,
    });
    if (this.#logs) {
      const { logsMetrics } = await import("../logs/metrics.ts");
      families.push(...(logsMetrics(this.#logs.pipeline) as MetricFamily[]));
    }
    return families;
  }

  /** What `/status` shows. */
  status(): AgentStatus {
    const jobs = Object.fromEntries(this.#scheduler.states().map((j) => [j.name, jobStatus(j)]));
    const last = this.#apply.last;
    return {
      host: this.#hostname(),
      ready: this.#ready && !this.#stopping,
      config: {
        dir: this.#o.configDir,
        revision: this.#current.revision,
        loaded_at: new Date(this.#current.loadedAt).toISOString(),
        reloads: this.#reloads,
        ...(this.#lastReloadError
          ? {
            last_error: {
              time: new Date(this.#lastReloadError.time).toISOString(),
              message: this.#lastReloadError.message,
              issues: (this.#lastReloadError.issues ?? []).map(formatIssue),
            },
          }
          : {}),
        ...(this.#git
          ? {
            git: {
              url: this.#git.config.url,
              branch: this.#git.branch,
              error: this.#gitError ?? null,
            },
          }
          : {}),
      },
      apply: {
        mode: this.#current.config.agent.apply.mode,
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
        ...(this.#apply.lastSuccess
          ? { last_success: new Date(this.#apply.lastSuccess).toISOString() }
          : {}),
      },
      drift: {
        tasks: this.#apply.drifted?.length ?? 0,
        drifted: this.#apply.drifted ?? [],
      },
      jobs,
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
    void this.#event({ ...e });
  }

  #onRun(job: string, r: RunRecord): void {
    if (r.result === "failure" || r.result === "timeout") {
      this.#o.log("warn", `${job} ${r.result}: ${r.error ?? ""}`);
    } else this.#o.log("debug", `${job} ${r.result} (${r.end - r.start} ms, ${r.reason})`);
  }

  /** Sends an agent event to the audit sinks (redacted); a failing sink is logged, not fatal. */
  async #event(e: Record<string, unknown>): Promise<void> {
    const event: SinkEvent = this.#o.redactor.redactValue({
      time: new Date().toISOString(),
      host: this.#hostname(),
      ...e,
    });
    await Promise.all(
      (this.#audit?.sinks ?? []).map((s) =>
        s.send([event]).catch((err) =>
          this.#o.log("warn", `audit event not written to ${s.name}: ${(err as Error).message}`)
        )
      ),
    );
  }

  #hostname(): string {
    return String(this.#hostFacts.fqdn ?? this.#hostFacts.hostname ?? "localhost");
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
