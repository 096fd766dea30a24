/**
 * `shell`: runs a command line through a shell (`/bin/sh -c`, or `executable`), as Ansible's
 * shell module; the same options as `command` (chdir, creates, removes, stdin, env, timeout).
 *
 * @module
 */
import * as z from "zod";
import { execShape } from "./_exec.ts";
import { execTask } from "./command.ts";

/** The shell task's parameters. */
export const shellSchema = z.strictObject({
  cmd: z.string().refine((s) => s.trim() !== "", "no command given"),
  executable: z.string().min(1).default("/bin/sh"),
  ...execShape,
});

/** The shell task. */
export const shell = execTask("shell", shellSchema, (params) => ({
  argv: [params.executable, "-c", params.cmd],
  cmd: params.cmd,
  summary: params.cmd,
}));
