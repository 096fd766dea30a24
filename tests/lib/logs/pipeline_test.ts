import assert from "node:assert/strict";
import { append, line, once, pipeline, read, seqs, tally, until, withDir } from "./_pipeline.ts";

const fileOut = (dir: string, format = "raw") => ({
  name: "out",
  type: "file",
  path: `${dir}/out/{source}.log`,
  format,
});

Deno.test("pipeline --once ships every file of the globs, then only what was added", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs/sub`, { recursive: true });
    await append(`${dir}/logs/a.log`, 0, 100);
    await append(`${dir}/logs/sub/b.log`, 100, 150);
    await append(`${dir}/logs/skip.log`, 900, 901);
    await Deno.writeTextFile(`${dir}/logs/old.log.gz`, "binary");
    const config = {
      state_dir: `${dir}/state`,
      sources: [{
        name: "app",
        paths: [`${dir}/logs/**/*.log`, `${dir}/logs/*.gz`],
        exclude: ["skip.log"],
        outputs: ["out"],
      }],
      outputs: [fileOut(dir)],
    };
    const p = await once(config);
    assert.equal(p.sources[0]!.stats.linesRead, 150);
    assert.deepEqual(tally(seqs(await read(`${dir}/out/app.log`)), 150), {
      missing: [],
      duplicates: 0,
    });
    await once(config);
    assert.equal(
      seqs(await read(`${dir}/out/app.log`)).length,
      150,
      "a second run ships nothing again",
    );
    await append(`${dir}/logs/a.log`, 150, 160);
    await append(`${dir}/logs/new.log`, 160, 170);
    await once(config);
    assert.deepEqual(tally(seqs(await read(`${dir}/out/app.log`)), 170), {
      missing: [],
      duplicates: 0,
    });
  }));

Deno.test("pipeline never checkpoints past an unfinished last line, and ships it whole once finished", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const path = `${dir}/logs/a.log`;
    await Deno.writeTextFile(path, `${line(0)}\n${line(1).slice(0, 30)}`);
    const config = {
      state_dir: `${dir}/state`,
      sources: [{ name: "app", paths: [path], outputs: ["out"] }],
      outputs: [fileOut(dir)],
    };
    await once(config);
    assert.deepEqual(seqs(await read(`${dir}/out/app.log`)), [0]);
    const state = JSON.parse(await read(`${dir}/state/checkpoints.json`));
    assert.equal(state.files[0].offset, line(0).length + 1);
    await Deno.writeTextFile(path, `${line(1).slice(30)}\n`, { append: true });
    await once(config);
    assert.equal(await read(`${dir}/out/app.log`), `${line(0)}\n${line(1)}\n`);
  }));

Deno.test("pipeline start_at: end skips what files held at the first start, not what comes later", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    await append(`${dir}/logs/a.log`, 0, 10);
    const config = {
      state_dir: `${dir}/state`,
      sources: [{ name: "app", paths: [`${dir}/logs/*.log`], start_at: "end", outputs: ["out"] }],
      outputs: [fileOut(dir)],
    };
    await once(config);
    assert.equal(await read(`${dir}/out/app.log`), "");
    await append(`${dir}/logs/a.log`, 10, 12);
    await append(`${dir}/logs/b.log`, 12, 13);
    await once(config);
    assert.deepEqual(seqs(await read(`${dir}/out/app.log`)).sort(), [10, 11, 12]);
  }));

Deno.test("pipeline follows rotation by rename while a writer appends: every line once, rotated files read to their end", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const path = `${dir}/logs/app.log`;
    await Deno.writeTextFile(path, "");
    const logs: string[] = [];
    // Only app.log is matched: renamed files are followed through their open descriptor.
    const p = await pipeline({
      state_dir: `${dir}/state`,
      sources: [{
        name: "app",
        paths: [path],
        outputs: ["out"],
        scan_interval: 0.1,
        poll_interval: 0.05,
        release_after: 0.3,
      }],
      outputs: [{ ...fileOut(dir), batch: { max_events: 500, timeout: 0.05 } }],
    }, logs);
    const running = p.run();
    const total = 20_000;
    let seq = 0;
    for (let round = 0; round < 5; round++) {
      // A logger keeps its descriptor: it writes to the old file until it reopens.
      const f = await Deno.open(path, { append: true, create: true });
      const enc = new TextEncoder();
      for (let k = 0; k < 40; k++) {
        let text = "";
        for (let j = 0; j < total / 200; j++) text += line(seq++) + "\n";
        await f.write(enc.encode(text));
        if (k === 30) await Deno.rename(path, `${path}.${round}`); // logrotate: rename ...
      }
      f.close(); // ... then the application reopens its log (create)
    }
    await until(async () => seqs(await read(`${dir}/out/app.log`)).length >= total, "all lines");
    await until(() => p.sources[0]!.stats.released === 5, "the rotated files released");
    await p.stop();
    await running;
    assert.deepEqual(tally(seqs(await read(`${dir}/out/app.log`)), total), {
      missing: [],
      duplicates: 0,
    });
    assert.equal(p.sources[0]!.stats.rotations, 5);
  }));

Deno.test("pipeline follows copytruncate while a writer appends: every line once", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const path = `${dir}/logs/app.log`;
    await Deno.writeTextFile(path, "");
    const logs: string[] = [];
    const p = await pipeline({
      state_dir: `${dir}/state`,
      sources: [{
        name: "app",
        paths: [`${path}*`],
        outputs: ["out"],
        scan_interval: 0.1,
        poll_interval: 0.02,
      }],
      outputs: [{ ...fileOut(dir), batch: { max_events: 300, timeout: 0.05 } }],
    }, logs);
    const running = p.run();
    const total = 12_000;
    let seq = 0;
    for (let round = 0; round < 4; round++) {
      for (let k = 0; k < 30; k++) {
        await append(path, seq, seq + 100);
        seq += 100;
        await new Promise((r) => setTimeout(r, 2));
      }
      // logrotate copytruncate: copy, then truncate in place (nothing written in between).
      await Deno.copyFile(path, `${path}.${round}`);
      await Deno.truncate(path, 0);
    }
    await until(async () => seqs(await read(`${dir}/out/app.log`)).length >= total, "all lines");
    await new Promise((r) => setTimeout(r, 300));
    await p.stop();
    await running;
    const t = tally(seqs(await read(`${dir}/out/app.log`)), total);
    assert.deepEqual(t.missing, []);
    assert.equal(t.duplicates, 0, logs.join("\n"));
    assert.equal(p.sources[0]!.stats.truncations, 4);
  }));

Deno.test("pipeline reads a deleted file to its end and forgets it", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const path = `${dir}/logs/app.log`;
    await append(path, 0, 10);
    const p = await pipeline({
      state_dir: `${dir}/state`,
      sources: [{
        name: "app",
        paths: [path],
        outputs: ["out"],
        scan_interval: 0.05,
        poll_interval: 0.02,
        release_after: 0.1,
      }],
      outputs: [{ ...fileOut(dir), batch: { timeout: 0.02 } }],
    });
    const running = p.run();
    await until(async () => seqs(await read(`${dir}/out/app.log`)).length === 10, "first lines");
    const f = await Deno.open(path, { append: true });
    await Deno.remove(path);
    await f.write(new TextEncoder().encode(`${line(10)}\n${line(11)}`)); // the last one unfinished
    f.close();
    await until(
      async () => seqs(await read(`${dir}/out/app.log`)).length === 12,
      "lines written after the delete",
    );
    await until(() => p.sources[0]!.stats.released === 1, "release");
    await p.stop();
    await running;
    const state = JSON.parse(await read(`${dir}/state/checkpoints.json`));
    assert.deepEqual(state.files, [], "the checkpoint of a deleted, shipped file is dropped");
  }));

Deno.test("pipeline resumes a file renamed while stopped, from its checkpoint", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const path = `${dir}/logs/app.log`;
    await append(path, 0, 5);
    const config = {
      state_dir: `${dir}/state`,
      sources: [{ name: "app", paths: [path], outputs: ["out"] }],
      outputs: [fileOut(dir)],
    };
    await once(config);
    await append(path, 5, 8); // written before the rotation, never read
    await Deno.rename(path, `${path}.1`);
    await append(path, 8, 10);
    await once(config);
    assert.deepEqual(tally(seqs(await read(`${dir}/out/app.log`)), 10), {
      missing: [],
      duplicates: 0,
    });
  }));

Deno.test("pipeline: multiline, json parser, filters and fan-out to two outputs", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const text = [
      '{"level":"info","msg":"start","seq":"seq=0000000"}',
      '{"level":"debug","msg":"noise","seq":"seq=0000001"}',
      "not json at all seq=0000002",
      '{"level":"error","msg":"failed","seq":"seq=0000003"}',
    ].join("\n") + "\n";
    await Deno.writeTextFile(`${dir}/logs/app.json`, text);
    await Deno.writeTextFile(
      `${dir}/logs/java.log`,
      "2024-05-01 10:00:00 ERROR boom seq=0000004\n\tat a.B(B.java:1)\n\tat c.D(D.java:2)\n2024-05-01 10:00:01 INFO ok seq=0000005\n",
    );
    const p = await once({
      state_dir: `${dir}/state`,
      sources: [
        {
          name: "json",
          paths: [`${dir}/logs/*.json`],
          parser: { type: "json" },
          filters: [{ field: "level", equals: "debug", negate: true }, {
            add_fields: { env: "test" },
          }],
          outputs: ["out", "copy"],
        },
        {
          name: "java",
          paths: [`${dir}/logs/*.log`],
          multiline: { pattern: "^\\d{4}-", negate: true, match: "after" },
          outputs: ["out", "copy"],
        },
      ],
      outputs: [fileOut(dir, "json"), { name: "copy", type: "file", path: `${dir}/copy.jsonl` }],
    });
    const out = [
      ...(await read(`${dir}/out/json.log`)).trimEnd().split("\n"),
      ...(await read(`${dir}/out/java.log`)).trimEnd().split("\n"),
    ]
      .map((l) => JSON.parse(l));
    assert.deepEqual(out.map((e) => seqs(JSON.stringify(e))[0]), [0, 2, 3, 4, 5]);
    assert.equal(out[0].env, "test");
    assert.equal(out[0].level, "info");
    assert.equal(out[0]["host"].name, "test-host");
    assert.match(out[1].error.message, /^json: /);
    assert.equal(
      out[3].message,
      "2024-05-01 10:00:00 ERROR boom seq=0000004\n\tat a.B(B.java:1)\n\tat c.D(D.java:2)",
    );
    assert.equal(out[3].log.offset, 0);
    assert.equal(
      (await read(`${dir}/copy.jsonl`)).trimEnd().split("\n").length,
      5,
      "fan-out: the copy has all",
    );
    assert.equal(p.sources[0]!.stats.filtered, 1);
    assert.equal(p.sources[0]!.stats.parseErrors, 1);
  }));

Deno.test("pipeline handles invalid UTF-8 and over-long lines, counted, in both read paths", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const bytes = [
      ...new TextEncoder().encode("ok seq=0000000\nbad \xff"),
      0xfe,
      ...new TextEncoder().encode(" seq=0000001\n" + "y".repeat(300) + "\n"),
    ];
    await Deno.writeFile(`${dir}/logs/a.log`, new Uint8Array(bytes));
    for (const parser of [undefined, "plain-with-filter"]) {
      const name = parser ? "filtered" : "raw";
      const p = await once({
        state_dir: `${dir}/state-${name}`,
        sources: [{
          name,
          paths: [`${dir}/logs/a.log`],
          max_line_bytes: 100,
          ...(parser ? { filters: [{ exclude: "^never$" }] } : {}),
          outputs: ["out"],
        }],
        outputs: [fileOut(dir)],
      });
      const lines = (await read(`${dir}/out/${name}.log`)).trimEnd().split("\n");
      assert.equal(lines.length, 5, name);
      assert.ok(lines[1]!.includes("\uFFFD"), `${name}: invalid bytes replaced`);
      assert.deepEqual(lines.slice(2).map((l) => l.length), [100, 100, 100]);
      assert.equal(p.sources[0]!.stats.longLines, 1);
      assert.equal(p.sources[0]!.stats.invalidUtf8, 1);
    }
  }));

Deno.test("a pipeline stopped and made again on the same state dir, in one process, ships every line once", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    const path = `${dir}/logs/app.log`;
    const config = {
      state_dir: `${dir}/state`,
      sources: [{
        name: "app",
        paths: [path],
        multiline: { pattern: "^\\s", match: "after", timeout: 0.1 },
        outputs: ["out"],
        poll_interval: 0.02,
        scan_interval: 0.1,
      }],
      outputs: [{ ...fileOut(dir), batch: { timeout: 0.02 } }],
    };
    const first = await pipeline(config);
    const running = first.run();
    await assert.rejects(() => pipeline(config), /another driftless logs is running/);
    await append(path, 0, 1000);
    await until(async () => seqs(await read(`${dir}/out/app.log`)).length === 1000, "lines");
    // Reload while a line is half written (it is read again by the next pipeline, whole).
    await Deno.writeTextFile(path, line(1000).slice(0, 30), { append: true });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await first.stop(), true);
    await running;
    const second = await pipeline(config);
    const again = second.run();
    await Deno.writeTextFile(path, line(1000).slice(30) + "\n", { append: true });
    await append(path, 1001, 2000);
    await until(async () => seqs(await read(`${dir}/out/app.log`)).length >= 2000, "the rest");
    await second.stop();
    await again;
    const out = await read(`${dir}/out/app.log`);
    assert.deepEqual(tally(seqs(out), 2000), { missing: [], duplicates: 0 });
    assert.ok(out.includes(`\n${line(1000)}\n`), "the half-written line arrives whole");
  }));
