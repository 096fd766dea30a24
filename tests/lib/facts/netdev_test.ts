import assert from "node:assert/strict";
import { netdevFamilies, parseNetDev } from "../../../lib/facts/netdev.ts";
import { fixture, valueOf } from "./_fixtures.ts";

Deno.test("parseNetDev() splits 15-character names that touch their first number", () => {
  const devs = parseNetDev(fixture("odd/net_dev_long"));
  assert.deepEqual(devs.map((d) => d.device), [
    "lo",
    "enx00e04c680001",
    "veth1a2b3c4d5e6",
    "br-0123456789ab",
  ]);
  const enx = devs[1]!.stats;
  assert.equal(enx.receive_bytes, 12345678901);
  assert.equal(enx.receive_packets, 9876);
  assert.equal(enx.receive_multicast, 15);
  assert.equal(enx.transmit_bytes, 5555555555);
  assert.equal(enx.transmit_packets, 4321);
});

Deno.test("netdevFamilies() names every column node_exporter's way", () => {
  const fams = netdevFamilies(parseNetDev(fixture("vm/net/dev")));
  assert.equal(fams.length, 16);
  assert.ok(
    fams.every((f) =>
      f.type === "counter" && /^node_network_(receive|transmit)_\w+_total$/.test(f.name)
    ),
  );
  const eth0 = fixture("vm/net/dev").split("\n").find((l) => l.includes("eth0:"))!;
  assert.equal(
    valueOf(fams, "node_network_receive_bytes_total", { device: "eth0" }),
    Number(eth0.split(":")[1]!.trim().split(/\s+/)[0]),
  );
  assert.ok(fams.some((f) => f.name === "node_network_transmit_colls_total"));
});
