/** Runs a task once outside runCases, returning its planned changes and apply() results. */
import { LocalHost } from "../../lib/apply/host.ts";
import type { Host } from "../../lib/apply/host.ts";
import type { Change, TaskContext, TaskModule, TaskResult } from "../../lib/apply/task.ts";

/** A context whose config dir is `configDir` and that renders nothing. */
export function plainCtx(configDir = "/nonexistent"): TaskContext {
  return { configDir, renderTemplate: () => Promise.reject(new Error("no templates here")) };
}

/** read → plan → apply every change; also the task's `result()` fields. */
export async function runTask(
  // deno-lint-ignore no-explicit-any
  task: TaskModule<any, any, any>,
  raw: Record<string, unknown>,
  options: { host?: Host; ctx?: TaskContext } = {},
): Promise<{ changes: Change<unknown>[]; results: TaskResult[]; fields: TaskResult }> {
  const host = options.host ?? new LocalHost();
  const ctx = options.ctx ?? plainCtx();
  const params = task.schema.parse(raw);
  const current = await task.read(params, host, ctx);
  const changes = task.plan(params, current);
  const results: TaskResult[] = [];
  for (const c of changes) results.push((await task.apply(c.op, host, ctx)) ?? {});
  return { changes, results, fields: task.result?.(params, current) ?? {} };
}
