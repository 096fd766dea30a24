import assert from "node:assert/strict";
import * as z from "zod";
import { loadConfig } from "../../../lib/config/loader.ts";
import { originOf } from "../../../lib/config/task_list.ts";
import type { TaskCatalog } from "../../../lib/config/apply_schema.ts";
import { ConfigError, formatIssue } from "../../../lib/errors.ts";
import { writeTree } from "../../_helpers/cli.ts";

/** A small catalog so these tests do not depend on the task registry. */
const schemas: Record<string, z.ZodType> = {
  file: z.strictObject({
    path: z.string(),
    state: z.enum(["file", "directory", "absent"]).optional(),
    mode: z.string().regex(/^0[0-7]{3}$/).optional(),
    owner: z.string().optional(),
  }),
  command: z.strictObject({
    cmd: z.string(),
    chdir: z.string().optional(),
    creates: z.string().optional(),
  }),
  debug: z.strictObject({ msg: z.string().optional() }),
};
const catalog: TaskCatalog = {
  names: [...Object.keys(schemas), "block"],
  params: (t) => schemas[t],
  freeForm: (t) => (t === "command" ? "cmd" : undefined),
};

async function withDir(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "driftless_loader_" });
  try {
    await writeTree(dir, files);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function issuesOf(dir: string): Promise<string[]> {
  try {
    await loadConfig(dir, { catalog });
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map(formatIssue);
    throw e;
  }
  assert.fail("expected a ConfigError");
}

Deno.test("loadConfig() reads YAML, JSON and TOML files by extension", async () => {
  await withDir({
    "apply.yml": "tasks:\n  - type: file\n    path: /tmp/a\n",
    "vars.json": '{"web_root": "/srv/www", "port": 8080}',
    "agent.toml": '[audit]\ndir = "/var/log/driftless"\n',
  }, async (dir) => {
    const config = await loadConfig(dir, { catalog });
    assert.deepEqual(config.vars, { web_root: "/srv/www", port: 8080 });
    assert.deepEqual(config.agent?.audit, { dir: "/var/log/driftless" });
    assert.equal(config.agent?.apply.interval, 30 * 60_000, "defaults are applied");
    assert.equal(config.apply?.tasks[0]?.type, "file");
    assert.deepEqual(config.apply?.tasks[0]?.params, { path: "/tmp/a" });
    assert.deepEqual(config.files, ["agent.toml", "apply.yml", "vars.json"]);
  });
});

Deno.test("loadConfig() merges the files of a schema folder in path order", async () => {
  await withDir({
    "apply/10-base.yml": "vars: {a: 1}\ntasks:\n  - {type: debug, msg: first}\n",
    "apply/20-web/site.yaml": "vars: {b: 2}\ntasks:\n  - {type: debug, msg: second}\n",
    "apply/05-early.json": '{"tasks": [{"type": "debug", "msg": "zeroth"}]}',
    "templates/x.j2": "not config: {{ skipped }}",
    "files/y.yml": "not: [config",
    "tasks/inc.yml": "- {type: debug}",
  }, async (dir) => {
    const config = await loadConfig(dir, { catalog });
    assert.deepEqual(config.apply?.tasks.map((t) => t.params.msg), ["zeroth", "first", "second"]);
    assert.deepEqual(config.apply?.vars, { a: 1, b: 2 });
    assert.deepEqual(config.files, [
      "apply/05-early.json",
      "apply/10-base.yml",
      "apply/20-web/site.yaml",
    ]);
  });
});

Deno.test("loadConfig() reports a key defined in two files, naming both", async () => {
  await withDir({
    "apply/a.yml": "vars:\n  port: 80\n",
    "apply/b.yml": "vars:\n  other: 1\n  port: 8080\n",
  }, async (dir) => {
    assert.deepEqual(await issuesOf(dir), [
      "apply/b.yml:3:3 vars.port: defined twice: also in apply/a.yml:2; " +
      "keep one definition, or make both maps (they merge) or both lists (they concatenate)",
    ]);
  });
});

Deno.test("loadConfig() rejects unknown files and folders with a suggestion", async () => {
  await withDir({
    "aply.yml": "tasks: []\n",
    "tempaltes/x.j2": "",
    "README.md": "# ignored: not a config format",
  }, async (dir) => {
    assert.deepEqual(await issuesOf(dir), [
      'aply.yml: unknown config file: the file name selects the schema; did you mean "apply.yml"?',
      'tempaltes/: unknown folder in the config dir; did you mean "templates"?',
    ]);
  });
});

Deno.test("loadConfig() locates syntax errors in YAML, JSON and TOML", async () => {
  await withDir({
    "apply.yml": "tasks:\n  - type: file\n    path: [unclosed\n",
    "vars.json": '{\n  "a": 1,\n  "b": 2\n',
    "facts.toml": "interval = \n",
  }, async (dir) => {
    const issues = await issuesOf(dir);
    assert.equal(issues.length, 3);
    assert.match(issues[0]!, /^apply\.yml:\d+:\d+: invalid YAML: /);
    assert.match(issues[1]!, /^facts\.toml:1:12: invalid TOML: /);
    assert.match(issues[2]!, /^vars\.json:4:1: invalid JSON: /);
  });
});

Deno.test("loadConfig() maps schema errors to file, line, column and key path", async () => {
  await withDir({
    "apply.yml": [
      "tasks:",
      "  - type: file",
      "    path: /etc/motd",
      "    mode: 644",
      "  - type: fiel",
      "    path: /x",
      "  - type: file",
      "    path: /y",
      "    stat: file",
      "",
    ].join("\n"),
    "facts.toml": '[serve]\npath = "metrics"\nlisten = "0.0.0.0:8000"\n',
    "agent.json": '{\n  "audit": {\n    "dri": "/x"\n  }\n}\n',
  }, async (dir) => {
    assert.deepEqual(await issuesOf(dir), [
      'agent.json:3:5 audit.dri: unknown key "dri"; did you mean "dir"?',
      "apply.yml:4:11 tasks[0].mode: expected a string, found the number 644",
      'apply.yml:5:11 tasks[1].type: unknown task "fiel"; did you mean "file"?',
      'apply.yml:9:5 tasks[2].stat: unknown parameter "stat"; did you mean "state"?',
      'facts.toml:2:1 serve.path: expected a path starting with "/", found the string "metrics"',
    ]);
  });
});

Deno.test("loadConfig() reports every problem of every file at once", async () => {
  await withDir({
    "apply.yml": "tasks:\n  - type: nope\n  - type: file\n",
    "logs.yml": "sources: 3\n",
    "vars.yml": "- not a map\n",
  }, async (dir) => {
    const issues = await issuesOf(dir);
    assert.equal(issues.length, 4, issues.join("\n"));
    assert.ok(issues.some((i) => i.startsWith("apply.yml:2:11 tasks[0].type: unknown task")));
    assert.ok(
      issues.some((i) => i.startsWith("apply.yml:3:5 tasks[1].path: missing required key")),
    );
    assert.ok(issues.some((i) => i.startsWith("logs.yml:1:10 sources: expected a list")));
    assert.ok(issues.some((i) => i.startsWith("vars.yml:1:1: expected a mapping")));
  });
});

Deno.test("loadConfig() normalises Ansible-style entries to the flat form", async () => {
  await withDir({
    "apply.yml": [
      "tasks:",
      "  - name: Motd is there",
      "    ansible.builtin.file:",
      "      path: /etc/motd",
      "      mode: '0644'",
      "    tags: [base]",
      "  - name: Migrate",
      "    command: ./migrate --all chdir=/srv/app creates=/srv/app/.done",
      "  - file: {path: /x}",
      "    args: {state: absent}",
      "  - name: A block",
      "    block:",
      "      - {type: debug, msg: hi}",
      "    rescue:",
      "      - {type: debug, msg: rescued}",
      "",
    ].join("\n"),
  }, async (dir) => {
    const tasks = (await loadConfig(dir, { catalog })).apply!.tasks;
    assert.equal(tasks[0]!.type, "file");
    assert.equal(tasks[0]!.description, "Motd is there");
    assert.deepEqual(tasks[0]!.params, { path: "/etc/motd", mode: "0644" });
    assert.deepEqual(tasks[0]!.tags, ["base"]);
    assert.deepEqual(tasks[1]!.params, {
      cmd: "./migrate --all",
      chdir: "/srv/app",
      creates: "/srv/app/.done",
    });
    assert.deepEqual(tasks[2]!.params, { state: "absent", path: "/x" });
    assert.equal(tasks[3]!.type, "block");
    assert.equal(tasks[3]!.block?.[0]?.params.msg, "hi");
    assert.equal(tasks[3]!.rescue?.[0]?.params.msg, "rescued");
    assert.deepEqual(originOf(tasks[1]!), {
      file: "apply.yml",
      line: 7,
      column: 5,
      path: "tasks[1]",
    });
  });
});

Deno.test("loadConfig() points into the module key of an Ansible-style entry", async () => {
  await withDir({
    "apply.yml":
      "tasks:\n  - name: x\n    ansible.builtin.file:\n      path: /x\n      mode: 644\n  - async: 60\n    file: {path: /y}\n",
  }, async (dir) => {
    assert.deepEqual(await issuesOf(dir), [
      'apply.yml:5:13 tasks[0]["ansible.builtin.file"].mode: expected a string, found the number 644',
      'apply.yml:6:5 tasks[1].async: "async" is not supported; ' +
      "tasks run to completion one after another; remove async/poll",
    ]);
  });
});

const yaml11Files = {
  "apply.yml": [
    "vars: {flag: on, quoted: 'yes', zip: 09, big: 1_000, sexa: '1:30', t: 1:30, exp: 1e3}",
    "tasks:",
    "  - debug: {msg: 0644}",
    "    when: yes",
    "  - &base {type: debug, msg: a}",
    "  - {<<: *base, when: Off}",
    "",
  ].join("\n"),
  "vars.yml": "enabled: off\nnone: ~\nlist: [y, n, No, 0x1f, 0b11, .inf]\n",
};

Deno.test("loadConfig() reads apply and vars files as YAML 1.1, as Ansible (PyYAML) does", async () => {
  await withDir({
    ...yaml11Files,
    "facts.yml": "collectors: {cpu: {enabled: yes}}\n",
  }, async (dir) => {
    const error = await loadConfig(dir, { catalog }).catch((e: ConfigError) => e);
    // facts.yml is Driftless's own format: YAML 1.2, where `yes` is a string.
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.issues.map(formatIssue), [
      "apply.yml:3:18 tasks[0].debug.msg: expected a string, found the number 420",
      'facts.yml:1:29 collectors.cpu.enabled: expected a boolean (true or false), found the string "yes"',
    ]);
  });
  await withDir({
    ...yaml11Files,
  }, async (dir) => {
    const config = await loadConfig(dir, { catalog: { ...catalog, params: () => z.any() } });
    const apply = config.apply!;
    assert.deepEqual(apply.vars, {
      flag: true,
      quoted: "yes",
      zip: "09",
      big: 1000,
      sexa: "1:30",
      t: 90,
      exp: "1e3",
    });
    assert.deepEqual(config.vars, {
      enabled: false,
      none: null,
      list: ["y", "n", false, 31, 3, Infinity],
    });
    assert.equal(apply.tasks[0]!.params.msg, 0o644);
    assert.equal(apply.tasks[0]!.when, true);
    assert.deepEqual([apply.tasks[2]!.params.msg, apply.tasks[2]!.when], ["a", false]);
  });
});

