/**
 * `assert`: fails the run unless every expression in `that` is true, as Ansible's assert.
 *
 * @module
 */
import * as z from "zod";
import { defineRunnerTask } from "../lib/apply/task.ts";
import { truthy } from "../lib/apply/vars.ts";

/** The assert task. */
export const assert = defineRunnerTask({
  type: "assert",
  schema: z.strictObject({
    that: z.union([z.string(), z.boolean(), z.array(z.union([z.string(), z.boolean()]))]),
    fail_msg: z.string().optional(),
    msg: z.string().optional(),
    success_msg: z.string().optional(),
    quiet: z.boolean().optional(),
  }),
  mainParam: "that",
  expressions: ["that"],
  async evaluate(params, scope) {
    const checks = Array.isArray(params.that) ? params.that : [params.that];
    for (const check of checks) {
      const ok = typeof check === "boolean" ? check : truthy(await scope.evaluate(check));
      if (!ok) {
        const msg = params.fail_msg ?? params.msg ?? "Assertion failed";
        return { failed: msg, result: { assertion: String(check), evaluated_to: false, msg } };
      }
    }
    const msg = params.success_msg ?? "All assertions passed";
    return params.quiet ? { result: { msg } } : { message: msg, result: { msg } };
  },
});
