/**
 * What `GET /status` answers: the config revision and its reloads, the last apply runs and
 * their outcome, the next run of each job, the drift found, threshold states and log sources.
 *
 * @module
 */
import type { DriftedTask } from "./apply_run.ts";
import type { JobState, RunResult } from "./scheduler.ts";

/** One job in `/status`. */
export interface JobStatus {
  readonly running: boolean;
  /** When it runs next (ISO 8601), or null when nothing is planned. */
  readonly next: string | null;
  readonly runs: Readonly<Record<RunResult, number>>;
  readonly coalesced: number;
  readonly consecutive_failures: number;
  readonly last: readonly {
    readonly start: string;
    readonly end: string;
    readonly result: RunResult;
    readonly reason: string;
    readonly error?: string;
  }[];
}

/** The body of `GET /status`. */
export interface AgentStatus {
  readonly host: string;
  readonly ready: boolean;
  readonly config: {
    readonly dir: string;
    /** A Git commit, or `sha256:<digest>` of the config dir. */
    readonly revision: string;
    readonly loaded_at: string;
    readonly reloads: { readonly success: number; readonly failure: number };
    /** Why the last reload was refused (the config in use stayed). */
    readonly last_error?: {
      readonly time: string;
      readonly message: string;
      readonly issues: readonly string[];
    };
    readonly git?: { readonly url: string; readonly branch: string; readonly error: string | null };
  };
  readonly apply: {
    readonly mode: "enforce" | "report";
    readonly last?: {
      readonly result: "success" | "failure" | "skipped";
      readonly dry_run: boolean;
      readonly run_id?: string;
      readonly stats?: Readonly<Record<string, number>>;
      readonly duration_ms: number;
      readonly error?: string;
    };
    readonly last_success?: string;
  };
  readonly drift: { readonly tasks: number; readonly drifted: readonly DriftedTask[] };
  readonly jobs: Readonly<Record<string, JobStatus>>;
  /** Series at warning or critical, and at ok, with their labels. */
  readonly thresholds: readonly Readonly<Record<string, string>>[];
  readonly logs?: readonly {
    readonly source: string;
    readonly lines_read: number;
    readonly events: number;
  }[];
}

/** A job's state as `/status` shows it. */
export function jobStatus(j: JobState): JobStatus {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    running: j.running,
    next: j.next !== undefined ? iso(j.next) : null,
    runs: j.runs,
    coalesced: j.coalesced,
    consecutive_failures: j.failures,
    last: j.last.map((r) => ({
      start: iso(r.start),
      end: iso(r.end),
      result: r.result,
      reason: r.reason,
      ...(r.error ? { error: r.error } : {}),
    })),
  };
}
