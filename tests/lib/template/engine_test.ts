/**
 * The engine's API as the apply runner and the CLI use it: native values from templateValue,
 * when-style expressions, syntax checks with positions, located errors, renderFile with the
 * `#jinja2:` header and includes next to the file, options, and the no-nunjucks fast path.
 */
import assert from "node:assert/strict";
import {
  checkTemplate,
  engineLoaded,
  evaluateExpression,
  renderFile,
  renderTemplate,
  TemplateError,
  templateValue,
} from "../../../lib/template/engine.ts";

Deno.test("templateValue() returns strings without markers untouched and loads no engine", async () => {
  const value = { a: "plain", b: ["x", 1, true, null], c: { d: "no braces {here}" } };
  assert.deepEqual(await templateValue(value, {}), value);
  assert.equal(engineLoaded(), false, "nunjucks must not load for plain strings");
});

Deno.test("templateValue() converts like Ansible's templar: containers and bools, else text", async () => {
  // Expected types recorded from ansible-core 2.14 (set_fact of each, then `| type_debug`):
  // str, bool, NoneType, list, str.
  const vars = { users: [{ name: "a" }], n: 4, flag: false, nothing: null, ratio: 0.5 };
  assert.equal(await templateValue("{{ n + 1 }}", vars), "5");
  assert.equal(await templateValue("{{ flag }}", vars), false);
  assert.equal(await templateValue("{{ nothing }}", vars), null);
  assert.deepEqual(await templateValue("{{ users }}", vars), [{ name: "a" }]);
  assert.equal(await templateValue("{{ 10 / 4 }}", vars), "2.5");
  assert.equal(await templateValue("{{ 10 / 5 }}", vars), "2.0");
  assert.deepEqual(await templateValue("{{ {'k': [1, (2, 3)]} }}", vars), { k: [1, [2, 3]] });
  assert.equal(await templateValue("n={{ n }}", vars), "n=4");
  assert.equal(await templateValue("{{ n }}\n", vars), "4\n");
  assert.equal(await templateValue(" {{ n }}", vars), " 4");
  assert.deepEqual(await templateValue({ list: ["{{ n }}", "{{ users | length }} users"] }, vars), {
    list: ["4", "1 users"],
  });
});

Deno.test("templateValue() doubles backslashes in expressions like Ansible's templar", async () => {
  // A YAML task param "{{ 'a\\nb' }}" reaches the templar as {{ 'a\nb' }}: Ansible keeps the
  // backslash literal inside expressions.
  assert.equal(await templateValue("{{ 'a\\nb' }}", {}), "a\\nb");
  assert.equal(await templateValue("{{ 'x1y' | regex_replace('\\d', 'N') }}", {}), "xNy");
});

Deno.test("evaluateExpression() evaluates when-style expressions to native values", async () => {
  const vars = {
    ansible_facts: { os_family: "Debian" },
    result: { changed: true, rc: 0 },
    item: { name: "x" },
  };
  assert.equal(await evaluateExpression('ansible_facts.os_family == "Debian"', vars), true);
  assert.equal(await evaluateExpression("result is changed and result.rc == 0", vars), true);
  assert.equal(await evaluateExpression("item.enabled | default(true)", vars), true);
  assert.equal(await evaluateExpression("missing is defined", vars), false);
  assert.equal(await evaluateExpression("missing.deeper is undefined", vars), true);
  assert.deepEqual(await evaluateExpression("[1, 2] | map('string') | list", vars), ["1", "2"]);
  await assert.rejects(
    evaluateExpression("missing_var == 1", vars),
    (e: unknown) =>
      e instanceof TemplateError && e.variable === "missing_var" &&
      /'missing_var' is undefined/.test(e.message),
  );
});

