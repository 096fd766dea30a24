/**
 * `runCases(t, task, cases)`: the table test every task gets (DESIGN §3). For each case it
 * builds a host rooted in a fresh temp dir, checks the planned summaries, applies the changes,
 * and checks that a second read + plan is empty (the convergence the runner relies on).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Host, LocalHost } from "../../lib/apply/host.ts";
import type { Change, TaskContext, TaskModule } from "../../lib/apply/task.ts";

/** One row of a task's table. */
export interface Case {
  readonly name: string;
  /** Raw params, parsed with the task's schema (so aliases and defaults are exercised). */
  readonly params: Record<string, unknown>;
  /** Prepares the host root (create files, dirs) before the read. */
  readonly setup?: (root: string, host: Host) => Promise<void> | void;
  /** Expected summaries of the planned changes, in order; `[]` means already converged. */
  readonly summaries: readonly (string | RegExp)[];
  /** Checks after apply (file content, modes), with the real path of a host path. */
  readonly check?: (real: (path: string) => string, host: Host) => Promise<void> | void;
  /** Inspect the planned changes (their diffs). */
  readonly changes?: (changes: readonly Change<unknown>[]) => void;
  /** Expect apply (or read) to throw an error matching this. */
  readonly throws?: RegExp;
  /** Skip the "re-plan is empty" check (tasks that act, like command). */
  readonly acts?: boolean;
}

/** Options for {@linkcode runCases}. */
export interface RunCasesOptions {
  /** Context overrides (e.g. `renderTemplate` for the template task). */
  readonly ctx?: (root: string) => Partial<TaskContext>;
  /** Build the host for a root (default: LocalHost rooted there, commands run unchrooted). */
  readonly host?: (root: string) => Host;
}

/** Runs each case as a test step. */
export async function runCases(
  t: Deno.TestContext,
  // deno-lint-ignore no-explicit-any
  task: TaskModule<any, any, any>,
  cases: readonly Case[],
  options: RunCasesOptions = {},
): Promise<void> {
  for (const c of cases) {
    await t.step(c.name, async () => {
      const root = await Deno.makeTempDir({ prefix: `driftless_${task.type}_` });
      try {
        const host = options.host?.(root) ?? new LocalHost({ root, chroot: false });
        const ctx: TaskContext = {
          configDir: join(root, "config"),
          renderTemplate: () => Promise.reject(new Error("no template engine in this test")),
          ...options.ctx?.(root),
        };
        await c.setup?.(root, host);
        const params = task.schema.parse(c.params);
        const attempt = async () => {
          const changes = task.plan(params, await task.read(params, host, ctx));
          const got = changes.map((ch) => ch.summary);
          const label = `planned summaries of "${c.name}": ${JSON.stringify(got)}`;
          assert.equal(got.length, c.summaries.length, label);
          c.summaries.forEach((want, i) =>
            want instanceof RegExp
              ? assert.match(got[i]!, want, label)
              : assert.equal(got[i], want, label)
          );
          c.changes?.(changes);
          for (const change of changes) await task.apply(change.op, host, ctx);
        };
        if (c.throws) {
          await assert.rejects(attempt, c.throws);
          return;
        }
        await attempt();
        if (!c.acts && !task.acts) {
          const again = task.plan(params, await task.read(params, host, ctx)).filter((ch) =>
            !ch.action
          );
          assert.deepEqual(again.map((ch) => ch.summary), [], `"${c.name}" converges after apply`);
        }
        await c.check?.((p) => host.realPath(p), host);
      } finally {
        await Deno.remove(root, { recursive: true }).catch(() => {});
      }
    });
  }
}
