/**
 * `fail`: stops the run with a message, as Ansible's fail module.
 *
 * @module
 */
import * as z from "zod";
import { defineRunnerTask } from "../lib/apply/task.ts";

/** The fail task. */
export const fail = defineRunnerTask({
  type: "fail",
  schema: z.strictObject({ msg: z.string().optional() }),
  mainParam: "msg",
  evaluate(params) {
    const msg = params.msg ?? "Failed as requested from task";
    return Promise.resolve({ failed: msg, result: { msg } });
  },
});
