/**
 * The task registry: every task type by the `type:` that selects it.
 *
 * @module
 */
import type { TaskCatalog } from "../lib/config/apply_schema.ts";
import type { AnyTaskModule } from "../lib/apply/task.ts";
import { assert } from "./assert.ts";
import { debug } from "./debug.ts";
import { fail } from "./fail.ts";
import { includeTasks } from "./include_tasks.ts";
import { setFact } from "./set_fact.ts";

/** Every task type, by name. */
export const TASKS: Readonly<Record<string, AnyTaskModule>> = Object.fromEntries(
  [assert, debug, fail, includeTasks, setFact].map((t) => [t.type, t]),
);

/** The registry as the config loader sees it. */
export const catalog: TaskCatalog = {
  names: [...Object.keys(TASKS), "block"].sort(),
  params: (type) => TASKS[type]?.schema,
  freeForm: (type) => TASKS[type]?.freeForm,
};
