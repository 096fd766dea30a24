/**
 * `driftless apply`: converge the host to the apply config, or show what would change.
 *
 * @module
 */
import { AuditDirSink, type AuditEntry, AuditLog } from "../lib/apply/audit.ts";
import { unifiedDiff } from "../lib/apply/diff.ts";
import { LocalHost } from "../lib/apply/host.ts";
import { acquireLock } from "../lib/apply/lock.ts";
import { runApply, type RunSummary, type TaskRecord } from "../lib/apply/runner.ts";
import { expandHome, stateDir } from "../lib/config/paths.ts";
import { ExitCode, UsageError } from "../lib/errors.ts";
import { gatherFacts } from "../lib/facts/host_facts.ts";
import { applyOptions, type GlobalOptions, loadFromOptions } from "./_context.ts";
import { info, print, style, warn } from "./_render.ts";

/** Options of `apply`. */
export interface ApplyOptions {
  readonly dryRun: boolean;
  readonly diff: boolean;
  readonly tags: readonly string[];
  readonly skipTags: readonly string[];
  readonly json: boolean;
  /** Print one JSON line per task as it finishes, then a summary line (the agent reads these). */
  readonly jsonLines?: boolean;
  readonly detailedExitcode: boolean;
  readonly wait: boolean;
  /** Manage a directory tree (a chroot, an image) instead of this host. */
  readonly root?: string;
}

/** Runs `apply` and returns the exit code (DESIGN §1). */
export async function apply(g: GlobalOptions, o: ApplyOptions): Promise<number> {
  const config = await loadFromOptions(g);
  if (!config.apply) {
    throw new UsageError(`no apply config in ${g.config} (expected apply.yml or an apply/ folder)`);
  }
  // Under --root the facts are the root's: its os-release, passwd, package manager.
  const facts = await gatherFacts(o.root ? { root: o.root } : {});
  const auditDir = expandHome(
    config.agent?.audit?.dir ?? `${stateDir()}/audit`,
  );

  const lock = o.dryRun ? undefined : await acquireLock(`${stateDir()}/apply.lock`, {
    wait: o.wait,
    onWait: () => info("another apply is running; waiting for it to finish..."),
  });
  if (!o.dryRun && !lock) {
    if (o.jsonLines) print(JSON.stringify({ kind: "locked" }));
    warn("another apply is running (--no-wait given); not starting");
    return ExitCode.failed;
  }

  const runId = crypto.randomUUID();
  const hostname = String(facts.fqdn ?? facts.hostname ?? "localhost");
  const auditSinks = config.agent?.audit?.sinks ?? [];
  const audit = new AuditLog([
    new AuditDirSink(auditDir),
    ...(auditSinks.length === 0 ? [] : await (await import("../lib/sinks/create.ts")).createSinks(
      auditSinks,
      {
        host: hostname,
        defaults: { maxAttempts: 5 },
        log: (l, m) => (l === "warn" ? warn(m) : info(m)),
      },
    )),
  ]);
  const showDiff = o.diff || o.dryRun;
  const quiet = o.json || o.jsonLines;
  if (!quiet && o.dryRun) print(style.bold("DRY RUN: nothing will be changed"));

  let summary: RunSummary;
  try {
    summary = await runApply(config.apply, {
      ...(await applyOptions(config)),
      host: new LocalHost(o.root ? { root: o.root } : {}),
      // delegate_to: localhost is this machine, outside the root, as Ansible's chroot connection.
      ...(o.root ? { localHost: new LocalHost() } : {}),
      facts,
      dryRun: o.dryRun,
      tags: o.tags,
      skipTags: o.skipTags,
      onRecord: async (record) => {
        if (o.jsonLines) print(JSON.stringify({ kind: "task", ...(await jsonTask(record)) }));
        else if (!o.json) {
          for (const line of await formatRecord(record, showDiff)) print(line);
        }
        await audit.add(await auditEntry(record, { runId, hostname, dryRun: o.dryRun }));
      },
    });
  } finally {
    lock?.release();
    await audit.close().catch((e) => {
      // A restricted dry run (no --allow-write) cannot keep an audit log; say so, go on.
      if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
        info(`audit log not written: ${(e as Error).message}`);
      } else warn(`audit log not written: ${(e as Error).message}`);
    });
  }

  if (o.jsonLines) {
    print(JSON.stringify({
      kind: "summary",
      run_id: runId,
      host: hostname,
      dry_run: summary.dryRun,
      failed: summary.failed,
      stats: summary.stats,
    }));
  } else if (o.json) {
    print(JSON.stringify(await jsonReport(summary, { runId, hostname }), null, 2));
  } else {
    const s = summary.stats;
    const extra = (s.rescued ? ` rescued=${s.rescued}` : "") +
      (s.ignored ? ` ignored=${s.ignored}` : "");
    print(`ok=${s.ok} changed=${s.changed} failed=${s.failed} skipped=${s.skipped}${extra}`);
  }
  if (summary.failed) return ExitCode.failed;
  if (o.detailedExitcode && summary.stats.changed > 0) return 2;
  return ExitCode.ok;
}

