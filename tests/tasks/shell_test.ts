/** shell: `/bin/sh -c` (or `executable`), the free-form string, creates/removes. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { splitFreeForm } from "../../lib/config/apply_schema.ts";
import { shell, shellSchema } from "../../tasks/shell.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { runTask } from "./_run.ts";

Deno.test("shell plans the line as written", async (t) => {
  await runCases(t, shell, [
    {
      name: "a pipeline",
      params: { cmd: "echo hi | tr a-z A-Z" },
      summaries: ["echo hi | tr a-z A-Z"],
    },
    {
      name: "creates skips",
      params: { cmd: "exit 1", creates: "/etc" },
      setup: (root) => Deno.mkdir(join(root, "etc")),
      summaries: [],
    },
    { name: "removes skips", params: { cmd: "exit 1", removes: "/nothing/*" }, summaries: [] },
  ]);
});

Deno.test("shell runs through /bin/sh -c and registers the string as cmd", async () => {
  const { results } = await runTask(shell, { cmd: "echo hi | tr a-z A-Z; echo err >&2" });
  assert.equal(results[0]!.stdout, "HI");
  assert.equal(results[0]!.stderr, "err");
  assert.equal(results[0]!.cmd, "echo hi | tr a-z A-Z; echo err >&2");
  assert.equal(results[0]!.rc, 0);
});

Deno.test("shell executable picks the shell", async () => {
  const { results } = await runTask(shell, {
    cmd: "[[ -n $BASH_VERSION ]] && echo bash",
    executable: "/bin/bash",
  });
  assert.equal(results[0]!.stdout, "bash");
});

Deno.test("shell failure keeps stdout and rc", async () => {
  const { results } = await runTask(shell, { cmd: "echo partial; exit 7", env: { X: "1" } });
  assert.deepEqual(
    [results[0]!.failed, results[0]!.rc, results[0]!.stdout, results[0]!.msg],
    [true, 7, "partial", "non-zero return code"],
  );
});

Deno.test("shell's free form takes key=value options out of the line", () => {
  const keys = Object.keys(shellSchema.shape);
  assert.deepEqual(splitFreeForm("echo hi > out.txt chdir=/tmp creates=/tmp/out.txt", keys), {
    rest: "echo hi > out.txt",
    args: { chdir: "/tmp", creates: "/tmp/out.txt" },
  });
  assert.equal(shell.freeForm, "cmd");
  assert.equal(shell.acts, true);
});
