import assert from "node:assert/strict";
import { authorizedKey, editKeys } from "../../tasks/authorized_key.ts";
import { parseKey } from "../../tasks/_ssh_keys.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { writeFiles } from "../_helpers/scripted_host.ts";
import { converge, debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { needs } from "../_helpers/needs.ts";

const K1 =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop";
const K2 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 bob@desk";
const K3 = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY= carol";

Deno.test("parseKey() reads options with quoted spaces, type, blob and comment", () => {
  assert.deepEqual(parseKey(`command="echo a b",no-pty ${K1}`), {
    options: 'command="echo a b",no-pty',
    type: "ssh-ed25519",
    blob: "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    comment: "alice@laptop",
  });
  assert.equal(parseKey("# comment"), undefined);
  assert.equal(parseKey("garbage line"), undefined);
});

Deno.test("editKeys() matches keys by type and blob", () => {
  const k1 = parseKey(K1)!;
  assert.equal(editKeys(`${K2}\n`, [k1], { state: "present", exclusive: false }), `${K2}\n${K1}\n`);
  assert.equal(editKeys(`${K2}\n${K1}\n`, [k1], { state: "present", exclusive: true }), `${K1}\n`);
  assert.equal(
    editKeys(`# keep\n${K1}\n${K2}\n`, [k1], { state: "absent", exclusive: false }),
    `# keep\n${K2}\n`,
  );
  // Same key with other options is replaced in place; a duplicate is dropped.
  assert.equal(
    editKeys(`no-pty ${K1}\n${K2}\n${K1}\n`, [k1], { state: "present", exclusive: false }),
    `${K1}\n${K2}\n`,
  );
});

const PASSWD = {
  "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nalice:x:0:0:Alice:/home/alice:/bin/bash\n",
};

Deno.test("authorized_key: file table", async (t) => {
  await runCases(t, authorizedKey, [
    {
      name: "creates ~/.ssh 0700 and the file 0600 with several keys",
      params: { user: "alice", key: `${K1}\n${K2}\n` },
      setup: (root) => writeFiles(root, PASSWD),
      summaries: [
        "mkdir -m 0700 /home/alice/.ssh",
        "add 2 key(s) in /home/alice/.ssh/authorized_keys",
      ],
      changes: (ch) => assert.equal(ch[1]!.diff!.after, `${K1}\n${K2}\n`),
      check: async (real) => {
        assert.equal((await Deno.stat(real("/home/alice/.ssh"))).mode! & 0o777, 0o700);
        assert.equal(
          (await Deno.stat(real("/home/alice/.ssh/authorized_keys"))).mode! & 0o777,
          0o600,
        );
      },
    },
    {
      name: "key_options and comment override, in place",
      params: { user: "alice", key: K1, key_options: 'from="10.0.0.0/8"', comment: "ops" },
      setup: (root) =>
        writeFiles(root, { ...PASSWD, "/home/alice/.ssh/authorized_keys": `${K2}\n${K1}\n` }),
      summaries: [
        "chmod 0700, chown 0:0 /home/alice/.ssh",
        "add 0 key(s) in /home/alice/.ssh/authorized_keys",
      ],
      changes: (ch) =>
        assert.equal(
          ch[1]!.diff!.after,
          `${K2}\nfrom="10.0.0.0/8" ${K1.split(" ").slice(0, 2).join(" ")} ops\n`,
        ),
      check: async (real) => {
        assert.equal(
          (await Deno.stat(real("/home/alice/.ssh/authorized_keys"))).mode! & 0o777,
          0o600,
        );
      },
    },
    {
      name: "exclusive keeps only the given keys",
      params: { user: "alice", key: K3, exclusive: true },
      setup: async (root) => {
        await writeFiles(root, { ...PASSWD, "/home/alice/.ssh/authorized_keys": `${K1}\n${K2}\n` });
        await Deno.chmod(`${root}/home/alice/.ssh`, 0o700);
      },
      summaries: ["add 1 key(s) in /home/alice/.ssh/authorized_keys (exclusive)"],
      check: async (real) =>
        assert.equal(await Deno.readTextFile(real("/home/alice/.ssh/authorized_keys")), `${K3}\n`),
    },
    {
      name: "absent removes it",
      params: { user: "alice", key: K2, state: "absent", path: "/etc/ssh/keys/alice" },
      setup: (root) => writeFiles(root, { ...PASSWD, "/etc/ssh/keys/alice": `${K1}\n${K2}\n` }),
      summaries: ["remove 1 key(s) from /etc/ssh/keys/alice"],
      check: async (real) =>
        assert.equal(await Deno.readTextFile(real("/etc/ssh/keys/alice")), `${K1}\n`),
    },
    {
      name: "wrong modes are fixed when the content is right",
      params: { user: "alice", key: K1 },
      setup: async (root) => {
        await writeFiles(root, { ...PASSWD, "/home/alice/.ssh/authorized_keys": `${K1}\n` });
        await Deno.chmod(`${root}/home/alice/.ssh/authorized_keys`, 0o644);
        await Deno.chmod(`${root}/home/alice/.ssh`, 0o700);
      },
      summaries: ["chmod 0600, chown 0:0 /home/alice/.ssh/authorized_keys"],
    },
    {
      name: "an unknown user fails",
      params: { user: "nobody-here", key: K1 },
      setup: (root) => writeFiles(root, PASSWD),
      summaries: [],
      throws: /user "nobody-here" does not exist/,
    },
    {
      name: "a line that is not a key fails",
      params: { user: "alice", key: "not a key" },
      setup: (root) => writeFiles(root, PASSWD),
      summaries: [],
      throws: /not an SSH public key line/,
    },
  ]);
});

Deno.test("authorized_key: keys from an http URL", async (t) => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(`${K1}\n${K2}\n`),
  );
  try {
    await runCases(t, authorizedKey, [{
      name: "fetches the keys",
      params: { user: "alice", key: `http://127.0.0.1:${server.addr.port}/alice.keys` },
      setup: (root) => writeFiles(root, PASSWD),
      summaries: [
        "mkdir -m 0700 /home/alice/.ssh",
        "add 2 key(s) in /home/alice/.ssh/authorized_keys",
      ],
    }]);
  } finally {
    await server.shutdown();
  }
});

Deno.test(needs(debianRootMissing(), {
  name: "authorized_key: owned by the user in the Debian root",
  async fn() {
    const root = await openRoot();
    try {
      const add = await new Deno.Command("/usr/sbin/chroot", {
        args: [root.dir, "useradd", "-m", "-u", "2100", "dave"],
      }).output();
      assert.ok(add.success);
      const r = await converge(authorizedKey, { user: "dave", key: K1 }, root.host);
      assert.equal(r.first.length, 2);
      assert.deepEqual(r.again, []);
      const st = await Deno.stat(`${root.dir}/home/dave/.ssh/authorized_keys`);
      assert.equal(st.uid, 2100);
      assert.equal(st.mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(`${root.dir}/home/dave/.ssh`)).uid, 2100);
    } finally {
      await root.close();
    }
  },
}));
