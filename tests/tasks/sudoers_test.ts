import assert from "node:assert/strict";
import { sudoers } from "../../tasks/sudoers.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost, writeFiles } from "../_helpers/scripted_host.ts";
import { converge, debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { needs } from "../_helpers/needs.ts";

Deno.test("sudoers: rule format and validation table", async (t) => {
  await runCases(t, sudoers, [
    {
      name: "writes the community.general rule line through visudo -cf",
      params: {
        name: "deploy",
        user: "deploy",
        commands: ["/usr/bin/systemctl restart app", "/usr/bin/journalctl"],
      },
      setup: async (root, host) => {
        await writeFiles(root, { "/usr/sbin/visudo": "" });
        await Deno.mkdir(`${root}/etc/sudoers.d`, { recursive: true });
        (host as ScriptedHost).script({
          match: "visudo -cf /etc/sudoers.d/.deploy.driftless-check",
        });
      },
      summaries: ["write /etc/sudoers.d/deploy (checked with visudo -cf)"],
      changes: (ch) =>
        assert.equal(
          ch[0]!.diff!.after,
          "deploy ALL=NOPASSWD: /usr/bin/systemctl restart app, /usr/bin/journalctl\n",
        ),
      check: async (real) => {
        assert.equal((await Deno.stat(real("/etc/sudoers.d/deploy"))).mode! & 0o777, 0o440);
        assert.deepEqual(
          await Array.fromAsync(Deno.readDir(real("/etc/sudoers.d")), (e) => e.name),
          ["deploy"],
        );
      },
    },
    {
      name: "group, runas, setenv, noexec, password required",
      params: {
        name: "ops",
        group: "ops",
        commands: "ALL",
        runas: "root",
        setenv: true,
        noexec: true,
        nopassword: false,
        host: "web1",
      },
      setup: (root) => Deno.mkdir(`${root}/etc/sudoers.d`, { recursive: true }),
      summaries: ["write /etc/sudoers.d/ops"],
      changes: (ch) => assert.equal(ch[0]!.diff!.after, "%ops web1=(root)NOEXEC:SETENV: ALL\n"),
    },
    {
      name: "a rule that visudo rejects never lands",
      params: { name: "bad", user: "x", commands: "ALL" },
      setup: async (root, host) => {
        await writeFiles(root, { "/usr/sbin/visudo": "" });
        await Deno.mkdir(`${root}/etc/sudoers.d`, { recursive: true });
        (host as ScriptedHost).script({
          match: /^visudo -cf /,
          reply: { code: 1, stderr: "syntax error near line 1" },
        });
      },
      summaries: ["write /etc/sudoers.d/bad (checked with visudo -cf)"],
      throws: /visudo -cf .* failed \(exit 1\): syntax error/,
      check: async (real) =>
        assert.deepEqual(await Array.fromAsync(Deno.readDir(real("/etc/sudoers.d"))), []),
    },
    {
      name: "validation required without visudo fails the plan",
      params: { name: "x", user: "x", commands: "ALL", validation: "required" },
      summaries: [],
      throws: /visudo is not installed/,
    },
    {
      name: "absent removes the file",
      params: { name: "old", state: "absent" },
      setup: (root) => writeFiles(root, { "/etc/sudoers.d/old": "x ALL=ALL\n" }),
      summaries: ["remove /etc/sudoers.d/old"],
    },
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test("sudoers: names sudo would skip are schema errors", () => {
  assert.equal(
    sudoers.schema.safeParse({ name: "a.b", user: "x", commands: "ALL" }).success,
    false,
  );
  assert.equal(sudoers.schema.safeParse({ name: "a", user: "x" }).success, false);
});

Deno.test(needs(debianRootMissing(), {
  name: "sudoers: real visudo in the Debian root, and a bad rule is refused",
  async fn() {
    const root = await openRoot();
    try {
      const r = await converge(sudoers, {
        name: "deploy",
        user: "deploy",
        commands: ["/usr/bin/apt-get update"],
      }, root.host);
      assert.deepEqual(r.first.map((c) => c.summary), [
        "write /etc/sudoers.d/deploy (checked with visudo -cf)",
      ]);
      assert.deepEqual(r.again, []);
      const check = await new Deno.Command("/usr/sbin/chroot", {
        args: [root.dir, "visudo", "-c"],
        stdout: "piped",
      }).output();
      assert.ok(check.success);

      // A relative command is a sudoers syntax error: visudo refuses, nothing is written.
      await assert.rejects(
        converge(
          sudoers,
          { name: "broken", user: "deploy", commands: ["apt-get update"] },
          root.host,
        ),
        /visudo -cf/,
      );
      const names = await Array.fromAsync(Deno.readDir(`${root.dir}/etc/sudoers.d`), (e) => e.name);
      assert.deepEqual(names.sort(), ["README", "deploy"]);
    } finally {
      await root.close();
    }
  },
}));