Deno.test("checkTemplate() reports syntax errors with line and column", async () => {
  await checkTemplate("{% for x in y %}{{ x | upper }}{% endfor %}");
  await assert.rejects(
    checkTemplate("line 1\n{% if x %}\nno end\n", { name: "t.j2" }),
    (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.templateName, "t.j2");
      assert.match(e.message, /^t\.j2:\d+/);
      assert.match(e.message, /Unexpected end of template/);
      return true;
    },
  );
  await assert.rejects(checkTemplate("a\nb {{ 1 + }}"), (e: unknown) => {
    assert.ok(e instanceof TemplateError);
    assert.equal(e.line, 2);
    assert.ok(e.column !== undefined);
    return true;
  });
  await assert.rejects(
    checkTemplate("{{ x | no_such_filter }}"),
    /Could not load "no_such_filter": 'no_such_filter'/,
  );
  await assert.rejects(
    checkTemplate("{{ x is no_such_test }}"),
    /Could not load "no_such_test": 'no_such_test'/,
  );
});

Deno.test("renderTemplate() names the undefined variable and the template line", async () => {
  const source = "line one\n{% for u in users %}\n{{ u.name }} {{ u.shell }}\n{% endfor %}\n";
  await assert.rejects(
    renderTemplate(source, { users: [{ name: "a" }] }, { name: "users.j2" }),
    (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.templateName, "users.j2");
      assert.equal(e.line, 3);
      assert.match(e.message, /^users\.j2:3:\d+: 'dict object' has no attribute 'shell'$/);
      return true;
    },
  );
  await assert.rejects(
    renderTemplate("ok\n\n{{ nope }}", {}),
    /<template>:3:4: 'nope' is undefined/,
  );
});

Deno.test("renderTemplate() applies trim_blocks, lstrip_blocks and newline_sequence options", async () => {
  const src = "  {% if true %}\n  x\n  {% endif %}\n";
  // Jinja leaves "    x\n  "; Ansible then restores the source's trailing newline.
  assert.equal(await renderTemplate(src, {}), "    x\n  \n");
  assert.equal(await renderTemplate(src, {}, { lstripBlocks: true }), "  x\n");
  assert.equal(await renderTemplate(src, {}, { trimBlocks: false }), "  \n  x\n  \n");
  assert.equal(
    await renderTemplate("a\n{{ 'b' }}\n", {}, { newlineSequence: "\r\n" }),
    "a\r\nb\r\n",
  );
  await assert.rejects(renderTemplate("x", {}, { newlineSequence: "\t" }), /newline_sequence/);
});

Deno.test("renderTemplate() templates vars lazily and stops a loop between them", async () => {
  const vars = { a: "{{ b }}!", b: "{{ c | upper }}", c: "deep" };
  assert.equal(await renderTemplate("{{ a }}", vars), "DEEP!");
  await assert.rejects(
    renderTemplate("{{ a }}", { a: "{{ b }}", b: "{{ a }}" }),
    /recursive loop detected/,
  );
});

Deno.test("renderFile() honours the #jinja2 header and finds includes next to the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_render_file_" });
  try {
    await Deno.writeTextFile(
      `${dir}/main.j2`,
      "#jinja2: trim_blocks: False, lstrip_blocks: True\n  {% for i in [1] %}\n{% include 'part.j2' %}\n  {% endfor %}\n",
    );
    await Deno.writeTextFile(`${dir}/part.j2`, "part {{ i }}");
    assert.equal(await renderFile(`${dir}/main.j2`, {}), "\npart 1\n");
    await Deno.writeTextFile(`${dir}/bad.j2`, "#jinja2: nope\nx");
    await assert.rejects(renderFile(`${dir}/bad.j2`, {}), /failed to parse jinja2 override/);
    await assert.rejects(renderFile(`${dir}/missing.j2`, {}), /template file not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderTemplate() reports a missing include with the including template's line", async () => {
  await assert.rejects(
    renderTemplate("a\n{% include 'nowhere.j2' %}", {}, { name: "main.j2", searchPath: [] }),
    (e: unknown) =>
      e instanceof TemplateError &&
      /^main\.j2:2:\d+: template not found: nowhere\.j2$/.test(e.message),
  );
});

Deno.test("markUnsafe() keeps a registered result's text from being templated", async () => {
  const { markUnsafe } = await import("../../../lib/template/engine.ts");
  const result = markUnsafe({ stdout: "literal {{ braces }}", rc: 0 });
  assert.equal(await renderTemplate("{{ r.stdout }}", { r: result }), "literal {{ braces }}");
  await assert.rejects(
    renderTemplate("{{ r.stdout }}", { r: { stdout: "{{ braces }}" } }),
    /'braces' is undefined/,
  );
});
