/**
 * template: the runCases table with a stand-in renderer (the real engine is wired and tested
 * end to end by the runner's tests): `{{ name }}` is replaced, and the options the task passes
 * to `ctx.renderTemplate` are recorded and checked.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { RenderFileOptions, TaskContext } from "../../lib/apply/task.ts";
import { template } from "../../tasks/template.ts";
import { runCases } from "../_helpers/run_cases.ts";

const calls: { src: string; options: RenderFileOptions }[] = [];

/** Renders the template the task found, replacing `{{ name }}` and `{{ template_path }}`. */
function ctx(root: string): Partial<TaskContext> {
  return {
    renderTemplate: async (path, options) => {
      calls.push({ src: path, options });
      assert.ok(path.startsWith(join(root, "config/templates/")), path);
      const text = await Deno.readTextFile(path);
      if (text.includes("{{ undefined }}")) throw new Error("'undefined' is undefined");
      return text.replaceAll("{{ name }}", "world").replaceAll(
        "{{ template_path }}",
        String(options.extraVars?.template_path),
      );
    },
  };
}

const put = async (p: string, text: string, m = 0o644) => {
  await Deno.mkdir(join(p, ".."), { recursive: true });
  await Deno.writeTextFile(p, text);
  await Deno.chmod(p, m);
};
const mode = async (p: string) => ((await Deno.stat(p)).mode ?? 0) & 0o7777;

Deno.test("template renders and converges", async (t) => {
  await runCases(t, template, [
    {
      name: "render a new file",
      params: { src: "hello.j2", dest: "/etc/hello.conf", mode: "0640" },
      setup: async (root) => {
        await put(join(root, "config/templates/hello.j2"), "hello {{ name }}\n");
        await Deno.mkdir(join(root, "etc"));
      },
      summaries: ["create /etc/hello.conf"],
      changes: (c) =>
        assert.deepEqual(c[0]!.diff, {
          before: "",
          after: "hello world\n",
          path: "/etc/hello.conf",
        }),
      check: async (real) => {
        assert.equal(await Deno.readTextFile(real("/etc/hello.conf")), "hello world\n");
        assert.equal(await mode(real("/etc/hello.conf")), 0o640);
        const { options } = calls.at(-1)!;
        assert.deepEqual(
          [options.trimBlocks, options.lstripBlocks, options.newlineSequence],
          [true, false, "\n"],
        );
        assert.equal(options.extraVars?.template_destpath, "/etc/hello.conf");
        assert.equal(options.extraVars?.template_path, "hello.j2");
        assert.equal(typeof options.extraVars?.ansible_managed, "string");
      },
    },
    {
      name: "already rendered",
      params: { src: "hello.j2", dest: "/hello" },
      setup: async (root) => {
        await put(join(root, "config/templates/hello.j2"), "hello {{ name }}\n");
        await put(join(root, "hello"), "hello world\n");
      },
      summaries: [],
    },
    {
      name: "a manual edit is put back",
      params: { src: "hello.j2", dest: "/hello" },
      setup: async (root) => {
        await put(join(root, "config/templates/hello.j2"), "hello {{ name }}\n");
        await put(join(root, "hello"), "hello edited\n");
      },
      summaries: ["update /hello"],
      changes: (c) => assert.equal(c[0]!.diff?.before, "hello edited\n"),
    },
    {
      name: "options reach the renderer",
      params: {
        src: "hello.j2",
        dest: "/hello",
        trim_blocks: false,
        lstrip_blocks: "yes",
        newline_sequence: "\r\n",
      },
      setup: (root) => put(join(root, "config/templates/hello.j2"), "x"),
      summaries: ["create /hello"],
      check: () => {
        const { options } = calls.at(-1)!;
        assert.deepEqual(
          [options.trimBlocks, options.lstripBlocks, options.newlineSequence],
          [false, true, "\r\n"],
        );
      },
    },
    {
      name: "into an existing directory, named after the template",
      params: { src: "sub/site.conf.j2", dest: "/srv" },
      setup: async (root) => {
        await put(join(root, "config/templates/sub/site.conf.j2"), "{{ template_path }}");
        await Deno.mkdir(join(root, "srv"));
      },
      summaries: ["create /srv/site.conf.j2"],
      check: async (real) =>
        assert.equal(await Deno.readTextFile(real("/srv/site.conf.j2")), "sub/site.conf.j2"),
    },
    {
      name: "mode: preserve takes the template's mode",
      params: { src: "run.sh.j2", dest: "/run.sh", mode: "preserve" },
      setup: (root) => put(join(root, "config/templates/run.sh.j2"), "#!/bin/sh\n", 0o755),
      summaries: ["create /run.sh"],
      check: async (real) => assert.equal(await mode(real("/run.sh")), 0o755),
    },
    {
      name: "force: false keeps an existing file",
      params: { src: "hello.j2", dest: "/hello", force: false },
      setup: async (root) => {
        await put(join(root, "config/templates/hello.j2"), "hello {{ name }}\n");
        await put(join(root, "hello"), "mine\n");
      },
      summaries: [],
    },
    {
      name: "a missing template fails before anything is written",
      params: { src: "ghost.j2", dest: "/ghost" },
      summaries: [],
      throws: /could not find "ghost.j2" in .*\/config\/templates/,
    },
    {
      name: "a missing dest directory fails",
      params: { src: "hello.j2", dest: "/nope/x" },
      setup: (root) => put(join(root, "config/templates/hello.j2"), "x"),
      summaries: [],
      throws: /Destination directory \/nope does not exist/,
    },
    {
      name: "a render error fails the task",
      params: { src: "bad.j2", dest: "/bad" },
      setup: (root) => put(join(root, "config/templates/bad.j2"), "{{ undefined }}"),
      summaries: [],
      throws: /'undefined' is undefined/,
    },
  ], { ctx });
});

Deno.test("template schema: Ansible's newline sequences and encodings only", () => {
  const ok = (p: Record<string, unknown>) => template.schema.safeParse(p).success;
  assert.ok(ok({ src: "a", dest: "/b", newline_sequence: "\r" }));
  assert.ok(!ok({ src: "a", dest: "/b", newline_sequence: "\\n" }));
  assert.ok(!ok({ src: "a", dest: "/b", output_encoding: "utf-16" }));
  assert.ok(!ok({ src: "a" }));
});
