import assert from "node:assert/strict";
import { LocalHost } from "../../lib/apply/host.ts";
import { editFstab, mount, parseMounts } from "../../tasks/mount.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost, writeFiles } from "../_helpers/scripted_host.ts";
import { converge, debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { needs, rootMissing } from "../_helpers/needs.ts";

Deno.test("parseMounts() and editFstab() keep other lines and escape spaces", () => {
  const fstab =
    "# static\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /srv/my\\040data xfs defaults 0 2\n";
  assert.equal(parseMounts(fstab)[1]!.path, "/srv/my data");
  const e = {
    src: "/dev/sdb1",
    path: "/srv/my data",
    fstype: "xfs",
    opts: "noatime",
    dump: "0",
    passno: "2",
  };
  assert.equal(
    editFstab(fstab, "/srv/my data", e),
    "# static\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /srv/my\\040data xfs noatime 0 2\n",
  );
  assert.equal(
    editFstab(fstab, "/srv/my data", undefined),
    "# static\nUUID=1 / ext4 errors=remount-ro 0 1\n",
  );
});

const DATA = { path: "/srv/data", src: "/dev/sdb1", fstype: "xfs" };

function live(root: string, line?: string) {
  return writeFiles(root, {
    "/proc/mounts": line ? `${line}\n` : "proc /proc proc rw 0 0\n",
    "/etc/fstab": "",
  });
}

Deno.test("mount: command table", async (t) => {
  await runCases(t, mount, [
    {
      name: "mounted: fstab entry, mkdir, mount",
      params: { ...DATA, state: "mounted", opts: "noatime" },
      setup: async (root, host) => {
        await live(root);
        (host as ScriptedHost).script({
          match: "mount /srv/data",
          reply: () =>
            Deno.writeTextFileSync(
              `${root}/proc/mounts`,
              "/dev/sdb1 /srv/data xfs rw,noatime 0 0\n",
            ),
        });
      },
      summaries: ["set the /etc/fstab entry for /srv/data", "mount /srv/data"],
      changes: (ch) => assert.equal(ch[0]!.diff!.after, "/dev/sdb1 /srv/data xfs noatime 0 0\n"),
      check: async (real) => assert.ok((await Deno.stat(real("/srv/data"))).isDirectory),
    },
    {
      name: "changed options on a mounted fs remount it",
      params: { ...DATA, state: "mounted", opts: "noatime,nodev", fstab: "/etc/fstab.d/x" },
      setup: async (root, host) => {
        await live(root, "/dev/sdb1 /srv/data xfs rw,noatime 0 0");
        await writeFiles(root, { "/etc/fstab.d/x": "/dev/sdb1 /srv/data xfs noatime 0 0\n" });
        await Deno.mkdir(`${root}/srv/data`, { recursive: true });
        (host as ScriptedHost).script({
          match: "mount -T /etc/fstab.d/x -o remount,noatime,nodev /srv/data",
        });
      },
      summaries: [
        "set the /etc/fstab.d/x entry for /srv/data",
        "mount -T /etc/fstab.d/x -o remount,noatime,nodev /srv/data",
      ],
    },
    {
      name: "present with boot: false only writes fstab (noauto)",
      params: { ...DATA, state: "present", boot: "no" },
      setup: (root) => live(root),
      summaries: ["set the /etc/fstab entry for /srv/data"],
      changes: (ch) =>
        assert.equal(ch[0]!.diff!.after, "/dev/sdb1 /srv/data xfs defaults,noauto 0 0\n"),
    },
    {
      name: "unmounted",
      params: { path: "/srv/data", state: "unmounted" },
      setup: async (root, host) => {
        await live(root, "/dev/sdb1 /srv/data xfs rw 0 0");
        (host as ScriptedHost).script({
          match: "umount /srv/data",
          reply: () => Deno.writeTextFileSync(`${root}/proc/mounts`, ""),
        });
      },
      summaries: ["umount /srv/data"],
    },
    {
      name: "absent: entry removed and unmounted",
      params: { name: "/srv/data", state: "absent" },
      setup: async (root, host) => {
        await live(root, "/dev/sdb1 /srv/data xfs rw 0 0");
        await writeFiles(root, { "/etc/fstab": "/dev/sdb1 /srv/data xfs defaults 0 0\n" });
        (host as ScriptedHost).script({
          match: "umount /srv/data",
          reply: () => Deno.writeTextFileSync(`${root}/proc/mounts`, ""),
        });
      },
      summaries: ["remove the /etc/fstab entry for /srv/data", "umount /srv/data"],
    },
    {
      name: "remounted acts once per run",
      params: { path: "/srv/data", state: "remounted" },
      setup: async (root, host) => {
        await live(root, "/dev/sdb1 /srv/data xfs rw 0 0");
        (host as ScriptedHost).script({ match: "mount -o remount /srv/data" });
      },
      summaries: ["mount -o remount /srv/data"],
    },
    {
      name: "mounted without a readable /proc is refused",
      params: { ...DATA, state: "mounted" },
      setup: (root) => Deno.mkdir(`${root}/etc`),
      summaries: [],
      throws: /\/proc\/mounts is not readable/,
    },
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test(needs(rootMissing("mount"), {
  name: "mount: a real tmpfs mounted and unmounted through a private fstab (-T)",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "driftless_mount_" });
    const host = new LocalHost();
    const p = {
      path: `${dir}/mnt`,
      src: "tmpfs",
      fstype: "tmpfs",
      opts: "size=1m",
      fstab: `${dir}/fstab`,
    };
    try {
      const m = await converge(mount, { ...p, state: "mounted" }, host);
      assert.deepEqual(m.first.map((c) => c.summary), [
        `set the ${dir}/fstab entry for ${dir}/mnt`,
        `mount -T ${dir}/fstab ${dir}/mnt`,
      ]);
      assert.deepEqual(m.again, []);
      assert.match(await Deno.readTextFile("/proc/mounts"), new RegExp(`tmpfs ${dir}/mnt tmpfs`));
      const o = await converge(mount, { ...p, opts: "size=2m", state: "mounted" }, host);
      assert.equal(o.first.at(-1)!.summary, `mount -T ${dir}/fstab -o remount,size=2m ${dir}/mnt`);
      assert.deepEqual(o.again, []);
      const u = await converge(mount, { ...p, state: "absent" }, host);
      assert.deepEqual(u.first.map((c) => c.summary), [
        `remove the ${dir}/fstab entry for ${dir}/mnt`,
        `umount ${dir}/mnt`,
      ]);
      assert.deepEqual(u.again, []);
    } finally {
      await new Deno.Command("umount", { args: [`${dir}/mnt`], stderr: "null" }).output();
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test(needs(debianRootMissing(), {
  name: "mount: an fstab entry in the Debian root",
  async fn() {
    const root = await openRoot();
    try {
      const r = await converge(mount, {
        path: "/srv/data",
        src: "LABEL=data",
        fstype: "ext4",
        opts: "noatime",
        passno: 2,
        state: "present",
      }, root.host);
      assert.equal(r.first.length, 1);
      assert.deepEqual(r.again, []);
      assert.match(
        await Deno.readTextFile(`${root.dir}/etc/fstab`),
        /^LABEL=data \/srv\/data ext4 noatime 0 2$/m,
      );
    } finally {
      await root.close();
    }
  },
}));
