/**
 * `include_tasks`: runs the tasks of another file when the run reaches it (a dynamic include,
 * so its name may use any variable). The file is found as Ansible finds it: in a role, the
 * role's `tasks/` first, then beside the including file; elsewhere beside the including file,
 * then in the config dir. `apply:` gives the included tasks keywords (tags, become, ...), and
 * the include's `vars:` are include params for all of them.
 *
 * @module
 */
import * as z from "zod";
import { defineRunnerTask } from "../lib/apply/task.ts";

/** The include_tasks task. */
export const includeTasks = defineRunnerTask({
  type: "include_tasks",
  schema: z.strictObject({
    file: z.string().min(1),
    apply: z.record(z.string(), z.unknown()).optional(),
  }),
  freeForm: "file",
  mainParam: "file",
  evaluate(params) {
    return Promise.resolve({ include: params.file, result: { include: params.file } });
  },
});
