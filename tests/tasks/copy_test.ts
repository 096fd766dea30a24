/**
 * copy: the runCases table (content, files/ sources, directory trees, dest dirs, force, backup,
 * follow, binary and secret diffs), validate on a real host path, and kill -9 during a large
 * copy never leaving a partial destination.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LocalHost } from "../../lib/apply/host.ts";
import type { TaskContext } from "../../lib/apply/task.ts";
import { redactor } from "../../lib/secrets.ts";
import { copy } from "../../tasks/copy.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { replayTrees } from "./_ansible.ts";
import { needs, umaskMismatch } from "../_helpers/needs.ts";

const umask = Deno.umask();
const mode = async (p: string) => ((await Deno.lstat(p)).mode ?? 0) & 0o7777;
const put = async (p: string, data: string | Uint8Array, m = 0o644) => {
  await Deno.mkdir(join(p, ".."), { recursive: true });
  if (typeof data === "string") await Deno.writeTextFile(p, data);
  else await Deno.writeFile(p, data);
  await Deno.chmod(p, m);
};
const read = (p: string) => Deno.readTextFile(p);
const SECRET = "s3cr3t-canary-7f1e";
redactor.add(SECRET);

Deno.test("copy converges content, sources and trees", async (t) => {
  await runCases(t, copy, [
    {
      name: "content: a new file with the umask's default mode and a diff",
      params: { content: "hello\n", dest: "/motd" },
      summaries: ["create /motd"],
      changes: (c) => {
        assert.deepEqual(c[0]!.diff, { before: "", after: "hello\n", path: "/motd" });
      },
      check: async (real) => {
        assert.equal(await read(real("/motd")), "hello\n");
        assert.equal(await mode(real("/motd")), 0o666 & ~umask);
      },
    },
    {
      name: "content: update keeps the file's mode",
      params: { content: "new\n", dest: "/f" },
      setup: (root) => put(join(root, "f"), "old\n", 0o600),
      summaries: ["update /f"],
      changes: (c) => assert.deepEqual(c[0]!.diff, { before: "old\n", after: "new\n", path: "/f" }),
      check: async (real) => assert.equal(await mode(real("/f")), 0o600),
    },
    {
      name: "content: same content, different mode",
      params: { content: "same", dest: "/f", mode: "0640" },
      setup: (root) => put(join(root, "f"), "same"),
      summaries: ["chmod 0644 -> 0640 /f"],
    },
    {
      name: "content: already converged",
      params: { content: "same", dest: "/f", mode: "u=rw,g=r,o=r" },
      setup: (root) => put(join(root, "f"), "same"),
      summaries: [],
    },
    {
      name: "content: byte-exact (CRLF, no final newline, unicode)",
      params: { content: "línea 1\r\nzwei\r\n日本", dest: "/u" },
      summaries: ["create /u"],
      check: async (real) => assert.equal(await read(real("/u")), "línea 1\r\nzwei\r\n日本"),
    },
    {
      name: "content: a secret in the content keeps the diff, redacted where it is shown",
      params: { content: `port=80\npassword=${SECRET}\n`, dest: "/secret.conf", mode: "0600" },
      summaries: ["create /secret.conf"],
      changes: (c) =>
        assert.equal(redactor.redact(c[0]!.diff!.after), "port=80\npassword=[redacted]\n"),
      check: async (real) => assert.equal(await mode(real("/secret.conf")), 0o600),
    },
    {
      name: "content into a directory is refused, as Ansible does",
      params: { content: "x", dest: "/d" },
      setup: (root) => Deno.mkdir(join(root, "d")),
      summaries: [],
      throws: /can not use content with a dir as dest/,
    },
    {
      name: "a missing parent directory fails",
      params: { content: "x", dest: "/nope/f" },
      summaries: [],
      throws: /Destination directory \/nope does not exist/,
    },
    {
      name: "src from files/ into an existing directory",
      params: { src: "a.txt", dest: "/d" },
      setup: async (root) => {
        await put(join(root, "config/files/a.txt"), "A\n", 0o755);
        await Deno.mkdir(join(root, "d"));
      },
      summaries: ["create /d/a.txt"],
      check: async (real) => {
        assert.equal(await read(real("/d/a.txt")), "A\n");
        assert.equal(await mode(real("/d/a.txt")), 0o666 & ~umask, "src mode is not copied");
      },
    },
    {
      name: "dest ending in / creates the directories",
      params: { src: "a.txt", dest: "/new/deep/" },
      setup: (root) => put(join(root, "config/files/a.txt"), "A\n"),
      summaries: ["mkdir /new", "mkdir /new/deep", "create /new/deep/a.txt"],
    },
    {
      name: "src relative to the config dir when not in files/",
      params: { src: "other/b.txt", dest: "/b.txt" },
      setup: (root) => put(join(root, "config/other/b.txt"), "B"),
      summaries: ["create /b.txt"],
    },
    {
      name: "a missing src names where it looked",
      params: { src: "ghost.txt", dest: "/g" },
      summaries: [],
      throws: /could not find "ghost.txt" in .*\/config\/files or .*\/config/,
    },
    {
      name: "mode: preserve takes the source's mode",
      params: { src: "run.sh", dest: "/run.sh", mode: "preserve" },
      setup: (root) => put(join(root, "config/files/run.sh"), "#!/bin/sh\n", 0o750),
      summaries: ["create /run.sh"],
      check: async (real) => assert.equal(await mode(real("/run.sh")), 0o750),
    },
    {
      name: "a directory src copies the directory itself, mode on files only",
      params: { src: "tree", dest: "/t1", mode: "0600" },
      setup: async (root) => {
        await put(join(root, "config/files/tree/b.txt"), "b");
        await put(join(root, "config/files/tree/sub/c.txt"), "c");
        await Deno.chmod(join(root, "config/files/tree/sub"), 0o700);
      },
      summaries: [
        "mkdir /t1",
        "mkdir /t1/tree",
        "mkdir /t1/tree/sub",
        "create /t1/tree/b.txt",
        "create /t1/tree/sub/c.txt",
      ],
      check: async (real) => {
        assert.equal(await mode(real("/t1/tree/sub/c.txt")), 0o600);
        assert.equal(await mode(real("/t1/tree/sub")), 0o777 & ~umask);
      },
    },
    {
      name: "a directory src with / copies its contents; directory_mode for new dirs",
      params: { src: "tree/", dest: "/t2/", directory_mode: "0750" },
      setup: async (root) => {
        await put(join(root, "config/files/tree/b.txt"), "b");
        await put(join(root, "config/files/tree/sub/c.txt"), "c");
      },
      summaries: ["mkdir /t2", "mkdir /t2/sub", "create /t2/b.txt", "create /t2/sub/c.txt"],
      check: async (real) => assert.equal(await mode(real("/t2/sub")), 0o750),
    },
    {
      name: "a tree update touches only what differs",
      params: { src: "tree/", dest: "/t" },
      setup: async (root) => {
        await put(join(root, "config/files/tree/same.txt"), "s");
        await put(join(root, "config/files/tree/diff.txt"), "new");
        await put(join(root, "t/same.txt"), "s");
        await put(join(root, "t/diff.txt"), "old");
      },
      summaries: ["update /t/diff.txt"],
    },
    {
      name: "symlinks in a tree are followed by default",
      params: { src: "tree/", dest: "/t" },
      setup: async (root) => {
        await put(join(root, "config/files/tree/real.txt"), "r");
        await Deno.symlink("real.txt", join(root, "config/files/tree/link.txt"));
      },
      summaries: ["mkdir /t", "create /t/link.txt", "create /t/real.txt"],
      check: async (real) => assert.equal((await Deno.lstat(real("/t/link.txt"))).isFile, true),
    },
    {
      name: "local_follow: false copies symlinks as links",
      params: { src: "tree/", dest: "/t", local_follow: false },
      setup: async (root) => {
        await put(join(root, "config/files/tree/real.txt"), "r");
        await Deno.symlink("real.txt", join(root, "config/files/tree/link.txt"));
      },
      summaries: ["mkdir /t", "create /t/real.txt", "symlink /t/link.txt -> real.txt"],
      check: async (real) => assert.equal(await Deno.readLink(real("/t/link.txt")), "real.txt"),
    },
    {
      name: "force: false leaves an existing file alone, mode included",
      params: { content: "new", dest: "/f", force: false, mode: "0600" },
      setup: (root) => put(join(root, "f"), "old"),
      summaries: [],
      check: async (real) => assert.equal(await read(real("/f")), "old"),
    },
    {
      name: "force: false (alias thirsty: no) still creates a missing file",
      params: { content: "new", dest: "/f", thirsty: "no" },
      summaries: ["create /f"],
    },
    {
      name: "backup keeps the old content beside the file",
      params: { content: "new\n", dest: "/etc/conf", backup: true },
      setup: (root) => put(join(root, "etc/conf"), "old\n"),
      summaries: ["update /etc/conf"],
      check: async (real) => {
        const names = (await Array.fromAsync(Deno.readDir(real("/etc")))).map((e) => e.name).sort();
        assert.equal(names.length, 2);
        assert.match(names[1]!, /^conf\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
        assert.equal(await read(real(`/etc/${names[1]}`)), "old\n");
      },
    },
    {
      name: "follow: false replaces a symlinked dest with a file",
      params: { content: "new\n", dest: "/link" },
      setup: async (root) => {
        await put(join(root, "target"), "target\n");
        await Deno.symlink("target", join(root, "link"));
      },
      summaries: ["replace symlink /link with a file"],
      check: async (real) => {
        assert.equal((await Deno.lstat(real("/link"))).isFile, true);
        assert.equal(await read(real("/target")), "target\n");
      },
    },
    {
      name: "follow: true writes through the symlink",
      params: { content: "new\n", dest: "/link", follow: true },
      setup: async (root) => {
        await put(join(root, "target"), "target\n");
        await Deno.symlink("target", join(root, "link"));
      },
      summaries: ["update /target"],
      check: async (real) => assert.equal((await Deno.lstat(real("/link"))).isSymlink, true),
    },
    {
      name: "binary content is flagged, not diffed",
      params: { src: "blob.bin", dest: "/blob.bin" },
      setup: (root) => put(join(root, "config/files/blob.bin"), new Uint8Array([0, 1, 2, 255])),
      summaries: ["create /blob.bin"],
      changes: (c) => assert.equal(c[0]!.diff?.binary, true),
      check: async (real) =>
        assert.deepEqual(await Deno.readFile(real("/blob.bin")), new Uint8Array([0, 1, 2, 255])),
    },
    {
      name: "remote_src copies a file on the host",
      params: { src: "/srv/a", dest: "/srv/b", remote_src: true },
      setup: (root) => put(join(root, "srv/a"), "remote"),
      summaries: ["create /srv/b"],
      check: async (real) => assert.equal(await read(real("/srv/b")), "remote"),
    },
    {
      name: "remote_src copies a directory on the host",
      params: { src: "/srv/tree/", dest: "/srv/copy", remote_src: "yes" },
      setup: (root) => put(join(root, "srv/tree/x/y"), "deep"),
      summaries: ["mkdir /srv/copy", "mkdir /srv/copy/x", "create /srv/copy/x/y"],
    },
    {
      name: "checksum mismatch fails before writing",
      params: { content: "x", dest: "/f", checksum: "0".repeat(40) },
      summaries: [],
      throws: /does not match the expected checksum/,
    },
  ]);
});

Deno.test("copy schema: src or content, validate needs %s", () => {
  const issue = (p: Record<string, unknown>) => copy.schema.safeParse(p).error?.issues[0]?.message;
  assert.match(issue({ dest: "/x" })!, /src or content is required/);
  assert.match(issue({ dest: "/x", src: "a", content: "b" })!, /mutually exclusive/);
  assert.match(issue({ dest: "/x", content: "b", validate: "visudo -c" })!, /must contain %s/);
  assert.match(issue({ dest: "/x", content: "b", mode: 1.5 })!, /is not a file mode/);
});

/** A real temp dir used with a host rooted at `/`, so validate's `%s` is a real path. */
async function withDir(fn: (dir: string, host: LocalHost, ctx: TaskContext) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "driftless_copy_" });
  const ctx: TaskContext = {
    configDir: join(dir, "config"),
    renderTemplate: () => Promise.reject(new Error("unused")),
  };
  try {
    await fn(dir, new LocalHost(), ctx);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function converge(params: Record<string, unknown>, host: LocalHost, ctx: TaskContext) {
  const p = copy.schema.parse(params);
  const changes = copy.plan(p, await copy.read(p, host, ctx));
  const results = [];
  for (const c of changes) results.push(await copy.apply(c.op, host, ctx));
  return { changes, results };
}

Deno.test("copy validate runs on a temp file first; a failure leaves dest untouched", async () => {
  await withDir(async (dir, host, ctx) => {
    const dest = join(dir, "sudoers");
    await put(dest, "good\n", 0o440);
    const validate = "grep -q ^good %s";
    await assert.rejects(
      converge({ content: "bad\n", dest, validate }, host, ctx),
      /failed to validate: rc:1/,
    );
    assert.equal(await read(dest), "good\n");
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name),
      ["sudoers"],
      "no temp left",
    );

    const { changes } = await converge({ content: "good v2\n", dest, validate }, host, ctx);
    assert.deepEqual(changes.map((c) => c.summary), [`update ${dest}`]);
    assert.equal(await read(dest), "good v2\n");
    assert.equal(await mode(dest), 0o440, "the mode is kept");
  });
});

