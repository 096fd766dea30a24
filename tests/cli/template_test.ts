/**
 * `driftless template` run as users run it (a real subprocess): vars files of every format,
 * -e, stdin, facts, options, search path, exact output and located errors with exit codes.
 */
import assert from "node:assert/strict";
import { runCli, writeTree } from "../_helpers/cli.ts";

async function tempTree(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "driftless_template_cli_" });
  await writeTree(dir, files);
  return dir;
}

Deno.test("driftless template renders with vars files and -e and prints exactly the text", async () => {
  const dir = await tempTree({
    "t.j2":
      "{% for u in users %}\n{{ u }}:{{ port }}:{{ extra }}:{{ who }}\n{% endfor %}no newline",
    "vars.yml": "users: [alice, bob]\nport: 80\n",
    "more.json": '{"port": 8080, "extra": "json"}',
    "who.toml": 'who = "toml"\n',
  });
  try {
    const r = await runCli([
      "template",
      `${dir}/t.j2`,
      "--vars",
      `${dir}/vars.yml`,
      "--vars",
      `${dir}/more.json`,
      "-e",
      `@${dir}/who.toml`,
      "-e",
      "extra='from cli' ignored=1",
    ]);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "alice:8080:from cli:toml\nbob:8080:from cli:toml\nno newline");
    assert.equal(r.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless template reads stdin, exposes facts as ansible_facts and ansible_*", async () => {
  const r = await runCli(
    ["template", "-", "-e", '{"n": 2}'],
    {
      stdin:
        "{{ ansible_facts.hostname == ansible_hostname }} {{ ansible_facts.system }} {{ n * 2 }}\n",
    },
  );
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "True Linux 4\n");
  assert.equal(r.code, 0);
});

Deno.test("driftless template honours --no-trim-blocks, --lstrip-blocks and --search-path", async () => {
  const dir = await tempTree({
    "inc/part.j2": "part",
    "t.j2": "  {% if true %}\n{% include 'part.j2' %}\n  {% endif %}\n",
  });
  try {
    const plain = await runCli(["template", `${dir}/t.j2`, "--search-path", `${dir}/inc`]);
    // Jinja gives "  part  "; Ansible restores the trailing newline of the source.
    assert.equal(plain.stdout, "  part  \n");
    const lstrip = await runCli([
      "template",
      `${dir}/t.j2`,
      "--search-path",
      `${dir}/inc`,
      "--lstrip-blocks",
      "--no-trim-blocks",
    ]);
    assert.equal(lstrip.stdout, "\npart\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless template exits 1 with the file, line and variable of a template error", async () => {
  const dir = await tempTree({
    "bad.j2": "ok\n{% for x in [1] %}\n{{ x }} {{ missing_thing }}\n{% endfor %}\n",
  });
  try {
    const r = await runCli(["template", `${dir}/bad.j2`]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `error: template error: ${dir}/bad.j2:3:12: 'missing_thing' is undefined\n`,
    );
    const syntax = await runCli(["template", "-"], { stdin: "a\n{% if x %}\n" });
    assert.equal(syntax.code, 1);
    assert.match(
      syntax.stderr,
      /^error: template error: <stdin>:\d+:\d+: Unexpected end of template/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless template exits 2 on a missing file or bad -e", async () => {
  const missing = await runCli(["template", "/nonexistent/t.j2"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such template file: \/nonexistent\/t\.j2/);
  const badE = await runCli(["template", "-", "-e", "novalue"], { stdin: "x" });
  assert.equal(badE.code, 2);
  assert.match(badE.stderr, /-e: expected key=value/);
});
