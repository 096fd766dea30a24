import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, createSink, loadConfig, shipLogs } from "../../mod.ts";
import { writeTree } from "../_helpers/cli.ts";

async function logsDir() {
  const dir = await Deno.makeTempDir({ prefix: "driftless-api-" });
  await Deno.mkdir(join(dir, "state"), { mode: 0o700 });
  await writeTree(join(dir, "config"), {
    "logs.yml": `state_dir: ${dir}/state
sources: [{ name: app, paths: ["${dir}/app.log"], start_at: beginning, outputs: [out] }]
outputs: [{ name: out, type: file, path: "${dir}/out/{source}.ndjson" }]
`,
  });
  return dir;
}

const shipped = async (dir: string) =>
  (await Deno.readTextFile(join(dir, "out/app.ndjson"))).trim().split("\n").map((l) =>
    JSON.parse(l).message
  );

Deno.test("shipLogs({ once }) ships what the files hold and resolves when it is acknowledged", async () => {
  const dir = await logsDir();
  try {
    await Deno.writeTextFile(join(dir, "app.log"), "one\ntwo\n");
    const config = await loadConfig(join(dir, "config"), { tasks: false });
    const first = await shipLogs(config, { once: true });
    assert.equal(await first.done, true);
    assert.deepEqual(await shipped(dir), ["one", "two"]);
    const read = (await first.metrics()).find((f) => f.name === "driftless_logs_lines_read_total");
    assert.equal(read?.samples[0]?.value, 2);
    // The checkpoint carries over: the next run ships only what is new.
    await Deno.writeTextFile(join(dir, "app.log"), "three\n", { append: true });
    assert.equal(await (await shipLogs(config, { once: true })).done, true);
    assert.deepEqual(await shipped(dir), ["one", "two", "three"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shipLogs() follows until stop(), which delivers what is queued", async () => {
  const dir = await logsDir();
  try {
    await Deno.writeTextFile(join(dir, "app.log"), "");
    const shipping = await shipLogs(join(dir, "config"));
    await Deno.writeTextFile(join(dir, "app.log"), "followed\n", { append: true });
    const deadline = Date.now() + 30_000;
    while (true) {
      const text = await Deno.readTextFile(join(dir, "out/app.ndjson")).catch(() => "");
      if (text.includes("followed")) break;
      if (Date.now() > deadline) throw new Error("the line was not shipped");
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await shipping.stop(), true);
    assert.equal(await shipping.done, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createSink() sends a script's own events; a bad config is a ConfigError", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless-api-" });
  try {
    // Written units, as in a config file: "50ms", "1KiB".
    const sink = await createSink({
      name: "deploys",
      type: "file",
      path: `${dir}/d.ndjson`,
      batch: { timeout: "50ms", max_bytes: "1KiB" },
    });
    await sink.send([{ event: "deploy", version: "1.4.2" }, { event: "deploy", version: "1.4.3" }]);
    await sink.close();
    const lines = (await Deno.readTextFile(`${dir}/d.ndjson`)).trim().split("\n");
    assert.deepEqual(lines.map((l) => JSON.parse(l).version), ["1.4.2", "1.4.3"]);
    assert.equal(sink.stats.eventsSent, 2);
    await assert.rejects(
      // @ts-expect-error: the type requires `url` too; an untyped caller gets a ConfigError
      createSink({ name: "x", type: "http" }),
      (e) => e instanceof ConfigError && e.issues.some((i) => i.path === "url"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
