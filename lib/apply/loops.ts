/**
 * A task's loop items: `loop:` as given, and Ansible's `with_<lookup>` forms (`with_items`,
 * `with_dict`, `with_subelements`, `with_first_found`, ...), where the terms are templated and
 * handed to the lookup of that name, as Ansible's task executor does.
 *
 * @module
 */
import type { TaskSpec } from "../config/apply_schema.ts";
import { searchPathOf, type TemplateEngine } from "./params.ts";

/** What a loop needs: the engine, the task's search roots, and the search path built on them. */
export interface LoopTemplating {
  readonly engine: TemplateEngine;
  /** Where the task's files are looked up: role dirs, the task file's dir, the config dir. */
  readonly roots: readonly string[];
}

/**
 * The folder `with_first_found` searches first: as Ansible tells the lookup, `templates/` for
 * template tasks, `vars/` for include_vars, `files/` otherwise.
 */
function firstFoundFolder(type: string): string {
  for (const folder of ["template", "var", "file"]) if (type.includes(folder)) return `${folder}s`;
  return "files";
}

/** The items a task loops over (`loop` or `with_<lookup>`). */
export async function loopItems(
  task: TaskSpec,
  scope: Record<string, unknown>,
  t: LoopTemplating,
): Promise<unknown[]> {
  const searchPath = searchPathOf(t.roots);
  const value = await t.engine.templateValue(task.loop, scope, { searchPath });
  const lookup = task.loop_with;
  if (lookup === undefined) {
    if (!Array.isArray(value)) {
      throw new Error(`loop: expected a list, got ${JSON.stringify(value)}`);
    }
    return value;
  }
  const terms = Array.isArray(value) ? value : [value];
  const args = terms.map((_, i) => `, __loop_terms[${i}]`).join("");
  const items = await t.engine.evaluateExpression(
    `query(__loop_with${args})`,
    { ...scope, __loop_with: lookup, __loop_terms: terms },
    {
      searchPath: lookup === "first_found"
        ? searchPathOf(t.roots, firstFoundFolder(task.type))
        : searchPath,
    },
  );
  if (!Array.isArray(items)) {
    throw new Error(`with_${lookup}: the lookup returned ${JSON.stringify(items)}, not a list`);
  }
  return items;
}
