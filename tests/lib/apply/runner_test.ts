/**
 * The task language, run by the real runner with the real template engine. Converging and
 * acting behaviour is exercised with three small task modules defined here, so these tests do
 * not depend on the catalogue of real tasks (their own tests live in tests/tasks/).
 */
import assert from "node:assert/strict";
import * as z from "zod";
import { LocalHost } from "../../../lib/apply/host.ts";
import { runApply, type RunApplyOptions, type TaskRecord } from "../../../lib/apply/runner.ts";
import { type AnyTaskModule, defineTask } from "../../../lib/apply/task.ts";
import type { TaskCatalog } from "../../../lib/config/apply_schema.ts";
import { ConfigError, type ConfigIssue } from "../../../lib/errors.ts";
import { normaliseTasks } from "../../../lib/config/task_list.ts";
import { TaskLoader } from "../../../lib/config/task_loader.ts";
import * as engine from "../../../lib/template/engine.ts";
import { loadTasks } from "../../../tasks/mod.ts";

/** Writes `content` to `path` when it differs. */
const marker = defineTask({
  type: "marker",
  schema: z.strictObject({ path: z.string(), content: z.string().default("x\n") }),
  mainParam: "path",
  async read(p, host) {
    return await host.readText(p.path).catch(() => undefined);
  },
  plan(p, current) {
    return current === p.content ? [] : [{
      op: p,
      summary: `write ${p.path}`,
      diff: { before: current ?? "", after: p.content, path: p.path },
    }];
  },
  async apply(op, host) {
    await host.writeAtomic(op.path, op.content);
  },
});

/** Runs a shell snippet (an acting task, like `shell`). */
const sh = defineTask({
  type: "sh",
  schema: z.strictObject({ cmd: z.string() }),
  acts: true,
  mainParam: "cmd",
  read: () => Promise.resolve(undefined),
  plan: (p) => [{ op: p.cmd, summary: p.cmd }],
  async apply(cmd, host) {
    const r = await host.run("sh", ["-c", cmd]);
    return {
      rc: r.code,
      stdout: r.stdout.trimEnd(),
      stdout_lines: r.stdout.split("\n").filter(Boolean),
      stderr: r.stderr.trimEnd(),
      ...(r.code !== 0 ? { failed: true, msg: "non-zero return code" } : {}),
    };
  },
});

/** Always plans a change: the runner's convergence check must catch it. */
const flapping = defineTask({
  type: "flapping",
  schema: z.strictObject({}),
  read: () => Promise.resolve(undefined),
  plan: () => [{ op: null, summary: "flip" }],
  apply: () => Promise.resolve(),
});

const TASKS: Record<string, AnyTaskModule> = { ...(await loadTasks()), marker, sh, flapping };
const catalog: TaskCatalog = {
  names: [...Object.keys(TASKS), "block"],
  params: (t) => TASKS[t]?.schema,
  freeForm: (t) => (t === "sh" ? "cmd" : TASKS[t]?.freeForm),
};

interface Setup {
  tasks: unknown[];
  handlers?: unknown[];
  vars?: Record<string, unknown>;
  globals?: Record<string, unknown>;
  files?: Record<string, string>;
  options?: Partial<RunApplyOptions>;
}

