/**
 * `directory`: shorthand for `file` with `state: directory` (mkdir -p with mode and owner on
 * every directory it creates, `recurse` for what is inside), or `state: absent` to remove it.
 *
 * @module
 */
import * as z from "zod";
import { defineTask } from "../lib/apply/task.ts";
import { attrShape, bool } from "./_attrs.ts";
import { oneOf } from "./_files.ts";
import { applyFile, type FileParams, planFile, readFileState } from "./file.ts";

/** The directory task's parameters. */
export const directorySchema = z.strictObject({
  path: z.string().min(1).optional(),
  dest: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  state: z.enum(["present", "directory", "absent"]).default("present"),
  ...attrShape,
  recurse: bool.default(false),
  follow: bool.default(true),
}).superRefine(oneOf(["path", "dest", "name"]));

function toFile(params: z.output<typeof directorySchema>): FileParams {
  const { state, ...rest } = params;
  return {
    ...rest,
    state: state === "absent" ? "absent" : "directory",
    recurse: state === "absent" ? false : params.recurse,
    force: false,
    access_time_format: "%Y%m%d%H%M.%S",
    modification_time_format: "%Y%m%d%H%M.%S",
  };
}

/** The directory task. */
export const directory = defineTask({
  type: "directory",
  schema: directorySchema,
  mainParam: "path",
  read: (params, host) => readFileState(toFile(params), host),
  plan: (params, current) => planFile(toFile(params), current),
  apply: (op, host) => applyFile(op, host),
});
