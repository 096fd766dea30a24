/**
 * Ansible's task language as real roles use it (roles and their variable precedence, imports
 * and includes and where they find files, include_vars, with_<lookup> loops, handlers, task
 * keywords), checked against real Ansible: each case of tests/fixtures/roles/semantics/ ran
 * through ansible-playbook 2.14 (scripts/record_roles.ts), and Driftless must print the same
 * debug messages, in the same order, with the same recap.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalHost } from "../../../lib/apply/host.ts";
import { runApply, type TaskRecord } from "../../../lib/apply/runner.ts";
import { loadConfig } from "../../../lib/config/loader.ts";
import { TaskLoader } from "../../../lib/config/task_loader.ts";
import * as engine from "../../../lib/template/engine.ts";
import { catalog, loaded } from "../../../tasks/mod.ts";

const CASES = fileURLToPath(new URL("../../fixtures/roles/semantics/", import.meta.url));

/** Debug messages as a run printed them, loop items included, skipped ones left out. */
function messages(records: readonly TaskRecord[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (r.type !== "debug") continue;
    for (const x of r.items ?? [r]) if (x.status !== "skipped") out.push(x.message ?? "");
  }
  return out;
}

/** Runs a config dir as apply does, on a host rooted in a temp dir. */
export async function applyConfig(
  dir: string,
  options: { dryRun?: boolean; facts?: Record<string, unknown> } = {},
) {
  const config = await loadConfig(dir, { catalog });
  const host = await Deno.makeTempDir({ prefix: "driftless_roles_host_" });
  const records: TaskRecord[] = [];
  const warnings: string[] = [];
  try {
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
    return { summary, records, warnings };
  } finally {
    await Deno.remove(host, { recursive: true });
  }
}

for (const entry of [...Deno.readDirSync(CASES)].sort((a, b) => a.name < b.name ? -1 : 1)) {
  Deno.test(`roles semantics as ansible-playbook ran them: ${entry.name}`, async () => {
    const expected = JSON.parse(await Deno.readTextFile(join(CASES, entry.name, "ansible.json")));
    const { summary, records } = await applyConfig(join(CASES, entry.name, "config"));
    assert.deepEqual(messages(records), expected.messages);
    const { ok, changed, failed, skipped, rescued, ignored } = summary.stats;
    assert.deepEqual({ ok, changed, failed, skipped, rescued, ignored }, expected.stats);
    assert.equal(summary.failed, expected.rc !== 0);
  });
}
