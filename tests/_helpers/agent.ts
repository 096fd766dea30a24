/**
 * Runs `driftless agent` as a subprocess, the way systemd runs it, and talks to it through its
 * listener (`/status`, `/metrics`) and signals.
 *
 * @module
 */
import type { AgentStatus } from "../../lib/agent/status.ts";
import { ROOT } from "./cli.ts";

/** A running agent. */
export interface RunningAgent {
  readonly child: Deno.ChildProcess;
  /** The listener's base URL (`http://127.0.0.1:PORT`), when facts.serve is set. */
  readonly base: string | undefined;
  /** Everything the agent wrote on stderr so far. */
  stderr(): string;
  status(): Promise<AgentStatus>;
  metrics(): Promise<string>;
  signal(sig: Deno.Signal): void;
  /** SIGTERM, then the exit status. */
  stop(): Promise<Deno.CommandStatus>;
}

/** Options of {@linkcode startAgent}. */
export interface StartAgentOptions {
  readonly config: string;
  readonly stateDir: string;
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
  /** Resolve once stderr matches this (default: the start-up line). */
  readonly until?: RegExp;
}

/** The environment the CLI tests give driftless. */
export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/root",
    NO_COLOR: "1",
    ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
    ...extra,
  };
}

/** Starts the agent; resolves once it has started (or `until` matched). */
export async function startAgent(o: StartAgentOptions): Promise<RunningAgent> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "-A",
      `${ROOT}/mod.ts`,
      "--config",
      o.config,
      "agent",
      "--state-dir",
      o.stateDir,
      ...(o.args ?? []),
    ],
    cwd: ROOT,
    clearEnv: true,
    env: testEnv(o.env),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  (async () => {
    const dec = new TextDecoder();
    for await (const c of child.stderr) text += dec.decode(c, { stream: true });
  })().catch(() => {});
  const until = o.until ?? /agent started/;
  const deadline = Date.now() + 60_000;
  while (!until.test(text)) {
    if (Date.now() > deadline) {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      throw new Error(`the agent did not start:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const base = /serving (http:\/\/[^/\s]+)/.exec(text)?.[1];
  const get = async (path: string) => {
    if (!base) throw new Error("the agent has no listener (set facts.serve)");
    const r = await fetch(`${base}${path}`);
    if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
    return r;
  };
  return {
    child,
    base,
    stderr: () => text,
    status: async () => await (await get("/status")).json(),
    metrics: async () => await (await get("/metrics")).text(),
    signal: (sig) => child.kill(sig),
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      return await child.status;
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false (generous, for load). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
