/**
 * `driftless apply --root` as a subprocess: facts come from the root (its os-release, its
 * package manager, its users), and a dry run under read-only permissions shows a
 * `check_mode: false` command as "would run" with the flag it needs.
 */
import assert from "node:assert/strict";
import { ROOT, runCli, writeTree } from "../_helpers/cli.ts";

Deno.test("apply --root takes the facts from the root, not from this machine", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_root_facts_" });
  try {
    await writeTree(dir, {
      "root/etc/os-release": 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n',
      "root/etc/passwd": "root:x:0:0:root:/root:/bin/ash\n",
      "root/etc/group": "root:x:0:\n",
      "root/sbin/apk": "",
      "config/apply.yml": [
        "tasks:",
        "  - debug:",
        "      msg: >-",
        "        {{ ansible_distribution }} {{ ansible_distribution_version }}",
        "        {{ ansible_os_family }} {{ ansible_pkg_mgr }} {{ ansible_user_shell }}",
      ].join("\n"),
    });
    const r = await runCli([
      "--config",
      `${dir}/config`,
      "apply",
      "--root",
      `${dir}/root`,
      "--json",
    ], {
      env: { HOME: dir },
    });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.tasks[0].message, "Alpine 3.19.1 Alpine apk /bin/ash");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("apply --dry-run without --allow-run shows a check_mode: false command as would run, with the flag", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_root_check_" });
  try {
    await writeTree(dir, {
      "config/apply.yml": [
        "tasks:",
        "  - command: echo hello",
        "    check_mode: false",
        "    changed_when: false",
      ].join("\n"),
    });
    const flags = [
      "--no-prompt",
      "--allow-env=DRIFTLESS_*",
      "--ignore-env",
      `--allow-read=${ROOT},${dir},/etc`,
      "--allow-sys=hostname,osRelease",
    ];
    const r = await runCli(["--config", `${dir}/config`, "apply", "--dry-run"], {
      flags,
      env: { HOME: dir },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /would run: echo hello/);
    assert.match(r.stdout, /check_mode: false, but not run: .*--allow-run/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
