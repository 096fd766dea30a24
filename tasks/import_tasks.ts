/**
 * `import_tasks`: the tasks of another file, in place (a static import). The loader replaces
 * the import with a block of the file's tasks before the run, so its `when`, `tags` and `vars`
 * apply to each of them, as in Ansible; this module only gives it a schema.
 *
 * @module
 */
import * as z from "zod";
import { defineRunnerTask } from "../lib/apply/task.ts";

/** The import_tasks task. */
export const importTasks = defineRunnerTask({
  type: "import_tasks",
  schema: z.strictObject({ file: z.string().min(1) }),
  freeForm: "file",
  mainParam: "file",
  evaluate: () => Promise.reject(new Error("import_tasks is expanded when the config is loaded")),
});
