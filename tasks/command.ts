/**
 * `command`: runs a program without a shell, as Ansible's command module. The command is an
 * `argv` list or a string split like Python's `shlex.split` (`cmd`, or the free-form text:
 * `command: ls -l /tmp chdir=/srv`). `chdir`, `creates`/`removes` (globs; relative to `chdir`)
 * skip or place the run, `stdin` (+ `stdin_add_newline`), `env` (added to the environment),
 * `timeout` (seconds), `strip_empty_ends`. The registered result has Ansible's keys; a non-zero
 * exit fails the task and keeps the result.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { defineTask, type TaskModule, type TaskResult } from "../lib/apply/task.ts";
import { shlexSplit } from "../lib/shlex.ts";
import { checkCreatesRemoves, displayArgv, execShape, runForResult, type Skip } from "./_exec.ts";

/** The command task's parameters. */
export const commandSchema = z.strictObject({
  cmd: z.string().optional(),
  argv: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
  ...execShape,
}).superRefine((p, ctx) => {
  const hasCmd = p.cmd !== undefined && p.cmd.trim() !== "";
  const hasArgv = p.argv !== undefined && p.argv.length > 0;
  if (!hasCmd && !hasArgv) {
    ctx.addIssue({ code: "custom", path: ["cmd"], message: "no command given (cmd or argv)" });
  } else if (hasCmd && hasArgv) {
    ctx.addIssue({
      code: "custom",
      path: ["argv"],
      message: "only command or argv can be given, not both",
    });
  } else if (hasCmd) {
    try {
      shlexSplit(p.cmd!);
    } catch (e) {
      ctx.addIssue({ code: "custom", path: ["cmd"], message: (e as Error).message });
    }
  }
});

type Params = z.output<typeof commandSchema>;

/** A run of an argv with the options that shape it (command and shell). */
export interface RunOp {
  readonly argv: readonly string[];
  /** The registered `cmd`: argv for command, the string for shell. */
  readonly cmd: unknown;
  readonly chdir?: string | undefined;
  readonly stdin?: string | undefined;
  readonly stdinAddNewline: boolean;
  readonly stripEmptyEnds: boolean;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly timeout?: number | undefined;
}

/** What command and shell read: whether creates/removes skip the run. */
export interface ExecCurrent {
  readonly skip?: Skip | undefined;
}

function argvOf(params: Params): string[] {
  return params.argv ?? shlexSplit(params.cmd!);
}

type ExecParams = z.output<z.ZodObject<typeof execShape>>;

/** The op for a run with the shared exec params. */
function runOp(
  params: ExecParams,
  argv: readonly string[],
  cmd: unknown,
): RunOp {
  return {
    argv,
    cmd,
    chdir: params.chdir,
    stdin: params.stdin,
    stdinAddNewline: params.stdin_add_newline,
    stripEmptyEnds: params.strip_empty_ends,
    env: params.env,
    timeout: params.timeout,
  };
}

/** Runs an op. */
function applyRun(op: RunOp, host: Host): Promise<TaskResult> {
  return runForResult(host, op.argv, {
    cmd: op.cmd,
    stdin: op.stdin,
    stdinAddNewline: op.stdinAddNewline,
    stripEmptyEnds: op.stripEmptyEnds,
    chdir: op.chdir,
    env: op.env,
    timeout: op.timeout,
  });
}

/** The registered result of a run that creates/removes skipped. */
function skippedResult(cmd: unknown, cur: ExecCurrent): TaskResult {
  if (!cur.skip) return {};
  return {
    cmd,
    rc: 0,
    stdout: cur.skip.stdout,
    stderr: "",
    stdout_lines: [cur.skip.stdout],
    stderr_lines: [],
    msg: cur.skip.msg,
    start: null,
    end: null,
    delta: null,
  };
}

/** How a task's params give its run: the argv, the registered `cmd` and the summary. */
export interface RunOf {
  readonly argv: readonly string[];
  readonly cmd: unknown;
  readonly summary: string;
}

/**
 * A task that runs one command (command, shell): free-form `cmd`, skipped by creates/removes,
 * with the shared exec options; `run` says what the params run.
 */
export function execTask<P extends ExecParams>(
  type: string,
  schema: z.ZodType<P>,
  run: (params: P) => RunOf,
): TaskModule<P, ExecCurrent, RunOp> {
  return defineTask({
    type,
    schema,
    freeForm: "cmd",
    mainParam: "cmd",
    acts: true,
    async read(params, host): Promise<ExecCurrent> {
      return { skip: await checkCreatesRemoves(host, params) };
    },
    plan(params, cur) {
      if (cur.skip) return [];
      const r = run(params);
      return [{ op: runOp(params, r.argv, r.cmd), summary: r.summary }];
    },
    apply: (op, host) => applyRun(op, host),
    result: (params, cur) => skippedResult(run(params).cmd, cur),
  });
}

/** The command task. */
export const command = execTask("command", commandSchema, (params) => {
  const argv = argvOf(params);
  return { argv, cmd: argv, summary: displayArgv(argv) };
});
