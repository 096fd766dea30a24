import assert from "node:assert/strict";
import { startCollector } from "../sinks/_collector.ts";
import type { LogsPipeline } from "../../../lib/logs/pipeline.ts";
import { append, line, once, pipeline, read, seqs, tally, until, withDir } from "./_pipeline.ts";

const fileOut = (dir: string) => ({
  name: "out",
  type: "file",
  path: `${dir}/out/{source}.log`,
  format: "raw",
  batch: { max_events: 500, timeout: 0.05 },
});

/**
 * Follows one source, "app", into a raw file output (`dir/out/app.log`) while `fn` runs, then
 * stops. `source` adds to or overrides the source's settings (`paths` at least).
 */
async function follow(
  dir: string,
  source: Record<string, unknown>,
  fn: (p: LogsPipeline, shipped: () => Promise<number[]>) => Promise<void>,
  logs?: string[],
): Promise<void> {
  const p = await pipeline({
    state_dir: `${dir}/state`,
    sources: [{
      name: "app",
      outputs: ["out"],
      poll_interval: 0.05,
      scan_interval: 0.2,
      release_after: 0.2,
      ...source,
    }],
    outputs: [fileOut(dir)],
  }, logs);
  const running = p.run();
  try {
    await fn(p, async () => seqs(await read(`${dir}/out/app.log`)));
  } finally {
    await p.stop();
    await running;
  }
}

/** Every line of a raw output must be one of ours, whole: `line(seq)` exactly. */
function assertWhole(text: string) {
  for (const l of text.split("\n").slice(0, -1)) {
    const s = seqs(l);
    assert.ok(s.length === 1 && l === line(s[0]!), `a line that is not whole: ${l.slice(0, 200)}`);
  }
}

Deno.test("copytruncate while the reader waits for a full queue: the rest comes from the copy, nothing lost or spliced", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const path = `${dir}/logs/app.log`;
    for (let i = 0; i < 60_000; i += 10_000) await append(path, i, i + 10_000); // ~5 MB
    const c = await startCollector();
    c.down = true;
    const logs: string[] = [];
    // Only app.log is named: the copy is found among its rotated names.
    const p = await pipeline({
      state_dir: `${dir}/state`,
      sources: [{
        name: "app",
        paths: [path],
        outputs: ["web"],
        poll_interval: 0.05,
        scan_interval: 0.2,
      }],
      outputs: [{
        name: "web",
        type: "http",
        url: `${c.url}/in`,
        batch: { max_events: 500, timeout: 0.05 },
        queue: { max_events: 2000 },
        retry: { initial_backoff: 0.05, max_backoff: 0.1 },
      }],
    }, logs);
    const running = p.run();
    try {
      const source = p.sources[0]!;
      const sink = p.sinks.get("web")!;
      await until(() => sink.stats.retries >= 3, "the output to fail");
      const held = source.stats.linesRead;
      assert.ok(held < 40_000, `the reader is held up by the full queue (${held} lines read)`);
      // logrotate copytruncate, then the file grows past the offset the reader stopped at.
      await Deno.copyFile(path, `${path}.1`);
      await Deno.truncate(path, 0);
      for (let i = 60_000; i < 100_000; i += 10_000) await append(path, i, i + 10_000);
      c.down = false;
      await until(() => c.docs.length >= 100_000, "every line", 60_000);
      await new Promise((r) => setTimeout(r, 300));
      const messages = c.docs.map((d) => d.message as string);
      assertWhole(messages.join("\n") + "\n");
      assert.deepEqual(tally(seqs(messages.join("\n")), 100_000), { missing: [], duplicates: 0 });
      assert.equal(source.stats.truncations, 1);
      assert.match(
        logs.join("\n"),
        /app\.log\.1 is the copy of truncated .*app\.log; continuing at byte [1-9]/,
      );
    } finally {
      await p.stop();
      await running;
      await c.stop();
    }
  }));

Deno.test("a line cut by a copytruncate is dropped from the copy and counted, never shipped in part", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const path = `${dir}/logs/app.log`;
    await append(path, 0, 100);
    await follow(dir, { paths: [path] }, async (p, shipped) => {
      const source = p.sources[0]!;
      await until(async () => (await shipped()).length === 100, "the first lines");
      // The writer was in the middle of a line when the file was copied and truncated.
      await Deno.writeTextFile(path, line(100).slice(0, 25), { append: true });
      await until(() => source.lagBytes > 0, "the half line seen");
      await Deno.copyFile(path, `${path}.1`);
      await Deno.truncate(path, 0);
      await append(path, 101, 200);
      await until(() => source.stats.truncatedLines === 1, "the cut line counted", 10_000);
      await until(async () => (await shipped()).length === 199, "the rest");
      const out = await read(`${dir}/out/app.log`);
      assertWhole(out);
      assert.deepEqual(tally(seqs(out).filter((s) => s !== 100), 200).missing, [100]);
    });
  }));

Deno.test("polling (watch: false): files created and renamed between two scans are still read", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const path = `${dir}/logs/app.log`;
    await follow(dir, { paths: [path], watch: false, scan_interval: 0.5 }, async (_, shipped) => {
      // 200 quick rotations: each file lives far shorter than the scan interval.
      const files = 200;
      for (let i = 0; i < files; i++) {
        await append(path, i * 10, i * 10 + 10);
        await Deno.rename(path, `${path}.${i + 1}`);
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 100));
      }
      await until(async () => (await shipped()).length >= files * 10, "every file", 30_000);
      await new Promise((r) => setTimeout(r, 700)); // a few more scans: nothing read twice
      assert.deepEqual(tally(await shipped(), files * 10), { missing: [], duplicates: 0 });
    });
  }));

