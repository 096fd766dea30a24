/**
 * The agent's own metrics (`driftless_*`): apply runs and their outcome, drift, config reloads
 * and revision, and the scheduler's jobs. The logs pipeline, thresholds and the process
 * metrics come from their own modules.
 *
 * @module
 */
import { family, type MetricFamily, type Sample } from "../facts/metric.ts";
import type { DriftedTask } from "./apply_run.ts";
import type { JobState, RunResult } from "./scheduler.ts";

/** What the self-metrics are made from. */
export interface AgentMetricsState {
  readonly jobs: readonly JobState[];
  readonly apply: {
    /** Tasks changed by the last run (or that would change, in report mode). */
    readonly changedTasks?: number;
    readonly durationMs?: number;
    /** Epoch ms of the last successful run. */
    readonly lastSuccess?: number;
    /** Drifted tasks of the last completed run. */
    readonly drifted?: readonly DriftedTask[];
  };
  readonly reloads: Readonly<Record<"success" | "failure", number>>;
  readonly revision?: string;
  /** Epoch ms of the last successful reload (or start-up load). */
  readonly lastReload?: number;
}

const RESULTS: readonly RunResult[] = ["success", "failure", "timeout", "skipped"];

/** The self-metric families. */
export function agentFamilies(s: AgentMetricsState): MetricFamily[] {
  const apply = s.jobs.find((j) => j.name === "apply");
  const out: MetricFamily[] = [];
  if (apply) {
    out.push(family(
      "driftless_apply_runs_total",
      "Apply runs by result (success, failure, timeout, skipped when another apply held the lock).",
      "counter",
      RESULTS.map((result) => ({ labels: { result }, value: apply.runs[result] })),
    ));
  }
  const gauge = (name: string, help: string, value: number | undefined) => {
    if (value !== undefined) out.push(family(name, help, "gauge", [{ labels: {}, value }]));
  };
  gauge(
    "driftless_apply_changed_tasks",
    "Tasks the last apply run changed (in report mode: would change).",
    s.apply.changedTasks,
  );
  gauge(
    "driftless_apply_duration_seconds",
    "How long the last apply run took.",
    s.apply.durationMs === undefined ? undefined : s.apply.durationMs / 1000,
  );
  gauge(
    "driftless_apply_last_success_timestamp_seconds",
    "When the last successful apply run ended, in seconds since the epoch.",
    s.apply.lastSuccess === undefined ? undefined : s.apply.lastSuccess / 1000,
  );
  if (s.apply.drifted) {
    gauge(
      "driftless_drift_tasks",
      "Tasks found drifted from the config by the last apply run (changed, or would change).",
      s.apply.drifted.length,
    );
    const seen = new Set<string>();
    const samples: Sample[] = [];
    for (const d of s.apply.drifted) {
      const key = `${d.task}\0${d.file}`;
      if (seen.has(key)) continue;
      seen.add(key);
      samples.push({ labels: { task: d.task, file: d.file }, value: 1 });
    }
    out.push(family(
      "driftless_task_drifted",
      "1 for each task the last apply run found drifted, by task label and config file.",
      "gauge",
      samples,
    ));
  }
  out.push(family(
    "driftless_config_reloads_total",
    "Config reloads by result; a failed one keeps the previous config.",
    "counter",
    (["success", "failure"] as const).map((result) => ({
      labels: { result },
      value: s.reloads[result],
    })),
  ));
  gauge(
    "driftless_config_last_reload_success_timestamp_seconds",
    "When the config in use was loaded, in seconds since the epoch.",
    s.lastReload === undefined ? undefined : s.lastReload / 1000,
  );
  if (s.revision) {
    out.push(family(
      "driftless_config_revision_info",
      "The config revision in use (a Git commit, or a digest of the config dir).",
      "gauge",
      [{ labels: { revision: s.revision }, value: 1 }],
    ));
  }
  out.push(family(
    "driftless_job_runs_total",
    "Runs of each scheduled job by result.",
    "counter",
    s.jobs.flatMap((j) =>
      RESULTS.map((result) => ({ labels: { job: j.name, result }, value: j.runs[result] }))
    ),
  ));
  out.push(family(
    "driftless_job_coalesced_total",
    "Slots of each job that came due while it was still running (merged into that run).",
    "counter",
    s.jobs.map((j) => ({ labels: { job: j.name }, value: j.coalesced })),
  ));
  out.push(family(
    "driftless_job_running",
    "1 while the job runs.",
    "gauge",
    s.jobs.map((j) => ({ labels: { job: j.name }, value: j.running ? 1 : 0 })),
  ));
  out.push(family(
    "driftless_job_consecutive_failures",
    "Failures of each job in a row (it backs off while this is above 0).",
    "gauge",
    s.jobs.map((j) => ({ labels: { job: j.name }, value: j.failures })),
  ));
  const next = s.jobs.filter((j) => j.next !== undefined);
  out.push(family(
    "driftless_job_next_run_timestamp_seconds",
    "When each job runs next, in seconds since the epoch.",
    "gauge",
    next.map((j) => ({ labels: { job: j.name }, value: j.next! / 1000 })),
  ));
  return out;
}
