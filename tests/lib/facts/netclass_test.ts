import assert from "node:assert/strict";
import { netclassCollector, parseSysfsNumber } from "../../../lib/facts/netclass.ts";
import { DEFAULT_PATHS } from "../../../lib/facts/collector.ts";
import { valueOf } from "./_fixtures.ts";
import { tree } from "./_tree.ts";

Deno.test("parseSysfsNumber() reads decimal and hex attributes", () => {
  assert.equal(parseSysfsNumber("0x1003"), 4099);
  assert.equal(parseSysfsNumber("-1"), -1);
  assert.equal(parseSysfsNumber(""), undefined);
  assert.equal(parseSysfsNumber("up"), undefined);
});

Deno.test("netclassCollector() exports up, info and numeric attributes; absent ones give no sample", async () => {
  const sys = await tree({
    "class/net/eth0/ifindex": "2\n",
    "class/net/eth0/operstate": "up\n",
    "class/net/eth0/address": "02:fc:00:00:00:01\n",
    "class/net/eth0/broadcast": "ff:ff:ff:ff:ff:ff\n",
    "class/net/eth0/duplex": "full\n",
    "class/net/eth0/mtu": "1500\n",
    "class/net/eth0/speed": "1000\n",
    "class/net/eth0/flags": "0x1003\n",
    "class/net/eth0/carrier_changes": "3\n",
    "class/net/verylonginterf0/ifindex": "3\n",
    "class/net/verylonginterf0/operstate": "down\n",
    "class/net/bonding_masters": "bond0\n",
  });
  try {
    const fams = await netclassCollector().collect({
      paths: { ...DEFAULT_PATHS, sys },
      signal: new AbortController().signal,
    });
    assert.equal(valueOf(fams, "node_network_up", { device: "eth0" }), 1);
    assert.equal(valueOf(fams, "node_network_up", { device: "verylonginterf0" }), 0);
    assert.equal(valueOf(fams, "node_network_speed_bytes", { device: "eth0" }), 125000000);
    assert.equal(valueOf(fams, "node_network_flags", { device: "eth0" }), 4099);
    assert.equal(valueOf(fams, "node_network_mtu_bytes", { device: "verylonginterf0" }), undefined);
    assert.equal(
      fams.find((f) => f.name === "node_network_carrier_changes_total")!.type,
      "counter",
    );
    const info = fams.find((f) => f.name === "node_network_info")!.samples[0]!.labels;
    assert.deepEqual(info, {
      address: "02:fc:00:00:00:01",
      broadcast: "ff:ff:ff:ff:ff:ff",
      device: "eth0",
      duplex: "full",
      ifalias: "",
      operstate: "up",
    });
    assert.ok(!fams.some((f) => f.samples.some((s) => s.labels.device === "bonding_masters")));
  } finally {
    await Deno.remove(sys, { recursive: true });
  }
});
