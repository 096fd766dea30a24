/**
 * One apply run of the agent: `driftless apply --json-lines` in a child process on the current
 * config snapshot (a dry run in `report` mode), with its task records read as they stream in.
 * What changed (or would) is the host's drift: someone or something moved it away from the
 * config since the last run.
 *
 * @module
 */
import { runSelf } from "./child.ts";

/** A task that drifted: it changed in `enforce` mode, or would change in `report` mode. */
export interface DriftedTask {
  readonly task: string;
  /** The config file that defines the task. */
  readonly file: string;
  readonly summaries: readonly string[];
}

/** How an apply run ended. */
export interface ApplyOutcome {
  readonly result: "success" | "failure" | "skipped";
  readonly dryRun: boolean;
  readonly runId?: string;
  readonly stats?: Readonly<Record<string, number>>;
  readonly drifted: readonly DriftedTask[];
  /** Why it failed or was skipped. */
  readonly error?: string;
  readonly durationMs: number;
}

/** Options of {@linkcode runApplyChild}. */
export interface ApplyChildOptions {
  /** The config snapshot to apply. */
  readonly configDir: string;
  /** The env file, when the user named one (then it must exist). */
  readonly envFile?: string;
  readonly mode: "enforce" | "report";
  readonly signal?: AbortSignal;
  /** The child's stderr lines (progress and warnings, already redacted by the child). */
  readonly onLog?: (line: string) => void;
}

/** Runs apply once in a child process. */
export async function runApplyChild(o: ApplyChildOptions): Promise<ApplyOutcome> {
  const started = performance.now();
  const args = [
    "--config",
    o.configDir,
    ...(o.envFile ? ["--env-file", o.envFile] : []),
    "--no-color",
    "apply",
    "--json-lines",
    "--no-wait",
    ...(o.mode === "report" ? ["--dry-run"] : []),
  ];
  const drifted: DriftedTask[] = [];
  let summary: Record<string, unknown> | undefined;
  let locked = false;
  const exit = await runSelf(args, {
    ...(o.signal ? { signal: o.signal } : {}),
    onLine: (line) => {
      const rec = parseLine(line);
      if (rec?.kind === "task") {
        const d = drift(rec);
        if (d) drifted.push(d);
      } else if (rec?.kind === "summary") summary = rec;
      else if (rec?.kind === "locked") locked = true;
    },
    onErrLine: (line) => o.onLog?.(line),
  });
  const durationMs = performance.now() - started;
  const base = { dryRun: o.mode === "report", drifted, durationMs };
  if (locked) {
    return { ...base, result: "skipped", error: "another apply holds the lock" };
  }
  if (exit.aborted) {
    return { ...base, result: "failure", error: `stopped (${o.signal?.reason ?? "aborted"})` };
  }
  if (!summary) {
    const why = exit.code === 2
      ? "the config snapshot did not validate"
      : `apply exited with code ${exit.code}${exit.signal ? ` (${exit.signal})` : ""}`;
    return { ...base, result: "failure", error: why };
  }
  const stats = summary.stats as Record<string, number>;
  return {
    ...base,
    result: summary.failed ? "failure" : "success",
    runId: String(summary.run_id),
    stats,
    ...(summary.failed ? { error: `${stats.failed ?? 0} task(s) failed` } : {}),
  };
}

function parseLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const v = JSON.parse(line);
    return v && typeof v === "object" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A task record's drift: a changed (or would-change) task other than a handler. */
function drift(rec: Record<string, unknown>): DriftedTask | undefined {
  if (rec.status !== "changed" || rec.handler) return undefined;
  const origin = rec.origin as { file?: string } | undefined;
  const changes = [
    ...(Array.isArray(rec.changes) ? rec.changes : []),
    ...(Array.isArray(rec.items) ? rec.items.flatMap((i) => i?.changes ?? []) : []),
  ] as { summary?: string }[];
  return {
    task: String(rec.name),
    file: origin?.file ?? "",
    summaries: changes.map((c) => String(c.summary ?? "")),
  };
}
