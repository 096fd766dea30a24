/**
 * The preflight returns its issues as data, checks what the config repo decides, and leaves
 * what depends on the run (registered results, facts) to the run.
 */
import assert from "node:assert/strict";
import { preflight } from "../../../lib/apply/preflight.ts";
import { formatIssue } from "../../../lib/errors.ts";
import { loadConfig } from "../../../lib/config/loader.ts";
import { TaskLoader } from "../../../lib/config/task_loader.ts";
import * as engine from "../../../lib/template/engine.ts";
import { catalog, loaded } from "../../../tasks/mod.ts";
import { writeTree } from "../../_helpers/cli.ts";

async function check(files: Record<string, string>) {
  const dir = await Deno.makeTempDir({ prefix: "driftless_preflight_" });
  try {
    await writeTree(dir, files);
    const config = await loadConfig(dir, { catalog });
    return await preflight(config.apply!, {
      engine,
      tasks: loaded,
      configDir: config.dir,
      vars: config.vars,
      loader: new TaskLoader(dir, { catalog }),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("preflight() returns [] for a config apply will start", async () => {
  assert.deepEqual(
    await check({
      "apply.yml": [
        "tasks:",
        "  - {type: template, src: site.j2, dest: /tmp/site}",
        "  - {type: command, cmd: 'echo {{ 1 + 1 }}', register: r}",
        // Depends on a registered result: checked when it runs.
        "  - {type: copy, src: '{{ r.stdout }}.txt', dest: /tmp/x}",
        // Depends on facts: checked when it runs.
        "  - {type: file, path: /tmp/y, mode: '{{ ansible_facts.nothing }}'}",
        // A condition false before the run: its missing source does not matter.
        "  - {type: template, src: gone.j2, dest: /tmp/z, when: 'flag'}",
        "vars: {flag: false}",
      ].join("\n"),
      "templates/site.j2": "{{ inventory_hostname }}\n",
    }),
    [],
  );
});

Deno.test("preflight() locates each problem by file, line and task", async () => {
  const issues = await check({
    "apply.yml": [
      "tasks:",
      "  - {type: template, src: gone.j2, dest: /tmp/site}",
      "  - {type: debug, msg: hi, notify: nobody}",
      "  - {type: file, path: '{{ item }}', state: touch, loop: [/a, {x: 1}]}",
    ].join("\n"),
  });
  assert.deepEqual(
    issues.map((i) => ({ ...i, message: i.message.replace(/ in \/\S+ or \S+$/, "") })),
    [
      {
        file: "apply.yml",
        line: 2,
        column: 5,
        path: "tasks[0]",
        message: 'could not find "gone.j2"',
      },
      {
        file: "apply.yml",
        line: 3,
        column: 5,
        path: "tasks[1]",
        message: 'notify: no handler is named or listens to "nobody"',
      },
      {
        file: "apply.yml",
        line: 4,
        column: 5,
        path: "tasks[2]",
        message:
          'item {"x":1}: invalid parameters after templating: path: Invalid input: expected string, received object',
      },
    ],
  );
});

Deno.test("preflight() warns, naming the condition, about a file included only under one", async () => {
  const files = {
    "apply.yml": [
      "vars: {os: Debian}",
      "tasks:",
      "  - include_tasks: tasks/freebsd.yml",
      "    when: os == 'FreeBSD'",
      "  - include_tasks: tasks/maybe.yml",
      "    ignore_errors: true",
      "  - block:",
      "      - include_tasks: tasks/freebsd.yml",
      "    when: os != 'Debian'",
    ].join("\n"),
    "tasks/freebsd.yml": "- community.general.pkgng: {name: nginx}\n",
    "tasks/maybe.yml": "- type: debug\n  msg: '{{ broken( }}'\n",
  };
  const issues = await check(files);
  assert.deepEqual(issues.map((i) => [i.severity, formatIssue(i)]), [
    [
      "warning",
      'tasks/freebsd.yml:1:3 [0]["community.general.pkgng"]: unknown task "community.general.pkgng"' +
      " (in a file included only when (os == 'FreeBSD'))",
    ],
    [
      "warning",
      "tasks/maybe.yml:1:3 [0]: msg: [0].msg:1:12: unexpected '}', expected ')'" +
      " (in a file included with ignore_errors)",
    ],
  ]);
  // Included unconditionally, the same file is an error.
  const hard = await check({
    "apply.yml": "tasks:\n  - include_tasks: tasks/freebsd.yml\n",
    "tasks/freebsd.yml": files["tasks/freebsd.yml"],
  });
  assert.equal(hard.length, 1);
  assert.equal(hard[0]!.severity, undefined);
});
