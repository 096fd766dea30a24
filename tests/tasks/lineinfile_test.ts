/** lineinfile: Ansible's recorded behaviour, the runCases table, and edge cases. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LocalHost } from "../../lib/apply/host.ts";
import { lineinfile } from "../../tasks/lineinfile.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { replayAnsible } from "./_ansible.ts";

Deno.test("lineinfile edits files exactly as ansible-core 2.14 does", async (t) => {
  await replayAnsible(t, lineinfile, "lineinfile", {
    "insertafter the last line without newline": {
      after: "a\nb\nc\n",
      why: "Ansible writes a\nbc\n (the new line glued onto the unterminated last one), " +
        "and appends c again on the next run",
    },
  });
});

Deno.test("lineinfile schema checks what Ansible checks", () => {
  const bad = (p: Record<string, unknown>) =>
    lineinfile.schema.safeParse(p).error?.issues[0]?.message;
  assert.match(bad({ path: "/x" })!, /line is required/);
  assert.match(
    bad({ path: "/x", line: "a", insertafter: "a", insertbefore: "b" })!,
    /mutually exclusive/,
  );
  assert.match(bad({ path: "/x", line: "a", backrefs: true })!, /regexp is required/);
  assert.match(bad({ path: "/x", state: "absent" })!, /one of line, search_string, or regexp/);
  assert.match(bad({ path: "/x", line: "a", regexp: "(" })!, /missing \), unterminated subpattern/);
  assert.equal(bad({ dest: "/x", value: "a", regex: "^a" }), undefined);
});

Deno.test("lineinfile converges (runCases)", async (t) => {
  const put = (root: string, name: string, text: string) =>
    Deno.writeTextFile(join(root, name), text);
  await runCases(t, lineinfile, [
    {
      name: "replace a line, with a content diff",
      params: { path: "/sshd", regexp: "^#?PermitRootLogin", line: "PermitRootLogin no" },
      setup: (root) => put(root, "sshd", "Port 22\n#PermitRootLogin yes\n"),
      summaries: ["replace line in /sshd"],
      changes: (c) =>
        assert.deepEqual(c[0]!.diff, {
          before: "Port 22\n#PermitRootLogin yes\n",
          after: "Port 22\nPermitRootLogin no\n",
          path: "/sshd",
        }),
    },
    {
      name: "create with missing parents and a mode",
      params: { path: "/etc/app/conf", line: "a=1", create: true, mode: "0600" },
      summaries: ["mkdir /etc", "mkdir /etc/app", "create /etc/app/conf"],
      check: async (real) => {
        assert.equal(await Deno.readTextFile(real("/etc/app/conf")), "a=1\n");
        assert.equal((await Deno.stat(real("/etc/app/conf"))).mode! & 0o777, 0o600);
      },
    },
    {
      name: "edits through a symlink, keeping the link",
      params: { path: "/link", line: "b" },
      setup: async (root) => {
        await put(root, "target", "a\n");
        await Deno.symlink("target", join(root, "link"));
      },
      summaries: ["add line to /target"],
      check: async (real) => {
        assert.equal((await Deno.lstat(real("/link"))).isSymlink, true);
        assert.equal(await Deno.readTextFile(real("/target")), "a\nb\n");
      },
    },
    {
      name: "mode only",
      params: { path: "/f", line: "a", mode: "0600" },
      setup: async (root) => {
        await put(root, "f", "a\n");
        await Deno.chmod(join(root, "f"), 0o644);
      },
      summaries: ["chmod 0644 -> 0600 /f"],
    },
    {
      name: "backup",
      params: { path: "/f", line: "b", backup: true },
      setup: (root) => put(root, "f", "a\n"),
      summaries: ["add line to /f"],
      check: async (real) => {
        const names = (await Array.fromAsync(Deno.readDir(real("/")))).map((e) => e.name).sort();
        assert.equal(names.length, 2);
        assert.equal(await Deno.readTextFile(real(`/${names[1]}`)), "a\n");
      },
    },
    {
      name: "absent removes every match",
      params: { path: "/f", regexp: "^x", state: "absent" },
      setup: (root) => put(root, "f", "x1\ny\nx2\n"),
      summaries: ["remove 2 lines from /f"],
    },
    {
      name: "absent on a missing file is converged",
      params: { path: "/f", line: "x", state: "absent" },
      summaries: [],
    },
    {
      name: "a directory fails",
      params: { path: "/d", line: "x" },
      setup: (root) => Deno.mkdir(join(root, "d")),
      summaries: [],
      throws: /Path \/d is a directory !/,
    },
    {
      name: "bytes that are not UTF-8 survive an edit",
      params: { path: "/latin1", regexp: "^b", line: "B" },
      setup: (root) => Deno.writeFile(join(root, "latin1"), new Uint8Array([0xe9, 10, 98, 10])),
      summaries: ["replace line in /latin1"],
      changes: (c) => assert.equal(c[0]!.diff?.binary, true),
      check: async (real) =>
        assert.deepEqual(await Deno.readFile(real("/latin1")), new Uint8Array([0xe9, 10, 66, 10])),
    },
  ]);
});

Deno.test("lineinfile validate: a failing check leaves the file as it was", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "conf");
    await Deno.writeTextFile(path, "ok=1\n");
    const host = new LocalHost();
    const ctx = { configDir: dir, renderTemplate: () => Promise.reject(new Error("unused")) };
    const params = lineinfile.schema.parse({
      path,
      line: "broken",
      validate: "sh -c '! grep -q broken \"$1\"' sh %s",
    });
    const changes = lineinfile.plan(params, await lineinfile.read(params, host, ctx));
    await assert.rejects(
      (async () => {
        for (const c of changes) await lineinfile.apply(c.op, host, ctx);
      })(),
      /failed to validate: rc:1/,
    );
    assert.equal(await Deno.readTextFile(path), "ok=1\n");
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), ["conf"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
