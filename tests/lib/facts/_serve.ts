/**
 * Starts real exporters for tests: `driftless facts --serve` as a subprocess (the way users run
 * it) and Debian's prometheus-node-exporter, each on a free loopback port; both are stopped by
 * their own pid.
 */
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url)).replace(/\/$/, "");

/** A running exporter. */
export interface Running {
  readonly url: string;
  readonly child: Deno.ChildProcess;
  /** Everything the process wrote on stderr so far. */
  stderr(): string;
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

function drain(stream: ReadableStream<Uint8Array>): () => string {
  let text = "";
  (async () => {
    const dec = new TextDecoder();
    try {
      for await (const c of stream) text += dec.decode(c, { stream: true });
    } catch { /* closed */ }
  })();
  return () => text;
}

async function stopChild(child: Deno.ChildProcess, signal: Deno.Signal = "SIGTERM") {
  try {
    child.kill(signal);
  } catch { /* already gone */ }
  return await child.status;
}

/** A port nothing listens on right now. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts `driftless facts --serve` with a config dir; resolves once it listens. */
export async function startDriftless(
  options: {
    config?: string;
    args?: readonly string[];
    env?: Record<string, string>;
    /** A command that runs it (`prlimit --nofile=...`, `ip netns exec NS`). */
    wrap?: readonly string[];
  } = {},
): Promise<Running> {
  const args = ["run", "--quiet", "-A", `${ROOT}/mod.ts`];
  if (options.config) args.push("--config", options.config);
  args.push("facts", "--serve", "--listen", "127.0.0.1:0", ...(options.args ?? []));
  const [cmd, ...pre] = options.wrap ?? [];
  const child = new Deno.Command(cmd ?? Deno.execPath(), {
    args: cmd ? [...pre, Deno.execPath(), ...args] : args,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/root",
      NO_COLOR: "1",
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      ...options.env,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = drain(child.stderr);
  const deadline = Date.now() + 30_000;
  let url: string | undefined;
  while (!url) {
    url = /serving metrics on (\S+)/.exec(stderr())?.[1];
    if (url) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`driftless did not start: ${stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    stderr,
    stop: (signal?: Deno.Signal) => stopChild(child, signal),
  };
}

/** Starts prometheus-node-exporter on a free loopback port; resolves once it answers. */
export async function startNodeExporter(extra: readonly string[] = []): Promise<Running> {
  const port = freePort();
  const child = new Deno.Command("prometheus-node-exporter", {
    args: [`--web.listen-address=127.0.0.1:${port}`, ...extra],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = drain(child.stderr);
  const url = `http://127.0.0.1:${port}/metrics`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(url);
      await r.body?.cancel();
      if (r.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`node_exporter did not start: ${stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stderr,
    stop: (signal?: Deno.Signal) => stopChild(child, signal),
  };
}

/** Families of an exposition: name → type and the set of label names over its series. */
export function families(
  text: string,
): Map<
  string,
  {
    type: string;
    labels: Set<string>;
    samples: { name: string; labels: Record<string, string>; value: number }[];
  }
> {
  const out = new Map<
    string,
    {
      type: string;
      labels: Set<string>;
      samples: { name: string; labels: Record<string, string>; value: number }[];
    }
  >();
  for (const line of text.split("\n")) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) {
      out.set(t[1]!, { type: t[2]!, labels: new Set(), samples: [] });
      continue;
    }
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const lm of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[lm[1]!] = lm[2]!;
    }
    let base = m[1]!;
    if (!out.has(base)) base = base.replace(/_(bucket|sum|count)$/, "");
    const f = out.get(base) ?? { type: "untyped", labels: new Set<string>(), samples: [] };
    out.set(base, f);
    for (const k of Object.keys(labels)) f.labels.add(k);
    f.samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Runs `promtool check metrics` on an exposition. */
export async function promtool(text: string): Promise<{ code: number; findings: string[] }> {
  const p = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = p.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const out = await p.output();
  const all = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, findings: all.split("\n").filter((l) => l.trim() !== "") };
}
