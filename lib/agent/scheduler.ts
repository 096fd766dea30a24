/**
 * One scheduler for the agent's jobs (DESIGN §6). A job never overlaps itself: a slot that comes
 * due while it runs is coalesced into the running one and counted, and triggers (a signal, a
 * new revision, `POST /run`) that arrive meanwhile queue exactly one more run. Every run has a
 * timeout; a failing job backs off exponentially (capped) and returns to its slots once it
 * succeeds.
 *
 * @module
 */
import { backoffDelay, nextSlot } from "./schedule.ts";

/** What a run of a job reports; throwing counts as a failure. */
export type JobResult = "success" | "failure" | "skipped";

/** How a run ended, as counted in `driftless_job_runs_total{job,result}`. */
export type RunResult = JobResult | "timeout";

/** A job's definition. */
export interface JobSpec {
  readonly name: string;
  /** Time between slots; 0 runs the job only when triggered. */
  readonly intervalMs: number;
  /** The host's offset into each interval (see `splayOffset`). */
  readonly offsetMs: number;
  /** Run as soon as the scheduler starts. */
  readonly runOnStart: boolean;
  /** Longest one run may take; it is then aborted and counted as a timeout. */
  readonly timeoutMs: number;
  /** Longest wait between retries after failures (default 10 minutes, never below the interval). */
  readonly backoffMaxMs?: number;
  /** Does the work; must stop soon after `signal` aborts. */
  run(signal: AbortSignal): Promise<JobResult | void>;
}

/** One finished run. */
export interface RunRecord {
  readonly start: number;
  readonly end: number;
  readonly result: RunResult;
  /** Why it was started: `schedule`, `start`, or the trigger's reason. */
  readonly reason: string;
  readonly error?: string;
}

/** A job's state, for /status and the self-metrics. */
export interface JobState {
  readonly name: string;
  readonly running: boolean;
  /** Runs by result since start. */
  readonly runs: Readonly<Record<RunResult, number>>;
  /** Slots that came due while a run was going (merged into it). */
  readonly coalesced: number;
  /** Failures (and timeouts) in a row. */
  readonly failures: number;
  /** When the next run is due (epoch ms), or undefined when none is planned. */
  readonly next?: number;
  /** The newest runs, newest last. */
  readonly last: readonly RunRecord[];
}

/** How many finished runs a job keeps for /status. */
const HISTORY = 10;

class Job {
  spec: JobSpec;
  readonly runs: Record<RunResult, number> = { success: 0, failure: 0, skipped: 0, timeout: 0 };
  readonly last: RunRecord[] = [];
  coalesced = 0;
  failures = 0;
  next: number | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The run in progress (it may outlive its timeout until the work really stops). */
  inflight: Promise<void> | undefined;
  /** A trigger came while running: run again once done. */
  pending: string | undefined;
  /** Aborts the run in progress. */
  controller: AbortController | undefined;

  constructor(spec: JobSpec) {
    this.spec = spec;
  }

  state(): JobState {
    return {
      name: this.spec.name,
      running: this.inflight !== undefined,
      runs: { ...this.runs },
      coalesced: this.coalesced,
      failures: this.failures,
      ...(this.next !== undefined ? { next: this.next } : {}),
      last: [...this.last],
    };
  }
}

/** Options of {@linkcode Scheduler}. */
export interface SchedulerOptions {
  /** Called after every run. */
  readonly onRun?: (job: string, record: RunRecord) => void;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/** Runs jobs on their slots until stopped. */
export class Scheduler {
  readonly #jobs = new Map<string, Job>();
  readonly #o: SchedulerOptions;
  #started = false;
  #stopped = false;

