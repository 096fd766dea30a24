import assert from "node:assert/strict";
import { ROOT, runCli, writeTree } from "../_helpers/cli.ts";

/** The flags users give validate: base env flags plus read of the config dir (DESIGN §8). */
const baseFlags = (
  dir: string,
) => ["--no-prompt", "--allow-env=DRIFTLESS_*", "--ignore-env", `--allow-read=${ROOT},${dir}`];

async function tempTree(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "driftless_validate_" });
  await writeTree(dir, files);
  return dir;
}

Deno.test("driftless validate prints a one-line summary and exits 0 on a valid dir", async () => {
  const dir = await tempTree({
    "config/apply.yml":
      'vars: {greeting: hi}\ntasks:\n  - type: debug\n    msg: "{{ greeting }}"\n' +
      "handlers:\n  - {type: debug, description: noop}\n",
    "config/vars.toml": 'a = 1\nb = "two"\n',
    "config/agent.json": '{"audit": {"dir": "/tmp/audit"}}',
  });
  try {
    const r = await runCli(["--config", `${dir}/config`, "validate"], { flags: baseFlags(dir) });
    assert.equal(r.stderr, "");
    assert.equal(
      r.stdout,
      `ok: 3 files valid in ${dir}/config: apply (1 task, 1 handler), agent, vars (2 vars)\n`,
    );
    assert.equal(r.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless validate lists every problem and exits 2", async () => {
  const dir = await tempTree({
    "config/apply.yml": "tasks:\n  - type: debgu\n    msg: hi\n  - {type: debug, mgs: x}\n",
    "config/agent.yml": "audit:\n  dir: 3\n",
    "config/varz.yml": "a: 1\n",
  });
  try {
    const r = await runCli(["--config", `${dir}/config`, "validate"], { flags: baseFlags(dir) });
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      [
        "error: agent.yml:2:8 audit.dir: expected a string, found the number 3",
        'error: apply.yml:2:11 tasks[0].type: unknown task "debgu"; did you mean "debug"?',
        'error: apply.yml:4:19 tasks[1].mgs: unknown parameter "mgs"; did you mean "msg"?',
        'error: varz.yml: unknown config file: the file name selects the schema; did you mean "vars.yml"?',
        "4 problems found",
        "",
      ].join("\n"),
    );
    assert.equal(r.code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless validate never prints a secret value, even in an error that quotes it", async () => {
  const canary = "canary-7f3a9c2e-secret";
  const dir = await tempTree({
    "config/vars.yml": "db_password: ${DB_PASSWORD}\n",
    "config/facts.yml": "serve:\n  path: ${DB_PASSWORD}\n",
    "env": `DB_PASSWORD=${canary}\n`,
  });
  await Deno.chmod(`${dir}/env`, 0o600);
  try {
    for (const args of [["validate"], ["--log-level", "debug", "validate"]]) {
      const r = await runCli(["--config", `${dir}/config`, "--env-file", `${dir}/env`, ...args], {
        flags: baseFlags(dir),
      });
      assert.equal(r.code, 2);
      assert.ok(!r.stdout.includes(canary) && !r.stderr.includes(canary), "canary leaked");
      assert.match(
        r.stderr,
        /facts\.yml:2:9 serve\.path: expected a path starting with "\/", found the string "\[redacted\]"/,
      );
    }
    // Through the environment instead of the env file: same.
    const r = await runCli(["--config", `${dir}/config`, "validate"], {
      flags: [...baseFlags(dir)],
      env: { DRIFTLESS_DB: canary },
    });
    assert.ok(!r.stderr.includes(canary));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless validate refuses an env file inside the config dir (exit 2)", async () => {
  const dir = await tempTree({ "config/vars.yml": "a: 1\n", "config/.env": "A=1\n" });
  try {
    const r = await runCli([
      "--config",
      `${dir}/config`,
      "--env-file",
      `${dir}/config/.env`,
      "validate",
    ], {
      flags: baseFlags(dir),
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the env file is inside the config dir/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless validate without read permission exits 77 and names the flag", async () => {
  const dir = await tempTree({ "config/vars.yml": "a: 1\n" });
  try {
    const r = await runCli(["--config", `${dir}/config`, "validate"], {
      flags: ["--no-prompt", "--allow-env=DRIFTLESS_*", "--ignore-env", `--allow-read=${ROOT}`],
    });
    assert.equal(r.code, 77, r.stderr);
    assert.match(r.stderr, new RegExp(`run again with: --allow-read=${dir}/config`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless with an unknown command or flag exits 2", async () => {
  const r = await runCli(["valdate"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'valdate'/);
  assert.match(r.stderr, /Did you mean validate\?/);
  const help = await runCli(["--help"], {
    flags: ["--no-prompt", "--allow-env=DRIFTLESS_*", "--ignore-env", `--allow-read=${ROOT}`],
  });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: driftless \[options\] \[command\]/);
});
