/**
 * Records what Ansible's file-editing modules make of a file, as the fixture the Driftless task
 * tests replay: tests/fixtures/tasks/ansible/file_modules.json. Each case of
 * tests/fixtures/tasks/ansible/file_modules_cases.json (module, initial text or null, args)
 * runs through `ansible localhost -c local -m <module>` on a temp copy of the file; the text
 * left behind and `changed` (or the failure message) are stored.
 *
 * Run: deno run -A scripts/record_file_modules.ts   (recorded with ansible-core 2.14.18 and
 * community.general 6.6 from Debian's ansible 7.7.0)
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const DIR = fileURLToPath(new URL("../tests/fixtures/tasks/ansible/", import.meta.url));

interface Case {
  readonly name: string;
  readonly module: string;
  /** The file's text before, or null when it does not exist. */
  readonly before: string | null;
  /** Module args; `{{file}}` stands for the file's path. */
  readonly args: Record<string, unknown>;
}

const cases: Case[] = JSON.parse(await Deno.readTextFile(`${DIR}/file_modules_cases.json`));
const out: Record<string, unknown> = {};
for (const c of cases) {
  const dir = await Deno.makeTempDir({ prefix: "driftless_modfix_" });
  try {
    const file = `${dir}/target`;
    if (c.before !== null) await Deno.writeTextFile(file, c.before);
    const args = JSON.parse(
      JSON.stringify(c.args).replaceAll("{{file}}", file).replaceAll("{{dir}}", dir),
    );
    const run = await new Deno.Command("ansible", {
      args: ["localhost", "-c", "local", "-m", c.module, "-a", JSON.stringify(args)],
      env: {
        ANSIBLE_LOAD_CALLBACK_PLUGINS: "1",
        ANSIBLE_STDOUT_CALLBACK: "json",
        ANSIBLE_NOCOLOR: "1",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(run.stdout);
    const report = JSON.parse(text.slice(text.indexOf("{")));
    const result = Object.values(report.plays[0].tasks[0].hosts)[0] as Record<string, unknown>;
    const after = await Deno.readTextFile(file).catch(() => null);
    out[c.name] = result.failed ? { failed: true, msg: result.msg } : {
      changed: result.changed,
      after: after?.replace(/^# Updated by Ansible - .*$/m, "<mark>") ?? null,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
await Deno.writeTextFile(`${DIR}/file_modules.json`, JSON.stringify(out, null, 1) + "\n");
