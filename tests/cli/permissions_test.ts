/**
 * Permissions as documented: every missing Deno permission (env, read, write, run, all for /proc) exits 77
 * naming the flag to add; a secret hidden by --ignore-env says so; a lost audit log fails the run.
 */
import assert from "node:assert/strict";
import { ROOT, runCli, writeTree } from "../_helpers/cli.ts";

/** Read access to Driftless's own source: a checkout loads each command's modules on demand. */
const SRC = `--allow-read=${ROOT}`;
const BASE = ["--no-prompt", "--allow-env=DRIFTLESS_*,HOME", "--ignore-env", SRC];

/** A temp dir with the files `files(dir)` names (paths in them may use the dir). */
async function sandbox(files: (dir: string) => Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "driftless_perm_" });
  await writeTree(dir, { ...files(dir), "home/.keep": "", "srv/.keep": "" });
  return dir;
}

Deno.test("each missing permission exits 77 with the flag to add", async () => {
  const dir = await sandbox((dir) => ({
    "config/apply.yml": JSON.stringify({
      tasks: [
        { type: "copy", content: "x\n", dest: `${dir}/srv/f` },
        { type: "command", argv: ["sh", "-c", "true"] },
      ],
    }),
  }));
  const state = `${dir}/home/.local/state/driftless`;
  const read = `--allow-read=${dir}`;
  const write = `--allow-write=${dir}/srv,${state}`;
  const sys = "--allow-sys=hostname,osRelease";
  const cases: [string, string[], string[], RegExp][] = [
    ["env", ["--no-prompt", SRC, read], ["validate"], /run again with: --allow-env=DRIFTLESS_\w+/],
    ["read", BASE, ["validate"], new RegExp(`run again with: --allow-read=${dir}/config`)],
    ["all (/proc)", [...BASE, read], ["facts"], /run again with: -A$/m],
    ["write", [...BASE, read, sys], ["apply"], /run again with: --allow-write=\S+/],
    ["run", [...BASE, read, sys, write], ["apply"], /run again with: --allow-run=sh/],
  ];
  try {
    for (const [what, flags, args, hint] of cases) {
      const r = await runCli(["--config", `${dir}/config`, ...args], {
        flags,
        env: { HOME: `${dir}/home` },
      });
      assert.equal(r.code, 77, `${what}: ${r.stderr}`);
      assert.match(r.stderr, /^error: (missing Deno permission: |.*needs all permissions)/m, what);
      assert.match(r.stderr, hint, what);
      assert.doesNotMatch(r.stderr, /Uncaught|\n\s+at /, `${what}: no stack trace`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a secret hidden by --ignore-env is reported as hidden, with the flag to add", async () => {
  const dir = await sandbox(() => ({ "config/vars.yml": "token: ${MY_API_TOKEN}\n" }));
  try {
    const cli = (flags: string[]) =>
      runCli(["--config", `${dir}/config`, "validate"], {
        flags: [...flags, `--allow-read=${dir}`],
        env: { HOME: `${dir}/home`, MY_API_TOKEN: "tok-4f2a9c" },
      });
    const hidden = await cli(BASE);
    assert.equal(hidden.code, 2);
    assert.match(
      hidden.stderr,
      /vars\.yml:1:8 token: \$\{MY_API_TOKEN\} is hidden from driftless by the Deno permissions .*; if it is set in the environment, add --allow-env=MY_API_TOKEN/,
    );
    const allowed = await cli([
      "--no-prompt",
      "--allow-env=DRIFTLESS_*,HOME,MY_API_TOKEN",
      "--ignore-env",
      SRC,
    ]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.ok(!allowed.stdout.includes("tok-4f2a9c"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an apply whose audit log is lost exits 1 after the run, with the reason", async () => {
  const dir = await sandbox((dir) => ({
    "config/apply.yml": JSON.stringify({
      tasks: [{ type: "copy", content: "x\n", dest: `${dir}/srv/f` }],
    }),
    "config/agent.yml": `audit:\n  dir: ${dir}/audit\n`,
  }));
  const state = `${dir}/home/.local/state/driftless`;
  try {
    // Write access to the audit dir, but no read access: its file cannot be opened.
    const r = await runCli(["--config", `${dir}/config`, "apply"], {
      flags: [
        ...BASE,
        `--allow-read=${dir}/config,${dir}/srv,${state}`,
        `--allow-write=${dir}/srv,${state},${dir}/audit`,
        "--allow-sys=hostname,osRelease",
      ],
      env: { HOME: `${dir}/home` },
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /ok=1 changed=1 failed=0/, "the run itself went through");
    assert.match(r.stderr, /^error: audit log not written: .*read access/m);
    assert.equal(await Deno.readTextFile(`${dir}/srv/f`), "x\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("from a checkout, no read access to Driftless's own modules exits 77 naming the checkout", async () => {
  // None at all, and just enough to load the command table: the command's module is refused.
  const table = ["mod.ts", "cli/main.ts", "cli/_context.ts", "cli/_render.ts", "lib", "deno.json"];
  const some = ["--allow-env=DRIFTLESS_*", `--allow-read=${table.map((p) => `${ROOT}/${p}`)}`];
  for (const flags of [["--no-prompt"], ["--no-prompt", ...some]]) {
    const r = await runCli(["--config", `${ROOT}/examples/config`, "validate"], { flags });
    assert.equal(r.code, 77, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^error: missing Deno permission: read access to Driftless's own modules in ${ROOT}$`,
        "m",
      ),
    );
    assert.match(r.stderr, new RegExp(`^run again with: --allow-read=${ROOT}$`, "m"));
    assert.doesNotMatch(r.stderr, /Uncaught|\n\s+at /);
  }
});
