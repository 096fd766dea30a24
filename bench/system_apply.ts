/**
 * Bench driver: runs an apply config against a Debian root through the real runner and task
 * registry, with a chrooted LocalHost (commands via `chroot <root>`, files under the root) —
 * what `driftless apply` does on a host, aimed at a root. Prints one JSON line of stats.
 *
 * Usage: deno run -A bench/system_apply.ts <config-dir> <root> [--dry-run]
 *
 * @module
 */
import { LocalHost } from "../lib/apply/host.ts";
import { runApply } from "../lib/apply/runner.ts";
import { loadConfig } from "../lib/config/loader.ts";
import { TaskLoader } from "../lib/config/task_loader.ts";
import { redactor } from "../lib/secrets.ts";
import { catalog, loaded } from "../tasks/mod.ts";

const [dir, root, flag] = Deno.args;
if (!dir || !root) throw new Error("usage: system_apply.ts <config-dir> <root> [--dry-run]");
const config = await loadConfig(dir, { catalog, redactor });
// The template engine, or (while it is not importable) a pass-through for template-free configs.
const engine = await import("../lib/template/engine.ts").catch((e) => {
  Deno.stderr.writeSync(
    new TextEncoder().encode(
      `note: template engine not loaded (${e.message.split("\n")[0]}); plain values only\n`,
    ),
  );
  const plain = (v: unknown) => {
    if (JSON.stringify(v ?? null).includes("{{")) {
      throw new Error("this bench config has no templates");
    }
    return Promise.resolve(v);
  };
  return {
    templateValue: plain,
    evaluateExpression: () => Promise.reject(new Error("no expressions in this bench")),
    renderFile: () => Promise.reject(new Error("no templates in this bench")),
    checkTemplate: () => Promise.resolve(),
  };
});
const started = performance.now();
const summary = await runApply(config.apply!, {
  host: new LocalHost({ root }),
  engine,
  tasks: loaded,
  configDir: config.dir,
  facts: {},
  vars: config.vars,
  dryRun: flag === "--dry-run",
  loader: new TaskLoader(config.dir, { catalog, redactor, secrets: config.secrets }),
});
const failed = summary.records.filter((r) => r.status === "failed").map((r) =>
  `${r.name}: ${r.message}`
);
Deno.stdout.writeSync(new TextEncoder().encode(
  JSON.stringify({
    ...summary.stats,
    seconds: Math.round(performance.now() - started) / 1000,
    errors: failed.slice(0, 3),
  }) + "\n",
));
Deno.exit(summary.failed ? 1 : 0);