/**
 * Files created and renamed away amid thousands of writes to another file, all without
 * yielding to the event loop (so nothing drains the kernel's event queue meanwhile).
 */
function flood(path: string, noisePath: string, from: number): number {
  const noise = Deno.openSync(noisePath, { write: true, create: true, append: true });
  let seq = from;
  for (let i = 0; i < 10; i++) {
    Deno.writeTextFileSync(path, `${line(seq++)}\n${line(seq++)}\n`);
    Deno.renameSync(path, `${path}.${seq}`);
    for (let k = 0; k < 5000; k++) noise.writeSync(new Uint8Array([120]));
  }
  noise.close();
  return seq;
}

Deno.test("an inotify queue overflow is counted and warned about, and the rescan finds what events were lost", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const path = `${dir}/logs/app.log`;
    const logs: string[] = [];
    // Only events and rescans find files: no scan is due for an hour.
    await follow(dir, { paths: [path], scan_interval: 3600 }, async (p, shipped) => {
      const source = p.sources[0]!;
      await new Promise((r) => setTimeout(r, 200));
      // A flood of writes to another file of the directory, while files are created and
      // renamed away: the kernel's event queue (fs.inotify.max_queued_events) overflows.
      let rounds = 0;
      let seq = 0;
      while (source.stats.watchOverflows === 0 && rounds++ < 20) {
        seq = flood(path, `${dir}/logs/noise.txt`, seq);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(source.stats.watchOverflows > 0, "the flood overflowed the event queue");
      assert.match(logs.join("\n"), /inotify lost events \(queue overflow\); rescanning/);
      await until(async () => (await shipped()).length >= seq, "every renamed file", 30_000);
      assert.deepEqual(tally(await shipped(), seq).missing, []);
    }, logs);
  }));

Deno.test("max_open_files caps descriptors: the least recently read file is closed and reopened when it grows", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const n = 60;
    for (let i = 0; i < n; i++) await append(`${dir}/logs/f${i}.log`, i * 10, i * 10 + 5);
    const source = { paths: [`${dir}/logs/*.log`], max_open_files: 10 };
    await follow(dir, source, async (p, shipped) => {
      const source = p.sources[0]!;
      let most = 0;
      const watch = setInterval(() => (most = Math.max(most, source.openFiles)), 5);
      await until(async () => (await shipped()).length === n * 5, "first lines");
      for (let i = 0; i < n; i++) await append(`${dir}/logs/f${i}.log`, i * 10 + 5, i * 10 + 10);
      await until(async () => (await shipped()).length === n * 10, "lines added to closed files");
      clearInterval(watch);
      assert.ok(most <= 10, `${most} files open at once`);
      assert.ok(source.stats.closedOverLimit >= n - 10);
      assert.deepEqual(tally(await shipped(), n * 10), { missing: [], duplicates: 0 });
    });
  }));

Deno.test("a named path that cannot be read is a warning and a metric at every scan, until it can be", () =>
  withDir(async (dir) => {
    // A symlink loop: unreadable even for root.
    await Deno.symlink(`${dir}/logs`, `${dir}/logs`);
    const logs: string[] = [];
    await follow(dir, { paths: [`${dir}/logs/*.log`], scan_interval: 0.1 }, async (p, shipped) => {
      const source = p.sources[0]!;
      const warnings = () => logs.filter((l) => l.includes(`cannot read ${dir}/logs`)).length;
      await until(() => warnings() >= 3, "a warning at each scan");
      assert.equal(source.stats.unreadable, 1);
      await Deno.remove(`${dir}/logs`);
      await Deno.mkdir(`${dir}/logs`);
      await append(`${dir}/logs/a.log`, 0, 10);
      await until(async () => (await shipped()).length === 10, "the lines");
      const after = warnings();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(warnings(), after, "no more warnings once it is readable");
      assert.equal(source.stats.unreadable, 0);
    }, logs);
  }));

Deno.test("across restarts: rotated files already shipped are not read again, and files rotated unseen while stopped are", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const path = `${dir}/logs/app.log`;
    const config = {
      state_dir: `${dir}/state`,
      sources: [{ name: "app", paths: [path], outputs: ["out"] }],
      outputs: [fileOut(dir)],
    };
    const shipped = async () => tally(seqs(await read(`${dir}/out/app.log`)), 50);
    const rotate = async () => {
      for (const [from, to] of [[`${path}.1`, `${path}.2`], [path, `${path}.1`]]) {
        await Deno.rename(from!, to!).catch(() => {});
      }
    };
    await append(path, 0, 10);
    await once(config);
    await rotate();
    await append(path, 10, 20);
    await once(config); // app.log.1 was shipped to its end: known, not read again
    await rotate(); // ... nor after it is renamed to app.log.2
    await append(path, 20, 30);
    await once(config);
    // While stopped: a file is made, written and rotated away before any run saw it.
    await rotate();
    await append(path, 30, 40);
    await rotate();
    await append(path, 40, 50);
    await once(config);
    assert.deepEqual(await shipped(), { missing: [], duplicates: 0 });
  }));
