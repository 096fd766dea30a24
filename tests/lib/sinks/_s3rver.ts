/**
 * Starts a real s3rver (npm `s3rver@3.7.1`, installed under `.cache/tools`) with node on
 * 127.0.0.1 and a free port, in its own temp dir; tests skip with a reason when it is missing.
 */
import { ROOT } from "../../_helpers/cli.ts";

/** Where the CI installs s3rver. */
export const S3RVER_BIN = `${ROOT}/.cache/tools/node_modules/s3rver/bin/s3rver.js`;

function which(cmd: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${cmd}`).isFile) return true;
    } catch { /* next */ }
  }
  return false;
}

/** Why S3 tests cannot run here, or undefined when they can. */
export const s3rverMissing: string | undefined = (() => {
  if (!which("node")) return "node is not installed";
  try {
    Deno.statSync(S3RVER_BIN);
  } catch {
    return `s3rver is not installed (npm install --prefix ${ROOT}/.cache/tools s3rver@3.7.1)`;
  }
  return undefined;
})();

if (s3rverMissing) {
  // A skipped test says why (DESIGN §9).
  Deno.stderr.writeSync(new TextEncoder().encode(`skipping S3 tests: ${s3rverMissing}\n`));
}

/** A running s3rver. */
export interface S3rver {
  readonly endpoint: string;
  readonly bucket: string;
  stop(): Promise<void>;
}

/** Starts s3rver with one bucket; resolves when it listens. */
export async function startS3rver(bucket = "logs"): Promise<S3rver> {
  const dir = await Deno.makeTempDir({ prefix: "s3rver-" });
  const child = new Deno.Command("node", {
    args: [
      S3RVER_BIN,
      "-d",
      dir,
      "-a",
      "127.0.0.1",
      "-p",
      "0",
      "--silent",
      "--configure-bucket",
      bucket,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = Date.now() + 20_000;
  let port: string | undefined;
  while (!port) {
    if (Date.now() > deadline) throw new Error(`s3rver did not start: ${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`s3rver exited: ${text}`);
    text += value;
    port = /listening on [\d.]+:(\d+)/.exec(text)?.[1];
  }
  // Keep draining so the child never blocks on a full pipe.
  (async () => {
    try {
      while (!(await reader.read()).done) { /* drain */ }
    } catch { /* closed */ }
  })();
  child.stderr.pipeTo(new WritableStream()).catch(() => {});
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await reader.cancel().catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