Deno.test("loadConfig() keeps !unsafe strings from templating and refuses !vault", async () => {
  await withDir({
    "apply.yml": "vars:\n  raw: !unsafe '{{ not_a_var }}'\n  plain: !unsafe text\n",
  }, async (dir) => {
    const config = await loadConfig(dir, { catalog });
    assert.deepEqual(config.apply!.vars, {
      raw: "{% raw %}{{ not_a_var }}{% endraw %}",
      plain: "text",
    });
  });
  await withDir({
    "vars.yml": "pw: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n",
  }, async (dir) => {
    const error = await loadConfig(dir, { catalog }).catch((e: ConfigError) => e);
    assert.ok(error instanceof ConfigError);
    assert.match(formatIssue(error.issues[0]!), /^vars\.yml:1:5: invalid YAML: Ansible Vault/);
  });
});

Deno.test("loadConfig() leaves templated params for the run-time check", async () => {
  await withDir({
    "apply.yml": 'tasks:\n  - type: file\n    path: "{{ root }}/x"\n    mode: "{{ file_mode }}"\n',
  }, async (dir) => {
    const config = await loadConfig(dir, { catalog });
    assert.equal(config.apply!.tasks[0]!.params.mode, "{{ file_mode }}");
  });
});

Deno.test("loadConfig() locates keys of TOML array tables", async () => {
  await withDir({
    "apply.toml": [
      "[[tasks]]",
      'type = "debug"',
      'msg = "one"',
      "",
      "[[tasks]]",
      'type = "file"',
      'path = "/x"',
      "mode = 644",
      "",
    ].join("\n"),
  }, async (dir) => {
    assert.deepEqual(await issuesOf(dir), [
      "apply.toml:8:1 tasks[1].mode: expected a string, found the number 644",
    ]);
  });
});

Deno.test("loadConfig() says when the config dir is missing", async () => {
  await assert.rejects(
    loadConfig("/nonexistent/driftless-config", { catalog }),
    (e: ConfigError) => e.issues[0]!.message === "config dir not found",
  );
});

Deno.test("loadConfig() warns when one schema is split across formats in one folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTree(dir, {
      "apply.yml": "tasks: []\n",
      "apply.json": '{"vars": {"a": 1}}',
      "vars/base.yml": "b: 1\n",
      "vars/more.yaml": "c: 1\n", // .yml and .yaml are one format
      "facts/a.toml": "interval = '15s'\n",
      "facts/b.yml": "collectors: {loadavg: {enabled: true}}\n",
    });
    const config = await loadConfig(dir);
    assert.deepEqual(config.warnings.filter((w) => w.includes("split across formats")), [
      "apply is split across formats (json, yaml): apply.json, apply.yml merge into one; keep one format so each setting has one obvious place",
      "facts is split across formats (toml, yaml): facts/a.toml, facts/b.yml merge into one; keep one format so each setting has one obvious place",
    ]);
    assert.equal(config.vars.c, 1, "still merged");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
