/**
 * `driftless apply`: converge the host to the apply config, or show what would change. The run
 * itself is the library's (api/apply.ts); this prints it.
 *
 * @module
 */
import { BusyError, run, type TaskResult } from "../api/apply.ts";
import { ExitCode } from "../lib/errors.ts";
import { type GlobalOptions, loadFromOptions } from "./_context.ts";
import { error, info, print, style, warn } from "./_render.ts";

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
  const showDiff = o.diff || o.dryRun;
  if (!o.json && !o.jsonLines && o.dryRun) print(style.bold("DRY RUN: nothing will be changed"));
  let result;
  try {
    result = await run(config, {
      dryRun: o.dryRun,
      tags: o.tags,
      skipTags: o.skipTags,
      wait: o.wait,
      ...(o.root ? { root: o.root } : {}),
      onWait: () => info("another apply is running; waiting for it to finish..."),
      onWarning: warn,
      onRecord: (task) => {
        if (o.jsonLines) print(JSON.stringify({ kind: "task", ...task }));
        else if (!o.json) { for (const line of formatTask(task, showDiff)) print(line); }
      },
    });
  } catch (e) {
    if (!(e instanceof BusyError)) throw e;
    if (o.jsonLines) print(JSON.stringify({ kind: "locked" }));
    warn("another apply is running (--no-wait given); not starting");
    return ExitCode.failed;
  }
  // A restricted dry run (no --allow-write) cannot keep an audit log: said, not an error. A
  // run that changed the host without its audit trail is a failure (exit 1), after the run.
  const auditLost = result.audit_error !== undefined && !result.dry_run;
  if (result.audit_error !== undefined) {
    (auditLost ? error : info)(`audit log not written: ${result.audit_error}`);
  }
  if (o.jsonLines) {
    const { tasks: _, ...summary } = result;
    print(JSON.stringify({ kind: "summary", ...summary }));
  } else if (o.json) {
    print(JSON.stringify(result, null, 2));
  } else {
    const s = result.stats;
    const extra = (s.rescued ? ` rescued=${s.rescued}` : "") +
      (s.ignored ? ` ignored=${s.ignored}` : "");
    print(`ok=${s.ok} changed=${s.changed} failed=${s.failed} skipped=${s.skipped}${extra}`);
  }
  if (result.failed || auditLost) return ExitCode.failed;
  if (o.detailedExitcode && result.stats.changed > 0) return 2;
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
function formatTask(task: TaskResult, showDiff: boolean): string[] {
  const status = task.ignored ? "ignored" : task.status;
  const paint = task.ignored ? style.dim : STATUS_STYLE[task.status];
  const label = `${task.handler ? "handler: " : ""}${task.name}`;
  const real = task.ran_for_real ? style.dim(" (check_mode: false: ran for real)") : "";
  const head = `${paint(status.padEnd(8))} ${label}${real}`;
  const indent = "           ";
  const lines = [head];
  if (task.status === "failed") {
    // Where the task is written, and why it failed (a command's rc, command and stderr).
    if (task.origin) {
      lines[0] += style.dim(
        ` (${task.origin.file}${task.origin.line ? `:${task.origin.line}` : ""})`,
      );
    }
    if (task.message && !task.hidden) {
      lines.push(...task.message.split("\n").map((l) => `${indent}${l}`));
    }
  }
  if (task.hidden) {
    if (task.status !== "skipped") lines.push(`${indent}${style.dim(HIDDEN)}`);
    return lines;
  }
  if (task.items) {
    for (const item of task.items) {
      const st = STATUS_STYLE[item.status](item.status);
      const msg = item.status === "failed" && item.message ? `: ${item.message}` : "";
      lines.push(`${indent}[${item.item}] ${st}${msg}`);
      lines.push(...details(item, showDiff).map((l) => `${indent}  ${l}`));
    }
    return lines;
  }
  lines.push(...details(task, showDiff).map((l) => `${indent}${l}`));
  return lines;
}

function details(task: TaskResult, showDiff: boolean): string[] {
  const out: string[] = [];
  if (task.message && task.status !== "failed" && task.status !== "skipped") {
    out.push(...task.message.split("\n"));
  }
  for (const change of task.changes) {
    out.push(change.summary);
    if (!showDiff) continue;
    if (change.diff) { for (const line of change.diff.split("\n")) out.push(colorDiff(line)); }
  }
  for (const cmd of task.would_run) out.push(style.dim(`would run: ${cmd}`));
  return out;
}

function colorDiff(line: string): string {
  if (line.startsWith("+++") || line.startsWith("---")) return style.bold(line);
  if (line.startsWith("+")) return style.green(line);
  if (line.startsWith("-")) return style.red(line);
  if (line.startsWith("@@")) return style.cyan(line);
  return line;
}
