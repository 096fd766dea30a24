import assert from "node:assert/strict";
import { bondingCollector } from "../../../lib/facts/bonding.ts";
import { DEFAULT_PATHS } from "../../../lib/facts/collector.ts";
import { NoDataError } from "../../../lib/facts/errors.ts";
import { valueOf } from "./_fixtures.ts";
import { tree } from "./_tree.ts";

Deno.test("bondingCollector() counts slaves and the ones whose MII is up", async () => {
  const sys = await tree({
    "class/net/bonding_masters": "bond0\n",
    "class/net/bond0/bonding/slaves": "eth0 eth1\n",
    "class/net/bond0/lower_eth0/bonding_slave/mii_status": "up\n",
    "class/net/eth1/bonding_slave/mii_status": "down\n",
  });
  try {
    const signal = new AbortController().signal;
    const fams = await bondingCollector().collect({ paths: { ...DEFAULT_PATHS, sys }, signal });
    assert.equal(valueOf(fams, "node_bonding_slaves", { master: "bond0" }), 2);
    assert.equal(valueOf(fams, "node_bonding_active", { master: "bond0" }), 1);
    await Deno.remove(`${sys}/class/net/bonding_masters`);
    assert.throws(
      () => bondingCollector().collect({ paths: { ...DEFAULT_PATHS, sys }, signal }),
      NoDataError,
    );
  } finally {
    await Deno.remove(sys, { recursive: true });
  }
});
