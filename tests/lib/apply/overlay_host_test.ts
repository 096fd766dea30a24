import assert from "node:assert/strict";
import { LocalHost } from "../../../lib/apply/host.ts";
import { OverlayHost } from "../../../lib/apply/overlay_host.ts";

async function fixture(): Promise<
  { root: string; base: LocalHost; overlay: OverlayHost; snapshot: () => Promise<string> }
> {
  const root = await Deno.makeTempDir({ prefix: "driftless_overlay_" });
  await Deno.mkdir(`${root}/etc/app`, { recursive: true });
  await Deno.writeTextFile(`${root}/etc/app/conf`, "real\n");
  await Deno.chmod(`${root}/etc/app/conf`, 0o640);
  await Deno.symlink("app", `${root}/etc/app-link`);
  const base = new LocalHost({ root, chroot: false });
  const snapshot = async () => {
    const out: string[] = [];
    const walk = async (d: string) => {
      for await (const e of Deno.readDir(d)) {
        const p = `${d}/${e.name}`;
        const st = await Deno.lstat(p);
        out.push(
          `${p.slice(root.length)} ${st.mode?.toString(8)} ${
            st.isFile ? await Deno.readTextFile(p) : ""
          }`,
        );
        if (e.isDirectory) await walk(p);
      }
    };
    await walk(root);
    return out.sort().join("\n");
  };
  return { root, base, overlay: new OverlayHost(base), snapshot };
}

Deno.test("OverlayHost keeps writes in memory and reads them back", async () => {
  const { root, overlay, snapshot } = await fixture();
  try {
    const before = await snapshot();
    await overlay.mkdir("/srv/www/html", { recursive: true, mode: 0o750 });
    await overlay.writeAtomic("/srv/www/html/index.html", "<h1>hi</h1>\n", { mode: 0o644 });
    await overlay.writeAtomic("/etc/app/conf", "planned\n");
    await overlay.chmod("/etc/app/conf", 0o600);
    assert.equal(await overlay.readText("/srv/www/html/index.html"), "<h1>hi</h1>\n");
    assert.equal(await overlay.readText("/etc/app/conf"), "planned\n");
    assert.equal((await overlay.stat("/etc/app/conf"))?.mode, 0o600);
    assert.equal((await overlay.stat("/srv/www"))?.mode, 0o755);
    assert.equal((await overlay.stat("/srv/www/html"))?.mode, 0o750);
    assert.deepEqual(await overlay.readDir("/srv"), ["www"]);
    assert.equal(await snapshot(), before, "the real tree is untouched");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OverlayHost follows real and planned symlinks", async () => {
  const { root, overlay } = await fixture();
  try {
    assert.equal(await overlay.readText("/etc/app-link/conf"), "real\n");
    await overlay.writeAtomic("/etc/app-link/new", "via link\n");
    assert.equal(await overlay.readText("/etc/app/new"), "via link\n");
    await overlay.symlink("/etc/app/conf", "/etc/planned-link");
    assert.equal(await overlay.readText("/etc/planned-link"), "real\n");
    assert.equal((await overlay.stat("/etc/planned-link", { follow: false }))?.isSymlink, true);
    assert.equal(await overlay.readLink("/etc/planned-link"), "/etc/app/conf");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OverlayHost hides what a planned removal removes", async () => {
  const { root, overlay } = await fixture();
  try {
    await overlay.remove("/etc/app", { recursive: true });
    assert.equal(await overlay.stat("/etc/app/conf"), undefined);
    assert.equal(await overlay.stat("/etc/app"), undefined);
    await assert.rejects(overlay.readText("/etc/app/conf"), Deno.errors.NotFound);
    assert.ok(!(await overlay.readDir("/etc")).includes("app"));
    assert.ok(await Deno.stat(`${root}/etc/app/conf`), "still there for real");
    await overlay.mkdir("/etc/app");
    assert.deepEqual(await overlay.readDir("/etc/app"), [], "a re-created dir starts empty");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OverlayHost records commands during apply and runs them during read", async () => {
  const { root, overlay } = await fixture();
  try {
    const read = await overlay.run("echo", ["query"]);
    assert.equal(read.stdout, "query\n");
    overlay.applying = true;
    const r = await overlay.run("useradd", ["-m", "alice smith"]);
    overlay.applying = false;
    assert.equal(r.code, 0);
    assert.deepEqual(overlay.takeCommands(), ["useradd -m 'alice smith'"]);
    assert.deepEqual(overlay.takeCommands(), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OverlayHost rename moves content and metadata", async () => {
  const { root, overlay } = await fixture();
  try {
    await overlay.rename("/etc/app/conf", "/etc/app/conf.old");
    assert.equal(await overlay.readText("/etc/app/conf.old"), "real\n");
    assert.equal((await overlay.stat("/etc/app/conf.old"))?.mode, 0o640);
    assert.equal(await overlay.stat("/etc/app/conf"), undefined);
    assert.deepEqual(await overlay.readDir("/etc/app"), ["conf.old"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OverlayHost writes fail where the real host would fail", async () => {
  const { root, overlay } = await fixture();
  try {
    await assert.rejects(overlay.writeAtomic("/no/such/dir/file", "x"), Deno.errors.NotFound);
    await assert.rejects(overlay.writeAtomic("/etc/app/conf/sub", "x"), Deno.errors.NotADirectory);
    await assert.rejects(overlay.mkdir("/etc/app"), Deno.errors.AlreadyExists);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
