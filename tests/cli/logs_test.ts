import assert from "node:assert/strict";
import { ROOT, runCli, writeTree } from "../_helpers/cli.ts";
import { append, read, seqs, tally, until } from "../lib/logs/_pipeline.ts";

/** A config dir shipping dir/logs/app.log to dir/out/app.log (raw lines). */
async function setup(extra = ""): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "driftless_logs_" });
  await Deno.mkdir(`${dir}/logs`);
  await writeTree(dir, {
    "config/logs.yml": `state_dir: ${dir}/state
sources:
  - name: app
    paths: ["${dir}/logs/*.log"]
    poll_interval: 50ms
    scan_interval: 200ms
    outputs: [out]
outputs:
  - name: out
    type: file
    path: ${dir}/out/{source}.log
    format: raw
    batch: { max_events: 500, timeout: 50ms }
${extra}`,
  });
  return dir;
}

/** Starts `driftless logs` (follow mode) as a real subprocess. */
function spawnLogs(dir: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", `${ROOT}/mod.ts`, "--config", `${dir}/config`, "logs"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

/**
 * Routes the source to a second output too, an HTTP one on a port where nothing listens (it is
 * "down"); `extra` is appended to the config (keys of that output, then top-level ones).
 */
async function addDownOutput(dir: string, extra: string): Promise<void> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const yml = await Deno.readTextFile(`${dir}/config/logs.yml`);
  await Deno.writeTextFile(
    `${dir}/config/logs.yml`,
    yml.replace("outputs: [out]", "outputs: [out, web]") +
      `  - name: web\n    type: http\n    url: http://127.0.0.1:${port}/in\n${extra}`,
  );
}

async function stderrOf(child: Deno.ChildProcess): Promise<string> {
  return new TextDecoder().decode((await child.output()).stderr);
}

