import assert from "node:assert/strict";
import { LocalHost } from "../../lib/apply/host.ts";
import type { TaskContext } from "../../lib/apply/task.ts";
import { archive, parseTarListing } from "../../tasks/archive.ts";

const ctx: TaskContext = {
  configDir: "/x",
  renderTemplate: () => Promise.reject(new Error("none")),
};

async function run(raw: Record<string, unknown>) {
  const host = new LocalHost();
  const p = archive.schema.parse(raw);
  const first = archive.plan(p, await archive.read(p, host, ctx));
  for (const c of first) await archive.apply(c.op, host, ctx);
  const q = archive.schema.parse(raw);
  const again = archive.plan(q, await archive.read(q, host, ctx));
  return { first: first.map((c) => c.summary), again: again.map((c) => c.summary) };
}

Deno.test("parseTarListing() reads names, sizes and UTC mtimes", () => {
  assert.deepEqual(
    parseTarListing(
      "-rw-r--r-- root/root         6 2024-01-02 03:04:05 app/README\ndrwxr-xr-x root/root 0 2024-01-02 03:04:05 app/\n",
    ),
    [
      { name: "app/README", size: 6, mtime: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000, dir: false },
      { name: "app/", size: 0, mtime: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000, dir: true },
    ],
  );
});

Deno.test("archive: tar.gz of a tree is rebuilt only when the sources change", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_archive_" });
  try {
    await Deno.mkdir(`${dir}/app/conf`, { recursive: true });
    await Deno.writeTextFile(`${dir}/app/conf/a.conf`, "a=1\n");
    await Deno.writeTextFile(`${dir}/app/skip.log`, "noise\n");
    const p = { path: `${dir}/app`, dest: `${dir}/app.tgz`, exclude_path: [`${dir}/app/skip.log`] };
    const a = await run(p);
    assert.deepEqual(a.first, [`create ${dir}/app.tgz from app`]);
    assert.deepEqual(a.again, []);
    const list = await new Deno.Command("tar", {
      args: ["-tzf", `${dir}/app.tgz`],
      stdout: "piped",
    }).output();
    assert.deepEqual(new TextDecoder().decode(list.stdout).trim().split("\n").sort(), [
      "app/",
      "app/conf/",
      "app/conf/a.conf",
    ]);

    await Deno.writeTextFile(`${dir}/app/conf/b.conf`, "b=2\n");
    const b = await run(p);
    assert.deepEqual(b.first, [`rebuild ${dir}/app.tgz from app`]);
    assert.deepEqual(b.again, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("archive: a single file is compressed; remove deletes the source and stays converged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_archive_" });
  try {
    await Deno.writeTextFile(`${dir}/big.log`, "x".repeat(10_000));
    const c = await run({ path: `${dir}/big.log`, format: "xz", mode: "0600" });
    assert.deepEqual(c.first, [`xz -k -f ${dir}/big.log -> ${dir}/big.log.xz`]);
    assert.deepEqual(c.again, []);
    assert.equal((await Deno.stat(`${dir}/big.log.xz`)).mode! & 0o777, 0o600);
    const r = await run({ path: `${dir}/big.log`, format: "xz", remove: true });
    assert.deepEqual(r.first, [`remove ${dir}/big.log`]);
    assert.deepEqual(r.again, []);
    await assert.rejects(Deno.stat(`${dir}/big.log`));
    await Deno.mkdir(`${dir}/logs`);
    await Deno.writeTextFile(`${dir}/logs/1.log`, "1\n");
    await Deno.writeTextFile(`${dir}/logs/2.log`, "2\n");
    const g = await run({ path: `${dir}/logs/*.log`, dest: `${dir}/logs.tar.bz2`, format: "bz2" });
    assert.deepEqual(g.first, [`create ${dir}/logs.tar.bz2 from 1.log 2.log`]);
    assert.deepEqual(g.again, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
