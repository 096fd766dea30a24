/**
 * Task keywords and include behaviour that the recorded Ansible runs (roles_test.ts) cannot
 * show: become_user on a real user, check_mode against a dry run, delegate_to another host,
 * failures that say why, includes that fail when reached, and YAML 1.1 modes on disk.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { applyConfig } from "../../_helpers/apply_config.ts";
import { writeTree } from "../../_helpers/cli.ts";

async function withConfig<T>(
  files: Record<string, string>,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "driftless_keywords_" });
  try {
    await writeTree(dir, files);
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const isRoot = Deno.uid() === 0;

Deno.test({
  name: `become_user runs commands as the user and creates files as theirs${
    isRoot ? "" : " (skipped: needs root)"
  }`,
  ignore: !isRoot,
  fn: () =>
    withConfig({
      "apply.yml": [
        "tasks:",
        "  - command: id -un",
        "    become: true",
        "    become_user: nobody",
        "    register: who",
        "  - command: printenv HOME",
        "    become: true",
        "    become_user: nobody",
        "    register: home",
        "  - copy: {content: 'x', dest: /made-by-nobody}",
        "    become: true",
        "    become_user: nobody",
        "  - copy: {content: 'x', dest: /made-by-root}",
        "    become_user: nobody  # without become: as Ansible, ignored",
        "  - debug: {msg: '{{ who.stdout }} {{ home.stdout }}'}",
      ].join("\n"),
    }, async (dir) => {
      const { records } = await applyConfig(dir, {
        // The user is looked up in the managed host's passwd (commands run as the same user).
        setup: (root) =>
          writeTree(root, {
            "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n" +
              "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
          }),
        inspect: async (root) => {
          assert.equal((await Deno.stat(join(root, "made-by-nobody"))).uid, 65534);
          assert.equal((await Deno.stat(join(root, "made-by-root"))).uid, 0);
        },
      });
      assert.equal(records.at(-1)!.message, "nobody /nonexistent");
    }),
});

Deno.test("check_mode: false runs for real in a dry run; check_mode: true only plans", () =>
  withConfig({
    "apply.yml": [
      "tasks:",
      "  - copy: {content: 'real', dest: /forced}",
      "    check_mode: false",
      "  - copy: {content: 'planned', dest: /planned}",
      "  - command: echo ran",
      "    check_mode: false",
      "    register: out",
      "  - debug: {msg: '{{ out.stdout }} {{ ansible_check_mode }}'}",
    ].join("\n"),
  }, async (dir) => {
    const { records } = await applyConfig(dir, {
      dryRun: true,
      inspect: async (root) => {
        assert.equal(await Deno.readTextFile(join(root, "forced")), "real");
        await assert.rejects(Deno.stat(join(root, "planned")), Deno.errors.NotFound);
      },
    });
    assert.deepEqual(records.map((r) => [r.status, r.ranForReal ?? false]), [
      ["changed", true],
      ["changed", false],
      ["changed", true],
      ["ok", false],
    ]);
    assert.equal(records[3]!.message, "ran True");
  }));

Deno.test("check_mode: true in a real run plans and changes nothing", () =>
  withConfig({
    "apply.yml": "tasks:\n  - copy: {content: x, dest: /planned}\n    check_mode: true\n",
  }, async (dir) => {
    const { records } = await applyConfig(dir, {
      inspect: async (root) => {
        await assert.rejects(Deno.stat(join(root, "planned")), Deno.errors.NotFound);
      },
    });
    assert.equal(records[0]!.status, "changed");
    assert.deepEqual(records[0]!.changes.map((c) => c.summary), ["create /planned"]);
  }));

Deno.test("delegate_to: this host runs; another host is a failure that says why", () =>
  withConfig({
    "apply.yml": [
      "tasks:",
      "  - debug: {msg: here}",
      "    delegate_to: '{{ inventory_hostname }}'",
      "  - debug: {msg: there}",
      "    delegate_to: db1.example.com",
    ].join("\n"),
  }, async (dir) => {
    const { records, summary } = await applyConfig(dir, { facts: { hostname: "web1" } });
    assert.equal(records[0]!.status, "ok");
    assert.equal(records[1]!.status, "failed");
    assert.match(records[1]!.message!, /db1\.example\.com is another host/);
    assert.equal(summary.failed, true);
  }));

Deno.test("a failed command says its exit code, command, stderr tail and where it is written", () =>
  withConfig({
    "apply.yml": "tasks:\n  - include_tasks: tasks/deploy.yml\n",
    "tasks/deploy.yml": [
      "- name: migrate",
      "  shell: for i in 1 2 3 4 5 6 7; do echo line$i >&2; done; exit 9",
    ].join("\n"),
  }, async (dir) => {
    const { records } = await applyConfig(dir);
    const failed = records.find((r) => r.status === "failed")!;
    assert.deepEqual(failed.origin, {
      file: "tasks/deploy.yml",
      line: 1,
      column: 3,
      path: "[0]",
    });
    assert.equal(
      failed.message,
      [
        "non-zero return code (rc=9)",
        "command: for i in 1 2 3 4 5 6 7; do echo line$i >&2; done; exit 9",
        "stderr (last 5 lines): line3\nline4\nline5\nline6\nline7",
      ].join("\n"),
    );
  }));

Deno.test("a conditional include with an unknown task fails when reached, and ignore_errors covers it", () =>
  withConfig({
    "apply.yml": [
      "vars: {os: FreeBSD}",
      "tasks:",
      "  - include_tasks: tasks/freebsd.yml",
      "    when: os == 'FreeBSD'",
      "    ignore_errors: true",
      "  - debug: {msg: went on}",
      "  - include_tasks: tasks/freebsd.yml",
      "    when: os == 'FreeBSD'",
      "  - debug: {msg: not reached}",
    ].join("\n"),
    "tasks/freebsd.yml": "- community.general.pkgng: {name: nginx}\n",
  }, async (dir) => {
    const { records, warnings, summary } = await applyConfig(dir);
    // ansible-core 2.14 stops on a failed include even with ignore_errors; newer Ansible and
    // Driftless let ignore_errors cover it.
    assert.deepEqual(
      records.map((r) => [r.status, r.ignored ?? false]),
      [["failed", true], ["ok", false], ["failed", false]],
    );
    assert.match(
      records[2]!.message!,
      /^include_tasks tasks\/freebsd\.yml: tasks\/freebsd\.yml:1:3 .*unknown task "community\.general\.pkgng"/,
    );
    assert.equal(summary.failed, true);
    assert.match(warnings[0]!, /unknown task .*\(in a file included (only when|with)/);
  }));

Deno.test("mode: 0644 unquoted is octal, as Ansible reads it", () =>
  withConfig({
    "apply.yml": [
      "tasks:",
      "  - file: {path: /d, state: directory, mode: 0750}",
      "  - copy: {content: x, dest: /d/f, mode: 0640}",
      "  - file: path=/d/g state=touch mode=0600",
    ].join("\n"),
  }, async (dir) => {
    await applyConfig(dir, {
      inspect: async (root) => {
        const mode = async (p: string) => (await Deno.stat(join(root, p))).mode! & 0o7777;
        assert.deepEqual(
          [await mode("d"), await mode("d/f"), await mode("d/g")],
          [0o750, 0o640, 0o600],
        );
      },
    });
  }));

Deno.test("facts a module returns become host facts for later tasks", () =>
  withConfig({
    "apply.yml": [
      "tasks:",
      "  - getent: {database: passwd, key: root}",
      "  - debug:",
      "      msg: '{{ getent_passwd.root[1] }} {{ ansible_facts.getent_passwd.root[1] }}'",
    ].join("\n"),
  }, async (dir) => {
    const { records } = await applyConfig(dir);
    assert.equal(records[1]!.message, "0 0");
  }));

Deno.test("environment's proxy settings reach the tasks that download", async () => {
  const seen: string[] = [];
  const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push(req.url);
    return new Response("via proxy\n");
  });
  try {
    await withConfig({
      "apply.yml": [
        "tasks:",
        "  - get_url: {url: 'http://downloads.example.invalid/tool.txt', dest: /tool.txt}",
        "    environment:",
        `      http_proxy: http://127.0.0.1:${proxy.addr.port}`,
        "  - get_url: {url: 'http://127.0.0.1:9/never', dest: /never.txt}",
        "    ignore_errors: true",
        "    environment:",
        `      http_proxy: http://127.0.0.1:${proxy.addr.port}`,
        "      no_proxy: 127.0.0.1",
      ].join("\n"),
    }, async (dir) => {
      const { records } = await applyConfig(dir, {
        inspect: async (root) =>
          assert.equal(await Deno.readTextFile(join(root, "tool.txt")), "via proxy\n"),
      });
      assert.equal(records[0]!.status, "changed");
      // no_proxy: the request went straight to the (closed) port, not through the proxy.
      assert.equal(records[1]!.status, "failed");
      assert.deepEqual(seen, ["http://downloads.example.invalid/tool.txt"]);
    });
  } finally {
    await proxy.shutdown();
  }
});