  constructor(options: SchedulerOptions = {}) {
    this.#o = options;
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  /**
   * Adds a job, or replaces the definition of one with the same name (on reload): its counters
   * and any run in progress carry over, and the new definition applies from its next run.
   */
  add(spec: JobSpec): void {
    let job = this.#jobs.get(spec.name);
    if (job) job.spec = spec;
    else this.#jobs.set(spec.name, job = new Job(spec));
    if (!this.#started) return;
    if (job.inflight) this.#armSlot(job);
    else this.#plan(job);
  }

  /** Removes a job; a run in progress finishes on its own. */
  remove(name: string): void {
    const job = this.#jobs.get(name);
    if (!job) return;
    clearTimeout(job.timer);
    this.#jobs.delete(name);
  }

  /** Starts every job's schedule. */
  start(): void {
    this.#started = true;
    for (const job of this.#jobs.values()) {
      if (job.inflight) continue;
      if (job.spec.runOnStart) this.#launch(job, "start");
      else this.#plan(job);
    }
  }

  /**
   * Runs a job now, or once more right after the run in progress (triggers coalesce into one).
   * Returns false for an unknown job or a stopped scheduler.
   */
  trigger(name: string, reason: string): boolean {
    const job = this.#jobs.get(name);
    if (!job || this.#stopped) return false;
    if (job.inflight) job.pending = reason;
    else this.#launch(job, reason);
    return true;
  }

  /** The state of every job. */
  states(): JobState[] {
    return [...this.#jobs.values()].map((j) => j.state());
  }

  /** The state of one job. */
  state(name: string): JobState | undefined {
    return this.#jobs.get(name)?.state();
  }

  /** Stops planning runs; resolves when the runs in progress have finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const job of this.#jobs.values()) {
      clearTimeout(job.timer);
      job.next = undefined;
      job.pending = undefined;
    }
    await this.idle();
  }

  /** Aborts every run in progress (they end as they honour their signal). */
  abort(reason = "stopping"): void {
    for (const job of this.#jobs.values()) job.controller?.abort(new Error(reason));
  }

  /** Resolves when no job is running. */
  async idle(): Promise<void> {
    while (true) {
      const running = [...this.#jobs.values()].flatMap((j) => j.inflight ? [j.inflight] : []);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /** Arms the job's timer: the backoff after failures, else its next slot. */
  #plan(job: Job): void {
    const { intervalMs, backoffMaxMs } = job.spec;
    if (job.failures > 0) {
      const base = intervalMs > 0 ? intervalMs : 1000;
      this.#arm(job, this.#now() + backoffDelay(job.failures, base, backoffMaxMs ?? 600_000));
    } else this.#armSlot(job);
  }

  #armSlot(job: Job): void {
    const { intervalMs, offsetMs } = job.spec;
    if (intervalMs > 0) this.#arm(job, nextSlot(this.#now(), intervalMs, offsetMs));
    else this.#arm(job, undefined);
  }

  #arm(job: Job, at: number | undefined): void {
    clearTimeout(job.timer);
    job.next = undefined;
    if (at === undefined || this.#stopped || this.#jobs.get(job.spec.name) !== job) return;
    job.next = at;
    job.timer = setTimeout(() => this.#due(job), Math.max(0, at - this.#now()));
  }

  #due(job: Job): void {
    if (job.inflight) {
      // The slot is served by the run in progress; keep counting the slots it spans.
      job.coalesced++;
      this.#armSlot(job);
      return;
    }
    this.#launch(job, "schedule");
  }

  #launch(job: Job, reason: string): void {
    const start = this.#now();
    const controller = new AbortController();
    job.controller = controller;
    // Slots that pass during the run are counted as coalesced (see #due).
    this.#armSlot(job);
    const work = (async () => await job.spec.run(controller.signal))();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => {
        controller.abort(
          new DOMException(`timed out after ${job.spec.timeoutMs} ms`, "TimeoutError"),
        );
        resolve("timeout");
      }, job.spec.timeoutMs);
    });
    let reported = false;
    const report = (result: RunResult, error?: string) => {
      if (reported) return;
      reported = true;
      clearTimeout(timer);
      job.runs[result]++;
      job.failures = result === "failure" || result === "timeout" ? job.failures + 1 : 0;
      const record: RunRecord = {
        start,
        end: this.#now(),
        result,
        reason,
        ...(error ? { error } : {}),
      };
      job.last.push(record);
      if (job.last.length > HISTORY) job.last.shift();
      this.#o.onRun?.(job.spec.name, record);
    };
    job.inflight = (async () => {
      const outcome = await Promise.race([
        work.then(
          (r) => r ?? "success",
          (e) => ({ error: e instanceof Error ? e.message : String(e) }),
        ),
        timedOut,
      ]);
      if (outcome === "timeout") {
        report("timeout", `timed out after ${job.spec.timeoutMs} ms`);
        // A job that ignores its signal still must not overlap itself.
        await work.catch(() => {});
      } else if (typeof outcome === "object") report("failure", outcome.error);
      else report(outcome);
    })().finally(() => {
      clearTimeout(timer);
      job.inflight = undefined;
      job.controller = undefined;
      const pending = job.pending;
      job.pending = undefined;
      if (this.#stopped || this.#jobs.get(job.spec.name) !== job) return;
      if (pending !== undefined) this.#launch(job, pending);
      else this.#plan(job);
    });
  }
}
