/**
 * Runs the real CLI as a subprocess (`deno run <flags> mod.ts ...`), the way users run it.
 */
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

/** What the CLI printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options for {@linkcode runCli}. */
export interface CliOptions {
  /** Deno permission flags; default `-A`. */
  readonly flags?: readonly string[];
  /** Environment for the child (merged over a minimal one with HOME, PATH, NO_COLOR). */
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly stdin?: string;
}

/** Starts `driftless <args>` with piped stdout and stderr (stdin piped when given). */
export function spawnCli(args: readonly string[], options: CliOptions = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...(options.flags ?? ["-A"]), `${ROOT}/mod.ts`, ...args],
    cwd: options.cwd ?? ROOT,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/root",
      NO_COLOR: "1",
      // Keep the npm cache when a test moves HOME, and the machine's CA settings.
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache/deno`,
      ...passThrough(["SSL_CERT_FILE", "SSL_CERT_DIR", "DENO_CERT", "NPM_CONFIG_REGISTRY"]),
      ...options.env,
    },
    stdin: options.stdin !== undefined ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Runs `driftless <args>` and collects its output. */
export async function runCli(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const child = spawnCli(args, options);
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function passThrough(names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((n) => (Deno.env.get(n) ? [[n, Deno.env.get(n)!]] : [])));
}

/** Writes files (path → content) under a dir, creating parent dirs. */
export async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = `${dir}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, content);
  }
}
