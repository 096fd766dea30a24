import assert from "node:assert/strict";
import { LocalHost } from "../../../lib/apply/host.ts";

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
