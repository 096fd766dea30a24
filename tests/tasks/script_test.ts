/** script: a local script from files/ run on the host, with args, chdir, creates, executable. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { script } from "../../tasks/script.ts";
import { plainCtx, runTask } from "./_run.ts";

async function withConfig(fn: (configDir: string, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "driftless_script_" });
  try {
    await Deno.mkdir(join(dir, "config/files"), { recursive: true });
    await Deno.writeTextFile(
      join(dir, "config/files/hello.sh"),
      '#!/bin/sh\necho "args: $*"\npwd\necho "$0" >&2\n',
    );
    await Deno.writeTextFile(join(dir, "config/files/fail.sh"), "echo before\nexit 4\n");
    await fn(join(dir, "config"), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const leftovers = async () => {
  const names: string[] = [];
  for await (const e of Deno.readDir("/tmp")) {
    if (e.name.startsWith(".driftless-script-")) names.push(e.name);
  }
  return names;
};

Deno.test("script runs a files/ script with its arguments and cleans up", async () => {
  await withConfig(async (configDir, dir) => {
    const before = await leftovers();
    const { changes, results } = await runTask(
      script,
      { cmd: "hello.sh one 'two words'", chdir: dir },
      { ctx: plainCtx(configDir) },
    );
    assert.deepEqual(changes.map((c) => c.summary), ["hello.sh one 'two words'"]);
    const r = results[0]!;
    assert.deepEqual(r.stdout_lines, ["args: one two words", await Deno.realPath(dir)]);
    assert.match(String(r.stderr), /\/tmp\/\.driftless-script-[\w-]+\/hello\.sh/);
    assert.equal(r.rc, 0);
    assert.deepEqual(await leftovers(), before, "the temp dir is removed");
  });
});

Deno.test("script with executable, without an exec bit or shebang", async () => {
  await withConfig(async (configDir) => {
    const { results } = await runTask(
      script,
      { cmd: "fail.sh", executable: "/bin/bash" },
      { ctx: plainCtx(configDir) },
    );
    assert.deepEqual(
      [results[0]!.failed, results[0]!.rc, results[0]!.stdout, results[0]!.msg],
      [true, 4, "before\n", "non-zero return code"],
    );
  });
});

Deno.test("script creates/removes skip the run", async () => {
  await withConfig(async (configDir, dir) => {
    const ctx = plainCtx(configDir);
    const created = await runTask(script, { cmd: "fail.sh", creates: dir }, { ctx });
    assert.deepEqual(created.changes, []);
    assert.equal(created.fields.skipped, true);
    const removed = await runTask(script, { cmd: "fail.sh", removes: join(dir, "gone") }, { ctx });
    assert.deepEqual(removed.changes, []);
  });
});

Deno.test("script: a missing script fails; chdir must be absolute", async () => {
  await withConfig(async (configDir) => {
    await assert.rejects(
      runTask(script, { cmd: "ghost.sh" }, { ctx: plainCtx(configDir) }),
      /could not find "ghost.sh"/,
    );
  });
  assert.match(
    script.schema.safeParse({ cmd: "x.sh", chdir: "rel" }).error!.issues[0]!.message,
    /absolute/,
  );
});