Deno.test("driftless logs --once ships what exists, exits 0, and ships nothing twice", async () => {
  const dir = await setup();
  try {
    await append(`${dir}/logs/app.log`, 0, 3000);
    const r = await runCli(["--config", `${dir}/config`, "logs", "--once"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /3000 lines read, 3000 events shipped/);
    const again = await runCli(["--config", `${dir}/config`, "logs", "--once"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /0 lines read/);
    assert.deepEqual(tally(seqs(await read(`${dir}/out/app.log`)), 3000), {
      missing: [],
      duplicates: 0,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless logs with an unknown output name is a config error (exit 2) with a hint", async () => {
  const dir = await setup();
  try {
    await Deno.writeTextFile(
      `${dir}/config/logs.yml`,
      (await Deno.readTextFile(`${dir}/config/logs.yml`)).replace(
        "outputs: [out]",
        "outputs: [Out]",
      ),
    );
    const r = await runCli(["--config", `${dir}/config`, "logs", "--once"]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /logs\.yml:\d+:\d+ sources\[0\]\.outputs\[0\]: unknown output "Out" \(defined: out\); did you mean "out"\?/,
    );
    const v = await runCli(["--config", `${dir}/config`, "validate"]);
    assert.equal(v.code, 2, "validate reports it too");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless logs runs until SIGTERM, then flushes and saves its checkpoints", async () => {
  const dir = await setup();
  try {
    await append(`${dir}/logs/app.log`, 0, 2000);
    const child = spawnLogs(dir);
    await until(
      async () => seqs(await read(`${dir}/out/app.log`)).length === 2000,
      "the first lines",
    );
    await append(`${dir}/logs/app.log`, 2000, 2500);
    await until(
      async () => seqs(await read(`${dir}/out/app.log`)).length === 2500,
      "lines appended while running",
    );
    child.kill("SIGTERM");
    const [status, stderr] = await Promise.all([child.status, stderrOf(child)]);
    assert.equal(status.code, 0, stderr);
    assert.match(stderr, /stopping: delivering queued lines and saving checkpoints/);
    const r = await runCli(["--config", `${dir}/config`, "logs", "--once"]);
    assert.match(r.stderr, /0 lines read/, "nothing left to ship after a clean stop");
    assert.deepEqual(tally(seqs(await read(`${dir}/out/app.log`)), 2500), {
      missing: [],
      duplicates: 0,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless logs killed with SIGKILL at random points loses no line; at most one batch repeats per kill", async () => {
  const dir = await setup();
  const path = `${dir}/logs/app.log`;
  try {
    let seq = 0;
    await append(path, 0, 30_000);
    seq = 30_000;
    const kills = 5;
    for (let k = 0; k < kills; k++) {
      const child = spawnLogs(dir);
      const before = seqs(await read(`${dir}/out/app.log`)).length;
      await append(path, seq, seq + 200);
      seq += 200;
      // Let it ship for a random while, with a writer appending meanwhile.
      await until(
        async () => seqs(await read(`${dir}/out/app.log`)).length > before,
        "shipping to start",
      );
      const stopAt = Date.now() + 50 + Math.random() * 400;
      while (Date.now() < stopAt) {
        await append(path, seq, seq + 200);
        seq += 200;
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill("SIGKILL");
      await child.status;
      await child.stderr.cancel();
    }
    const r = await runCli(["--config", `${dir}/config`, "logs", "--once"]);
    assert.equal(r.code, 0, r.stderr);
    const t = tally(seqs(await read(`${dir}/out/app.log`)), seq);
    assert.deepEqual(t.missing, [], "no line lost");
    assert.ok(
      t.duplicates <= kills * 500,
      `${t.duplicates} duplicates for ${kills} kills of batches of 500`,
    );
    // Every line of the output is whole (a torn write is cut before appending again).
    for (const l of (await read(`${dir}/out/app.log`)).split("\n").slice(0, -1)) {
      assert.match(l, /^2024-05-01T10:00:00Z app\[1\]: seq=\d{7} x{40}$/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless logs --once works with scoped permissions, and says which flag is missing (exit 77)", async () => {
  const dir = await setup();
  try {
    await append(`${dir}/logs/app.log`, 0, 100);
    const base = [
      "--no-prompt",
      "--allow-env=DRIFTLESS_*",
      "--ignore-env",
      `--allow-read=${dir},${ROOT}`,
      "--allow-sys=hostname",
    ];
    const denied = await runCli(["--config", `${dir}/config`, "logs", "--once"], {
      flags: [...base, `--allow-write=${dir}/state`],
    });
    assert.equal(denied.code, 77, denied.stderr);
    assert.match(denied.stderr, new RegExp(`run again with: --allow-write=${dir}/out`));
    const ok = await runCli(["--config", `${dir}/config`, "logs", "--once"], {
      flags: [...base, `--allow-write=${dir}/state,${dir}/out`],
    });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(seqs(await read(`${dir}/out/app.log`)).length, 100);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Resident and peak memory of a process, in bytes. */
async function memoryOf(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)![1]) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

Deno.test("driftless logs with one of its two outputs down stops reading: memory stays far below the backlog", async () => {
  const dir = await setup();
  try {
    await addDownOutput(dir, "shutdown_timeout: 1s\n");
    // A backlog far larger than what memory may hold: buffering it would show at once, GC or
    // not (a bound on growth over a short while would only measure the collector).
    const total = 200_000;
    for (let i = 0; i < total; i += 20_000) await append(`${dir}/logs/app.log`, i, i + 20_000, 520);
    const backlog = (await Deno.stat(`${dir}/logs/app.log`)).size; // ~110 MB
    const child = spawnLogs(dir);
    let peak = 0;
    try {
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 200));
        peak = Math.max(peak, (await memoryOf(child.pid)).hwm);
      }
      const shipped = (await Deno.stat(`${dir}/out/app.log`).catch(() => ({ size: 0 }))).size;
      assert.ok(shipped < backlog / 4, `${shipped} of ${backlog} bytes read with an output down`);
      assert.ok(peak < 150 * 2 ** 20, `peak RSS ${peak} with a backlog of ${backlog} bytes`);
      child.kill("SIGTERM");
      const [status, stderr] = await Promise.all([child.status, stderrOf(child)]);
      assert.equal(status.code, 0, stderr);
      assert.match(stderr, /stopped before everything queued was acknowledged/);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless logs --once exits 1 when an output gave events up (max_attempts)", async () => {
  const dir = await setup();
  try {
    await addDownOutput(
      dir,
      "    retry: { initial_backoff: 10ms, max_backoff: 20ms, max_attempts: 2 }\n",
    );
    await append(`${dir}/logs/app.log`, 0, 10);
    const r = await runCli(["--config", `${dir}/config`, "logs", "--once"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /output web gave up 10 event\(s\) after max_attempts/);
    assert.equal(seqs(await read(`${dir}/out/app.log`)).length, 10, "the other output has them");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless logs refuses an output a source reads back, and a state dir others may write (exit 2)", async () => {
  const dir = await setup();
  try {
    const yml = await Deno.readTextFile(`${dir}/config/logs.yml`);
    await Deno.writeTextFile(
      `${dir}/config/logs.yml`,
      yml.replace(`path: ${dir}/out/{source}.log`, `path: ${dir}/logs/shipped.log`),
    );
    const loop = await runCli(["--config", `${dir}/config`, "logs", "--once"]);
    assert.equal(loop.code, 2, loop.stderr);
    assert.match(
      loop.stderr,
      /logs\.yml:\d+:\d+ outputs\[0\]\.path: source "app" would read back .*shipped\.log/,
    );
    await Deno.writeTextFile(`${dir}/config/logs.yml`, yml);
    await Deno.mkdir(`${dir}/state`, { mode: 0o700 });
    await Deno.chmod(`${dir}/state`, 0o777);
    const open = await runCli(["--config", `${dir}/config`, "logs", "--once"]);
    assert.equal(open.code, 2, open.stderr);
    assert.match(open.stderr, /state dir .*state is writable by others .*chmod go-w/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
