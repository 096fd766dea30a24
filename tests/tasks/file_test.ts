/** file: the runCases table on real temp dirs, plus symlink, recurse and time edge cases. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LocalHost } from "../../lib/apply/host.ts";
import { file, strptime } from "../../tasks/file.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { replayTrees } from "./_ansible.ts";
import { needs, rootMissing, umaskMismatch } from "../_helpers/needs.ts";

const mode = async (p: string) => ((await Deno.lstat(p)).mode ?? 0) & 0o7777;
const write = async (p: string, text = "x", m = 0o644) => {
  await Deno.writeTextFile(p, text);
  await Deno.chmod(p, m);
};

Deno.test("file converges every state", async (t) => {
  await runCases(t, file, [
    {
      name: "directory: mkdir -p, every new directory gets the mode",
      params: { path: "/a/b/c", state: "directory", mode: "0750" },
      summaries: ["mkdir /a/b/c (0750)"],
      check: async (real) => {
        for (const p of ["/a", "/a/b", "/a/b/c"]) assert.equal(await mode(real(p)), 0o750, p);
      },
    },
    {
      name: "directory: chmod an existing one (alias dest)",
      params: { dest: "/d", state: "directory", mode: "0700" },
      setup: async (root) => {
        await Deno.mkdir(join(root, "d"));
        await Deno.chmod(join(root, "d"), 0o755);
      },
      summaries: ["chmod 0755 -> 0700 /d"],
    },
    {
      name: "directory: already right",
      params: { name: "/d", state: "directory", mode: "u=rwx,go=rx" },
      setup: async (root) => {
        await Deno.mkdir(join(root, "d"));
        await Deno.chmod(join(root, "d"), 0o755);
      },
      summaries: [],
    },
    {
      name: "directory: a file in the way fails",
      params: { path: "/f", state: "directory" },
      setup: (root) => write(join(root, "f")),
      summaries: [],
      throws: /\/f already exists as a file/,
    },
    {
      name: "no state on an existing directory means directory",
      params: { path: "/d", mode: "0711" },
      setup: (root) => Deno.mkdir(join(root, "d")),
      summaries: [/^chmod 0\d{3} -> 0711 \/d$/],
    },
    {
      name: "file: missing fails as in Ansible",
      params: { path: "/nope", state: "file" },
      summaries: [],
      throws: /^Error: file \(\/nope\) is absent, cannot continue$/,
    },
    {
      name: "file: symbolic mode from the current one",
      params: { path: "/f", state: "file", mode: "u+x,g-w" },
      setup: (root) => write(join(root, "f"), "x", 0o664),
      summaries: ["chmod 0664 -> 0744 /f"],
      check: async (real) => assert.equal(await mode(real("/f")), 0o744),
    },
    {
      name: "file: follows a symlink to its target",
      params: { path: "/l", state: "file", mode: "0600" },
      setup: async (root) => {
        await write(join(root, "target"));
        await Deno.symlink("target", join(root, "l"));
      },
      summaries: ["chmod 0644 -> 0600 /target"],
      check: async (real) => assert.equal(await mode(real("/target")), 0o600),
    },
    {
      name: "touch: creates an empty file with a symbolic mode",
      params: { path: "/t", state: "touch", mode: "u=rw,g=r,o=" },
      summaries: ["touch /t"],
      check: async (real) => {
        assert.equal(await mode(real("/t")), 0o640);
        assert.equal((await Deno.stat(real("/t"))).size, 0);
      },
    },
    {
      name: "touch: updates the times of an old file, keeps its content",
      params: { path: "/t", state: "touch" },
      setup: async (root) => {
        await write(join(root, "t"), "keep");
        await Deno.utime(join(root, "t"), new Date(2020, 0, 1), new Date(2020, 0, 1));
      },
      summaries: ["touch /t"],
      check: async (real) => {
        const st = await Deno.stat(real("/t"));
        assert.ok(Math.abs(st.mtime!.getTime() - Date.now()) < 10_000);
        assert.equal(await Deno.readTextFile(real("/t")), "keep");
      },
    },
    {
      name: "touch: a missing parent fails before anything is made",
      params: { path: "/no/such/t", state: "touch" },
      summaries: [],
      throws: /could not touch target: .*'\/no\/such\/t' \(\/no\/such is not a directory\)/,
    },
    {
      name: "touch: preserve both times changes nothing",
      params: {
        path: "/t",
        state: "touch",
        access_time: "preserve",
        modification_time: "preserve",
      },
      setup: async (root) => {
        await write(join(root, "t"));
        await Deno.utime(join(root, "t"), new Date(2020, 0, 1), new Date(2020, 0, 1));
      },
      summaries: [],
    },
    {
      name: "file: an explicit modification time",
      params: { path: "/f", state: "file", modification_time: "202001021530.45" },
      setup: (root) => write(join(root, "f")),
      summaries: [/^set times of \/f \(atime .*, mtime 2020-01-02 15:30:45\)$/],
      check: async (real) =>
        assert.equal(
          (await Deno.stat(real("/f"))).mtime!.getTime(),
          new Date(2020, 0, 2, 15, 30, 45).getTime(),
        ),
    },
    {
      name: "absent: a file",
      params: { path: "/f", state: "absent" },
      setup: (root) => write(join(root, "f")),
      summaries: ["remove /f"],
      changes: (changes) =>
        assert.deepEqual(changes[0]!.diff, {
          before: '{\n    "path": "/f",\n    "state": "file"\n}\n',
          after: '{\n    "path": "/f",\n    "state": "absent"\n}\n',
        }),
    },
    {
      name: "absent: a directory, recursively",
      params: { path: "/d", state: "absent" },
      setup: async (root) => {
        await Deno.mkdir(join(root, "d/e"), { recursive: true });
        await write(join(root, "d/e/f"));
      },
      summaries: ["remove directory /d recursively"],
      check: async (real) => assert.equal(await Deno.lstat(real("/d")).catch(() => null), null),
    },
    { name: "absent: already gone", params: { path: "/d", state: "absent" }, summaries: [] },
    {
      name: "link: create",
      params: { path: "/l", state: "link", src: "target" },
      setup: (root) => write(join(root, "target")),
      summaries: ["symlink /l -> target"],
      check: async (real) => assert.equal(await Deno.readLink(real("/l")), "target"),
    },
    {
      name: "link: retarget",
      params: { path: "/l", state: "link", src: "b" },
      setup: async (root) => {
        await write(join(root, "a"));
        await write(join(root, "b"));
        await Deno.symlink("a", join(root, "l"));
      },
      summaries: ["symlink /l: a -> b"],
    },
    {
      name: "link: a file in the way needs force",
      params: { path: "/l", state: "link", src: "t" },
      setup: async (root) => {
        await write(join(root, "t"));
        await write(join(root, "l"));
      },
      summaries: [],
      throws: /refusing to convert from file to symlink for \/l/,
    },
    {
      name: "link: force replaces a file",
      params: { path: "/l", state: "link", src: "t", force: true },
      setup: async (root) => {
        await write(join(root, "t"));
        await write(join(root, "l"));
      },
      summaries: ["replace file /l with symlink -> t"],
    },
    {
      name: "link: a missing src needs force",
      params: { path: "/l", state: "link", src: "/nowhere" },
      summaries: [],
      throws: /src file does not exist, use "force=yes"/,
    },
    {
      name: "link: force makes a dangling link",
      params: { path: "/l", state: "link", src: "/nowhere", force: "yes" },
      summaries: ["symlink /l -> /nowhere"],
    },
    {
      name: "link: mode goes to the target when following",
      params: { path: "/l", state: "link", src: "t", mode: "0600" },
      setup: (root) => write(join(root, "t")),
      summaries: ["symlink /l -> t", "chmod 0644 -> 0600 /t"],
    },
    {
      name: "hard: create, then the same inode is converged",
      params: { path: "/h", state: "hard", src: "/src" },
      setup: (root) => write(join(root, "src")),
      summaries: ["hard link /h -> /src"],
      check: async (real) =>
        assert.equal((await Deno.stat(real("/h"))).ino, (await Deno.stat(real("/src"))).ino),
    },
    {
      name: "hard: a different file needs force",
      params: { path: "/h", state: "hard", src: "/src" },
      setup: async (root) => {
        await write(join(root, "src"));
        await write(join(root, "h"));
      },
      summaries: [],
      throws: /Cannot link, file exists at destination/,
    },
    {
      name: "recurse: X gives directories their search bit only",
      params: { path: "/d", state: "directory", recurse: true, mode: "u=rwX,g=rX,o=" },
      setup: async (root) => {
        await Deno.mkdir(join(root, "d/sub"), { recursive: true });
        await Deno.chmod(join(root, "d"), 0o755);
        await Deno.chmod(join(root, "d/sub"), 0o777);
        await write(join(root, "d/f"), "x", 0o666);
        await write(join(root, "d/sub/g"), "y", 0o640);
      },
      summaries: [
        "chmod 0755 -> 0750 /d",
        "chmod 0666 -> 0640 /d/f",
        "chmod 0777 -> 0750 /d/sub",
      ],
      check: async (real) => assert.equal(await mode(real("/d/sub/g")), 0o640),
    },
    {
      name: "recurse: a symlink inside is not chmod'ed, its target is when following",
      params: { path: "/d", state: "directory", recurse: true, mode: "0700" },
      setup: async (root) => {
        await Deno.mkdir(join(root, "d"));
        await Deno.chmod(join(root, "d"), 0o700);
        await write(join(root, "outside"));
        await Deno.symlink("../outside", join(root, "d/l"));
      },
      summaries: ["chmod 0644 -> 0700 /outside"],
    },
    {
      name: "recurse: not following leaves link targets alone",
      params: { path: "/d", state: "directory", recurse: true, mode: "0700", follow: false },
      setup: async (root) => {
        await Deno.mkdir(join(root, "d"));
        await Deno.chmod(join(root, "d"), 0o700);
        await write(join(root, "outside"));
        await Deno.symlink("../outside", join(root, "d/l"));
      },
      summaries: [],
    },
    {
      name: "recurse needs state directory",
      params: { path: "/f", state: "file", recurse: true },
      setup: (root) => write(join(root, "f")),
      summaries: [],
      throws: /recurse option requires state to be 'directory'/,
    },
    {
      name: "src needs link or hard",
      params: { path: "/f", src: "/x" },
      summaries: [],
      throws: /src option requires state to be 'link' or 'hard'/,
    },
    {
      name: "unicode and spaces in names",
      params: { path: "/données/été 2024", state: "directory" },
      summaries: ["mkdir /données/été 2024"],
    },
  ]);
});

Deno.test(needs(rootMissing("chown"), {
  name: "file sets owner and group by name",
  fn: async (t) => {
    const accounts = async (root: string) => {
      await Deno.mkdir(join(root, "etc"));
      await Deno.writeTextFile(
        join(root, "etc/passwd"),
        "root:x:0:0::/:/bin/sh\nweb:x:4100:4100::/:/bin/sh\n",
      );
      await Deno.writeTextFile(join(root, "etc/group"), "root:x:0:\nweb:x:4100:\nadm:x:4200:\n");
    };
    await runCases(t, file, [
      {
        name: "chown and chgrp",
        params: { path: "/f", state: "file", owner: "web", group: "adm" },
        setup: async (root) => {
          await accounts(root);
          await write(join(root, "f"));
          await Deno.chown(join(root, "f"), 0, 0);
        },
        summaries: ["chown root -> web /f", "chgrp root -> adm /f"],
        check: async (real) => {
          const st = await Deno.stat(real("/f"));
          assert.deepEqual([st.uid, st.gid], [4100, 4200]);
        },
      },
      {
        name: "new directories get the owner",
        params: { path: "/a/b", state: "directory", owner: "4100", group: 4200 },
        setup: accounts,
        summaries: ["mkdir /a/b"],
        check: async (real) => {
          for (const p of ["/a", "/a/b"]) {
            const st = await Deno.stat(real(p));
            assert.deepEqual([st.uid, st.gid], [4100, 4200]);
          }
        },
      },
      {
        name: "follow: false changes the link itself",
        params: { path: "/l", state: "link", src: "t", owner: "web", follow: false },
        setup: async (root) => {
          await accounts(root);
          await write(join(root, "t"));
        },
        summaries: ["symlink /l -> t", "chown web /l"],
        check: async (real) => {
          assert.equal((await Deno.lstat(real("/l"))).uid, 4100);
          assert.equal((await Deno.stat(real("/t"))).uid, 0);
        },
      },
      {
        name: "an unknown user fails before anything changes",
        params: { path: "/d", state: "directory", owner: "ghost" },
        setup: accounts,
        summaries: [],
        throws: /failed to look up user ghost/,
        check: async (real) => assert.equal(await Deno.lstat(real("/d")).catch(() => null), null),
      },
    ]);
  },
}));

Deno.test("touch twice within a run converges; a later run touches again", async () => {
  const root = await Deno.makeTempDir();
  try {
    const host = new LocalHost({ root, chroot: false });
    await Deno.writeTextFile(join(root, "t"), "");
    const params = file.schema.parse({ path: "/t", state: "touch" });
    await Deno.utime(join(root, "t"), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const first = file.plan(params, await file.read(params, host, {} as never));
    assert.deepEqual(first.map((c) => c.summary), ["touch /t"]);
    for (const c of first) await file.apply(c.op, host, {} as never);
    assert.deepEqual(file.plan(params, await file.read(params, host, {} as never)), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("strptime() reads Ansible's default time format in local time", () => {
  assert.equal(
    strptime("202401311205.09", "%Y%m%d%H%M.%S"),
    new Date(2024, 0, 31, 12, 5, 9).getTime(),
  );
  assert.equal(strptime("24-01-31", "%y-%m-%d"), new Date(2024, 0, 31).getTime());
  assert.throws(() => strptime("2024013", "%Y%m%d%H%M.%S"), /does not match format/);
  assert.throws(() => strptime("202402301200.00", "%Y%m%d%H%M.%S"), /does not match format/);
});

Deno.test(needs(umaskMismatch(), {
  name: "file leaves the tree Ansible's file module leaves",
  fn: (t) => replayTrees(t, file, "file"),
}));
