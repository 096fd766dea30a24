import assert from "node:assert/strict";
import { join } from "node:path";
import { apply, ConfigError, loadConfig, plan, type TaskResult } from "../../mod.ts";
import { LocalHost } from "../../lib/apply/host.ts";
import { writeTree } from "../_helpers/cli.ts";

async function configDir(files: Record<string, string>) {
  const dir = await Deno.makeTempDir({ prefix: "driftless-api-" });
  await writeTree(join(dir, "config"), files);
  return dir;
}

Deno.test("plan() reports what would change, with diffs, and changes nothing", async () => {
  const dir = await configDir({});
  try {
    await writeTree(join(dir, "config"), {
      "apply.yml": `tasks:
  - { type: directory, description: app dir, path: ${dir}/app, mode: "0750" }
  - type: copy
    description: app config
    dest: ${dir}/app/app.conf
    content: "port = 8080\\n"
  - { type: command, cmd: "echo hi", register: greeting }
`,
    });
    const streamed: TaskResult[] = [];
    const result = await plan(join(dir, "config"), {
      audit: false,
      onRecord: (t) => void streamed.push(t),
    });
    assert.equal(result.dry_run, true);
    assert.equal(result.failed, false);
    assert.deepEqual(result.tasks.map((t) => [t.name, t.status]), [
      ["app dir", "changed"],
      ["app config", "changed"],
      ["command echo hi", "changed"],
    ]);
    assert.deepEqual(streamed, result.tasks, "onRecord streams the same results, in order");
    const copy = result.tasks[1]!;
    assert.equal(copy.changes[0]!.summary, `create ${dir}/app/app.conf`);
    assert.match(copy.changes[0]!.diff!, /^\+port = 8080$/m);
    assert.deepEqual(copy.origin, { file: "apply.yml", line: 3, column: 5 });
    assert.deepEqual(result.tasks[2]!.would_run, ["echo hi"]);
    assert.equal(result.tasks[2]!.registered?.name, "greeting");
    await assert.rejects(Deno.stat(join(dir, "app")), "a plan changes nothing");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("apply() converges a tree given as a host, with tags, and a second run changes nothing", async () => {
  const dir = await configDir({
    "apply.yml": `tasks:
  - { type: directory, path: /srv/app, tags: [app] }
  - { type: copy, dest: /srv/app/motd, content: "hi\\n", tags: [app] }
  - { type: directory, path: /srv/other, tags: [other] }
  - { type: debug, msg: "{{ greeting.msg | default('x') }}", register: greeting, tags: [app] }
`,
  });
  const root = join(dir, "root");
  try {
    await Deno.mkdir(root);
    const host = new LocalHost({ root });
    const config = await loadConfig(join(dir, "config"));
    const first = await apply(config, { host, tags: ["app"], audit: false, facts: {} });
    assert.equal(first.failed, false, JSON.stringify(first.tasks, null, 1));
    assert.equal(await Deno.readTextFile(join(root, "srv/app/motd")), "hi\n");
    await assert.rejects(Deno.stat(join(root, "srv/other")), "skipped by tags");
    // A task left out by tags gives no record, as in Ansible's output.
    assert.deepEqual(first.tasks.map((t) => [t.type, t.status]), [
      ["directory", "changed"],
      ["copy", "changed"],
      ["debug", "ok"],
    ]);
    const registered = first.tasks[2]!.registered!;
    assert.equal(registered.name, "greeting");
    assert.equal((registered.value as { msg: string }).msg, "x");

    const second = await apply(config, { root, skipTags: ["other"], audit: false, facts: {} });
    assert.deepEqual(second.tasks.map((t) => t.status), ["ok", "ok", "ok"]);
    await assert.rejects(Deno.stat(join(root, "srv/other")), "skipped by skipTags");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("secrets stay redacted in everything plan() returns", async () => {
  const canary = `canary-${crypto.randomUUID()}`;
  const dir = await configDir({});
  try {
    await writeTree(join(dir, "config"), {
      "apply.yml": `tasks:
  - { type: copy, dest: ${dir}/token, content: "token=\${API_TOKEN}\\n" }
  - { type: debug, msg: "the token is \${API_TOKEN}" }
`,
    });
    await Deno.writeTextFile(join(dir, "env"), `API_TOKEN=${canary}\n`, { mode: 0o600 });
    const config = await loadConfig(join(dir, "config"), { envFile: join(dir, "env") });
    const result = await plan(config, { audit: false });
    const text = JSON.stringify(result);
    assert.ok(!text.includes(canary), "the secret leaked into the result");
    assert.match(result.tasks[1]!.message!, /the token is \[redacted\]/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bad config throws ConfigError with the issues as data, and nothing is printed", async () => {
  const dir = await configDir({ "apply.yml": "tasks:\n  - type: fiel\n    path: /tmp/x\n" });
  try {
    const script = join(dir, "script.ts");
    await Deno.writeTextFile(
      script,
      `import { ConfigError, plan } from "${new URL("../../mod.ts", import.meta.url).href}";
try {
  await plan(${JSON.stringify(join(dir, "config"))});
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  Deno.writeTextFileSync(${JSON.stringify(join(dir, "issues.json"))}, JSON.stringify(e.issues));
}
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        script,
      ],
      cwd: new URL("../../", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    assert.equal(out.code, 0, dec.decode(out.stderr));
    assert.equal(dec.decode(out.stdout), "", "the library printed");
    assert.equal(dec.decode(out.stderr), "", "the library printed");
    const issues = JSON.parse(await Deno.readTextFile(join(dir, "issues.json")));
    assert.deepEqual(issues, [{
      file: "apply.yml",
      line: 2,
      column: 11,
      path: "tasks[0].type",
      message: 'unknown task "fiel"',
      hint: 'did you mean "file"?',
    }]);
    await assert.rejects(plan(join(dir, "config")), ConfigError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
