import assert from "node:assert/strict";
import { openStateDir, StateDirError } from "../../../lib/logs/state_dir.ts";

const isRoot = Deno.uid() === 0;

Deno.test("openStateDir() creates a private dir and accepts one of the running user's", async () => {
  const parent = await Deno.makeTempDir();
  try {
    await openStateDir(`${parent}/a/state`);
    const st = await Deno.stat(`${parent}/a/state`);
    assert.equal(st.mode! & 0o077, 0, "nobody else may enter it");
    assert.deepEqual(await Array.fromAsync(Deno.readDir(`${parent}/a/state`)), [], "no probe left");
    await openStateDir(`${parent}/a/state`); // again: still fine
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("openStateDir() refuses a dir others or its group may write to", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [mode, who] of [[0o777, "others"], [0o770, "its group"]] as const) {
      await Deno.chmod(dir, mode);
      await assert.rejects(
        () => openStateDir(dir),
        (e: Error) =>
          e instanceof StateDirError &&
          e.message.includes(`writable by ${who}`) && e.message.includes(`chmod go-w ${dir}`),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: `openStateDir() refuses a dir, or a symlink to one, owned by another user${
    isRoot ? "" : " (needs root to chown: skipped)"
  }`,
  ignore: !isRoot,
  async fn() {
    // As in /tmp: another user made the dir (or a symlink) where our state_dir points.
    const parent = await Deno.makeTempDir();
    try {
      await Deno.chmod(parent, 0o1777);
      await Deno.mkdir(`${parent}/theirs`, { mode: 0o755 });
      await Deno.chown(`${parent}/theirs`, 65534, 65534);
      await assert.rejects(
        () => openStateDir(`${parent}/theirs`),
        /state dir .*theirs is owned by uid 65534, not by the running user \(uid 0\): refusing it/,
      );
      await Deno.mkdir(`${parent}/mine`, { mode: 0o700 });
      await Deno.symlink(`${parent}/mine`, `${parent}/link`);
      const child = new Deno.Command("chown", {
        args: ["-h", "65534:65534", `${parent}/link`],
      }).outputSync();
      assert.equal(child.code, 0);
      await assert.rejects(
        () => openStateDir(`${parent}/link`),
        /the symlink .*link is owned by uid 65534/,
      );
      // A dir of ours, reached through a symlink of ours, is fine.
      await Deno.remove(`${parent}/link`);
      await Deno.symlink(`${parent}/mine`, `${parent}/link`);
      await openStateDir(`${parent}/link`);
    } finally {
      await Deno.remove(parent, { recursive: true });
    }
  },
});
