/** command: argv and shlex splitting, creates/removes, and the registered result. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { command } from "../../tasks/command.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { runTask } from "./_run.ts";

Deno.test("command plans one run unless creates/removes say otherwise", async (t) => {
  await runCases(t, command, [
    {
      name: "a string is split like shlex, shown quoted",
      params: { cmd: `printf '%s|' "a b" c` },
      summaries: ["printf '%s|' 'a b' c"],
    },
    { name: "argv as given", params: { argv: ["echo", "x y", 3] }, summaries: ["echo 'x y' 3"] },
    {
      name: "creates that exists skips",
      params: { cmd: "false", creates: "/done" },
      setup: (root) => Deno.writeTextFile(join(root, "done"), ""),
      summaries: [],
    },
    {
      name: "creates as a glob",
      params: { cmd: "false", creates: "/var/*.lock" },
      setup: async (root) => {
        await Deno.mkdir(join(root, "var"));
        await Deno.writeTextFile(join(root, "var/app.lock"), "");
      },
      summaries: [],
    },
    {
      name: "a glob without a match runs",
      params: { cmd: "true", creates: "/var/*.pid" },
      setup: (root) => Deno.mkdir(join(root, "var")),
      summaries: ["true"],
    },
    {
      name: "removes that is missing skips",
      params: { cmd: "false", removes: "/gone" },
      summaries: [],
    },
    {
      name: "removes that exists runs",
      params: { cmd: "true", removes: "/here" },
      setup: (root) => Deno.writeTextFile(join(root, "here"), ""),
      summaries: ["true"],
    },
  ]);
});

Deno.test("command registers Ansible's result fields", async () => {
  const { changes, results } = await runTask(command, { cmd: "printf 'out\\n\\n'" });
  assert.equal(changes.length, 1);
  const r = results[0]!;
  assert.deepEqual(
    { ...r, start: undefined, end: undefined, delta: undefined },
    {
      changed: true,
      cmd: ["printf", "out\\n\\n"],
      rc: 0,
      stdout: "out",
      stderr: "",
      stdout_lines: ["out"],
      stderr_lines: [],
      msg: "",
      start: undefined,
      end: undefined,
      delta: undefined,
    },
  );
  assert.match(String(r.start), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  assert.match(String(r.end), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  assert.match(String(r.delta), /^0:00:\d\d\.\d{6}$/);
});

Deno.test("a non-zero exit fails with the result kept", async () => {
  const { results } = await runTask(command, { argv: ["sh", "-c", "echo oops >&2; exit 3"] });
  assert.equal(results[0]!.failed, true);
  assert.equal(results[0]!.msg, "non-zero return code");
  assert.equal(results[0]!.rc, 3);
  assert.deepEqual(results[0]!.stderr_lines, ["oops"]);
});

Deno.test("stdin (with and without the added newline), env, chdir", async () => {
  const wc = await runTask(command, { cmd: "wc -c", stdin: "abc" });
  assert.equal(String(wc.results[0]!.stdout).trim(), "4");
  const raw = await runTask(command, { cmd: "wc -c", stdin: "abc", stdin_add_newline: false });
  assert.equal(String(raw.results[0]!.stdout).trim(), "3");
  const env = await runTask(command, {
    argv: ["sh", "-c", "echo $GREETING"],
    env: { GREETING: "hej" },
  });
  assert.equal(env.results[0]!.stdout, "hej");
  const dir = await Deno.makeTempDir();
  try {
    const pwd = await runTask(command, { cmd: "pwd", chdir: dir });
    assert.equal(pwd.results[0]!.stdout, await Deno.realPath(dir));
    // creates is relative to chdir.
    await Deno.writeTextFile(join(dir, "marker"), "");
    const skipped = await runTask(command, { cmd: "false", chdir: dir, creates: "marker" });
    assert.deepEqual(skipped.changes, []);
    assert.equal(skipped.fields.msg, "Did not run command since 'marker' exists");
    assert.equal(skipped.fields.stdout, "skipped, since marker exists");
    assert.equal(skipped.fields.rc, 0);
    const missing = await runTask(command, { cmd: "pwd", chdir: join(dir, "nope") });
    assert.match(String(missing.results[0]!.msg), /Unable to change directory before execution/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("strip_empty_ends: false keeps trailing newlines", async () => {
  const { results } = await runTask(command, { cmd: "echo hi", strip_empty_ends: false });
  assert.equal(results[0]!.stdout, "hi\n");
  assert.deepEqual(results[0]!.stdout_lines, ["hi"]);
});

Deno.test("timeout kills the command and fails the task", async () => {
  const { results } = await runTask(command, { cmd: "sleep 30", timeout: 0.3 });
  assert.equal(results[0]!.failed, true);
  assert.equal(results[0]!.msg, "timed out after 0.3 seconds");
});

Deno.test("a missing program fails like Ansible's [Errno 2]", async () => {
  const { results } = await runTask(command, { cmd: "no-such-program-here --x" });
  assert.equal(results[0]!.failed, true);
  assert.equal(results[0]!.rc, 2);
  assert.match(String(results[0]!.msg), /No such file or directory: 'no-such-program-here'/);
});

Deno.test("command schema: one of cmd or argv", () => {
  const issue = (p: Record<string, unknown>) =>
    command.schema.safeParse(p).error?.issues[0]?.message;
  assert.match(issue({})!, /no command given/);
  assert.match(issue({ cmd: "ls", argv: ["ls"] })!, /only command or argv/);
  assert.match(issue({ cmd: "echo 'open" })!, /No closing quotation/);
  assert.match(issue({ cmd: "ls", timeout: "soon" })!, /positive number of seconds/);
  assert.equal(command.schema.parse({ cmd: "ls", timeout: "2.5" }).timeout, 2.5);
  assert.equal(command.freeForm, "cmd");
});