const STATUS_STYLE = {
  ok: style.green,
  changed: style.yellow,
  failed: style.red,
  skipped: style.cyan,
} as const;

const HIDDEN = "the output has been hidden due to the 'no_log: true' specified for this result";

/** The lines shown for one task. */
async function formatRecord(record: TaskRecord, showDiff: boolean): Promise<string[]> {
  const status = record.ignored ? "ignored" : record.status;
  const paint = record.ignored ? style.dim : STATUS_STYLE[record.status];
  const label = `${record.handler ? "handler: " : ""}${record.name}`;
  const real = record.ranForReal ? style.dim(" (check_mode: false: ran for real)") : "";
  const head = `${paint(status.padEnd(8))} ${label}${real}`;
  const indent = "           ";
  const lines = [head];
  if (record.status === "failed") {
    // Where the task is written, and why it failed (a command's rc, command and stderr).
    const where = record.origin
      ? `${record.origin.file}${record.origin.line ? `:${record.origin.line}` : ""}`
      : undefined;
    if (where) lines[0] += style.dim(` (${where})`);
    if (record.message && !record.hidden) {
      lines.push(...record.message.split("\n").map((l) => `${indent}${l}`));
    }
  }
  if (record.hidden) {
    if (record.status !== "skipped") lines.push(`${indent}${style.dim(HIDDEN)}`);
    return lines;
  }
  if (record.items) {
    for (const item of record.items) {
      const st = STATUS_STYLE[item.status](item.status);
      const msg = item.status === "failed" && item.message ? `: ${item.message}` : "";
      lines.push(`${indent}[${item.item}] ${st}${msg}`);
      lines.push(...(await details(item, showDiff)).map((l) => `${indent}  ${l}`));
    }
    return lines;
  }
  lines.push(...(await details(record, showDiff)).map((l) => `${indent}${l}`));
  return lines;
}

async function details(record: TaskRecord, showDiff: boolean): Promise<string[]> {
  const out: string[] = [];
  if (record.message && record.status !== "failed" && record.status !== "skipped") {
    out.push(...record.message.split("\n"));
  }
  for (const change of record.changes) {
    out.push(change.summary);
    if (!showDiff || !change.diff) continue;
    for (const line of (await unifiedDiff(change.diff)).split("\n")) out.push(colorDiff(line));
  }
  for (const cmd of record.wouldRun) out.push(style.dim(`would run: ${cmd}`));
  return out;
}

function colorDiff(line: string): string {
  if (line.startsWith("+++") || line.startsWith("---")) return style.bold(line);
  if (line.startsWith("+")) return style.green(line);
  if (line.startsWith("-")) return style.red(line);
  if (line.startsWith("@@")) return style.cyan(line);
  return line;
}

async function auditEntry(
  record: TaskRecord,
  run: { runId: string; hostname: string; dryRun: boolean },
): Promise<AuditEntry> {
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

/** A task's record as JSON: the `--json` report's entries and the `--json-lines` lines. */
async function jsonTask(r: TaskRecord): Promise<Record<string, unknown>> {
  return {
    name: r.name,
    type: r.type,
    status: r.status,
    ...(r.item !== undefined ? { item: r.item } : {}),
    ...(r.ignored ? { ignored: true } : {}),
    ...(r.handler ? { handler: true } : {}),
    ...(r.hidden ? { hidden: true } : {
      changes: await Promise.all(r.changes.map(async (c) => ({
        summary: c.summary,
        ...(c.diff ? { diff: await unifiedDiff(c.diff) } : {}),
      }))),
      would_run: r.wouldRun,
      ...(r.message !== undefined ? { message: r.message } : {}),
    }),
    ...(r.items ? { items: await Promise.all(r.items.map(jsonTask)) } : {}),
    duration_ms: r.durationMs,
    ...(r.origin ? { origin: `${r.origin.file}${r.origin.line ? `:${r.origin.line}` : ""}` } : {}),
  };
}

async function jsonReport(summary: RunSummary, run: { runId: string; hostname: string }) {
  return {
    run_id: run.runId,
    host: run.hostname,
    dry_run: summary.dryRun,
    failed: summary.failed,
    stats: summary.stats,
    tasks: await Promise.all(summary.records.map(jsonTask)),
  };
}
