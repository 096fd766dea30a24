/**
 * pam_limits and pamd edit files exactly as community.general's modules do: every case of
 * tests/fixtures/tasks/ansible/file_modules_cases.json ran through real Ansible
 * (scripts/record_file_modules.ts), and the task must leave the same text (pamd's "Updated by"
 * time mark aside), change what the module changed, and converge.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { LocalHost } from "../../lib/apply/host.ts";
import type { TaskContext, TaskModule } from "../../lib/apply/task.ts";
import { pamLimits } from "../../tasks/pam_limits.ts";
import { pamd } from "../../tasks/pamd.ts";

const DIR = fileURLToPath(new URL("../fixtures/tasks/ansible/", import.meta.url));
const cases: {
  name: string;
  module: string;
  before: string | null;
  args: Record<string, unknown>;
}[] = JSON.parse(await Deno.readTextFile(`${DIR}/file_modules_cases.json`));
const expected: Record<
  string,
  { changed?: boolean; after?: string | null; failed?: boolean; msg?: string }
> = JSON.parse(await Deno.readTextFile(`${DIR}/file_modules.json`));

// deno-lint-ignore no-explicit-any
const TASKS: Record<string, TaskModule<any, any, any>> = {
  "community.general.pam_limits": pamLimits,
  "community.general.pamd": pamd,
};
const ctx = {} as TaskContext;
const mark = (t: string | null) => t?.replace(/^# Updated by driftless - .*$/m, "<mark>") ?? null;

Deno.test("pam_limits and pamd edit files as community.general does", async (t) => {
  for (const c of cases) {
    await t.step(c.name, async () => {
      const root = await Deno.makeTempDir({ prefix: "driftless_filemod_" });
      try {
        if (c.before !== null) await Deno.writeTextFile(`${root}/target`, c.before);
        const host = new LocalHost({ root, chroot: false });
        const task = TASKS[c.module]!;
        const raw = JSON.parse(
          JSON.stringify(c.args).replaceAll("{{file}}", "/target").replaceAll("{{dir}}", "/"),
        );
        const want = expected[c.name]!;
        const params = task.schema.parse(raw);
        const attempt = async () => task.plan(params, await task.read(params, host, ctx));
        if (want.failed) {
          const msg = String(want.msg).replace(/'\/tmp\/[^']*\/target'/, "'/target'");
          await assert.rejects(attempt(), (e: Error) => e.message === msg);
          return;
        }
        const changes = await attempt();
        assert.equal(changes.length > 0, want.changed);
        for (const ch of changes) await task.apply(ch.op, host, ctx);
        const after = await Deno.readTextFile(`${root}/target`).catch(() => null);
        assert.equal(mark(after), want.after);
        assert.deepEqual(await attempt(), [], "converged");
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    });
  }
});
