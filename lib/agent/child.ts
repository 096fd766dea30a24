/**
 * Runs driftless itself in a child process, as Chef's client forks its runs: an apply (or a
 * config validation) then costs the agent no memory once it ends, and however long it hangs,
 * the agent's event loop, `/metrics` and log shipping go on.
 *
 * @module
 */

/** The project's entry point and config, next to this file. */
const MOD = new URL("../../mod.ts", import.meta.url);
const DENO_JSON = new URL("../../deno.json", import.meta.url);

/**
 * The argv that runs `driftless <args>`: the compiled binary itself, or `deno run -A` on this
 * checkout's `mod.ts` with its `deno.json` (import map and frozen lock).
 */
export function selfCommand(args: readonly string[]): { cmd: string; args: string[] } {
  if (Deno.build.standalone) return { cmd: Deno.execPath(), args: [...args] };
  const config = DENO_JSON.protocol === "file:" ? ["--config", DENO_JSON.pathname] : [];
  return { cmd: Deno.execPath(), args: ["run", "-A", "--quiet", ...config, MOD.href, ...args] };
}

/** Options of {@linkcode runSelf}. */
export interface RunSelfOptions {
  /** Stops the child: SIGTERM, then SIGKILL after `killAfterMs`. */
  readonly signal?: AbortSignal;
  /** Grace between SIGTERM and SIGKILL (default 10 s). */
  readonly killAfterMs?: number;
  /** Each complete line of stdout, as it arrives. */
  readonly onLine?: (line: string) => void;
  /** Each complete line of stderr, as it arrives. */
  readonly onErrLine?: (line: string) => void;
  /** Extra environment for the child. */
  readonly env?: Readonly<Record<string, string>>;
}

/** How a child ended. */
export interface SelfExit {
  readonly code: number;
  /** The signal that ended it, when one did. */
  readonly signal?: string;
  /** True when `signal` aborted it. */
  readonly aborted: boolean;
}

/** util-linux's setsid: runs a program in a session of its own (same pid, no fork). */
const SETSID = "/usr/bin/setsid";

/**
 * Runs `driftless <args>` and streams its output line by line. The child runs in a session of
 * its own, so a Ctrl-C meant for the agent does not cut an apply short: the agent decides when
 * to stop it.
 */
export async function runSelf(args: readonly string[], o: RunSelfOptions = {}): Promise<SelfExit> {
  const self = selfCommand(args);
  const [cmd, argv] = hasSetsid() ? [SETSID, [self.cmd, ...self.args]] : [self.cmd, self.args];
  const child = new Deno.Command(cmd, {
    args: argv,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(o.env ? { env: { ...o.env } } : {}),
  }).spawn();
  let aborted = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  // In a session of its own, the child leads its process group: stopping the group also
  // stops the commands a task started (a hung `sleep`, a stuck download).
  const target = cmd === SETSID ? -child.pid : child.pid;
  const stop = () => {
    aborted = true;
    kill(target, "SIGTERM");
    killTimer = setTimeout(() => kill(target, "SIGKILL"), o.killAfterMs ?? 10_000);
  };
  if (o.signal?.aborted) stop();
  else o.signal?.addEventListener("abort", stop, { once: true });
  try {
    const [status] = await Promise.all([
      child.status,
      pumpLines(child.stdout, o.onLine),
      pumpLines(child.stderr, o.onErrLine),
    ]);
    return {
      code: status.code,
      ...(status.signal ? { signal: status.signal } : {}),
      aborted,
    };
  } finally {
    clearTimeout(killTimer);
    o.signal?.removeEventListener("abort", stop);
  }
}

let setsid: boolean | undefined;
function hasSetsid(): boolean {
  if (setsid === undefined) {
    try {
      setsid = Deno.statSync(SETSID).isFile;
    } catch {
      setsid = false;
    }
  }
  return setsid;
}

function kill(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Longest line kept from a child; the rest of a longer line is dropped. */
const MAX_LINE = 16 * 1024 * 1024;

/** Reads a stream to its end, calling `onLine` for each line (without the newline). */
async function pumpLines(
  stream: ReadableStream<Uint8Array>,
  onLine: ((line: string) => void) | undefined,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  let overflow = false;
  for await (const chunk of stream) {
    if (!onLine) continue;
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      if (!overflow) onLine(buffer.slice(0, nl));
      overflow = false;
      buffer = buffer.slice(nl + 1);
    }
    if (buffer.length > MAX_LINE) {
      overflow = true;
      buffer = "";
    }
  }
  buffer += decoder.decode();
  if (buffer && onLine && !overflow) onLine(buffer);
}
