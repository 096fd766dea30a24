import assert from "node:assert/strict";
import { lchown } from "node:fs/promises";
import { LocalHost } from "../../../lib/apply/host.ts";
import { needs, rootMissing } from "../../_helpers/needs.ts";

async function withRoot(fn: (root: string, host: LocalHost) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "driftless_host_" });
  try {
    await fn(root, new LocalHost({ root, chroot: false }));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("LocalHost.writeAtomic() keeps the mode and owner of the file it replaces", async () => {
  await withRoot(async (root, host) => {
    await Deno.writeTextFile(`${root}/f`, "old");
    await Deno.chmod(`${root}/f`, 0o600);
    await Deno.chown(`${root}/f`, 65534, 65534);
    await host.writeAtomic("/f", "new");
    const st = await Deno.stat(`${root}/f`);
    assert.equal(await Deno.readTextFile(`${root}/f`), "new");
    assert.equal(st.mode! & 0o7777, 0o600);
    assert.equal(st.uid, 65534);
    assert.equal(st.gid, 65534);
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(root))).map((e) => e.name),
      ["f"],
      "no temp file left behind",
    );
  });
});

Deno.test("LocalHost.writeAtomic() makes a backup with Ansible's naming when asked", async () => {
  await withRoot(async (root, host) => {
    await Deno.writeTextFile(`${root}/f`, "v1");
    const { backup } = await host.writeAtomic("/f", "v2", { backup: true, mode: 0o644 });
    assert.match(backup!, /^\/f\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
    assert.equal(await Deno.readTextFile(`${root}${backup}`), "v1");
    assert.equal(await Deno.readTextFile(`${root}/f`), "v2");
  });
});

Deno.test("LocalHost.writeAtomic() leaves nothing behind when it cannot write", async () => {
  await withRoot(async (root, host) => {
    await assert.rejects(host.writeAtomic("/missing/f", "x"), Deno.errors.NotFound);
    await Deno.mkdir(`${root}/d`);
    await assert.rejects(host.writeAtomic("/d", "x"));
    assert.deepEqual(await Array.fromAsync(Deno.readDir(`${root}/d`)), []);
  });
});

Deno.test("LocalHost maps paths under its root and looks up accounts there", async () => {
  await withRoot(async (root, host) => {
    await Deno.mkdir(`${root}/etc`);
    await Deno.writeTextFile(
      `${root}/etc/passwd`,
      "root:x:0:0::/root:/bin/sh\nalice:x:1001:1001::/home/alice:/bin/sh\n",
    );
    await Deno.writeTextFile(`${root}/etc/group`, "root:x:0:\nstaff:x:50:alice\n");
    assert.equal(host.realPath("/etc/passwd"), `${root}/etc/passwd`);
    assert.equal(host.realPath("../../etc/x"), `${root}/etc/x`);
    assert.deepEqual(await host.user("alice"), { name: "alice", id: 1001 });
    assert.deepEqual(await host.user(0), { name: "root", id: 0 });
    assert.deepEqual(await host.group("staff"), { name: "staff", id: 50 });
    assert.equal(await host.user("bob"), undefined);
  });
});

Deno.test("LocalHost.run() passes stdin, env and cwd, and kills on timeout", async () => {
  await withRoot(async (root, host) => {
    const r = await host.run("sh", ["-c", 'read x; echo "$x $GREETING $(pwd)"'], {
      stdin: "hello\n",
      env: { GREETING: "world" },
      cwd: "/", // a path on the managed host: under this root
    });
    assert.equal(r.stdout, `hello world ${root}\n`);
    const slow = await host.run("sleep", ["5"], { timeout: 100 });
    assert.equal(slow.timedOut, true);
    assert.notEqual(slow.code, 0);
  });
});

Deno.test("LocalHost under a root resolves every symlink inside it, as chroot would", async () => {
  const outer = await Deno.makeTempDir({ prefix: "driftless_chroot_" });
  const root = `${outer}/root`;
  try {
    for (const d of ["run", "var", "etc/alt", "usr/share/doc", "outside"]) {
      await Deno.mkdir(`${root}/${d}`, { recursive: true });
    }
    await Deno.mkdir(`${outer}/outside`);
    await Deno.symlink("/run", `${root}/var/run`); // Debian's own absolute link
    await Deno.symlink(`${outer}/outside`, `${root}/escape`); // absolute: re-rooted, not the host's
    await Deno.symlink("../../usr/share/doc", `${root}/etc/alt/doc`); // relative
    await Deno.symlink("../../../../../..", `${root}/etc/up`); // `..` past the root stops there
    await Deno.symlink("loop-b", `${root}/loop-a`);
    await Deno.symlink("loop-a", `${root}/loop-b`);
    await Deno.symlink("/etc/alt/doc/../../../outside", `${root}/hop`); // `..` after a link
    const host = new LocalHost({ root, chroot: false });

    await host.writeAtomic("/var/run/app.pid", "42\n");
    assert.equal(await Deno.readTextFile(`${root}/run/app.pid`), "42\n");
    assert.equal(await Deno.lstat("/run/app.pid").catch(() => undefined), undefined);

    await assert.rejects(host.writeAtomic("/escape/x", "no"), Deno.errors.NotFound);
    await assert.rejects(host.mkdir("/escape/d"), Deno.errors.NotFound);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(`${outer}/outside`)), [], "host untouched");

    await host.writeAtomic("/etc/alt/doc/README", "doc\n");
    assert.equal(await Deno.readTextFile(`${root}/usr/share/doc/README`), "doc\n");
    assert.equal(await host.readText("/etc/alt/doc/README"), "doc\n");

    await host.writeAtomic("/etc/up/etc/hostname", "web1\n");
    assert.equal(await Deno.readTextFile(`${root}/etc/hostname`), "web1\n");
    assert.equal(await host.readText("/../../../etc/hostname"), "web1\n");
    assert.equal((await host.stat("/etc/up"))?.ino, (await Deno.stat(root)).ino);

    await host.writeAtomic("/hop/f", "in\n");
    assert.equal(await Deno.readTextFile(`${root}/usr/share/outside/f`).catch(() => ""), "");
    assert.equal(await Deno.readTextFile(`${root}/outside/f`), "in\n");

    await assert.rejects(host.stat("/loop-a"), Deno.errors.FilesystemLoop);
    await assert.rejects(host.writeAtomic("/loop-a/x", "no"), Deno.errors.FilesystemLoop);
    assert.equal((await host.stat("/loop-a", { follow: false }))?.isSymlink, true);
    assert.equal(await host.readLink("/escape"), `${outer}/outside`);
    await host.chmod("/var/run/app.pid", 0o600);
    assert.equal((await Deno.stat(`${root}/run/app.pid`)).mode! & 0o777, 0o600);
    await host.remove("/var/run/app.pid");
    assert.equal(await host.stat("/var/run/app.pid"), undefined);
  } finally {
    await Deno.remove(outer, { recursive: true });
  }
});

