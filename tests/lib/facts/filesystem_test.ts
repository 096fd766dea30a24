import assert from "node:assert/strict";
import { statfs } from "node:fs/promises";
import {
  DEFAULT_FS_TYPES_EXCLUDE,
  DEFAULT_MOUNT_POINTS_EXCLUDE,
  filesystemCollector,
  filesystemFamilies,
  type FsStats,
  parseMounts,
  selectMounts,
} from "../../../lib/facts/filesystem.ts";
import { DEFAULT_PATHS } from "../../../lib/facts/collector.ts";
import { fixture, valueOf, VM_PROC } from "./_fixtures.ts";

const select = {
  mountPointsExclude: new RegExp(DEFAULT_MOUNT_POINTS_EXCLUDE),
  fsTypesExclude: new RegExp(DEFAULT_FS_TYPES_EXCLUDE),
};

Deno.test("parseMounts() undoes octal escapes; selectMounts() applies Debian's excludes and dedupes", () => {
  const mounts = selectMounts(parseMounts(fixture("odd/mounts_escaped")), select);
  assert.deepEqual(mounts.map((m) => m.mountpoint), ["/srv/my data", "/"]);
  // /mnt is excluded on Debian; /run and docker overlays everywhere.
  const vm = selectMounts(parseMounts(fixture("vm/mounts")), select);
  assert.deepEqual(vm.map((m) => [m.device, m.fstype, m.mountpoint]), [["/dev/vda", "ext4", "/"]]);
});

Deno.test("filesystemFamilies() computes sizes from statfs and flags read-only mounts", () => {
  const [data, root] = selectMounts(parseMounts(fixture("odd/mounts_escaped")), select);
  const stats: FsStats = {
    bsize: 4096,
    blocks: 1000,
    bfree: 600,
    bavail: 500,
    files: 64,
    ffree: 60,
  };
  const fams = filesystemFamilies([{ mount: data!, stats }, { mount: root! }]);
  const l = { device: "/dev/sdb1", fstype: "ext4", mountpoint: "/srv/my data" };
  assert.equal(valueOf(fams, "node_filesystem_size_bytes", l), 4096000);
  assert.equal(valueOf(fams, "node_filesystem_free_bytes", l), 600 * 4096);
  assert.equal(valueOf(fams, "node_filesystem_avail_bytes", l), 500 * 4096);
  assert.equal(valueOf(fams, "node_filesystem_files_free", l), 60);
  assert.equal(valueOf(fams, "node_filesystem_readonly", l), 1);
  const r = { device: "/dev/vda", fstype: "ext4", mountpoint: "/" };
  assert.equal(valueOf(fams, "node_filesystem_device_error", r), 1);
  assert.equal(valueOf(fams, "node_filesystem_size_bytes", r), undefined);
  assert.equal(valueOf(fams, "node_filesystem_readonly", r), undefined, "only its error");
});

Deno.test("filesystemCollector() reports the root filesystem as statfs sees it", async () => {
  const fams = await filesystemCollector().collect({
    paths: { ...DEFAULT_PATHS, proc: VM_PROC },
    signal: new AbortController().signal,
  });
  const s = await statfs("/");
  assert.equal(
    valueOf(fams, "node_filesystem_size_bytes", { mountpoint: "/" }),
    s.blocks * s.bsize,
  );
});

Deno.test("filesystemCollector() does not wait for a mount that hangs, and skips it until it answers", async () => {
  let release!: () => void;
  const hung = new Promise<void>((r) => (release = r));
  let calls = 0;
  const collector = filesystemCollector({
    mountTimeoutMs: 50,
    statfs: async (path) => {
      calls++;
      if (path === "/") await hung;
      return { bsize: 1, blocks: 1, bfree: 1, bavail: 1, files: 1, ffree: 1 };
    },
  });
  const ctx = { paths: { ...DEFAULT_PATHS, proc: VM_PROC }, signal: new AbortController().signal };
  const first = await collector.collect(ctx);
  assert.equal(valueOf(first, "node_filesystem_device_error", { mountpoint: "/" }), 1);
  const second = await collector.collect(ctx);
  assert.equal(valueOf(second, "node_filesystem_device_error", { mountpoint: "/" }), 1);
  assert.equal(calls, 1, "no second statfs while the first is still blocked");
  release();
  await hung;
  await new Promise((r) => setTimeout(r, 0));
  const third = await collector.collect(ctx);
  assert.equal(valueOf(third, "node_filesystem_device_error", { mountpoint: "/" }), 0);
  assert.equal(calls, 2);
});
