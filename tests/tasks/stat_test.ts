/** stat: register-only facts about a path, checked against real Ansible where it is installed. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { LocalHost } from "../../lib/apply/host.ts";
import { stat } from "../../tasks/stat.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { runTask } from "./_run.ts";
import { needs, toolMissing } from "../_helpers/needs.ts";

async function statOf(raw: Record<string, unknown>, host = new LocalHost()) {
  const { changes, fields } = await runTask(stat, raw, { host });
  assert.deepEqual(changes, [], "stat never changes anything");
  return fields.stat as Record<string, unknown>;
}

async function tree(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "driftless_stat_" });
  try {
    await Deno.writeTextFile(join(dir, "f.txt"), "hello\n");
    await Deno.chmod(join(dir, "f.txt"), 0o640);
    await Deno.mkdir(join(dir, "d"));
    await Deno.symlink("f.txt", join(dir, "link"));
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("stat plans nothing", async (t) => {
  await runCases(t, stat, [
    { name: "missing", params: { path: "/nope" }, summaries: [] },
    {
      name: "a file",
      params: { path: "/f" },
      setup: (root) => Deno.writeTextFile(join(root, "f"), "x"),
      summaries: [],
    },
  ]);
});

Deno.test("stat reports a file, a directory, links and absence", async () => {
  await tree(async (dir) => {
    assert.deepEqual(await statOf({ path: join(dir, "missing") }), { exists: false });
    const f = await statOf({ path: join(dir, "f.txt") });
    const info = await Deno.stat(join(dir, "f.txt"));
    assert.equal(f.exists, true);
    assert.equal(f.mode, "0640");
    assert.equal(f.isreg, true);
    assert.equal(f.isdir, false);
    assert.equal(f.size, 6);
    assert.equal(f.inode, info.ino);
    assert.equal(f.uid, info.uid);
    assert.equal(f.checksum, createHash("sha1").update("hello\n").digest("hex"));
    assert.deepEqual([f.rusr, f.wusr, f.xusr, f.rgrp, f.wgrp, f.roth], [
      true,
      true,
      false,
      true,
      false,
      false,
    ]);
    assert.equal(f.mtime, info.mtime!.getTime() / 1000);

    const d = await statOf({ path: join(dir, "d") });
    assert.equal(d.isdir, true);
    assert.equal("checksum" in d, false, "no checksum for directories");

    const l = await statOf({ path: join(dir, "link") });
    assert.equal(l.islnk, true);
    assert.equal(l.lnk_target, "f.txt");
    assert.equal(l.lnk_source, join(dir, "f.txt"));
    const followed = await statOf({ path: join(dir, "link"), follow: true });
    assert.equal(followed.islnk, false);
    assert.equal(followed.isreg, true);

    const sha256 = await statOf({ path: join(dir, "f.txt"), checksum_algorithm: "sha256" });
    assert.equal(sha256.checksum, createHash("sha256").update("hello\n").digest("hex"));
    const none = await statOf({ path: join(dir, "f.txt"), get_checksum: false });
    assert.equal("checksum" in none, false);
  });
});

Deno.test("stat names owner and group from the host's databases", async () => {
  const root = await Deno.makeTempDir();
  try {
    const info = await Deno.stat(root);
    await Deno.mkdir(join(root, "etc"));
    await Deno.writeTextFile(join(root, "etc/passwd"), `someone:x:${info.uid}:0::/:/bin/sh\n`);
    await Deno.writeTextFile(join(root, "etc/group"), `crew:x:${info.gid}:\n`);
    const s = await statOf({ path: "/etc" }, new LocalHost({ root, chroot: false }));
    assert.deepEqual([s.pw_name, s.gr_name], ["someone", "crew"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test(needs(toolMissing("file"), {
  name: "stat get_mime runs file(1)",
  fn: async () => {
    await tree(async (dir) => {
      const s = await statOf({ path: join(dir, "f.txt"), get_mime: true });
      assert.equal(s.mimetype, "text/plain");
      assert.equal(s.charset, "us-ascii");
    });
  },
}));

Deno.test(needs(toolMissing("ansible-playbook"), {
  name: "stat registers what Ansible's stat registers",
  fn: async () => {
    await tree(async (dir) => {
      const targets = [
        { path: join(dir, "f.txt") },
        { path: join(dir, "d") },
        { path: join(dir, "link") },
        { path: join(dir, "link"), follow: true },
        { path: join(dir, "missing") },
      ];
      const play = [{
        hosts: "localhost",
        gather_facts: false,
        tasks: targets.map((t) => ({ stat: { ...t, get_mime: false, get_attributes: false } })),
      }];
      await Deno.writeTextFile(join(dir, "play.json"), JSON.stringify(play));
      const out = await new Deno.Command("ansible-playbook", {
        args: ["-i", "localhost,", "-c", "local", join(dir, "play.json")],
        env: { ANSIBLE_STDOUT_CALLBACK: "json", ANSIBLE_NOCOLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const report = JSON.parse(new TextDecoder().decode(out.stdout));
      const theirs = report.plays[0].tasks.map((t: { hosts: { localhost: { stat: unknown } } }) =>
        t.hosts.localhost.stat
      ) as Record<string, unknown>[];
      for (const [i, target] of targets.entries()) {
        const ours = await statOf(target);
        // Keys Ansible has that the host's stat cannot give (ctime, blocks, access checks).
        const skip = new Set([
          "atime",
          "ctime",
          "blocks",
          "block_size",
          "device_type",
          "readable",
          "writeable",
          "executable",
          "mimetype",
          "charset",
          "version",
          "attributes",
          "attr_flags",
        ]);
        for (const [key, value] of Object.entries(theirs[i]!)) {
          if (skip.has(key)) continue;
          if (key === "mtime") {
            assert.ok(Math.abs((ours.mtime as number) - (value as number)) < 0.001, key);
            continue;
          }
          assert.deepEqual(ours[key], value, `${JSON.stringify(target)}: ${key}`);
        }
        assert.deepEqual(
          Object.keys(ours).filter((k) => !(k in theirs[i]!)),
          [],
          "no keys Ansible does not have",
        );
      }
    });
  },
}));
