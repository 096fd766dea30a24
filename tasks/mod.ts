/**
 * The task registry: every task type by the `type:` that selects it.
 *
 * @module
 */
import type { TaskCatalog } from "../lib/config/apply_schema.ts";
import type { AnyTaskModule } from "../lib/apply/task.ts";
import { assert } from "./assert.ts";
import { blockinfile } from "./blockinfile.ts";
import { command } from "./command.ts";
import { copy } from "./copy.ts";
import { debug } from "./debug.ts";
import { directory } from "./directory.ts";
import { fail } from "./fail.ts";
import { file } from "./file.ts";
import { includeTasks } from "./include_tasks.ts";
import { lineinfile } from "./lineinfile.ts";
import { replace } from "./replace.ts";
import { script } from "./script.ts";
import { setFact } from "./set_fact.ts";
import { shell } from "./shell.ts";
import { stat } from "./stat.ts";
import { template } from "./template.ts";

/** Every task type, by name. */
export const TASKS: Readonly<Record<string, AnyTaskModule>> = Object.fromEntries(
  [
    assert,
    debug,
    fail,
    includeTasks,
    setFact,
    ...[file, directory, copy, template, lineinfile, blockinfile, replace, stat],
    ...[command, shell, script],
  ].map((t) => [t.type, t]),
);

/** The registry as the config loader sees it. */
export const catalog: TaskCatalog = {
  names: [...Object.keys(TASKS), "block"].sort(),
  params: (type) => TASKS[type]?.schema,
  freeForm: (type) => TASKS[type]?.freeForm,
};
