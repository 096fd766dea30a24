/**
 * Planning and applying a config from a script, exactly as `driftless apply` does: the same
 * preflight, the same dry-run overlay, the same lock and audit log. A CI job can plan a change
 * and post the diffs on a pull request; a provisioning script can converge a chroot.
 *
 * @example Plan a change and read its diff
 * ```ts
 * import { plan } from "@driftless/cli/apply";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/config`);
 * await Deno.writeTextFile(
 *   `${dir}/config/apply.yml`,
 *   `tasks:\n  - { type: copy, dest: ${dir}/motd, content: "welcome\\n" }\n`,
 * );
 * const result = await plan(`${dir}/config`, { audit: false });
 * console.assert(result.stats.changed === 1);
 * console.assert(result.tasks[0]!.changes[0]!.diff!.includes("+welcome"));
 * ```
 *
 * @module
 */
import { lazy } from "../lib/lazy.ts";
import type { AuditEntry } from "../lib/apply/audit.ts";
import type { Host } from "../lib/apply/host.ts";
import type { RunStats, RunSummary, TaskRecord, TaskStatus } from "../lib/apply/runner.ts";
import { expandHome, stateDir } from "../lib/config/paths.ts";
import { UsageError } from "../lib/errors.ts";
import { applyOptions, type ConfigInput, resolveConfig } from "./_load.ts";

export type {
  Account,
  Content,
  ContentStream,
  FileStat,
  Host,
  RunOptions,
  RunResult as CommandResult,
  WriteOptions,
} from "../lib/apply/host.ts";
export type { RunStats, TaskStatus };

/** One change of a task, as reported. */
export interface ChangeResult {
  /** What changes, e.g. `chmod 0644 -> 0600 /etc/shadow`. */
  readonly summary: string;
  /** The unified diff of a file's content, each secret in it redacted. */
  readonly diff?: string;
}

/** A task's outcome: the entries of `apply --json` and the lines of `apply --json-lines`. */
export interface TaskResult {
  /** The task's label. */
  readonly name: string;
  /** The task type, e.g. `copy`. */
  readonly type: string;
  /** `ok`, `changed` (or would change, in a plan), `failed` or `skipped`. */
  readonly status: TaskStatus;
  /** The loop item's label, for the items of a loop. */
  readonly item?: string;
  /** Failed, but `ignore_errors` let the run go on. */
  readonly ignored?: true;
  /** A handler, run because a task notified it. */
  readonly handler?: true;
  /** `no_log`: params, output, changes and diffs are withheld. */
  readonly hidden?: true;
  /** `check_mode: false`: it ran for real in a plan. */
  readonly ran_for_real?: true;
  /** What the task changed (or would change). */
  readonly changes: readonly ChangeResult[];
  /** Commands a dry run did not run. */
  readonly would_run: readonly string[];
  /** debug output, a failure's reason, or why the task was skipped. */
  readonly message?: string;
  /** What `register:` stored, under its name. */
  readonly registered?: { readonly name: string; readonly value: unknown };
  /** The items of a loop. */
  readonly items?: readonly TaskResult[];
  /** How long the task took, in milliseconds. */
  readonly duration_ms: number;
  /** Where the task is written. */
  readonly origin?: { readonly file: string; readonly line?: number; readonly column?: number };
}

/** A run's outcome: the document `apply --json` prints. */
export interface ApplyResult {
  /** A new UUID for every run (as in the audit log). */
  readonly run_id: string;
  /** The host's name. */
  readonly host: string;
  /** True for a plan. */
  readonly dry_run: boolean;
  /** A task failed and was neither ignored nor rescued. */
  readonly failed: boolean;
  /** Counts as in Ansible's recap. */
  readonly stats: Readonly<RunStats>;
  /** Every task's result, in the order they ran. */
  readonly tasks: readonly TaskResult[];
  /** Why the audit log (or one of its sinks) could not be written, if it could not. */
  readonly audit_error?: string;
}

/** Options of {@linkcode plan} and {@linkcode apply}. */
export interface PlanOptions {
  /** The host to read and change (default: this machine, or the `root` tree). */
  readonly host?: Host;
  /** Manage a directory tree (a chroot, an image) instead of this host. */
  readonly root?: string;
  /** Only tasks with one of these tags (and `always`). */
  readonly tags?: readonly string[];
  /** Skip tasks with these tags. */
  readonly skipTags?: readonly string[];
  /** Host facts for `ansible_facts` (default: gathered from the host). */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** Each task's result as soon as it is done (results are redacted). */
  readonly onRecord?: (task: TaskResult) => void | Promise<void>;
  /** Write the audit log (`agent.audit`, default on, as the CLI does). */
  readonly audit?: boolean;
  /**
   * Warnings while the run goes on: an audit sink down, a problem in a file that is only
   * included under a condition.
   */
  readonly onWarning?: (message: string) => void;
}

