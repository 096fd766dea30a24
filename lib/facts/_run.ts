/**
 * Runs a command for a collector: no shell, a timeout, the collector's abort signal, and stdout
 * collected as text (at most 1 MiB is kept). A command that outlives its timeout gets SIGTERM,
 * then SIGKILL a second later, so one that ignores SIGTERM cannot hang the collector; once it
 * has exited, output pipes that a process it started still holds open are let go.
 *
 * @module
 */

/** What a finished command returned. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const MAX_OUTPUT = 1 << 20;

/** Reads a stream to its end, keeping the first MAX_OUTPUT bytes; `cancel()` stops early. */
async function collect(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const r = await reader.read().catch(() => ({ done: true as const, value: undefined }));
    if (r.done) break;
    if (size < MAX_OUTPUT) chunks.push(r.value.subarray(0, MAX_OUTPUT - size));
    size += r.value.length;
  }
  const all = new Uint8Array(Math.min(size, MAX_OUTPUT));
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return new TextDecoder().decode(all);
}

/** Runs `argv` and waits for it; throws on a missing binary, a timeout or an abort. */
export async function runCommand(
  argv: readonly string[],
  options: { timeoutMs: number; signal?: AbortSignal; env?: Record<string, string> },
): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error("empty command");
  const child = new Deno.Command(cmd, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(options.env ? { env: options.env } : {}),
  }).spawn();
  let why: string | undefined;
  let killer: ReturnType<typeof setTimeout> | undefined;
  const stop = (reason: string) => {
    if (why) return;
    why = reason;
    try {
      child.kill("SIGTERM");
    } catch { /* exited */ }
    killer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
    }, 1000);
  };
  const timer = setTimeout(
    () => stop(`${cmd} timed out after ${options.timeoutMs} ms and was killed`),
    options.timeoutMs,
  );
  const onAbort = () => stop(`${cmd} was stopped (collector timeout)`);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const readers = [child.stdout.getReader(), child.stderr.getReader()];
  const [out, err] = readers.map(collect);
  try {
    const status = await child.status;
    // A background process it left behind may keep the pipes open: stop reading soon.
    const drained = setTimeout(() => readers.forEach((r) => r.cancel().catch(() => {})), 100);
    const [stdout, stderr] = await Promise.all([out!, err!]);
    clearTimeout(drained);
    if (why) throw new Error(why);
    return { code: status.code, stdout, stderr };
  } finally {
    clearTimeout(timer);
    clearTimeout(killer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}
