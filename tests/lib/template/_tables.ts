/**
 * Oracle tables: template cases whose expected output was recorded from real ansible-core 2.14.
 *
 * Each table is `tests/fixtures/templates/oracle/<name>.yml`, a list of cases:
 *   t: the template; v: vars; f: extra files (path relative to the play dir, e.g.
 *   `templates/inc.j2`, `files/data.txt`); m: true to render with the template module;
 *   out: Ansible's output; err: Ansible's error (the case must fail); cls: the class of the
 *   exception behind it (module cases have none: the template module hides it); known: why
 *   the engine's error differs from Ansible's (then only the failure itself is compared).
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
  cls?: string;
  known?: string;
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

/**
 * The part of Ansible's error message that names the problem, without the wrappers Ansible puts
 * around it (`Unexpected templating type error occurred on (...): `, `template error while
 * templating string: ... String: ...`, `... original message: `) and without its repeats.
 */
export function errorKey(err: string): string {
  const inner = /original message: (.*)$/.exec(err)?.[1] ??
    /^Unexpected templating type error occurred on \(.*\): (.*)$/s.exec(err)?.[1] ??
    /^template error while templating string: (.*?)\. String: /s.exec(err)?.[1] ??
    err;
  if (inner !== err) return errorKey(inner);
  // "x. x", "x.. x." (Ansible appends the cause's text to its own): keep one.
  for (let cut = 1; cut <= err.length / 2; cut++) {
    const head = err.slice(0, cut);
    const rest = err.slice(cut);
    if (rest === `. ${head}` || rest === `. ${head.replace(/\.$/, "")}`) return head;
  }
  return err;
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
      const label = `#${i} ${JSON.stringify(c.t).slice(0, 70)}${
        c.known ? ` (known difference: ${c.known})` : ""
      }`;
      await t.step(label, async () => {
        assert.ok(c.out !== undefined || c.err !== undefined, `case ${label} was never recorded`);
        if (c.err !== undefined) {
          await assert.rejects(renderCase(c), (e: unknown) => {
            assert.ok(e instanceof TemplateError, `expected a TemplateError, got ${e}`);
            if (c.known) return true;
            // Python's qualified names (binascii.Error) print as the bare class in Ansible.
            if (c.cls) assert.equal(e.kind.split(".").at(-1), c.cls, "the exception class");
            const key = errorKey(c.err!);
            assert.ok(e.reason.includes(key), `${e.reason}\n  should say: ${key}`);
            return true;
          }, `Ansible failed with: ${c.err.split("\n")[0]}`);
          return;
        }
        assert.equal(await renderCase(c), c.out);
      });
    }
  });
}
