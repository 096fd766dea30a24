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
import type { TaskRecord } from "../../../lib/apply/runner.ts";
import { applyConfig } from "../../_helpers/apply_config.ts";

const CASES = fileURLToPath(new URL("../../fixtures/roles/semantics/", import.meta.url));

/** Debug messages as a run printed them, loop items included, skipped and no_log ones left out. */
function messages(records: readonly TaskRecord[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (r.type !== "debug" || r.hidden) continue;
    for (const x of r.items ?? [r]) if (x.status !== "skipped") out.push(x.message ?? "");
  }
  return out;
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
