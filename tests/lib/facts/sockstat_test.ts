import assert from "node:assert/strict";
import { parseSockstat, sockstatFamilies } from "../../../lib/facts/sockstat.ts";
import { fixture, valueOf } from "./_fixtures.ts";

Deno.test("sockstatFamilies() exports every field plus mem in bytes", () => {
  const lines = [
    ...parseSockstat(fixture("vm/net/sockstat")),
    ...parseSockstat(fixture("vm/net/sockstat6")),
  ];
  const fams = sockstatFamilies(lines, 4096);
  assert.equal(fams.length, 20, fams.map((f) => f.name).join(" "));
  const mem = valueOf(fams, "node_sockstat_TCP_mem")!;
  assert.equal(valueOf(fams, "node_sockstat_TCP_mem_bytes"), mem * 4096);
  assert.ok(valueOf(fams, "node_sockstat_sockets_used")! > 0);
  assert.equal(valueOf(fams, "node_sockstat_FRAG6_memory"), 0);
});
