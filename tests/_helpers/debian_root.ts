/**
 * The cached Debian root (built by `scripts/debian_root.sh`) for real runs of the system
 * tasks: each test gets a copy-on-write view of it (an overlay mount, or a reflink/plain copy
 * where overlays are refused) and a chrooted `LocalHost` on that view, so apt, useradd, crontab
 * and visudo really run, and the cached root is never changed.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalHost } from "../../lib/apply/host.ts";
import type { TaskContext, TaskModule } from "../../lib/apply/task.ts";
import type { Change } from "../../lib/apply/task.ts";

/** Where the script caches the root. */
export const DEBIAN_ROOT = Deno.env.get("DEBIAN_ROOT") ??
  join(fileURLToPath(new URL("../../", import.meta.url)), ".cache", "debian-root");

/** Why the Debian-root tests cannot run here, or `undefined` when they can. */
export function debianRootMissing(): string | undefined {
  if (Deno.uid() !== 0) return "needs root (chroot, mount)";
  try {
    Deno.statSync(join(DEBIAN_ROOT, ".driftless-root"));
  } catch {
    return `no Debian root at ${DEBIAN_ROOT}; build it with scripts/debian_root.sh`;
  }
  return undefined;
}

async function run(cmd: string, args: string[]): Promise<{ ok: boolean; err: string }> {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  return { ok: out.success, err: new TextDecoder().decode(out.stderr) };
}

/** A copy-on-write Debian root for one test. */
export interface TestRoot {
  /** The merged root directory. */
  readonly dir: string;
  /** A chrooted host on it. */
  readonly host: LocalHost;
  /** Unmounts and removes everything. */
  close(): Promise<void>;
}

/** Makes a copy-on-write view of the cached root. */
export async function openRoot(): Promise<TestRoot> {
  const base = await Deno.makeTempDir({ prefix: "driftless_debroot_" });
  const [upper, work, merged] = ["upper", "work", "merged"].map((d) => join(base, d)) as [
    string,
    string,
    string,
  ];
  for (const d of [upper, work, merged]) await Deno.mkdir(d);
  const mounted = await run("mount", [
    "-t",
    "overlay",
    "overlay",
    "-o",
    `lowerdir=${DEBIAN_ROOT},upperdir=${upper},workdir=${work}`,
    merged,
  ]);
  if (!mounted.ok) {
    const copied = await run("cp", ["-a", "--reflink=auto", `${DEBIAN_ROOT}/.`, merged]);
    if (!copied.ok) throw new Error(`cannot copy the Debian root: ${copied.err}`);
  }
  return {
    dir: merged,
    host: new LocalHost({ root: merged }),
    async close() {
      if (mounted.ok) {
        const u = await run("umount", [merged]);
        if (!u.ok) await run("umount", ["-l", merged]);
      }
      await Deno.remove(base, { recursive: true }).catch(() => {});
    },
  };
}

const ctx: TaskContext = {
  configDir: "/nonexistent",
  renderTemplate: () => Promise.reject(new Error("no template engine in this test")),
};

/**
 * Runs a task the way the runner does: parse, read, plan, apply each change; then reads and
 * plans again. Returns the first plan's changes and the second plan's (which must be empty).
 */
export async function converge(
  // deno-lint-ignore no-explicit-any
  task: TaskModule<any, any, any>,
  raw: Record<string, unknown>,
  host: LocalHost,
): Promise<{ first: Change<unknown>[]; again: Change<unknown>[] }> {
  const params = task.schema.parse(raw);
  const first = task.plan(params, await task.read(params, host, ctx));
  for (const c of first) await task.apply(c.op, host, ctx);
  // A fresh parse, as the next run would have: one-shot actions plan again there.
  const next = task.schema.parse(raw);
  const again = task.plan(next, await task.read(next, host, ctx));
  return { first, again };
}
