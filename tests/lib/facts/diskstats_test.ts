import assert from "node:assert/strict";
import {
  DEFAULT_DISK_EXCLUDE,
  diskstatsFamilies,
  parseDiskstats,
  parseUdevData,
} from "../../../lib/facts/diskstats.ts";
import { fixture, valueOf } from "./_fixtures.ts";

Deno.test("diskstatsFamilies() handles 11, 15 and 17 column kernels and excludes partitions", () => {
  const exclude = new RegExp(DEFAULT_DISK_EXCLUDE);
  const disks = parseDiskstats(fixture("odd/diskstats_mixed")).filter((d) =>
    !exclude.test(d.device)
  );
  assert.deepEqual(disks.map((d) => d.device), ["sda", "nvme0n1", "dm-0"]);
  const fams = diskstatsFamilies(disks);
  assert.equal(valueOf(fams, "node_disk_read_bytes_total", { device: "sda" }), 20000 * 512);
  assert.equal(valueOf(fams, "node_disk_read_time_seconds_total", { device: "sda" }), 0.3);
  assert.equal(valueOf(fams, "node_disk_io_time_weighted_seconds_total", { device: "sda" }), 0.5);
  // The old kernel has no discard columns: no sample rather than a zero.
  assert.equal(valueOf(fams, "node_disk_discards_completed_total", { device: "sda" }), undefined);
  assert.equal(valueOf(fams, "node_disk_discards_completed_total", { device: "nvme0n1" }), 30);
  assert.equal(valueOf(fams, "node_disk_flush_requests_total", { device: "nvme0n1" }), undefined);
  assert.equal(
    valueOf(fams, "node_disk_flush_requests_time_seconds_total", { device: "dm-0" }),
    0.06,
  );
  assert.equal(valueOf(fams, "node_disk_io_now", { device: "nvme0n1" }), 1);
  assert.equal(fams.find((f) => f.name === "node_disk_io_now")!.type, "gauge");
});

Deno.test("node_disk_info carries udev's model, serial, path and wwn", () => {
  const udev = parseUdevData(
    "S:disk/by-id/x\nE:ID_MODEL=Samsung_SSD\nE:ID_SERIAL_SHORT=S4EW\nE:ID_PATH=pci-0000:00:1f.2-ata-1\nE:ID_WWN=0x5002\nE:ID_REVISION=1B6Q\n",
  );
  const fams = diskstatsFamilies(
    parseDiskstats(fixture("odd/diskstats_mixed")).slice(0, 1),
    new Map([["8:0", udev]]),
  );
  const info = fams.find((f) => f.name === "node_disk_info")!;
  assert.deepEqual(info.samples[0]!.labels, {
    device: "sda",
    major: "8",
    minor: "0",
    model: "Samsung_SSD",
    path: "pci-0000:00:1f.2-ata-1",
    revision: "1B6Q",
    serial: "S4EW",
    wwn: "0x5002",
  });
});
