import assert from "node:assert/strict";
import { FileSink } from "../../../lib/sinks/file.ts";
import { gunzip } from "../../../lib/sinks/gzip.ts";
import { createSink } from "../../../lib/sinks/create.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "filesink-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const ev = (n: number, source = "app") => ({ message: `line ${n}`, source, host: "h1", n });

Deno.test("FileSink writes raw lines or JSON to paths from the template", () =>
  withDir(async (dir) => {
    const raw = new FileSink({
      name: "f",
      type: "file",
      path: `${dir}/{host}/{source}.log`,
      format: "raw",
    }, { host: "me" });
    await raw.check();
    await raw.send([ev(1), ev(2, "db"), ev(3)]);
    await raw.close();
    assert.equal(await Deno.readTextFile(`${dir}/h1/app.log`), "line 1\nline 3\n");
    assert.equal(await Deno.readTextFile(`${dir}/h1/db.log`), "line 2\n");
    const json = new FileSink({ name: "j", type: "file", path: `${dir}/all-%Y.jsonl` }, {
      host: "me",
    });
    await json.send([ev(4), { task: "audit entry", changed: true }]);
    await json.close();
    const year = new Date().getUTCFullYear();
    const lines = (await Deno.readTextFile(`${dir}/all-${year}.jsonl`)).trimEnd().split("\n").map((
      l,
    ) => JSON.parse(l));
    assert.deepEqual(lines, [ev(4), { task: "audit entry", changed: true }]);
  }));

Deno.test("FileSink cuts a line torn by a crash before appending again", () =>
  withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/out.log`, "line 1\nline 2\nli");
    const s = new FileSink({ name: "f", type: "file", path: `${dir}/out.log`, format: "raw" }, {
      host: "h",
    });
    await s.send([ev(3)]);
    await s.close();
    assert.equal(await Deno.readTextFile(`${dir}/out.log`), "line 1\nline 2\nline 3\n");
  }));

Deno.test("FileSink rotates by size, gzips rotated files and keeps max_files of them", () =>
  withDir(async (dir) => {
    const s = new FileSink({
      name: "f",
      type: "file",
      path: `${dir}/out.log`,
      format: "raw",
      rotate: { max_bytes: 100 },
      compress: true,
      max_files: 2,
    }, { host: "h" });
    for (let i = 0; i < 10; i++) await s.send(Array.from({ length: 5 }, (_, k) => ev(i * 5 + k)));
    await s.close();
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    const key = (n: string) => {
      const m = /\.(\d{8}T\d{6}Z)(?:-(\d+))?\.gz$/.exec(n)!;
      return `${m[1]}-${m[2]?.padStart(4, "0") ?? "0000"}`;
    };
    const rotated = names.filter((n) => n.endsWith(".gz")).sort((a, b) => key(a) < key(b) ? -1 : 1);
    assert.equal(rotated.length, 2, names.join(" "));
    assert.ok(names.includes("out.log"));
    assert.ok(
      !names.some((n) => /\.\d{8}T\d{6}Z(-\d+)?$/.test(n)),
      "no uncompressed rotated file left",
    );
    // The newest files hold the newest lines, in order, none lost between them.
    let text = "";
    for (const n of rotated) {
      text += new TextDecoder().decode(await gunzip(await Deno.readFile(`${dir}/${n}`)));
    }
    text += await Deno.readTextFile(`${dir}/out.log`);
    const nums = text.trimEnd().split("\n").map((l) => Number(l.split(" ")[1]));
    assert.deepEqual(nums, [...Array(nums.length).keys()].map((i) => 50 - nums.length + i));
    assert.ok((await Deno.stat(`${dir}/out.log`)).size < 100);
  }));

Deno.test("FileSink rotates by age", () =>
  withDir(async (dir) => {
    const s = new FileSink(
      { name: "f", type: "file", path: `${dir}/out.log`, format: "raw", rotate: { interval: 50 } },
      { host: "h" },
    );
    await s.send([ev(1)]);
    await new Promise((r) => setTimeout(r, 80));
    await s.send([ev(2)]);
    await s.close();
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.equal(names.length, 2, names.join(" "));
    assert.equal(await Deno.readTextFile(`${dir}/out.log`), "line 2\n");
  }));

Deno.test("createSink() gives a file sink behind the shared wrapper; send() waits for durability", () =>
  withDir(async (dir) => {
    const s = await createSink({
      name: "audit",
      type: "file",
      path: `${dir}/audit.jsonl`,
      batch: { max_events: 2 },
    });
    await Promise.all([s.send([{ a: 1 }]), s.send([{ a: 2 }, { a: 3 }])]);
    assert.equal((await Deno.readTextFile(`${dir}/audit.jsonl`)).trimEnd().split("\n").length, 3);
    assert.equal(s.stats.eventsSent, 3);
    await s.close();
  }));
