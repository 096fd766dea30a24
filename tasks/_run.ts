/**
 * Running commands on the host for the system tasks: argv arrays with a timeout, failures
 * turned into errors that name the command and carry its stderr, and ops that are lists of
 * commands (what a dry run shows as "would run").
 *
 * @module
 */
import type { Host, RunOptions, RunResult } from "../lib/apply/host.ts";
import { shellJoin } from "../lib/shlex.ts";

/** Default timeout for query commands (dpkg-query, getent, systemctl show). */
export const QUERY_TIMEOUT = 60_000;
/** Default timeout for commands that change the host (package installs may be slow). */
export const CHANGE_TIMEOUT = 30 * 60_000;

/** One command: argv plus options. */
export interface Cmd {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string;
  /** Exit codes that count as success (default `[0]`). */
  readonly ok?: readonly number[];
}

/** A command line for humans (summaries, errors). */
export function cmdLine(c: Pick<Cmd, "cmd" | "args">): string {
  return shellJoin([c.cmd, ...c.args]);
}

/** Runs a query command; returns the result whatever the exit code. */
export function query(
  host: Host,
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return host.run(cmd, args, { timeout: QUERY_TIMEOUT, ...options });
}

/** Runs a command that must succeed; throws with its stderr otherwise. */
export async function runChecked(host: Host, c: Cmd, options: RunOptions = {}): Promise<RunResult> {
  const r = await host.run(c.cmd, c.args, {
    timeout: CHANGE_TIMEOUT,
    ...(c.env ? { env: c.env } : {}),
    ...(c.stdin !== undefined ? { stdin: c.stdin } : {}),
    ...options,
  });
  if (r.timedOut) throw new Error(`${cmdLine(c)}: timed out`);
  if (!(c.ok ?? [0]).includes(r.code)) {
    const detail = (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-15).join("\n");
    throw new Error(`${cmdLine(c)} failed (exit ${r.code})${detail ? `: ${detail}` : ""}`);
  }
  return r;
}

/** Runs commands in order, each of which must succeed. */
export async function runAll(host: Host, cmds: readonly Cmd[]): Promise<RunResult[]> {
  const out: RunResult[] = [];
  for (const c of cmds) out.push(await runChecked(host, c));
  return out;
}

/** True when a file or directory exists on the host. */
export async function exists(host: Host, path: string): Promise<boolean> {
  return (await host.stat(path)) !== undefined;
}

/** The text of a file, or `undefined` when it does not exist. */
export async function readOptional(host: Host, path: string): Promise<string | undefined> {
  try {
    return await host.readText(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw e;
  }
}

/** The first of these programs that exists on the host (checked by path, no fork). */
export async function firstProgram(
  host: Host,
  names: readonly string[],
  dirs: readonly string[] = [
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
    "/usr/local/sbin",
    "/usr/local/bin",
  ],
): Promise<string | undefined> {
  for (const name of names) {
    for (const d of dirs) {
      if (await exists(host, `${d}/${name}`)) return name;
    }
  }
  return undefined;
}

/** systemd is the running init (sd_booted(3): `/run/systemd/system` exists). */
export async function systemdBooted(host: Host): Promise<boolean> {
  const st = await host.stat("/run/systemd/system");
  return st?.isDirectory ?? false;
}
