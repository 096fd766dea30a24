import assert from "node:assert/strict";
import { arpFamilies, parseArp } from "../../../lib/facts/arp.ts";
import {
  conntrackCollector,
  conntrackFamilies,
  parseConntrackStat,
} from "../../../lib/facts/conntrack.ts";
import { filefdFamilies, parseFileNr } from "../../../lib/facts/filefd.ts";
import { parsePressure, pressureFamilies } from "../../../lib/facts/pressure.ts";
import { parseSoftnet, softnetFamilies } from "../../../lib/facts/softnet.ts";
import { parseUdpQueues, udpQueuesFamilies } from "../../../lib/facts/udp_queues.ts";
import { entropyCollector } from "../../../lib/facts/entropy.ts";
import { parseSelinuxConfig, selinuxFamilies } from "../../../lib/facts/selinux.ts";
import { osFamilies } from "../../../lib/facts/os.ts";
import { parseOsRelease } from "../../../lib/facts/os_release.ts";
import { readUname, unameFamilies } from "../../../lib/facts/uname.ts";
import { DEFAULT_PATHS } from "../../../lib/facts/collector.ts";
import { NoDataError } from "../../../lib/facts/errors.ts";
import { fixture, valueOf, VM_PROC } from "./_fixtures.ts";

const ctx = { paths: { ...DEFAULT_PATHS, proc: VM_PROC }, signal: new AbortController().signal };

Deno.test("parseArp() counts entries per device", () => {
  const counts = parseArp(
    fixture("vm/net/arp") +
      "10.0.0.9 0x1 0x2 aa:bb:cc:dd:ee:ff * eth1\n10.0.0.8 0x1 0x2 aa:bb:cc:dd:ee:fe * eth1\n",
  );
  assert.deepEqual([...counts], [["eth0", 1], ["eth1", 2]]);
  assert.equal(valueOf(arpFamilies(counts), "node_arp_entries", { device: "eth1" }), 2);
});

Deno.test("conntrack: entries, limit and the per-CPU statistics summed", async () => {
  const stat = parseConntrackStat(
    "entries found invalid drop\n00000001 0000000a 00000001 00000002\n00000001 00000005 00000001 00000000\n",
  );
  assert.equal(stat.get("found"), 15);
  const fams = conntrackFamilies(3, 262144, stat);
  assert.equal(valueOf(fams, "node_nf_conntrack_entries_limit"), 262144);
  assert.equal(valueOf(fams, "node_nf_conntrack_stat_found"), 15);
  assert.equal(valueOf(fams, "node_nf_conntrack_stat_drop"), 2);
  assert.equal((await conntrackCollector().collect(ctx)).length, 10);
  assert.throws(
    () =>
      conntrackCollector().collect({ ...ctx, paths: { ...DEFAULT_PATHS, proc: "/nonexistent" } }),
    NoDataError,
  );
});

Deno.test("filefd, entropy, pressure, softnet and udp_queues parse their files", async () => {
  assert.deepEqual(parseFileNr("544\t0\t2466160\n"), { allocated: 544, maximum: 2466160 });
  assert.equal(filefdFamilies({ allocated: 1, maximum: 2 })[1]!.name, "node_filefd_maximum");
  assert.equal(valueOf(await entropyCollector().collect(ctx), "node_entropy_pool_size_bits"), 256);

  const io = parsePressure(
    "some avg10=0.00 avg60=0.24 avg300=0.42 total=18227784\nfull avg10=0.00 avg60=0.15 avg300=0.26 total=13841035\n",
  );
  assert.deepEqual(io, { some: 18.227784, full: 13.841035 });
  const p = pressureFamilies({ cpu: { some: 1 }, io, memory: { some: 0, full: 0 } });
  assert.deepEqual(p.map((f) => f.name), [
    "node_pressure_cpu_waiting_seconds_total",
    "node_pressure_io_stalled_seconds_total",
    "node_pressure_io_waiting_seconds_total",
    "node_pressure_memory_stalled_seconds_total",
    "node_pressure_memory_waiting_seconds_total",
  ]);

  const soft = parseSoftnet("00000055 00000002 00000003 0 0\n00002b03 00000000 00000000 0 0\n");
  assert.deepEqual(soft[1], { cpu: "1", processed: 0x2b03, dropped: 0, timeSqueezed: 0 });
  assert.equal(
    valueOf(softnetFamilies(soft), "node_softnet_times_squeezed_total", { cpu: "0" }),
    3,
  );

  const udp = parseUdpQueues(
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:0044 00000000:0000 07 00000010:00000200 00:00000000 00000000     0        0 1\n",
  );
  assert.deepEqual(udp, { tx: 16, rx: 512 });
  const fams = udpQueuesFamilies(udp);
  assert.equal(valueOf(fams, "node_udp_queues", { ip: "v4", queue: "rx" }), 512);
  assert.equal(valueOf(fams, "node_udp_queues", { ip: "v6", queue: "rx" }), undefined);
});

Deno.test("uname, os and selinux families carry node_exporter's labels", () => {
  const u = readUname(VM_PROC);
  const info = unameFamilies(u)[0]!.samples[0]!.labels;
  assert.deepEqual(Object.keys(info), [
    "domainname",
    "machine",
    "nodename",
    "release",
    "sysname",
    "version",
  ]);
  assert.equal(info.sysname, "Linux");
  assert.equal(info.release, fixture("vm/sys/kernel/osrelease").trim());

  const os = osFamilies(
    parseOsRelease('NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n'),
  );
  assert.equal(valueOf(os, "node_os_version"), 22.04);
  assert.equal(os[0]!.samples[0]!.labels.id_like, "debian");
  assert.equal(Object.keys(os[0]!.samples[0]!.labels).length, 12);

  assert.deepEqual(selinuxFamilies({}).map((f) => [f.name, f.samples[0]!.value]), [[
    "node_selinux_enabled",
    0,
  ]]);
  assert.equal(parseSelinuxConfig("# c\nSELINUX=enforcing\nSELINUXTYPE=targeted\n"), 1);
  assert.equal(valueOf(selinuxFamilies({ enforce: 0, config: 1 }), "node_selinux_current_mode"), 0);
});
