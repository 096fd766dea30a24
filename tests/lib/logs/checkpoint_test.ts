import assert from "node:assert/strict";
import { CheckpointError, CheckpointStore } from "../../../lib/logs/checkpoint.ts";

const entry = (offset: number, ino = 7) => ({
  source: "app",
  dev: 1,
  ino,
  fp: "ab".repeat(16),
  fp_len: 1024,
  offset,
  path: "/var/log/app.log",
});

Deno.test("CheckpointStore saves atomically and loads what it saved", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = await CheckpointStore.open(dir);
    a.set(entry(100));
    a.set({ ...entry(5, 8), sinks: { web: 40 } });
    a.setOrphan({
      source: "app",
      fp: "cd".repeat(16),
      fp_len: 64,
      offset: 9,
      path: "/x",
      since: 1,
      sinks: { file: 12 },
    });
    await a.save();
    assert.equal(a.saves, 1);
    const names = async () => (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    // No temp file left, and no previous snapshot before there was a state to keep.
    assert.deepEqual(await names(), ["checkpoints.json"]);
    const b = await CheckpointStore.open(dir);
    assert.deepEqual(b.get("app", 1, 7), entry(100));
    assert.deepEqual(b.get("app", 1, 8), { ...entry(5, 8), sinks: { web: 40 } });
    assert.equal(b.forSource("app").length, 2);
    assert.deepEqual(b.orphans("app")[0]!.sinks, { file: 12 });
    b.delete("app", 1, 8);
    await b.save();
    // The second save keeps the first state as the previous snapshot.
    assert.deepEqual(await names(), ["checkpoints.json", "checkpoints.prev.json"]);
    assert.equal((await CheckpointStore.open(dir)).get("app", 1, 8), undefined);
    const prev = JSON.parse(await Deno.readTextFile(`${dir}/checkpoints.prev.json`));
    assert.deepEqual(prev.files.map((f: { ino: number }) => f.ino), [7, 8]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CheckpointStore writes through fresh temp files: a planted symlink is never followed", async () => {
  const dir = await Deno.makeTempDir();
  const victim = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(victim, "precious\n");
    // The names an older version used, planted as symlinks to a file the attacker wants overwritten.
    for (const n of [".checkpoints.json.tmp", ".checkpoints.prev.json.tmp"]) {
      await Deno.symlink(victim, `${dir}/${n}`);
    }
    const s = await CheckpointStore.open(dir);
    for (let i = 1; i <= 3; i++) {
      s.set(entry(i));
      await s.save();
    }
    assert.equal(await Deno.readTextFile(victim), "precious\n");
    assert.equal((await CheckpointStore.open(dir)).get("app", 1, 7)!.offset, 3);
    const left = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.deepEqual(left, [
      ".checkpoints.json.tmp",
      ".checkpoints.prev.json.tmp",
      "checkpoints.json",
      "checkpoints.prev.json",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(victim);
  }
});

Deno.test("CheckpointStore.save() coalesces concurrent calls and skips clean states", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const s = await CheckpointStore.open(dir);
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 50; i++) {
      s.set(entry(i));
      saves.push(s.save());
    }
    await Promise.all(saves);
    assert.ok(s.saves < 50, `${s.saves} writes for 50 calls`);
    assert.equal((await CheckpointStore.open(dir)).get("app", 1, 7)!.offset, 50);
    const before = s.saves;
    await s.save();
    s.set(entry(50)); // unchanged
    await s.save();
    assert.equal(s.saves, before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CheckpointStore falls back to the previous snapshot, and refuses to start over silently", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const s = await CheckpointStore.open(dir);
    s.set(entry(10));
    await s.save();
    s.set(entry(20));
    await s.save(); // the first state is now the previous snapshot
    await Deno.writeTextFile(`${dir}/checkpoints.json`, '{"version":1,"files":[{"sou');
    const r = await CheckpointStore.open(dir);
    assert.equal(r.get("app", 1, 7)!.offset, 10);
    assert.match(r.notes[0]!, /unreadable/);
    await Deno.writeTextFile(`${dir}/checkpoints.prev.json`, "garbage");
    await assert.rejects(() => CheckpointStore.open(dir), CheckpointError);
    await assert.rejects(
      () => CheckpointStore.open(dir),
      /would be read again from the start: fix or remove/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