Deno.test(needs(rootMissing("chown"), {
  name: "LocalHost follows another user's symlink only to that user's files",
  async fn() {
    await withRoot(async (root, host) => {
      await Deno.writeTextFile(`${root}/shadow`, "root only\n", { mode: 0o600 });
      await Deno.mkdir(`${root}/home`);
      await Deno.writeTextFile(`${root}/home/notes`, "mine\n");
      await Deno.chown(`${root}/home/notes`, 65534, 65534);
      for (const [name, target] of [["evil", "/shadow"], ["ok", "notes"], ["new", "/etc-new"]]) {
        await Deno.symlink(target!, `${root}/home/${name}`);
        await lchown(`${root}/home/${name}`, 65534, 65534);
      }
      await assert.rejects(host.readText("/home/evil"), /refusing to follow the symlink/);
      await assert.rejects(host.chmod("/home/evil", 0o644), /refusing to follow/);
      await assert.rejects(host.writeAtomic("/home/new/x", "x"), /refusing to follow/);
      assert.equal(await host.readText("/home/ok"), "mine\n");
      // Root's own links are followed anywhere.
      await Deno.symlink("/shadow", `${root}/home/roots`);
      assert.equal(await host.readText("/home/roots"), "root only\n");
      assert.equal((await Deno.stat(`${root}/shadow`)).mode! & 0o777, 0o600);
    });
  },
}));
