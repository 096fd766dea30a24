import assert from "node:assert/strict";
import { join } from "node:path";
import { copyTree, SnapshotStore, treeDigest } from "../../../lib/agent/snapshot.ts";
import { writeTree } from "../../_helpers/cli.ts";

Deno.test("snapshots copy the config dir without .git; the digest follows content and modes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless-snap-" });
  try {
    const src = join(dir, "src");
    await writeTree(src, {
      "apply.yml": "tasks: []\n",
      "templates/motd.j2": "hi {{ x }}\n",
      ".git/HEAD": "ref: refs/heads/main\n",
    });
    await Deno.symlink("templates/motd.j2", join(src, "link.j2"));
    const store = new SnapshotStore(join(dir, "snaps"));
    const a = await store.create((d) => copyTree(src, d));
    assert.equal(await Deno.readTextFile(join(a.dir, "templates/motd.j2")), "hi {{ x }}\n");
    assert.equal(await Deno.readLink(join(a.dir, "link.j2")), "templates/motd.j2");
    await assert.rejects(Deno.stat(join(a.dir, ".git")));
    assert.equal(a.digest, await treeDigest(src), "the digest ignores where the tree lives");

    const same = await store.create((d) => copyTree(src, d));
    assert.equal(same.digest, a.digest);
    await Deno.writeTextFile(join(src, ".git/HEAD"), "changed\n");
    assert.equal(await treeDigest(src), a.digest, ".git does not count");
    await Deno.chmod(join(src, "apply.yml"), 0o600);
    const moded = await treeDigest(src);
    assert.notEqual(moded, a.digest, "a mode change counts");
    await Deno.writeTextFile(join(src, "templates/motd.j2"), "bye\n");
    assert.notEqual(await treeDigest(src), moded, "a content change counts");

    // Pruning keeps what is kept and what a run still uses.
    const b = await store.create((d) => copyTree(src, d));
    store.retain(a);
    await store.prune([b]);
    await Deno.stat(a.dir);
    await Deno.stat(b.dir);
    await assert.rejects(Deno.stat(same.dir));
    store.release(a);
    await store.prune([b]);
    await assert.rejects(Deno.stat(a.dir));
    // A failed fill leaves nothing behind.
    await assert.rejects(store.create(() => Promise.reject(new Error("boom"))), /boom/);
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(store.root))).map((e) => join(store.root, e.name)),
      [
        b.dir,
      ],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
