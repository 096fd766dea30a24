/**
 * Helpers for pipeline tests: configs parsed by the real schema, numbered log lines written
 * the way applications write them, and checks that every line arrived.
 */
import { type LogsConfig, logsSchema } from "../../../lib/config/logs_schema.ts";
import { LogsPipeline } from "../../../lib/logs/pipeline.ts";

/** Parses a logs config as the loader would (durations to ms, sizes to bytes). */
export function logsConfig(raw: unknown): LogsConfig {
  return logsSchema.parse(raw);
}

/** Builds a pipeline, collecting its log lines. */
export async function pipeline(raw: unknown, logs: string[] = []): Promise<LogsPipeline> {
  return await LogsPipeline.create(logsConfig(raw), {
    host: "test-host",
    log: (level, m) => logs.push(`${level}: ${m}`),
  });
}

/** Runs `--once` over a config. */
export async function once(raw: unknown, logs: string[] = []): Promise<LogsPipeline> {
  const p = await pipeline(raw, logs);
  const done = await p.once({ timeoutMs: 30_000 });
  if (!done) throw new Error(`once did not finish: ${logs.join("\n")}`);
  return p;
}

/** A numbered line: `seq=0000042 ...padding...`. */
export function line(seq: number, pad = 40): string {
  return `2024-05-01T10:00:00Z app[1]: seq=${String(seq).padStart(7, "0")} ${"x".repeat(pad)}`;
}

/** Appends lines [from, to) to a file (one write per call, O_APPEND like a logger). */
export async function append(path: string, from: number, to: number, pad = 40): Promise<void> {
  let text = "";
  for (let i = from; i < to; i++) text += line(i, pad) + "\n";
  await Deno.writeTextFile(path, text, { append: true });
}

/** The seq numbers found in a text (raw lines or JSON lines). */
export function seqs(text: string): number[] {
  return [...text.matchAll(/seq=(\d{7})/g)].map((m) => Number(m[1]));
}

/** Counts of each seq: missing ones, and how many arrived more than once. */
export function tally(found: number[], total: number): { missing: number[]; duplicates: number } {
  const count = new Uint16Array(total);
  let duplicates = 0;
  for (const s of found) {
    if (s >= total) throw new Error(`unexpected seq ${s}`);
    if (count[s]! > 0) duplicates++;
    count[s]!++;
  }
  const missing: number[] = [];
  for (let i = 0; i < total; i++) if (count[i] === 0) missing.push(i);
  return { missing, duplicates };
}

/** Runs a function with a temp dir, removed afterwards. */
export async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "logs-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Reads a file, or "" when it does not exist. */
export async function read(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

/** Waits until `check` is true (polling), or fails after the timeout. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
