import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../_helpers/cli.ts";

Deno.test("init writes a config dir that validates, an env file (600) outside it, and a Git repo", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless-init-" });
  try {
    const config = join(dir, "config");
    const r = await runCli(["init", config]);
    assert.equal(r.code, 0, r.stderr);
    const names = (await Array.fromAsync(Deno.readDir(config))).map((e) => e.name).sort();
    assert.deepEqual(names, [
      ".git",
      "agent.yml",
      "apply.yml",
      "facts.yml",
      "logs.yml",
      "vars.yml",
    ]);
    for (const name of names.filter((n) => n.endsWith(".yml"))) {
      const text = await Deno.readTextFile(join(config, name));
      assert.match(text, /^# yaml-language-server: \$schema=\S+\.schema\.json$/m, name);
    }
    const env = await Deno.stat(join(dir, "env"));
    assert.equal(env.mode! & 0o777, 0o600);
    const v = await runCli(["--config", config, "--env-file", join(dir, "env"), "validate"]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^ok: 5 files valid/);
    assert.equal(v.stderr, "", "no warnings on a fresh config");
    const git = await new Deno.Command("git", { args: ["-C", config, "status"], stdout: "null" })
      .output();
    assert.ok(git.success, "the config dir is a Git repository");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("init refuses to overwrite anything and then writes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless-init-" });
  try {
    const config = join(dir, "config");
    await Deno.mkdir(config);
    await Deno.writeTextFile(join(config, "logs.yml"), "mine\n");
    const r = await runCli(["init", config]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not overwriting .*logs\.yml/);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(config))).map((e) => e.name), [
      "logs.yml",
    ]);
    assert.equal(await Deno.readTextFile(join(config, "logs.yml")), "mine\n");
    await assert.rejects(Deno.stat(join(dir, "env")));
    const inside = await runCli(["--env-file", join(config, "env"), "init", config]);
    assert.equal(inside.code, 2);
    assert.match(inside.stderr, /inside the config dir/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("init in a dir inside a Git repository does not make another one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless-init-" });
  try {
    const git = (args: string[]) => new Deno.Command("git", { args, stdout: "null" }).output();
    await git(["init", "--quiet", dir]);
    const r = await runCli(["init", join(dir, "hosts/web")]);
    assert.equal(r.code, 0, r.stderr);
    await assert.rejects(Deno.stat(join(dir, "hosts/web/.git")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
