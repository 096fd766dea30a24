/**
 * `shell`: runs a command line through a shell (`/bin/sh -c`, or `executable`), as Ansible's
 * shell module; the same options as `command` (chdir, creates, removes, stdin, env, timeout).
 *
 * @module
 */
import * as z from "zod";
import { defineTask } from "../lib/apply/task.ts";
import { checkCreatesRemoves, execShape } from "./_exec.ts";
import { applyRun, type ExecCurrent, runOp, skippedResult } from "./command.ts";

/** The shell task's parameters. */
export const shellSchema = z.strictObject({
  cmd: z.string().refine((s) => s.trim() !== "", "no command given"),
  executable: z.string().min(1).default("/bin/sh"),
  ...execShape,
});

/** The shell task. */
export const shell = defineTask({
  type: "shell",
  schema: shellSchema,
  freeForm: "cmd",
  mainParam: "cmd",
  acts: true,
  async read(params, host): Promise<ExecCurrent> {
    return { skip: await checkCreatesRemoves(host, params) };
  },
  plan(params, cur) {
    if (cur.skip) return [];
    return [{
      op: runOp(params, [params.executable, "-c", params.cmd], params.cmd),
      summary: params.cmd,
    }];
  },
  apply: (op, host) => applyRun(op, host),
  result: (params, cur) => skippedResult(params.cmd, cur),
});
