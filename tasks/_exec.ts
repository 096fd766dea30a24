/**
 * What command, shell and script share (their strings are split by `lib/shlex.ts`):
 * `creates`/`removes` checks with glob patterns, and the registered result (`rc`, `stdout`,
 * `stdout_lines`, `start`, `end`, `delta`, ...).
 *
 * @module
 */
import * as z from "zod";
import { isAbsolute, join } from "node:path";
import type { Host, RunOptions } from "../lib/apply/host.ts";
import { shellJoin } from "../lib/shlex.ts";
import type { TaskResult } from "../lib/apply/task.ts";
import { fnmatchRegex } from "../lib/fnmatch.ts";
import { bool } from "./_attrs.ts";

/** An argv for display, quoted where a shell would need it. */
export function displayArgv(argv: readonly string[]): string {
  return shellJoin(argv);
}

/** Params shared by command and shell. */
export const execShape = {
  chdir: z.string().min(1).optional(),
  creates: z.string().min(1).optional(),
  removes: z.string().min(1).optional(),
  stdin: z.string().optional(),
  stdin_add_newline: bool.default(true),
  strip_empty_ends: bool.default(true),
  /** Variables added to the command's environment (Ansible's task-level `environment`). */
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
    .optional(),
  /** Seconds before the command is killed (a number, or digits from a template). */
  timeout: z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = typeof v === "number" ? v : /^\d+(?:\.\d+)?$/.test(v) ? Number(v) : NaN;
    if (n > 0) return n;
    ctx.addIssue({ code: "custom", message: "timeout must be a positive number of seconds" });
    return z.NEVER;
  }).optional(),
};

/** Why an acting task does not run: `creates` exists or `removes` does not. */
export interface Skip {
  readonly msg: string;
  readonly stdout: string;
}

/** Checks `creates` (skip when it matches) and `removes` (skip when nothing matches). */
export async function checkCreatesRemoves(
  host: Host,
  params: {
    creates?: string | undefined;
    removes?: string | undefined;
    chdir?: string | undefined;
  },
): Promise<Skip | undefined> {
  const base = params.chdir ?? "/";
  if (params.creates !== undefined && await globExists(host, params.creates, base)) {
    return {
      msg: `Did not run command since '${params.creates}' exists`,
      stdout: `skipped, since ${params.creates} exists`,
    };
  }
  if (params.removes !== undefined && !(await globExists(host, params.removes, base))) {
    return {
      msg: `Did not run command since '${params.removes}' does not exist`,
      stdout: `skipped, since ${params.removes} does not exist`,
    };
  }
  return undefined;
}

/** True when a path or glob (`*`, `?`, `[...]` as Python's glob) names something on the host. */
export async function globExists(host: Host, pattern: string, cwd = "/"): Promise<boolean> {
  const abs = isAbsolute(pattern) ? pattern : join(cwd, pattern);
  if (!/[*?[]/.test(abs)) return (await host.stat(abs, { follow: false })) !== undefined;
  return (await globMatch(host, "/", abs.split("/").filter(Boolean))).length > 0;
}

async function globMatch(host: Host, dir: string, parts: string[]): Promise<string[]> {
  if (parts.length === 0) return [dir];
  const [head, ...rest] = parts as [string, ...string[]];
  if (!/[*?[]/.test(head)) {
    const next = join(dir, head);
    if (!(await host.stat(next, { follow: false }))) return [];
    return globMatch(host, next, rest);
  }
  const re = fnmatchRegex(head);
  let names: string[];
  try {
    names = await host.readDir(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    // As Python's glob, a leading dot is matched only by a pattern starting with one.
    if (name.startsWith(".") && !head.startsWith(".")) continue;
    if (!re.test(name)) continue;
    const next = join(dir, name);
    if (rest.length > 0 && !(await host.stat(next))?.isDirectory) continue;
    out.push(...await globMatch(host, next, rest));
    if (out.length > 0) return out;
  }
  return out;
}

/** Options for {@linkcode runForResult}. */
export interface RunForResult {
  /** The `cmd` field: the argv list for command, the string for shell. */
  readonly cmd: unknown;
  readonly stdin?: string | undefined;
  readonly stdinAddNewline?: boolean;
  readonly stripEmptyEnds?: boolean;
  readonly chdir?: string | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** Seconds. */
  readonly timeout?: number | undefined;
}

/**
 * Runs argv on the host and shapes the registered result as Ansible's command module does;
 * a non-zero exit gives `failed: true, msg: "non-zero return code"`.
 */
export async function runForResult(
  host: Host,
  argv: readonly string[],
  options: RunForResult,
): Promise<TaskResult> {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error("no command given");
  const run: RunOptions = {
    ...(options.stdin !== undefined
      ? { stdin: options.stdinAddNewline === false ? options.stdin : `${options.stdin}\n` }
      : {}),
    ...(options.chdir !== undefined ? { cwd: options.chdir } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.timeout !== undefined ? { timeout: Math.round(options.timeout * 1000) } : {}),
  };
  if (options.chdir !== undefined) {
    const st = await host.stat(options.chdir);
    if (!st?.isDirectory) {
      return {
        changed: false,
        failed: true,
        cmd: options.cmd,
        rc: null,
        msg: `Unable to change directory before execution: ${
          st ? "Not a directory" : "No such file or directory"
        }: '${options.chdir}'`,
      };
    }
  }
  const start = new Date();
  const t0 = performance.now();
  let result;
  try {
    result = await host.run(program, args, run);
  } catch (e) {
    // A missing --allow-run is the run's problem (exit 77, or "would run" under check_mode).
    if (e instanceof Deno.errors.NotCapable) throw e;
    const notFound = e instanceof Deno.errors.NotFound;
    return {
      changed: false,
      failed: true,
      cmd: options.cmd,
      rc: 2,
      msg: notFound ? `[Errno 2] No such file or directory: '${program}'` : errorText(e),
      stdout: "",
      stderr: "",
      stdout_lines: [],
      stderr_lines: [],
    };
  }
  const micros = Math.round((performance.now() - t0) * 1000);
  const end = new Date(start.getTime() + Math.floor(micros / 1000));
  const strip = options.stripEmptyEnds ?? true;
  const stdout = strip ? result.stdout.replace(/[\r\n]+$/, "") : result.stdout;
  const stderr = strip ? result.stderr.replace(/[\r\n]+$/, "") : result.stderr;
  const out: TaskResult = {
    changed: true,
    cmd: options.cmd,
    rc: result.code,
    stdout,
    stderr,
    stdout_lines: splitLines(stdout),
    stderr_lines: splitLines(stderr),
    start: pyDateTime(start),
    end: pyDateTime(end),
    delta: pyDelta(micros),
    msg: "",
  };
  if (result.timedOut) {
    return { ...out, failed: true, msg: `timed out after ${options.timeout} seconds` };
  }
  if (result.code !== 0) return { ...out, failed: true, msg: "non-zero return code" };
  return out;
}

/** Python's `str.splitlines()` for the common terminators. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  // Python's line boundaries include the file/group/record separators \x1c-\x1e.
  // deno-lint-ignore no-control-regex
  const lines = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  // deno-lint-ignore no-control-regex
  if (/(?:\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029])$/.test(text)) lines.pop();
  return lines;
}

/** `str(datetime.now())`: `2024-05-01 12:00:00.123000`, local time (millisecond clock). */
function pyDateTime(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${
    p(d.getMinutes())
  }:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
}

/** `str(timedelta)`: `0:00:00.001234`. */
function pyDelta(micros: number): string {
  const s = Math.floor(micros / 1e6);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}.${p(micros % 1e6, 6)}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
