/**
 * Integration: Debian's prometheus-node-exporter and `driftless facts --serve` side by side on
 * loopback ports. The node-mixin's families must be there with the same type and label names,
 * stable values must agree, and promtool may find nothing in our output that it does not also
 * find in node_exporter's.
 */
import assert from "node:assert/strict";
import { missing, requires } from "./_fixtures.ts";
import { families, promtool, startDriftless, startNodeExporter } from "./_serve.ts";

/** The raw series the node-mixin's alerts, rules and dashboards read (metrics-logs.md §2.3). */
const NODE_MIXIN = [
  "node_cpu_seconds_total",
  "node_load1",
  "node_load5",
  "node_load15",
  "node_memory_MemTotal_bytes",
  "node_memory_MemFree_bytes",
  "node_memory_MemAvailable_bytes",
  "node_memory_Cached_bytes",
  "node_memory_Buffers_bytes",
  "node_memory_Slab_bytes",
  "node_vmstat_pgmajfault",
  "node_filesystem_size_bytes",
  "node_filesystem_avail_bytes",
  "node_filesystem_readonly",
  "node_filesystem_files",
  "node_filesystem_files_free",
  "node_disk_io_time_seconds_total",
  "node_disk_io_time_weighted_seconds_total",
  "node_disk_read_bytes_total",
  "node_disk_written_bytes_total",
  "node_network_receive_bytes_total",
  "node_network_transmit_bytes_total",
  "node_network_receive_packets_total",
  "node_network_transmit_packets_total",
  "node_network_receive_errs_total",
  "node_network_transmit_errs_total",
  "node_network_receive_drop_total",
  "node_network_transmit_drop_total",
  "node_time_seconds",
  "node_timex_offset_seconds",
  "node_timex_sync_status",
  "node_timex_maxerror_seconds",
  "node_filefd_allocated",
  "node_filefd_maximum",
  "node_nf_conntrack_entries",
  "node_nf_conntrack_entries_limit",
  "node_textfile_scrape_error",
  "node_uname_info",
  "node_exporter_build_info",
  "node_md_disks",
  "node_md_disks_required",
  "node_bonding_slaves",
  "node_bonding_active",
  "node_systemd_unit_state",
  "node_systemd_service_restart_total",
];

const skip = missing("prometheus-node-exporter") ?? missing("promtool");

Deno.test({
  ...requires("driftless serves node_exporter's families, types, labels and values", skip),
  async fn() {
    const ne = await startNodeExporter();
    const ours = await startDriftless();
    try {
      const [neText, ourText] = await Promise.all([
        fetch(ne.url).then((r) => r.text()),
        fetch(ours.url).then((r) => r.text()),
      ]);
      const a = families(neText);
      const b = families(ourText);

      const checked: string[] = [];
      for (const name of NODE_MIXIN) {
        const theirs = a.get(name);
        if (!theirs) continue; // hardware this host lacks (md, bonding) or a collector that failed here
        const mine = b.get(name);
        assert.ok(mine, `${name} is missing`);
        assert.equal(mine.type, theirs.type, `${name} type`);
        assert.deepEqual([...mine.labels].sort(), [...theirs.labels].sort(), `${name} label names`);
        checked.push(name);
      }
      assert.ok(checked.length >= 35, `only ${checked.length} node-mixin families to compare`);

      // Every other node_* family node_exporter shows here, with its type and label names.
      const lacking: string[] = [];
      for (const [name, theirs] of a) {
        if (!name.startsWith("node_")) continue;
        const mine = b.get(name);
        if (!mine) {
          lacking.push(name);
          continue;
        }
        assert.equal(mine.type, theirs.type, `${name} type`);
        assert.deepEqual([...mine.labels].sort(), [...theirs.labels].sort(), `${name} label names`);
      }
      if (lacking.length > 0) {
        Deno.stderr.writeSync(
          new TextEncoder().encode(
            `node_exporter families not in driftless on this host: ${lacking.join(", ")}\n`,
          ),
        );
      }

      // Stable values agree.
      const one = (f: ReturnType<typeof families>, name: string) => f.get(name)?.samples[0]?.value;
      assert.equal(one(b, "node_memory_MemTotal_bytes"), one(a, "node_memory_MemTotal_bytes"));
      assert.equal(one(b, "node_filefd_maximum"), one(a, "node_filefd_maximum"));
      assert.equal(one(b, "node_boot_time_seconds"), one(a, "node_boot_time_seconds"));
      const fsKey = (s: { labels: Record<string, string> }) =>
        `${s.labels.device} ${s.labels.fstype} ${s.labels.mountpoint}`;
      const sizes = (f: ReturnType<typeof families>) =>
        new Map(f.get("node_filesystem_size_bytes")!.samples.map((s) => [fsKey(s), s.value]));
      assert.deepEqual(sizes(b), sizes(a), "same filesystems with the same sizes");
      const devices = (f: ReturnType<typeof families>, name: string, label: string) =>
        [...new Set(f.get(name)?.samples.map((s) => s.labels[label]))].sort();
      assert.deepEqual(
        devices(b, "node_network_receive_bytes_total", "device"),
        devices(a, "node_network_receive_bytes_total", "device"),
      );
      assert.deepEqual(
        devices(b, "node_disk_read_bytes_total", "device"),
        devices(a, "node_disk_read_bytes_total", "device"),
      );
      assert.deepEqual(
        devices(b, "node_cpu_seconds_total", "cpu"),
        devices(a, "node_cpu_seconds_total", "cpu"),
      );
      assert.deepEqual(
        b.get("node_uname_info")!.samples[0]!.labels,
        a.get("node_uname_info")!.samples[0]!.labels,
      );
      assert.deepEqual(
        b.get("node_os_info")?.samples[0]?.labels,
        a.get("node_os_info")?.samples[0]?.labels,
      );
      assert.ok(Math.abs(one(b, "node_time_seconds")! - one(a, "node_time_seconds")!) < 5);

      // promtool: no parse error, and no finding that node_exporter's own output does not have.
      const [pa, pb] = await Promise.all([promtool(neText), promtool(ourText)]);
      assert.notEqual(pb.code, 1, pb.findings.join("\n"));
      const theirFindings = new Set(pa.findings);
      const extra = pb.findings.filter((f) => !theirFindings.has(f));
      assert.deepEqual(extra, []);
    } finally {
      await Promise.all([ne.stop(), ours.stop()]);
    }
  },
});
