import assert from "node:assert/strict";
import { user } from "../../tasks/user.ts";
import { group } from "../../tasks/group.ts";
import { type Case, runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost, writeFiles } from "../_helpers/scripted_host.ts";
import { converge, debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { needs } from "../_helpers/needs.ts";

const HASH =
  "$6$saltsalt$Wq1nY0nDq3jv0vJm0mJ2pTgXb0nQ1m0n1Q2x3y4z5A6B7C8D9E0F1G2H3I4J5K6L7M8N9O0P1Q2R3S4T5U6V7W";
const FILES = {
  "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nalice:x:1001:1001:Alice:/home/alice:/bin/bash\n",
  "/etc/group":
    "root:x:0:\nadm:x:4:\nsudo:x:27:alice\nusers:x:100:\nalice:x:1001:\ndocker:x:998:\n",
  "/etc/shadow": `root:*:19000:0:99999:7:::\nalice:${HASH}:19000:0:99999:7:::\n`,
};

/** A command-table case: files as above, commands recorded (no model, so no re-plan). */
function table(
  c: Omit<Case, "setup" | "check" | "acts"> & {
    commands?: string[];
    files?: Record<string, string>;
  },
): Case {
  return {
    ...c,
    acts: true,
    setup: async (root, host) => {
      await writeFiles(root, { ...FILES, ...c.files });
      (host as ScriptedHost).script({
        match: /^(useradd|usermod|userdel|groupadd|groupmod|groupdel) /,
      });
    },
    check: (_real, host) => {
      if (c.commands) assert.deepEqual((host as ScriptedHost).lines(), c.commands);
    },
  };
}

Deno.test("user: command table", async (t) => {
  await runCases(t, user, [
    table({
      name: "creates a user with every field, the hash redacted in summary and diff",
      params: {
        name: "bob",
        uid: 1500,
        group: "users",
        groups: "sudo,adm",
        home: "/srv/bob",
        shell: "/bin/bash",
        comment: "Bob B",
        password: HASH,
        expires: 1893456000,
      },
      summaries: [
        "useradd -u 1500 -g users -G sudo,adm -d /srv/bob -m -s /bin/bash -c 'Bob B' -p [hash] -e 2030-01-01 bob",
      ],
      commands: [
        `useradd -u 1500 -g users -G sudo,adm -d /srv/bob -m -s /bin/bash -c 'Bob B' -p '${HASH}' -e 2030-01-01 bob`,
      ],
      changes: (ch) => {
        assert.match(ch[0]!.diff!.after, /password: \[hash\]/);
        assert.match(ch[0]!.diff!.after, /groups: sudo,adm/);
        assert.doesNotMatch(JSON.stringify(ch[0]!.diff) + ch[0]!.summary, /saltsalt/);
      },
    }),
    table({
      name: "system user without a home",
      params: { name: "svc", system: true, create_home: "no", shell: "/usr/sbin/nologin" },
      summaries: ["useradd -M -s /usr/sbin/nologin -r svc"],
    }),
    table({
      name: "an existing user that matches is converged",
      params: {
        name: "alice",
        uid: "1001",
        group: 1001,
        groups: ["sudo"],
        shell: "/bin/bash",
        comment: "Alice",
        password: HASH,
      },
      summaries: [],
    }),
    table({
      name: "changes only the fields that differ, with a field diff",
      params: { name: "alice", shell: "/bin/zsh", comment: "Alice A" },
      summaries: ["usermod -s /bin/zsh -c 'Alice A' alice"],
      changes: (ch) => {
        assert.equal(ch[0]!.diff!.before, "name: alice\nshell: /bin/bash\ncomment: Alice\n");
        assert.equal(ch[0]!.diff!.after, "name: alice\nshell: /bin/zsh\ncomment: Alice A\n");
      },
    }),
    table({
      name: "append adds only the missing groups",
      params: { name: "alice", groups: ["sudo", "docker"], append: true },
      summaries: ["usermod -a -G docker alice"],
    }),
    table({
      name: "without append the list is exact (primary group left out)",
      params: { name: "alice", groups: ["adm", "alice"] },
      summaries: ["usermod -G adm alice"],
    }),
    table({
      name: "an empty groups string removes every supplementary group",
      params: { name: "alice", groups: "" },
      summaries: ["usermod -G '' alice"],
    }),
    table({
      name: "a new hash is set, shown redacted",
      params: { name: "alice", password: "$6$other$hash" },
      summaries: ["usermod -p [hash] alice"],
      commands: ["usermod -p '$6$other$hash' alice"],
      changes: (ch) => assert.doesNotMatch(JSON.stringify(ch[0]!.diff), /other/),
    }),
    table({
      name: "update_password on_create leaves an existing hash alone",
      params: { name: "alice", password: "$6$other$hash", update_password: "on_create" },
      summaries: [],
    }),
    table({
      name: "password_lock locks with usermod -L",
      params: { name: "alice", password_lock: true },
      summaries: ["usermod -L alice"],
      changes: (ch) => assert.match(ch[0]!.diff!.after, /password: \[hash\] \(locked\)/),
    }),
    table({
      name: "a locked account stays locked",
      params: { name: "alice", password_lock: true },
      files: { "/etc/shadow": `alice:!${HASH}:19000:0:99999:7:::\n` },
      summaries: [],
    }),
    table({
      name: "expires sets and clears the expiry date",
      params: { name: "alice", expires: 1893456000 },
      summaries: ["usermod -e 2030-01-01 alice"],
    }),
    table({
      name: "a negative expires removes an expiry",
      params: { name: "alice", expires: -1 },
      files: { "/etc/shadow": `alice:${HASH}:19000:0:99999:7::21915:\n` },
      summaries: ["usermod -e '' alice"],
    }),
    table({
      name: "absent with remove deletes the home too",
      params: { user: "alice", state: "absent", remove: true },
      summaries: ["userdel -r alice"],
      changes: (ch) => assert.match(ch[0]!.diff!.before, /groups: sudo/),
    }),
    table({
      name: "absent for a missing user is converged",
      params: { name: "nobody-here", state: "absent" },
      summaries: [],
    }),
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test("group: command table", async (t) => {
  await runCases(t, group, [
    table({
      name: "creates a system group with a gid",
      params: { name: "deploy", gid: "2000", system: "yes" },
      summaries: ["groupadd -g 2000 -r deploy"],
    }),
    table({ name: "an existing group is converged", params: { name: "docker" }, summaries: [] }),
    table({
      name: "changes the gid",
      params: { name: "docker", gid: 999 },
      summaries: ["groupmod -g 999 docker"],
      changes: (ch) => {
        assert.match(ch[0]!.diff!.before, /gid: 998/);
        assert.match(ch[0]!.diff!.after, /gid: 999/);
      },
    }),
    table({
      name: "removes",
      params: { name: "docker", state: "absent" },
      summaries: ["groupdel docker"],
    }),
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test(needs(debianRootMissing(), {
  name: "user and group: real useradd/usermod/userdel in the Debian root",
  async fn() {
    const root = await openRoot();
    try {
      const g = await converge(group, { name: "deployers", gid: 2500 }, root.host);
      assert.deepEqual(g.first.map((c) => c.summary), ["groupadd -g 2500 deployers"]);
      assert.deepEqual(g.again, []);

      const want = {
        name: "alice",
        uid: 2001,
        groups: ["deployers", "sudo"],
        shell: "/bin/bash",
        comment: "Alice",
        password: HASH,
        password_lock: true,
      };
      const u = await converge(user, want, root.host);
      assert.equal(u.first.length, 1);
      assert.deepEqual(u.again, []);
      const passwd = await Deno.readTextFile(`${root.dir}/etc/passwd`);
      assert.match(passwd, /^alice:x:2001:\d+:Alice:\/home\/alice:\/bin\/bash$/m);
      assert.ok((await Deno.readTextFile(`${root.dir}/etc/shadow`)).includes(`\nalice:!${HASH}:`));
      assert.ok((await Deno.stat(`${root.dir}/home/alice`)).isDirectory);

      const m = await converge(user, {
        ...want,
        shell: "/bin/sh",
        groups: ["sudo"],
        password_lock: false,
      }, root.host);
      assert.deepEqual(m.first.map((c) => c.summary), [
        "usermod -G sudo -s /bin/sh alice && usermod -U alice",
      ]);
      assert.deepEqual(m.again, []);
      assert.match(await Deno.readTextFile(`${root.dir}/etc/group`), /^deployers:x:2500:$/m);

      const d = await converge(user, { name: "alice", state: "absent", remove: true }, root.host);
      assert.deepEqual(d.first.map((c) => c.summary), ["userdel -r alice"]);
      assert.deepEqual(d.again, []);
      await assert.rejects(Deno.stat(`${root.dir}/home/alice`));
      const gd = await converge(group, { name: "deployers", state: "absent" }, root.host);
      assert.deepEqual(gd.first.map((c) => c.summary), ["groupdel deployers"]);
      assert.deepEqual(gd.again, []);
    } finally {
      await root.close();
    }
  },
}));
