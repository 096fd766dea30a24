/**
 * Runs a config dir the way `driftless apply` does (loader, preflight, runner, real task
 * modules and template engine), on a host rooted in a temp dir.
 *
 * @module
 */
import { LocalHost } from "../../lib/apply/host.ts";
import { runApply, type TaskRecord } from "../../lib/apply/runner.ts";
import { loadConfig } from "../../lib/config/loader.ts";
import { TaskLoader } from "../../lib/config/task_loader.ts";
import * as engine from "../../lib/template/engine.ts";
import { catalog, loaded } from "../../tasks/mod.ts";

/** Runs a config dir as apply does, on a host rooted in a temp dir. */
export async function applyConfig(
  dir: string,
  options: {
    dryRun?: boolean;
    facts?: Record<string, unknown>;
    /** Prepares the host's tree before the run. */
    setup?: (root: string) => Promise<void>;
    /** Looks at the host's tree after the run, before it is removed. */
    inspect?: (root: string) => Promise<void>;
  } = {},
) {
  const config = await loadConfig(dir, { catalog });
  const host = await Deno.makeTempDir({ prefix: "driftless_roles_host_" });
  const records: TaskRecord[] = [];
  const warnings: string[] = [];
  try {
    await options.setup?.(host);
    const summary = await runApply(config.apply!, {
      host: new LocalHost({ root: host, chroot: false }),
      engine,
      tasks: loaded,
      configDir: config.dir,
      facts: options.facts ?? { hostname: "localhost" },
      vars: config.vars,
      loader: new TaskLoader(config.dir, { catalog }),
      dryRun: options.dryRun ?? false,
      onWarning: (w) => void warnings.push(w),
      onRecord: (r) => void records.push(r),
    });
    await options.inspect?.(host);
    return { summary, records, warnings };
  } finally {
    await Deno.remove(host, { recursive: true });
  }
}