/** Options of {@linkcode apply}. */
export interface ApplyOptions extends PlanOptions {
  /** Wait while another apply holds the lock (default true); false throws {@linkcode BusyError}. */
  readonly wait?: boolean;
  /** Called once when the run starts waiting for the lock. */
  readonly onWait?: () => void;
}

/** Another apply holds the lock and `wait: false` was asked. */
export class BusyError extends Error {
  /** Creates the error. */
  constructor() {
    super("another apply is running");
    this.name = "BusyError";
  }
}

/**
 * Plans a config against the host without changing it (a dry run through an in-memory overlay:
 * a later task sees what an earlier one would have made). Throws ConfigError, with every
 * problem as data, for an invalid config; never prints, never exits.
 */
export async function plan(config: ConfigInput, options: PlanOptions = {}): Promise<ApplyResult> {
  return await run(config, { ...options, dryRun: true });
}

/**
 * Converges the host to a config, one apply at a time (the same lock as the CLI), and writes
 * the audit log. A task failure is in the result (`failed`); a config error throws ConfigError
 * before anything changes.
 *
 * @example Converge a directory tree
 * ```ts
 * import { apply } from "@driftless/cli/apply";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/config`);
 * await Deno.writeTextFile(
 *   `${dir}/config/apply.yml`,
 *   `tasks:\n  - { type: directory, path: ${dir}/srv/app, mode: "0750" }\n`,
 * );
 * const result = await apply(`${dir}/config`, { audit: false });
 * console.assert(!result.failed && result.stats.changed === 1);
 * console.assert((await Deno.stat(`${dir}/srv/app`)).isDirectory);
 * ```
 */
export async function apply(config: ConfigInput, options: ApplyOptions = {}): Promise<ApplyResult> {
  return await run(config, { ...options, dryRun: false });
}

/** What the CLI adds: whether to change, and the raw records for its printer. */
export interface RunOptionsInternal extends ApplyOptions {
  /** Plan only (a dry run). */
  readonly dryRun: boolean;
}

/** Runs an apply config (the CLI's `apply` and the library's plan/apply). */
export async function run(input: ConfigInput, o: RunOptionsInternal): Promise<ApplyResult> {
  const [{ redactor }, config] = await Promise.all([
    lazy<typeof import("../lib/secrets.ts")>("../lib/secrets.ts", import.meta.url),
    resolveConfig(input),
  ]);
  if (!config.apply) {
    throw new UsageError(
      `no apply config in ${config.dir} (expected apply.yml or an apply/ folder)`,
    );
  }
  const [{ LocalHost }, { runApply }, { gatherFacts }, { acquireLock }] = await Promise.all([
    lazy<typeof import("../lib/apply/host.ts")>("../lib/apply/host.ts", import.meta.url),
    lazy<typeof import("../lib/apply/runner.ts")>("../lib/apply/runner.ts", import.meta.url),
    lazy<typeof import("../lib/facts/host_facts.ts")>(
      "../lib/facts/host_facts.ts",
      import.meta.url,
    ),
    lazy<typeof import("../lib/apply/lock.ts")>("../lib/apply/lock.ts", import.meta.url),
  ]);
  // Under a root the facts are the root's: its os-release, passwd, package manager.
  const facts = o.facts ?? await gatherFacts(o.root ? { root: o.root } : {});
  const lock = o.dryRun ? undefined : await acquireLock(`${stateDir()}/apply.lock`, {
    wait: o.wait ?? true,
    ...(o.onWait ? { onWait: o.onWait } : {}),
  });
  if (!o.dryRun && !lock) throw new BusyError();

  const runId = crypto.randomUUID();
  const hostname = String(facts.fqdn ?? facts.hostname ?? "localhost");
  const audit = o.audit === false ? undefined : await openAudit(config, hostname, o.onWarning);
  const tasks: TaskResult[] = [];
  let summary: RunSummary;
  let auditError: string | undefined;
  try {
    summary = await runApply(config.apply, {
      ...(await applyOptions(config, o.onWarning ? { onWarning: o.onWarning } : {})),
      host: o.host ?? new LocalHost(o.root ? { root: o.root } : {}),
      // delegate_to: localhost is this machine, outside the root, as Ansible's chroot connection.
      ...(o.root ? { localHost: new LocalHost() } : {}),
      facts,
      dryRun: o.dryRun,
      tags: o.tags ?? [],
      skipTags: o.skipTags ?? [],
      onRecord: async (record) => {
        const task = redactor.redactValue(await taskResult(record));
        tasks.push(task);
        await o.onRecord?.(task);
        await audit?.add(await auditEntry(record, { runId, hostname, dryRun: o.dryRun }));
      },
    });
  } finally {
    lock?.release();
    await audit?.close().catch((e) => (auditError = redactor.redact(String(e.message ?? e))));
  }
  return {
    run_id: runId,
    host: hostname,
    dry_run: summary.dryRun,
    failed: summary.failed,
    stats: summary.stats,
    tasks,
    ...(auditError !== undefined ? { audit_error: auditError } : {}),
  };
}

