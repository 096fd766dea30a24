/**
 * `driftless apply` end to end, as a subprocess, on a copy of examples/config whose managed
 * paths are moved into a temp dir (so the real system is not touched).
 */
import assert from "node:assert/strict";
import { ROOT, runCli, spawnCli, writeTree } from "../_helpers/cli.ts";

interface Sandbox {
  dir: string;
  config: string;
  site: string;
  conf: string;
  home: string;
  env: string;
}

/** Copies examples/config into a temp dir, pointing its managed paths there too. */
async function sandbox(): Promise<Sandbox> {
  const dir = await Deno.makeTempDir({ prefix: "driftless_apply_" });
  const s: Sandbox = {
    dir,
    config: `${dir}/config`,
    site: `${dir}/srv/site`,
    conf: `${dir}/etc/site`,
    home: `${dir}/home`,
    env: `${dir}/env`,
  };
  const cp = await new Deno.Command("cp", { args: ["-a", `${ROOT}/examples/config`, s.config] })
    .output();
  assert.ok(cp.success);
  for (const file of ["vars.yml", "apply.yml"]) {
    const path = `${s.config}/${file}`;
    const text = await Deno.readTextFile(path);
    await Deno.writeTextFile(
      path,
      text.replaceAll("/srv/driftless-demo", s.site).replaceAll("/etc/driftless-demo", s.conf),
    );
  }
  await Deno.mkdir(s.home);
  await Deno.writeTextFile(s.env, "API_TOKEN=tok-canary-5c1e0d\n", { mode: 0o600 });
  return s;
}

const apply = (s: Sandbox, ...args: string[]) =>
  runCli(["--config", s.config, "--env-file", s.env, "apply", ...args], { env: { HOME: s.home } });

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = `${d}/${e.name}`;
      out.push(p.slice(dir.length));
      if (e.isDirectory) await walk(p);
    }
  };
  await walk(dir).catch(() => {});
  return out.sort();
}

interface JsonTask {
  name: string;
  status: string;
  changes?: { summary: string }[];
  items?: JsonTask[];
}

const summaries = (tasks: JsonTask[]) =>
  tasks.flatMap((t) => [
    ...(t.changes ?? []).map((c) => `${t.name}: ${c.summary}`),
    ...(t.items ?? []).flatMap((i) => (i.changes ?? []).map((c) => `${t.name}: ${c.summary}`)),
  ]);

