import assert from "node:assert/strict";
import { mdadmFamilies, parseMdstat } from "../../../lib/facts/mdadm.ts";
import { fixture, valueOf } from "./_fixtures.ts";

Deno.test("parseMdstat() reads states, disk counts and sync progress", () => {
  const md = new Map(parseMdstat(fixture("odd/mdstat")).map((d) => [d.name, d]));
  assert.equal(md.size, 8);
  assert.deepEqual(md.get("md6"), {
    name: "md6",
    state: "recovering",
    disksRequired: 2,
    disksActive: 1,
    disksFailed: 1,
    disksSpare: 1,
    blocks: 195310144,
    blocksSynced: 16775552,
  });
  assert.equal(md.get("md4")!.state, "inactive");
  assert.equal(md.get("md8")!.state, "resyncing");
  assert.equal(md.get("md201")!.state, "checking");
  assert.equal(md.get("md0")!.disksSpare, 1);
  assert.deepEqual([md.get("md9")!.disksActive, md.get("md9")!.disksRequired], [2, 2]);
});

Deno.test("mdadmFamilies() gives the node-mixin's RAID series", () => {
  const fams = mdadmFamilies(parseMdstat(fixture("odd/mdstat")));
  assert.equal(valueOf(fams, "node_md_disks", { device: "md6", state: "failed" }), 1);
  assert.equal(valueOf(fams, "node_md_disks_required", { device: "md3" }), 8);
  assert.equal(valueOf(fams, "node_md_state", { device: "md8", state: "resync" }), 1);
  assert.equal(valueOf(fams, "node_md_state", { device: "md8", state: "active" }), 0);
  assert.equal(valueOf(fams, "node_md_blocks_synced", { device: "md127" }), 312319552);
});
