/**
 * Runs a command for a collector: no shell, a timeout, the collector's abort signal, and stdout
 * collected as text. A command that cannot be started or is killed is an error.
 *
 * @module
 */

/** What a finished command returned. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `argv` and waits for it; throws on a missing binary, a timeout or an abort. */
export async function runCommand(
  argv: readonly string[],
  options: { timeoutMs: number; signal?: AbortSignal; env?: Record<string, string> },
): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error("empty command");
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const out = await new Deno.Command(cmd, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
    ...(options.env ? { env: options.env } : {}),
  }).output();
  if (signal.aborted) {
    throw new Error(
      timeout.aborted
        ? `${cmd} timed out after ${options.timeoutMs} ms and was killed`
        : `${cmd} was stopped (collector timeout)`,
    );
  }
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