Deno.test("apply --dry-run changes nothing and lists exactly what the real run then does", async () => {
  const s = await sandbox();
  try {
    const dry = await apply(s, "--dry-run", "--json");
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(await tree(`${s.dir}/srv`), [], "dry run wrote nothing");
    assert.deepEqual(await tree(`${s.dir}/etc`), []);
    const planned = JSON.parse(dry.stdout);
    assert.equal(planned.dry_run, true);

    const real = await apply(s, "--json");
    assert.equal(real.code, 0, real.stderr);
    const done = JSON.parse(real.stdout);
    assert.deepEqual(summaries(planned.tasks), summaries(done.tasks));
    assert.ok(summaries(done.tasks).length >= 8);
    assert.deepEqual(
      planned.tasks.map((t: JsonTask) => [t.name, t.status]),
      done.tasks.map((t: JsonTask) => [t.name, t.status]),
    );
    // The copy into a directory an earlier task creates was planned with its diff, not failed.
    const landing = planned.tasks.find((t: JsonTask) => t.name === "Landing page");
    assert.equal(landing.status, "changed");
    assert.match(landing.changes[0].diff, /\+<h1>It works.<\/h1>/);

    const again = await apply(s);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /ok=\d+ changed=0 failed=0/);
    assert.equal(await Deno.readTextFile(`${s.site}/reloaded.txt`), "reloaded\n");
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("apply prints diffs, runs the handler once, redacts the secret and keeps an audit log", async () => {
  const s = await sandbox();
  try {
    const r = await apply(s, "--diff");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^changed {2}Site config$/m);
    assert.match(r.stdout, /^ +\+\+\+ after: .*\/etc\/site\/site\.conf$/m);
    assert.match(r.stdout, /^changed {2}handler: reload site$/m);
    assert.equal(r.stdout.match(/handler: reload site/g)?.length, 1);
    assert.match(r.stdout, /^changed {2}API token file$/m);
    assert.ok(!r.stdout.includes("tok-canary-5c1e0d") && !r.stderr.includes("tok-canary-5c1e0d"));
    assert.equal(await Deno.readTextFile(`${s.conf}/token`), "tok-canary-5c1e0d\n");
    const auditDir = `${s.home}/.local/state/driftless/audit`;
    const [file] = await Array.fromAsync(Deno.readDir(auditDir));
    const audit = await Deno.readTextFile(`${auditDir}/${file!.name}`);
    assert.ok(!audit.includes("tok-canary-5c1e0d"), "audit log redacted");
    const entries = audit.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.ok(entries.every((e) => e.run_id === entries[0].run_id && e.host));
    assert.ok(
      entries.some((e) =>
        e.task === "Site config" && e.changed && e.diff?.[0]?.includes("+++ after")
      ),
    );
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("apply --tags runs only tagged tasks; --detailed-exitcode reports changes", async () => {
  const s = await sandbox();
  try {
    const tagged = await apply(s, "--tags", "info", "--detailed-exitcode");
    assert.equal(tagged.code, 0, "nothing changed");
    assert.deepEqual(
      tagged.stdout.trimEnd().split("\n").map((l) => l.trim().split(/\s+/)[0]),
      ["ok", "site.conf", "ok=1"],
    );
    const dry = await apply(s, "--dry-run", "--detailed-exitcode");
    assert.equal(dry.code, 2, "changes pending");
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("apply stops at a failed task and exits 1; a config error exits 2 with nothing applied", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_apply_fail_" });
  try {
    await writeTree(dir, {
      "config/apply.yml": [
        "tasks:",
        `  - {type: copy, dest: ${dir}/a, content: "a\\n"}`,
        "  - {type: command, argv: [sh, -c, 'exit 4'], description: breaks}",
        `  - {type: copy, dest: ${dir}/b, content: "b\\n"}`,
      ].join("\n"),
      "bad/apply.yml":
        `tasks:\n  - {type: copy, dest: ${dir}/c, content: x}\n  - {type: copy, dest: 5}\n`,
    });
    const r = await runCli(["--config", `${dir}/config`, "apply"], { env: { HOME: dir } });
    assert.equal(r.code, 1);
    // Where the task is written, its exit code and command.
    assert.match(
      r.stdout,
      /^failed {3}breaks \(apply\.yml:3\)\n {11}non-zero return code \(rc=4\)$/m,
    );
    assert.match(r.stdout, /ok=1 changed=1 failed=1 skipped=0/);
    assert.ok(await Deno.stat(`${dir}/a`));
    await assert.rejects(Deno.stat(`${dir}/b`));

    const bad = await runCli(["--config", `${dir}/bad`, "apply"], { env: { HOME: dir } });
    assert.equal(bad.code, 2);
    await assert.rejects(Deno.stat(`${dir}/c`), "nothing applied");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("two concurrent applies do not interleave", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_apply_lock_" });
  const log = `${dir}/log`;
  const starts = async () =>
    (await Deno.readTextFile(log).catch(() => "")).split("\n").filter((l) => l.startsWith("start"))
      .length;
  /** Polls until `n` task runs have started (no timing assumption: each waits for `release`). */
  const untilStarted = async (n: number, stop = { now: false }) => {
    while (!stop.now && await starts() < n) await new Promise((r) => setTimeout(r, 50));
    return !stop.now;
  };
  const opts = { env: { HOME: dir } };
  try {
    await writeTree(dir, {
      "config/apply.yml": [
        "tasks:",
        `  - {type: shell, cmd: "echo start $$ >> ${log}; until [ -e ${dir}/release ]; do sleep 0.05; done; echo end $$ >> ${log}"}`,
      ].join("\n"),
    });
    const a = runCli(["--config", `${dir}/config`, "apply"], opts);
    await untilStarted(1);
    // The second apply says it waits; only then is the first let go.
    const b = spawnCli(["--config", `${dir}/config`, "apply"], opts);
    const bOut = new Response(b.stdout).text();
    const reader = b.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let bErr = "";
    /** Reads b's stderr until `needle` (or its end when none). */
    const readErr = async (needle?: string) => {
      while (needle === undefined || !bErr.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) return;
        bErr += value;
      }
    };
    // Were the lock broken, b would start its task instead of waiting: fail, never hang.
    const stop = { now: false };
    const ranEarly = await Promise.race([
      readErr("another apply is running; waiting").then(() => false),
      untilStarted(2, stop),
    ]);
    stop.now = true;
    assert.equal(ranEarly, false, "the second apply ran while the first held the lock");
    assert.match(bErr, /another apply is running; waiting/);
    await Deno.writeTextFile(`${dir}/release`, "");
    const [ra, rb] = await Promise.all([a, b.status, readErr(), bOut]);
    assert.equal(ra.code, 0, ra.stderr);
    assert.equal(rb.code, 0, bErr);
    const lines = (await Deno.readTextFile(log)).trimEnd().split("\n").map((l) => l.split(" ")[0]);
    assert.deepEqual(lines, ["start", "end", "start", "end"]);

    // The first half left `release` behind; the holder must wait for a new one.
    await Deno.remove(`${dir}/release`);
    // The holder keeps the lock until the test releases it, however slow the machine is.
    await writeTree(dir, {
      "hold/apply.yml": [
        "tasks:",
        `  - {type: shell, cmd: "touch ${dir}/held; for i in $(seq 600); do [ -e ${dir}/release ] && break; sleep 0.1; done"}`,
      ].join("\n"),
    });
    const holder = runCli(["--config", `${dir}/hold`, "apply"], { env: { HOME: dir } });
    try {
      for (let i = 0; !(await Deno.stat(`${dir}/held`).then(() => true, () => false)); i++) {
        assert.ok(i < 2400, "the holder never reached its task");
        await new Promise((r) => setTimeout(r, 50));
      }
      const nowait = await runCli(["--config", `${dir}/config`, "apply", "--no-wait"], {
        env: { HOME: dir },
      });
      assert.equal(nowait.code, 1);
      assert.match(nowait.stderr, /another apply is running/);
    } finally {
      await Deno.writeTextFile(`${dir}/release`, "");
      assert.equal((await holder).code, 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("apply --dry-run works with read-only permissions and no --allow-run", async () => {
  const s = await sandbox();
  try {
    // Only file-like tasks: command tasks would need --allow-run to be planned.
    await Deno.writeTextFile(
      `${s.config}/apply.yml`,
      [
        "tasks:",
        `  - {type: directory, path: ${s.conf}, mode: "0750"}`,
        `  - {type: template, src: site.conf.j2, dest: ${s.conf}/site.conf, vars: {workers: 2}}`,
        `  - {type: lineinfile, path: ${s.conf}/limits.conf, line: "workers=2", create: true}`,
        `  - {type: blockinfile, path: ${s.conf}/limits.conf, block: "a=1"}`,
        `  - {type: copy, src: index.html, dest: ${s.site}/}`,
      ].join("\n"),
    );
    const flags = [
      "--no-prompt",
      "--allow-env=DRIFTLESS_*",
      "--ignore-env",
      `--allow-read=${ROOT},${s.dir},/etc`,
      "--allow-sys=hostname,osRelease",
    ];
    const args = ["--config", s.config, "--env-file", s.env, "apply"];
    const dry = await runCli([...args, "--dry-run"], { flags });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^\s+\+allow_admin alice;$/m);
    assert.match(dry.stdout, /^\s+\+a=1$/m);
    assert.match(dry.stdout, /ok=5 changed=5 failed=0/);
    assert.deepEqual(await tree(`${s.dir}/etc`), []);
    // The same flags cannot write: a real run stops at once with the flag to add.
    const real = await runCli(args, { flags });
    assert.equal(real.code, 77, real.stderr);
    assert.match(real.stderr, /run again with: --allow-write=/);
    assert.deepEqual(await tree(`${s.dir}/etc`), []);
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});
