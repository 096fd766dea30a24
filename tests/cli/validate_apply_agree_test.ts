/**
 * `validate` and `apply` run one preflight: a config validate accepts is never rejected by apply
 * for a reason validate could have seen, and both report the same problems, word for word.
 */
import assert from "node:assert/strict";
import { runCli, writeTree } from "../_helpers/cli.ts";

/** Broken configs, each with the problem both commands must report. */
const BROKEN: Record<string, { files: Record<string, string>; expect: RegExp }> = {
  "template syntax error in a parameter": {
    files: { "apply.yml": 'tasks:\n  - type: debug\n    msg: "{{ broken( }}"\n' },
    expect: /apply\.yml:2:5 tasks\[0\]: msg: /,
  },
  "template syntax error in templates/": {
    files: { "apply.yml": "tasks: []\n", "templates/site.conf.j2": "{% if x %}\nopen\n" },
    expect: /templates\/site\.conf\.j2:2:1: template error: Unexpected end of template/,
  },
  "notify to no handler": {
    files: {
      "apply.yml": "tasks:\n  - type: debug\n    msg: hi\n    notify: restart nginx\n",
    },
    expect: /notify: no handler is named or listens to "restart nginx"/,
  },
  "missing template file": {
    files: { "apply.yml": "tasks:\n  - type: template\n    src: gone.j2\n    dest: /tmp/x\n" },
    expect: /apply\.yml:2:5 tasks\[0\]: could not find "gone\.j2"/,
  },
  "missing copy source, named through a var": {
    files: {
      "apply.yml":
        "vars: {name: nothing.txt}\ntasks:\n  - type: copy\n    src: '{{ name }}'\n    dest: /tmp/x\n",
    },
    expect: /could not find "nothing\.txt"/,
  },
  "param that fails its schema after templating": {
    files: {
      "apply.yml":
        "vars: {m: [1]}\ntasks:\n  - type: file\n    path: /tmp/x\n    mode: '{{ m }}'\n    state: touch\n",
    },
    expect: /invalid parameters after templating: mode/,
  },
  "include that does not exist": {
    files: { "apply.yml": "tasks:\n  - include_tasks: tasks/nope.yml\n" },
    expect: /tasks\/nope\.yml: task file not found/,
  },
  "include with an unknown task": {
    files: {
      "apply.yml": "tasks:\n  - include_tasks: tasks/web.yml\n",
      "tasks/web.yml": "- type: fiel\n  path: /tmp/x\n",
    },
    expect: /tasks\/web\.yml:1:9 \[0\]\.type: unknown task "fiel"; did you mean "file"\?/,
  },
  "include outside the config dir": {
    files: { "apply.yml": "tasks:\n  - include_tasks: ../outside.yml\n" },
    expect: /\.\.\/outside\.yml: .*outside the config dir/,
  },
};

for (const [name, { files, expect }] of Object.entries(BROKEN)) {
  Deno.test(`validate and apply --dry-run report the same issues: ${name}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "driftless_agree_" });
    try {
      await writeTree(`${dir}/config`, files);
      await Deno.writeTextFile(`${dir}/outside.yml`, "- type: debug\n  msg: outside\n");
      await Deno.mkdir(`${dir}/home`);
      const cli = (...args: string[]) =>
        runCli(["--config", `${dir}/config`, ...args], { env: { HOME: `${dir}/home` } });
      const [validate, apply] = await Promise.all([cli("validate"), cli("apply", "--dry-run")]);
      assert.equal(validate.code, 2, validate.stderr);
      assert.equal(apply.code, 2, apply.stderr);
      assert.match(validate.stderr, expect);
      assert.equal(apply.stderr, validate.stderr, "the same problems, word for word");
      assert.equal(validate.stdout, "");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
