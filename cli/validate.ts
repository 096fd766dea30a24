/**
 * `driftless validate`: load every config file, report all problems at once, change nothing.
 *
 * @module
 */
import type { TaskSpec } from "../lib/config/apply_schema.ts";
import { ExitCode } from "../lib/errors.ts";
import { applyOptions, type GlobalOptions, loadFromOptions } from "./_context.ts";
import { print } from "./_render.ts";

/** Runs `validate`; exit 0 with a summary, or 2 with every problem listed. */
export async function validate(g: GlobalOptions): Promise<number> {
  const config = await loadFromOptions(g);
  if (config.apply) {
    // Exactly the checks apply makes before its first change (runApply runs the same preflight).
    const { assertPreflight } = await import("../lib/apply/preflight.ts");
    await assertPreflight(config.apply, await applyOptions(config));
  }
  const parts: string[] = [];
  if (config.apply) {
    const tasks = countTasks(config.apply.tasks);
    const handlers = countTasks(config.apply.handlers);
    parts.push(`apply (${plural(tasks, "task")}, ${plural(handlers, "handler")})`);
  }
  for (const name of ["facts", "logs", "agent"] as const) if (config[name]) parts.push(name);
  const nVars = Object.keys(config.vars).length;
  if (nVars > 0) parts.push(`vars (${plural(nVars, "var")})`);
  print(
    `ok: ${plural(config.files.length, "file")} valid in ${g.config}: ${
      parts.join(", ") || "nothing configured"
    }`,
  );
  return ExitCode.ok;
}

function countTasks(tasks: readonly TaskSpec[]): number {
  let n = 0;
  for (const t of tasks) {
    n += t.type === "block"
      ? countTasks(t.block ?? []) + countTasks(t.rescue ?? []) + countTasks(t.always ?? [])
      : 1;
  }
  return n;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
