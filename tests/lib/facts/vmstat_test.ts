import assert from "node:assert/strict";
import { DEFAULT_VMSTAT_FIELDS, parseVmstat, vmstatFamilies } from "../../../lib/facts/vmstat.ts";
import { fixture } from "./_fixtures.ts";

Deno.test("vmstatFamilies() exports node_exporter's default fields as untyped", () => {
  const fams = vmstatFamilies(parseVmstat(fixture("vm/vmstat")), new RegExp(DEFAULT_VMSTAT_FIELDS));
  const names = fams.map((f) => f.name);
  for (
    const n of [
      "node_vmstat_pgfault",
      "node_vmstat_pgmajfault",
      "node_vmstat_oom_kill",
      "node_vmstat_pswpin",
    ]
  ) {
    assert.ok(names.includes(n), n);
  }
  assert.ok(!names.includes("node_vmstat_nr_free_pages"));
  assert.ok(fams.every((f) => f.type === "untyped"));
});
