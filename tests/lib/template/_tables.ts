/**
 * Oracle tables: template cases whose expected output was recorded from real ansible-core 2.14.
 *
 * Each table is `tests/fixtures/templates/oracle/<name>.yml`, a list of cases:
 *   t: the template; v: vars; f: extra files (path relative to the play dir, e.g.
 *   `templates/inc.j2`, `files/data.txt`); m: true to render with the template module;
 *   out: Ansible's output; err: Ansible's error (the case must fail).
 *
 * `out`/`err` are written by `deno run -A tests/lib/template/record_oracle.ts [table...]`, which
 * renders every case with `ansible-playbook` (one run for all cases; see `_oracle.ts`). The tests
 * here render the same cases with the engine and compare; they do not need Ansible.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { renderTemplate } from "../../../lib/template/engine.ts";
import { TemplateError } from "../../../lib/template/error.ts";

/** One oracle case. */
export interface TableCase {
  t: string;
  v?: Record<string, unknown>;
  f?: Record<string, string>;
  m?: boolean;
  out?: string;
  err?: string;
}

/** The directory holding the tables. */
export const TABLE_DIR: string = fileURLToPath(
  new URL("../../fixtures/templates/oracle/", import.meta.url),
);

/** Environment the oracle and the tests share (the `env` lookup reads it). */
export const ORACLE_ENV: Record<string, string> = { DRIFTLESS_ORACLE_VAR: "oracle value" };

/** Reads a table. */
export async function loadTable(name: string): Promise<TableCase[]> {
  return parse(await Deno.readTextFile(`${TABLE_DIR}${name}.yml`)) as TableCase[];
}

/** The quoted phrase of an undefined-variable error, when Ansible's message has one. */
export function undefinedPhrase(msg: string): string | undefined {
  return /'[^']+' is undefined|'[^']+' has no attribute '[^']+'|has no element \S+/.exec(msg)?.[0];
}

/** Renders one case with the engine, in a temp dir laid out like the oracle's play dir. */
export async function renderCase(c: TableCase): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "driftless_table_" });
  try {
    for (const [path, text] of Object.entries(c.f ?? {})) {
      const full = `${dir}/${path.replace(/^play:/, "")}`;
      await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(full, text);
    }
    return await renderTemplate(c.t, structuredClone(c.v ?? {}), {
      searchPath: [`${dir}/templates`, `${dir}/files`, dir],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Registers one test per table, with a step per case. */
export function tableTest(name: string, title: string): void {
  Deno.test(title, async (t) => {
    for (const [k, v] of Object.entries(ORACLE_ENV)) Deno.env.set(k, v);
    const cases = await loadTable(name);
    assert.ok(cases.length > 0, `table ${name} is empty`);
    for (const [i, c] of cases.entries()) {
      const label = `#${i} ${JSON.stringify(c.t).slice(0, 70)}`;
      await t.step(label, async () => {
        assert.ok(c.out !== undefined || c.err !== undefined, `case ${label} was never recorded`);
        if (c.err !== undefined) {
          await assert.rejects(renderCase(c), (e: unknown) => {
            assert.ok(e instanceof TemplateError, `expected a TemplateError, got ${e}`);
            const phrase = undefinedPhrase(c.err!);
            if (phrase) assert.ok(e.message.includes(phrase), `${e.message} should say ${phrase}`);
            return true;
          }, `Ansible failed with: ${c.err.split("\n")[0]}`);
          return;
        }
        assert.equal(await renderCase(c), c.out);
      });
    }
  });
}
