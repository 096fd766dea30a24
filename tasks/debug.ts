/**
 * `debug`: prints a message or a variable, as Ansible's debug module (`msg`, `var`).
 *
 * @module
 */
import * as z from "zod";
import { defineRunnerTask } from "../lib/apply/task.ts";

/** The debug task. */
export const debug = defineRunnerTask({
  type: "debug",
  schema: z.strictObject({
    msg: z.unknown().optional(),
    var: z.string().optional(),
    verbosity: z.number().int().nonnegative().optional(),
  }).refine((p) => !(p.msg !== undefined && p.var !== undefined), {
    message: "msg and var are mutually exclusive",
  }),
  mainParam: "msg",
  expressions: ["var"],
  async evaluate(params, scope) {
    if (params.var !== undefined) {
      const value = await scope.evaluate(params.var);
      return {
        message: `${params.var}: ${JSON.stringify(value, null, 2)}`,
        result: { [params.var]: value },
      };
    }
    const msg = params.msg ?? "Hello world!";
    const text = typeof msg === "string" ? msg : JSON.stringify(msg, null, 2);
    return { message: text, result: { msg } };
  },
});