Deno.test("copy validate sees the file with its final mode", async () => {
  await withDir(async (dir, host, ctx) => {
    const dest = join(dir, "f");
    // stat prints the temp file's mode; the check passes only when it is already 0600.
    const validate = `sh -c 'test "$(stat -c %%a "$1")" = 600' sh %s`;
    await converge({ content: "x", dest, mode: "0600", validate }, host, ctx);
    assert.equal(await read(dest), "x");
  });
});

Deno.test("copy backup_file is registered", async () => {
  await withDir(async (dir, host, ctx) => {
    const dest = join(dir, "f");
    await put(dest, "old");
    const { results } = await converge({ content: "new", dest, backup: true }, host, ctx);
    const backup = (results[0] as { backup_file: string }).backup_file;
    assert.match(backup, new RegExp(`^${dest}\\.\\d+\\.`));
    assert.equal(await read(backup), "old");
  });
});

Deno.test("kill -9 during a large copy never leaves a partial destination", async () => {
  const root = await Deno.makeTempDir({ prefix: "driftless_copy_kill_" });
  try {
    const configDir = join(root, "config");
    const size = 48 * 1024 * 1024;
    const big = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) big[i] = (i / 4096) % 251 + 1;
    await put(join(configDir, "files/big.bin"), big);
    const old = new TextEncoder().encode("old content\n".repeat(1000));
    const child = new URL("../fixtures/tasks/copy/kill_child.ts", import.meta.url).pathname;
    const outcomes = { old: 0, complete: 0 };
    for (let round = 0; round < 8; round++) {
      await Deno.writeFile(join(root, "dest.bin"), old);
      const proc = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", child, root, configDir],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const reader = proc.stdout.getReader();
      let seen = "";
      while (!seen.includes("applying")) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
      // Kill at a random point of the write (copying 48 MiB with fsync takes tens of ms or more).
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      try {
        proc.kill("SIGKILL");
      } catch {
        // It finished first: that outcome is checked the same way.
      }
      await reader.cancel().catch(() => {});
      await proc.status;
      const dest = await Deno.readFile(join(root, "dest.bin"));
      if (dest.length === old.length && dest.every((b, i) => b === old[i])) outcomes.old++;
      else if (dest.length === big.length && dest.every((b, i) => b === big[i])) {
        outcomes.complete++;
      } else assert.fail(`round ${round}: dest is partial (${dest.length} bytes)`);
    }
    assert.equal(outcomes.old + outcomes.complete, 8);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test(needs(umaskMismatch(), {
  name: "copy leaves the tree Ansible's copy module leaves",
  fn: (t) => replayTrees(t, copy, "copy"),
}));

Deno.test("copy compares a large source by digest and streams it; an edited source is refused", async () => {
  const root = await Deno.makeTempDir({ prefix: "driftless_copy_big_" });
  try {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    await put(join(root, "config/files/big.bin"), big);
    await put(join(root, "big.bin"), big.slice().fill(7));
    const host = new LocalHost({ root, chroot: false });
    const ctx = {
      configDir: join(root, "config"),
      renderTemplate: () => Promise.reject(new Error("none")),
    } as unknown as TaskContext;
    const params = copy.schema.parse({ src: "big.bin", dest: "/big.bin" });
    const current = await copy.read(params, host, ctx);
    const [change] = copy.plan(params, current);
    assert.equal(change!.summary, "update /big.bin");
    // Neither side is held: the diff names sizes and digests, the op names the file.
    assert.equal(current.files[0]!.want.bytes, undefined);
    assert.equal(current.files[0]!.before!.bytes, undefined);
    assert.match(change!.diff!.before, /^3145728 bytes, sha1 [0-9a-f]{40}\n$/);
    assert.equal(
      (change!.op as { data: { local?: string } }).data.local,
      join(root, "config/files/big.bin"),
    );
    // The source is edited after the plan: the write refuses it, the dest stays as it was.
    await Deno.writeFile(join(root, "config/files/big.bin"), big.slice().fill(9));
    await assert.rejects(copy.apply(change!.op, host, ctx), /changed since it was read/);
    assert.equal((await Deno.readFile(join(root, "big.bin")))[0], 7);
    // Planned again, it goes through, streamed; then it converges.
    const again = copy.plan(params, await copy.read(params, host, ctx));
    for (const c of again) await copy.apply(c.op, host, ctx);
    assert.deepEqual(await Deno.readFile(join(root, "big.bin")), big.slice().fill(9));
    assert.deepEqual(copy.plan(params, await copy.read(params, host, ctx)), []);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(root))).map((e) => e.name).sort(), [
      "big.bin",
      "config",
    ], "no temp file left behind");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
