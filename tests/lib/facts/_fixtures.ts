/**
 * Fixture /proc text: `vm/` is a procfs snapshot of the project machine (recorded together with
 * `ansible/setup.json`), `odd/` holds hand-made edge cases (many CPUs, missing fields, long
 * interface names, old kernels).
 */
import { fileURLToPath } from "node:url";

/** The fixtures dir. */
export const FIXTURES: string = fileURLToPath(new URL("../../fixtures/proc/", import.meta.url))
  .replace(/\/$/, "");

/** The recorded procfs tree. */
export const VM_PROC = `${FIXTURES}/vm`;

/** Reads a fixture file. */
export function fixture(path: string): string {
  return Deno.readTextFileSync(`${FIXTURES}/${path}`);
}

/** The value of the one sample of a family matching `labels` (undefined when absent). */
export function valueOf(
  families: readonly {
    name: string;
    samples: { labels: Record<string, string>; value: number }[];
  }[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const f = families.find((x) => x.name === name);
  const s = f?.samples.find((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value;
}

/** Which tool is missing, for tests that skip with a printed reason. */
export function missing(cmd: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${cmd}`).isFile) return undefined;
    } catch { /* next */ }
  }
  const reason = `${cmd} is not installed`;
  Deno.stderr.writeSync(new TextEncoder().encode(`skipping: ${reason}\n`));
  return reason;
}

/** A test's name and `ignore`: skipped only for a reason, which the name then states. */
export function requires(
  name: string,
  reason: string | undefined,
): { name: string; ignore: boolean } {
  return { name: reason ? `${name} (skipped: ${reason})` : name, ignore: reason !== undefined };
}
