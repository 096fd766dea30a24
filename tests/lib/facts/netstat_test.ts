import assert from "node:assert/strict";
import {
  DEFAULT_NETSTAT_FIELDS,
  netstatFamilies,
  parseNetstat,
  parseSnmp6,
} from "../../../lib/facts/netstat.ts";
import { fixture, valueOf } from "./_fixtures.ts";

Deno.test("netstatFamilies() exports node_exporter's 40 default counters, untyped, in CamelCase", () => {
  const stats = parseNetstat(fixture("vm/net/snmp"), parseNetstat(fixture("vm/net/netstat")));
  parseSnmp6(fixture("vm/net/snmp6"), stats);
  const fams = netstatFamilies(stats, new RegExp(DEFAULT_NETSTAT_FIELDS));
  assert.equal(fams.length, 40);
  assert.ok(fams.every((f) => f.type === "untyped"));
  const names = fams.map((f) => f.name);
  for (
    const n of [
      "node_netstat_Tcp_InSegs",
      "node_netstat_Ip6_InOctets",
      "node_netstat_TcpExt_ListenDrops",
      "node_netstat_Ip_Forwarding",
    ]
  ) {
    assert.ok(names.includes(n), n);
  }
});

Deno.test("parseNetstat() skips a header/value pair whose counts differ", () => {
  const stats = parseNetstat(fixture("odd/netstat_odd"));
  assert.equal(stats.get("TcpExt")?.get("TCPTimeouts"), 5);
  assert.equal(stats.has("IpExt"), false);
  assert.equal(stats.get("Ip")?.get("InReceives"), 77);
  const fams = netstatFamilies(stats, /.*/);
  assert.equal(valueOf(fams, "node_netstat_Ip_Forwarding"), 1);
});

Deno.test("parseSnmp6() splits the protocol at its 6", () => {
  const stats = parseSnmp6("Ip6InReceives 5\nIcmp6InMsgs 2\nUdpLite6InErrors 1\n");
  assert.equal(stats.get("Ip6")?.get("InReceives"), 5);
  assert.equal(stats.get("Icmp6")?.get("InMsgs"), 2);
  assert.equal(stats.get("UdpLite6")?.get("InErrors"), 1);
});
