/**
 * `include_tasks`: runs the tasks of another file, relative to the config dir.
 *
 * @module
 */
import * as z from "zod";
import { defineRunnerTask } from "../lib/apply/task.ts";

/** The include_tasks task. */
export const includeTasks = defineRunnerTask({
  type: "include_tasks",
  schema: z.strictObject({ file: z.string().min(1) }),
  freeForm: "file",
  mainParam: "file",
  evaluate(params) {
    return Promise.resolve({ include: params.file, result: { include: params.file } });
  },
});
