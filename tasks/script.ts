/**
 * `script`: runs a local script from `files/` on the host, as Ansible's script module: the
 * free-form text is the script and its arguments (`script: setup.sh --fast`); the script is
 * written to a private temp dir on the host, run through `/bin/sh -c` (or `executable`), and
 * removed. `chdir` (absolute), `creates`/`removes` skip the run.
 *
 * @module
 */
import * as z from "zod";
import { basename, join } from "node:path";
import type { Host } from "../lib/apply/host.ts";
import { shellQuote } from "../lib/shlex.ts";
import { defineTask, type TaskResult } from "../lib/apply/task.ts";
import { shlexSplit } from "../lib/shlex.ts";
import { checkCreatesRemoves, type Skip, splitLines } from "./_exec.ts";
import { findSource, readSourceFile } from "./_source.ts";

/** The script task's parameters. */
export const scriptSchema = z.strictObject({
  cmd: z.string().refine((s) => s.trim() !== "", "no script given"),
  chdir: z.string().startsWith("/", "chdir must be an absolute path").optional(),
  creates: z.string().min(1).optional(),
  removes: z.string().min(1).optional(),
  executable: z.string().min(1).optional(),
}).superRefine((p, ctx) => {
  try {
    shlexSplit(p.cmd);
  } catch (e) {
    ctx.addIssue({ code: "custom", path: ["cmd"], message: (e as Error).message });
  }
});

/** What script read: the local script, and whether creates/removes skip it. */
export interface ScriptCurrent {
  readonly skip?: Skip | undefined;
  readonly source: string;
  readonly data: Uint8Array;
}

/** Running the script. */
export interface ScriptOp {
  readonly name: string;
  readonly data: Uint8Array;
  /** The free-form text with the script's name still in it. */
  readonly line: string;
  readonly first: string;
  readonly chdir?: string | undefined;
  readonly executable?: string | undefined;
}

async function runScript(op: ScriptOp, host: Host): Promise<TaskResult> {
  const dir = `/tmp/.driftless-script-${crypto.randomUUID()}`;
  await host.mkdir(dir, { mode: 0o700 });
  try {
    const tmp = join(dir, op.name);
    await host.writeAtomic(tmp, op.data, { mode: 0o700 });
    // As Ansible: the script's name in the text is replaced by where it was put.
    const target = op.line.trim().replace(op.first, () => shellQuote(tmp));
    const line = op.executable ? `${op.executable} ${target}` : target;
    const r = await host.run("/bin/sh", ["-c", line], op.chdir ? { cwd: op.chdir } : {});
    const out: TaskResult = {
      changed: true,
      rc: r.code,
      stdout: r.stdout,
      stderr: r.stderr,
      stdout_lines: splitLines(r.stdout),
      stderr_lines: splitLines(r.stderr),
    };
    return r.code === 0 ? out : { ...out, failed: true, msg: "non-zero return code" };
  } finally {
    await host.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** The script task. */
export const script = defineTask({
  type: "script",
  schema: scriptSchema,
  freeForm: "cmd",
  mainParam: "cmd",
  acts: true,
  check: async (params, ctx) =>
    void await findSource(ctx, shlexSplit(params.cmd.trim())[0]!, "files"),
  async read(params, host, ctx): Promise<ScriptCurrent> {
    const first = shlexSplit(params.cmd.trim())[0]!;
    const source = await findSource(ctx, first, "files");
    const { data } = await readSourceFile(source);
    return { skip: await checkCreatesRemoves(host, params), source, data };
  },
  plan(params, cur) {
    if (cur.skip) return [];
    const first = shlexSplit(params.cmd.trim())[0]!;
    return [{
      op: {
        name: basename(cur.source),
        data: cur.data,
        line: params.cmd,
        first,
        chdir: params.chdir,
        executable: params.executable,
      },
      summary: params.executable ? `${params.executable} ${params.cmd.trim()}` : params.cmd.trim(),
    }];
  },
  apply: (op, host) => runScript(op, host),
  result(_params, cur) {
    if (!cur.skip) return {};
    return { skipped: true, msg: cur.skip.msg, rc: 0, stdout: "", stderr: "" };
  },
});