/** The audit log of a config: the local dir and `agent.audit.sinks`. */
async function openAudit(
  config: Awaited<ReturnType<typeof resolveConfig>>,
  hostname: string,
  onWarning: ((message: string) => void) | undefined,
) {
  const [{ AuditDirSink, AuditLog }, sinks] = await Promise.all([
    lazy<typeof import("../lib/apply/audit.ts")>("../lib/apply/audit.ts", import.meta.url),
    config.agent?.audit?.sinks?.length
      ? lazy<typeof import("../lib/sinks/create.ts")>("../lib/sinks/create.ts", import.meta.url)
        .then((m) =>
          m.createSinks(config.agent!.audit!.sinks!, {
            host: hostname,
            defaults: { maxAttempts: 5 },
            log: (level, m) => level === "warn" && onWarning?.(m),
          })
        )
      : [],
  ]);
  const dir = expandHome(config.agent?.audit?.dir ?? `${stateDir()}/audit`);
  return new AuditLog([new AuditDirSink(dir), ...sinks]);
}

/** A runner record as a result: diffs as unified text. */
async function taskResult(r: TaskRecord): Promise<TaskResult> {
  const { unifiedDiff } = await lazy<typeof import("../lib/apply/diff.ts")>(
    "../lib/apply/diff.ts",
    import.meta.url,
  );
  return {
    name: r.name,
    type: r.type,
    status: r.status,
    ...(r.item !== undefined ? { item: r.item } : {}),
    ...(r.ignored ? { ignored: true } : {}),
    ...(r.handler ? { handler: true } : {}),
    ...(r.hidden ? { hidden: true } : {}),
    ...(r.ranForReal ? { ran_for_real: true } : {}),
    changes: r.hidden ? [] : await Promise.all(r.changes.map(async (c) => ({
      summary: c.summary,
      ...(c.diff ? { diff: await unifiedDiff(c.diff) } : {}),
    }))),
    would_run: r.hidden ? [] : r.wouldRun,
    ...(r.message !== undefined && !r.hidden ? { message: r.message } : {}),
    ...(r.registered && !r.hidden ? { registered: r.registered } : {}),
    ...(r.items ? { items: await Promise.all(r.items.map(taskResult)) } : {}),
    duration_ms: r.durationMs,
    ...(r.origin
      ? {
        origin: {
          file: r.origin.file,
          ...(r.origin.line !== undefined ? { line: r.origin.line } : {}),
          ...(r.origin.column !== undefined ? { column: r.origin.column } : {}),
        },
      }
      : {}),
  };
}

async function auditEntry(
  record: TaskRecord,
  run: { runId: string; hostname: string; dryRun: boolean },
): Promise<AuditEntry> {
  const { unifiedDiff } = await lazy<typeof import("../lib/apply/diff.ts")>(
    "../lib/apply/diff.ts",
    import.meta.url,
  );
  const changes = record.items ? record.items.flatMap((i) => i.changes) : record.changes;
  const diffs = record.hidden ? [] : await Promise.all(
    changes.filter((c) => c.diff).map((c) => unifiedDiff(c.diff!)),
  );
  return {
    time: new Date().toISOString(),
    host: run.hostname,
    run_id: run.runId,
    dry_run: run.dryRun,
    task: record.name,
    type: record.type,
    ...(record.item !== undefined ? { item: record.item } : {}),
    status: record.status,
    changed: record.status === "changed",
    summaries: record.hidden ? [] : changes.map((c) => c.summary),
    ...(diffs.length > 0 ? { diff: diffs } : {}),
    duration_ms: record.durationMs,
    ...(record.status === "failed"
      ? { error: record.hidden ? "hidden (no_log)" : record.message ?? "failed" }
      : {}),
  };
}
