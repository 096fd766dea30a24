/**
 * Records the expected values of the oracle tables from real ansible-core 2.14.
 *
 *   deno run -A tests/lib/template/record_oracle.ts            # every table
 *   deno run -A tests/lib/template/record_oracle.ts filters_core lookups
 *
 * All cases of the named tables go into ONE ansible-playbook run; each case's `out` (rendered
 * text) or `err` (Ansible's error message, first line of "The error was"/"original message")
 * and `cls` (the class of the exception Ansible's wrappers hold: `UndefinedError`, `TypeError`,
 * `AnsibleFilterError`, ...) is written back into its table. Needs `ansible-playbook` (Debian's
 * ansible-core).
 */
import { stringify } from "yaml";
import { renderWithAnsible } from "./_oracle.ts";
import { loadTable, ORACLE_ENV, TABLE_DIR, type TableCase } from "./_tables.ts";

const IGNORE = "# deno-fmt-ignore-file";

function shortError(msg: string): string {
  const m = /The error was: ([\s\S]*?)(?:\n\n|$)/.exec(msg) ??
    /original message: ([\s\S]*?)(?:\n\n|$)/.exec(msg);
  let text = (m ? m[1]! : msg).split("\n")[0]!;
  // Ansible repeats the message several times ("x. x. x"): keep one.
  for (let cut = 1; cut < text.length; cut++) {
    const head = text.slice(0, cut);
    if (text.startsWith(`${head}. ${head}`)) {
      text = head;
      break;
    }
  }
  return text;
}

/**
 * The exception Ansible's wrappers (`orig_exc`) hold, from a chain like `AnsibleError orig_exc
 * TypeError`; a `cause` (Python's `raise X from Y`) is X's detail, so X is the class.
 */
function innermost(chain: string | undefined): string | undefined {
  if (!chain) return undefined;
  return chain.split(" cause ")[0]!.split(" orig_exc ").at(-1) || undefined;
}

if (import.meta.main) {
  const names = Deno.args.length
    ? Deno.args
    : [...Deno.readDirSync(TABLE_DIR)].filter((e) => e.name.endsWith(".yml")).map((e) =>
      e.name.slice(0, -4)
    )
      .sort();
  const tables = new Map<string, TableCase[]>();
  const all: { table: string; index: number; c: TableCase }[] = [];
  for (const name of names) {
    const cases = await loadTable(name);
    tables.set(name, cases);
    cases.forEach((c, index) => all.push({ table: name, index, c }));
  }
  for (const [k, v] of Object.entries(ORACLE_ENV)) Deno.env.set(k, v);
  const started = performance.now();
  const results = await renderWithAnsible(
    all.map(({ c }) => ({
      template: c.t,
      ...(c.v ? { vars: c.v } : {}),
      ...(c.f ? { files: c.f } : {}),
      ...(c.m ? { module: true } : {}),
    })),
    { errorClasses: true },
  );
  all.forEach(({ c }, i) => {
    const r = results[i]!;
    delete c.out;
    delete c.err;
    delete c.cls;
    if (r.err !== undefined) {
      c.err = shortError(r.err);
      const cls = innermost(r.chain);
      if (cls) c.cls = cls;
    } else c.out = r.out!;
  });
  for (const [name, cases] of tables) {
    const path = `${TABLE_DIR}${name}.yml`;
    // Keep the table's leading comments; whitespace in the cases is significant, so the file
    // must never be reformatted.
    const old = await Deno.readTextFile(path);
    const header = old.split("\n").filter((_, i, a) =>
      a.slice(0, i + 1).every((l) => l.startsWith("#"))
    )
      .filter((l) => l !== IGNORE);
    await Deno.writeTextFile(
      path,
      [IGNORE, ...header, stringify(cases, { lineWidth: 0 })].join("\n"),
    );
  }
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  Deno.stdout.writeSync(new TextEncoder().encode(
    `recorded ${all.length} cases in ${tables.size} tables with ansible-playbook (${secs}s)\n`,
  ));
}
