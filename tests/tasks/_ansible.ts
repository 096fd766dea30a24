/**
 * Replays cases recorded from real Ansible (`tests/fixtures/tasks/ansible/<module>.json`, made by
 * `python3 tests/fixtures/tasks/ansible/gen.py`) through our task: same content before, same
 * params; the content after, `changed` and failure must match, and a second plan is empty.
 */
import assert from "node:assert/strict";
import { LocalHost } from "../../lib/apply/host.ts";
import type { TaskContext, TaskModule } from "../../lib/apply/task.ts";

interface Recorded {
  name: string;
  params: Record<string, unknown>;
  before: string | null;
  after: string | null;
  changed: boolean;
  failed: boolean;
  msg: string;
}

/** Where we knowingly differ from Ansible: the content we write instead, and why. */
export interface Deviation {
  readonly after: string;
  readonly why: string;
}

/** Runs every recorded case of a module as a test step. */
export async function replayAnsible(
  t: Deno.TestContext,
  // deno-lint-ignore no-explicit-any
  task: TaskModule<any, any, any>,
  module: string,
  deviations: Readonly<Record<string, Deviation>> = {},
): Promise<void> {
  const url = new URL(`../fixtures/tasks/ansible/${module}.json`, import.meta.url);
  const { cases } = JSON.parse(await Deno.readTextFile(url)) as { cases: Recorded[] };
  for (const c of cases) {
    await t.step(c.name, async () => {
      const root = await Deno.makeTempDir({ prefix: `driftless_${module}_ansible_` });
      try {
        const host = new LocalHost({ root, chroot: false });
        const ctx: TaskContext = {
          configDir: `${root}/config`,
          renderTemplate: () => Promise.reject(new Error("no templates here")),
        };
        await Deno.mkdir(`${root}/case`);
        const real = `${root}/case/file`;
        if (c.before !== null) await Deno.writeTextFile(real, c.before);
        const params = task.schema.parse({ ...c.params, path: "/case/file" });
        const run = async () => {
          const changes = task.plan(params, await task.read(params, host, ctx));
          for (const ch of changes) await task.apply(ch.op, host, ctx);
          return changes;
        };
        if (c.failed) {
          const msg = c.msg.replace("<path>", "/case/file");
          await assert.rejects(run, (e: Error) => {
            assert.equal(e.message, msg);
            return true;
          });
          return;
        }
        const changes = await run();
        assert.equal(changes.length > 0, c.changed, `changed: ${changes.map((x) => x.summary)}`);
        const after = await Deno.readTextFile(real).catch(() => null);
        const deviation = deviations[c.name];
        if (deviation) assert.notEqual(c.after, deviation.after, "the recording still differs");
        assert.equal(after, deviation ? deviation.after : c.after);
        const again = task.plan(params, await task.read(params, host, ctx));
        assert.deepEqual(again.map((x) => x.summary), [], "converges");
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    });
  }
}
