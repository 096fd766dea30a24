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
        const current = await task.read(params, host, ctx);
        const fields = task.result?.(params, current) ?? {};
        if (fields.msg !== undefined) {
          assert.equal(fields.msg, c.msg.replace("<path>", "/case/file"));
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

type Entry =
  | { file: string; mode?: number; old?: boolean; nlink?: number }
  | { dir: true; mode?: number }
  | { link: string };

interface TreeCase {
  module: string;
  name: string;
  params: Record<string, unknown>;
  setup: Record<string, Entry>;
  files: Record<string, Entry>;
  changed: boolean;
  failed: boolean;
  msg: string;
  tree: Record<string, unknown>;
}

const OLD = new Date(1577880000 * 1000);

async function make(base: string, entries: Record<string, Entry>): Promise<void> {
  for (const rel of Object.keys(entries).sort()) {
    const e = entries[rel]!;
    const p = `${base}/${rel}`;
    await Deno.mkdir(p.slice(0, p.lastIndexOf("/")), { recursive: true });
    if ("link" in e) {
      await Deno.symlink(e.link, p);
      continue;
    }
    if ("dir" in e) await Deno.mkdir(p, { recursive: true });
    else await Deno.writeTextFile(p, e.file);
    if (e.mode !== undefined) await Deno.chmod(p, e.mode);
    if ("old" in e && e.old) await Deno.utime(p, OLD, OLD);
  }
}

/** The tree as gen_trees.py records it: type, mode, link target, content, link count. */
async function snapshot(base: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      const rel = p.slice(base.length + 1);
      const st = await Deno.lstat(p);
      const mode = `0o${((st.mode ?? 0) & 0o7777).toString(8)}`;
      if (st.isSymlink) out[rel] = { link: await Deno.readLink(p) };
      else if (st.isDirectory) {
        out[rel] = { dir: true, mode };
        await walk(p);
      } else out[rel] = { file: await Deno.readTextFile(p), mode, nlink: st.nlink };
    }
  };
  await walk(base);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a < b ? -1 : 1));
}

/**
 * Replays `tests/fixtures/tasks/ansible/trees.json` (from gen_trees.py): the same setup and
 * params through our task; the tree left behind, `changed` and failures must match Ansible's,
 * and a second plan is empty. Needs umask 022, as recorded.
 */
export async function replayTrees(
  t: Deno.TestContext,
  // deno-lint-ignore no-explicit-any
  task: TaskModule<any, any, any>,
  module: string,
): Promise<void> {
  const url = new URL("../fixtures/tasks/ansible/trees.json", import.meta.url);
  const { cases } = JSON.parse(await Deno.readTextFile(url)) as { cases: TreeCase[] };
  for (const c of cases.filter((c) => c.module === module)) {
    await t.step(c.name, async () => {
      const root = await Deno.makeTempDir({ prefix: `driftless_${module}_tree_` });
      const configDir = await Deno.makeTempDir({ prefix: `driftless_${module}_config_` });
      try {
        await make(root, c.setup);
        await make(`${configDir}/files`, c.files);
        const host = new LocalHost({ root, chroot: false });
        const ctx: TaskContext = {
          configDir,
          renderTemplate: () => Promise.reject(new Error("no templates here")),
        };
        const raw = Object.fromEntries(
          Object.entries(c.params).map((
            [k, v],
          ) => [k, typeof v === "string" ? v.replaceAll("{root}", "") : v]),
        );
        const params = task.schema.parse(raw);
        const run = async () => {
          const changes = task.plan(params, await task.read(params, host, ctx));
          for (const ch of changes) await task.apply(ch.op, host, ctx);
          return changes;
        };
        if (c.failed) {
          await assert.rejects(run, (e: Error) => {
            assert.equal(e.message, c.msg.replaceAll("{root}", ""));
            return true;
          });
        } else {
          const changes = await run();
          assert.equal(changes.length > 0, c.changed, `changed: ${changes.map((x) => x.summary)}`);
          const again = task.plan(params, await task.read(params, host, ctx));
          assert.deepEqual(again.map((x) => x.summary), [], "converges");
        }
        assert.deepEqual(await snapshot(root), c.tree);
      } finally {
        await Deno.remove(root, { recursive: true });
        await Deno.remove(configDir, { recursive: true });
      }
    });
  }
}