async function run(
  setup: Setup,
  inspect?: (read: (path: string) => Promise<string | undefined>) => Promise<void>,
) {
  const root = await Deno.makeTempDir({ prefix: "driftless_runner_" });
  const configDir = `${root}/config`;
  await Deno.mkdir(`${root}/host`, { recursive: true });
  for (const [path, content] of Object.entries(setup.files ?? {})) {
    const full = `${configDir}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, content);
  }
  const issues: ConfigIssue[] = [];
  const locate = () => ({ file: "apply.yml" });
  const tasks = normaliseTasks(setup.tasks, ["tasks"], catalog, issues, locate);
  const handlers = normaliseTasks(setup.handlers ?? [], ["handlers"], catalog, issues, locate);
  if (issues.length) throw new ConfigError(issues);
  const host = new LocalHost({ root: `${root}/host`, chroot: false });
  const printed: TaskRecord[] = [];
  try {
    // The host is inspected even when the run throws: "nothing applied" checks need that.
    try {
      const summary = await runApply({ vars: setup.vars ?? {}, tasks, handlers }, {
        host,
        engine,
        tasks: TASKS,
        configDir,
        facts: { hostname: "web1", os_family: "Debian" },
        vars: setup.globals ?? {},
        loader: new TaskLoader(configDir, { catalog }),
        onRecord: (r) => void printed.push(r),
        ...setup.options,
      });
      return { summary, printed };
    } finally {
      await inspect?.((p) => Deno.readTextFile(`${root}/host${p}`).catch(() => undefined));
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const messages = (records: readonly TaskRecord[]) =>
  records.filter((r) => r.type === "debug" && r.status !== "skipped").map((r) => r.message);

Deno.test("runApply() resolves vars with Ansible's precedence", async () => {
  const { printed } = await run({
    globals: { a: "global", b: "global", c: "global", d: "global", e: "global" },
    vars: { b: "apply", c: "apply", d: "apply", e: "apply" },
    tasks: [
      { type: "debug", msg: "{{ a }} {{ b }}" },
      { type: "debug", msg: "{{ c }}", vars: { c: "task" } },
      { type: "debug", msg: "{{ item }} {{ d }}", loop: ["loop"], vars: { d: "task" } },
      { type: "set_fact", e: "fact" },
      { type: "debug", msg: "{{ e }}", vars: { e: "task" } },
      {
        type: "debug",
        msg: "{{ ansible_facts.hostname }} {{ ansible_os_family }} {{ inventory_hostname }}",
      },
    ],
  });
  assert.deepEqual(messages(printed), [
    "global apply",
    "task",
    undefined, // loop records carry their messages per item
    "fact",
    "web1 Debian web1",
  ]);
  assert.equal(printed[2]!.items![0]!.message, "loop task");
});

Deno.test("runApply() skips on when (string, list, bool) and registers the skip", async () => {
  const { printed } = await run({
    vars: { env: "prod", n: 3 },
    tasks: [
      { type: "debug", msg: "a", when: "env == 'prod'" },
      { type: "debug", msg: "b", when: ["env == 'prod'", "n > 5"], register: "r" },
      { type: "debug", msg: "c", when: false },
      {
        type: "debug",
        msg: "r skipped={{ r.skipped }} changed={{ r.changed }}",
        when: "r is skipped",
      },
      { type: "debug", msg: "d", when: "undefined_var is defined" },
    ],
  });
  assert.deepEqual(printed.map((r) => r.status), ["ok", "skipped", "skipped", "ok", "skipped"]);
  assert.deepEqual(messages(printed), ["a", "r skipped=True changed=False"]);
});

Deno.test("runApply() loops with loop_var, index_var, label and registers results", async () => {
  const { printed, summary } = await run({
    tasks: [
      {
        type: "marker",
        path: "/{{ user.name }}",
        content: "{{ idx }}\n",
        loop: [{ name: "alice" }, { name: "bob" }],
        loop_control: { loop_var: "user", index_var: "idx", label: "{{ user.name }}" },
        register: "made",
      },
      {
        type: "debug",
        msg: "{{ made.results | map(attribute='changed') | list }} {{ made.changed }}",
      },
      { type: "debug", msg: "{{ item }}", with_items: [["a", "b"], "c"] },
    ],
  });
  assert.deepEqual(
    printed[0]!.items!.map((i) => [i.item, i.status, i.changes.map((c) => c.summary)]),
    [
      ["alice", "changed", ["write /alice"]],
      ["bob", "changed", ["write /bob"]],
    ],
  );
  assert.equal(printed[1]!.message, "[True, True] True");
  assert.deepEqual(printed[2]!.items!.map((i) => i.message), ["a", "b", "c"]);
  assert.equal(summary.stats.changed, 1);
});

Deno.test("runApply() runs notified handlers once, at the end, in definition order", async () => {
  const { printed } = await run({
    tasks: [
      { type: "marker", path: "/a", notify: ["second", "first"] },
      { type: "marker", path: "/b", notify: "second" },
      { type: "debug", msg: "unchanged tasks notify nothing", notify: "third" },
      { type: "marker", path: "/c", notify: "restart web" },
    ],
    handlers: [
      { type: "debug", description: "first", msg: "h1" },
      { type: "debug", description: "second", msg: "h2" },
      { type: "debug", description: "third", msg: "h3" },
      { type: "debug", description: "web", listen: "restart web", msg: "h4" },
    ],
  });
  const handlers = printed.filter((r) => r.handler).map((r) => r.message);
  assert.deepEqual(handlers, ["h1", "h2", "h4"]);
  assert.equal(printed.findIndex((r) => r.handler), 4, "after every task");
});

Deno.test("runApply() filters by --tags and --skip-tags with always and never", async () => {
  const tasks = [
    { type: "debug", msg: "web", tags: ["web"] },
    { type: "debug", msg: "db", tags: "db" },
    { type: "debug", msg: "always", tags: ["always"] },
    { type: "debug", msg: "never", tags: ["never", "debug"] },
    { type: "debug", msg: "untagged" },
  ];
  const msgs = async (options: Partial<RunApplyOptions>) =>
    messages((await run({ tasks, options })).printed);
  assert.deepEqual(await msgs({}), ["web", "db", "always", "untagged"]);
  assert.deepEqual(await msgs({ tags: ["web"] }), ["web", "always"]);
  assert.deepEqual(await msgs({ tags: ["debug"] }), ["always", "never"]);
  assert.deepEqual(await msgs({ skipTags: ["db", "always"] }), ["web", "untagged"]);
  assert.deepEqual(await msgs({ tags: ["untagged"] }), ["always", "untagged"]);
});

Deno.test("runApply() stops at a failure unless ignore_errors, and honours failed_when/changed_when", async () => {
  const { printed, summary } = await run({
    tasks: [
      { type: "sh", cmd: "echo out; exit 3", register: "r", ignore_errors: true },
      { type: "debug", msg: "rc={{ r.rc }} failed={{ r.failed }} out={{ r.stdout }}" },
      { type: "sh", cmd: "exit 1", failed_when: "false", changed_when: "false", register: "q" },
      { type: "sh", cmd: "echo ERROR", register: "e", failed_when: "'ERROR' in e.stdout" },
      { type: "debug", msg: "not reached" },
    ],
  });
  assert.deepEqual(printed.map((r) => [r.status, r.ignored ?? false]), [
    ["failed", true],
    ["ok", false],
    ["ok", false],
    ["failed", false],
  ]);
  assert.equal(printed[1]!.message, "rc=3 failed=True out=out");
  assert.equal(summary.failed, true);
  // As Ansible's recap: the ignored failure counts as ok and, as it ran a command, changed.
  assert.deepEqual(summary.stats, {
    ok: 3,
    changed: 1,
    failed: 1,
    skipped: 0,
    rescued: 0,
    ignored: 1,
  });
});

Deno.test("runApply() runs rescue on failure and always in any case", async () => {
  const { printed, summary } = await run({
    tasks: [{
      block: [
        { type: "debug", msg: "in block" },
        { type: "fail", msg: "boom" },
        { type: "debug", msg: "not reached" },
      ],
      rescue: [{ type: "debug", msg: "rescued {{ ansible_failed_result.msg }}" }],
      always: [{ type: "debug", msg: "always" }],
    }, { type: "debug", msg: "after" }],
  });
  assert.deepEqual(messages(printed), ["in block", "rescued boom", "always", "after"]);
  assert.equal(summary.failed, false);
  assert.equal(summary.stats.rescued, 1);
  assert.equal(summary.stats.failed, 0);
});

Deno.test("runApply() fails the run when always is reached after an unrescued failure", async () => {
  const { printed, summary } = await run({
    tasks: [
      { block: [{ type: "fail", msg: "boom" }], always: [{ type: "debug", msg: "cleanup" }] },
      { type: "debug", msg: "not reached" },
    ],
  });
  assert.deepEqual(messages(printed), ["cleanup"]);
  assert.equal(summary.failed, true);
});

Deno.test("runApply() includes task files relative to the config dir, with the include's vars", async () => {
  const { printed } = await run({
    files: { "tasks/users.yml": '- type: debug\n  msg: "{{ who }} from include"\n' },
    tasks: [{ type: "include_tasks", file: "tasks/users.yml", vars: { who: "alice" } }],
  });
  assert.deepEqual(messages(printed), ["alice from include"]);
});

Deno.test("runApply() hides no_log output", async () => {
  const { printed } = await run({
    tasks: [{ type: "marker", path: "/secret", content: "s3cret\n", no_log: true }],
  });
  assert.equal(printed[0]!.hidden, true);
});

Deno.test("runApply() fails a task that does not converge after apply", async () => {
  const { printed, summary } = await run({ tasks: [{ type: "flapping" }] });
  assert.equal(printed[0]!.status, "failed");
  assert.match(printed[0]!.message!, /did not converge: after applying, it still plans: flip/);
  assert.equal(summary.failed, true);
});

Deno.test("runApply() in dry-run plans against its own planned changes and changes nothing", async () => {
  const { printed } = await run({
    options: { dryRun: true },
    tasks: [
      { type: "marker", path: "/one", content: "1\n" },
      { type: "marker", path: "/one", content: "1\n" },
      { type: "sh", cmd: "touch /tmp/driftless-should-not-exist", register: "cmd" },
      { type: "debug", msg: "skipped={{ cmd.skipped }}" },
    ],
  }, async (read) => assert.equal(await read("/one"), undefined));
  assert.deepEqual(printed.map((r) => r.status), ["changed", "ok", "changed", "ok"]);
  assert.deepEqual(printed[2]!.wouldRun, ["touch /tmp/driftless-should-not-exist"]);
  assert.equal(printed[3]!.message, "skipped=True");
});

Deno.test("runApply() checks every template and notify before the first change", async () => {
  const attempt = run({
    tasks: [
      { type: "marker", path: "/first" },
      { type: "debug", msg: "{{ broken(" },
      { type: "marker", path: "/x", notify: "nobody" },
    ],
    files: { "templates/bad.j2": "{% if x %}\n" },
  });
  await assert.rejects(attempt, (e: ConfigError) => {
    const text = e.issues.map((i) => `${i.file} ${i.message}`).join("\n");
    assert.match(text, /msg: /);
    assert.match(text, /notify: no handler is named or listens to "nobody"/);
    assert.match(text, /templates\/bad\.j2 template error/);
    return true;
  });
});

Deno.test("runApply() drops params set to omit", async () => {
  await run({
    tasks: [{ type: "marker", path: "/o", content: "{{ nothing | default(omit) }}" }],
  }, async (read) => assert.equal(await read("/o"), "x\n", "the schema default applies"));
});

Deno.test("runApply() never templates registered output or facts (Ansible's unsafe)", async () => {
  const { printed } = await run({
    tasks: [
      { type: "sh", cmd: "echo '{% raw %}{{ boom }}{% endraw %}'", register: "r" },
      { type: "debug", msg: "{{ r.stdout }} {{ r.stdout_lines[0] }}" },
      { type: "debug", msg: "{{ ansible_facts.nested.x }} {{ ansible_nested.x }}" },
    ],
    options: { facts: { nested: { x: "{% raw %}" } } },
  });
  assert.deepEqual(printed.map((r) => r.message), [
    undefined,
    "{{ boom }} {{ boom }}",
    "{% raw %} {% raw %}",
  ]);
});

Deno.test("runApply() checks templated params against the schema before the first change", async () => {
  await assert.rejects(
    run({
      vars: { who: ["alice", { x: 1 }] },
      tasks: [
        { type: "marker", path: "/first" },
        { type: "marker", path: "{{ item }}", loop: "{{ who }}" },
      ],
    }, async (read) => assert.equal(await read("/first"), undefined, "nothing applied")),
    (e: ConfigError) =>
      /item \{"x":1\}: invalid parameters after templating: path: /.test(
        e.issues[0]?.message ?? "",
      ),
  );
  // A param that depends on a registered result is checked when the task runs.
  const { summary, printed } = await run({
    tasks: [
      { type: "sh", cmd: "echo 5", register: "r" },
      { type: "marker", path: "{{ r.stdout_lines }}" },
    ],
  });
  assert.equal(summary.failed, true);
  assert.match(printed[1]!.message!, /invalid parameters after templating: path: /);
});

Deno.test("runApply() renders labels and names the file, task and parameter of an undefined variable", async () => {
  const { summary, printed } = await run({
    vars: { name: "x" },
    tasks: [
      { type: "marker", path: "/{{ name }}" },
      { type: "marker", path: "/{{ name }}/{{ nope }}" },
    ],
  });
  assert.equal(summary.failed, true);
  assert.equal(printed[0]!.name, "marker /x");
  assert.equal(printed[1]!.name, "marker /{{ name }}/{{ nope }}", "a label that cannot render");
  assert.equal(printed[1]!.message, "apply.yml tasks[1].path: 'nope' is undefined");
});
