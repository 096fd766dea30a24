/**
 * selinux, deb822_repository, openssh_keypair and the user module's ssh key and password aging:
 * run for real, in temp trees and in the cached Debian root (its ssh-keygen, useradd, chage).
 */
import assert from "node:assert/strict";
import { LocalHost } from "../../lib/apply/host.ts";
import type { TaskContext, TaskModule } from "../../lib/apply/task.ts";
import { deb822Repository, deb822Text, slugOf } from "../../tasks/deb822_repository.ts";
import { opensshKeypair } from "../../tasks/openssh_keypair.ts";
import { selinux, setConfig } from "../../tasks/selinux.ts";
import { user } from "../../tasks/user.ts";
import { writeTree } from "../_helpers/cli.ts";
import { converge, debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { needs } from "../_helpers/needs.ts";

const ctx = {} as TaskContext;

async function withRoot(
  files: Record<string, string>,
  fn: (root: string, host: LocalHost) => Promise<void>,
) {
  const root = await Deno.makeTempDir({ prefix: "driftless_sysmod_" });
  try {
    await writeTree(root, files);
    await fn(root, new LocalHost({ root, chroot: false }));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function plan(
  // deno-lint-ignore no-explicit-any
  task: TaskModule<any, any, any>,
  raw: Record<string, unknown>,
  host: LocalHost,
) {
  const p = task.schema.parse(raw);
  return task.plan(p, await task.read(p, host, ctx));
}

Deno.test("selinux only reports where SELinux is absent, and edits the config where present", async () => {
  await withRoot({}, async (_root, host) => {
    assert.deepEqual(await plan(selinux, { state: "disabled" }, host), []);
    await assert.rejects(
      plan(selinux, { state: "enforcing", policy: "targeted" }, host),
      /SELinux is absent/,
    );
  });
  await withRoot({
    "etc/selinux/config": "# comment\nSELINUX=enforcing\nSELINUXTYPE=targeted\n",
  }, async (root, host) => {
    const r = await converge(selinux, { state: "permissive", policy: "mls" }, host);
    assert.deepEqual(r.first.map((c) => c.summary), [
      "SELINUX=permissive SELINUXTYPE=mls in /etc/selinux/config",
    ]);
    assert.deepEqual(r.again, []);
    assert.equal(
      await Deno.readTextFile(`${root}/etc/selinux/config`),
      "# comment\nSELINUX=permissive\nSELINUXTYPE=mls\n",
    );
  });
  assert.equal(setConfig("", "disabled", undefined), "SELINUX=disabled\n");
});

Deno.test("deb822_repository writes the sources file as ansible-core's module does", async () => {
  const key =
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF\n-----END PGP PUBLIC KEY BLOCK-----\n";
  await withRoot({ "etc/apt/sources.list.d/.keep": "" }, async (root, host) => {
    const raw = {
      name: "Example Repo_1",
      uris: "https://packages.example.com/debian",
      suites: ["bookworm"],
      components: "main",
      signed_by: key,
      enabled: true,
    };
    assert.equal(slugOf(raw.name), "example-repo-1");
    const r = await converge(deb822Repository, raw, host);
    assert.deepEqual(r.first.map((c) => c.summary), [
      "create /etc/apt/sources.list.d/example-repo-1.sources",
    ]);
    assert.deepEqual(r.again, []);
    const text = await Deno.readTextFile(`${root}/etc/apt/sources.list.d/example-repo-1.sources`);
    assert.equal(
      text,
      [
        "Components: main",
        "Enabled: yes",
        "X-Repolib-Name: Example Repo_1",
        "Signed-By:",
        "    -----BEGIN PGP PUBLIC KEY BLOCK-----",
        "    .",
        "    mQINBF",
        "    -----END PGP PUBLIC KEY BLOCK-----",
        "Suites: bookworm",
        "Types: deb",
        "URIs: https://packages.example.com/debian",
        "",
      ].join("\n"),
    );
    assert.equal(
      (await Deno.stat(`${root}/etc/apt/sources.list.d/example-repo-1.sources`)).mode! & 0o7777,
      0o644,
    );
    const gone = await converge(
      deb822Repository,
      { name: "Example Repo_1", state: "absent" },
      host,
    );
    assert.deepEqual(gone.first.map((c) => c.summary), [
      "remove /etc/apt/sources.list.d/example-repo-1.sources",
    ]);
    assert.deepEqual(gone.again, []);
  });
  assert.match(
    deb822Text(
      deb822Repository.schema.parse({ name: "x", uris: "u", signed_by: "/k.gpg" }),
      "/k.gpg",
    ),
    /^Signed-By: \/k\.gpg$/m,
  );
});

Deno.test(needs(debianRootMissing(), {
  name:
    "openssh_keypair and user's generate_ssh_key/password_expire_* run ssh-keygen and chage in the Debian root",
  async fn() {
    const root = await openRoot();
    try {
      const kp = await converge(opensshKeypair, {
        path: "/root/id_test",
        type: "ed25519",
        comment: "ops",
        mode: "0600",
      }, root.host);
      assert.deepEqual(kp.first.map((c) => c.summary), [
        "ssh-keygen -t ed25519 -b 256 -f /root/id_test",
      ]);
      assert.deepEqual(kp.again, []);
      assert.match(
        await Deno.readTextFile(`${root.dir}/root/id_test.pub`),
        /^ssh-ed25519 \S+ ops\n$/,
      );
      assert.equal(
        (await Deno.stat(`${root.dir}/root/id_test.pub`)).mode! & 0o7777,
        0o600,
        "mode applies to both files",
      );
      // A lost public key is written again from the private key, with the comment.
      await Deno.remove(`${root.dir}/root/id_test.pub`);
      const fix = await converge(opensshKeypair, {
        path: "/root/id_test",
        type: "ed25519",
        comment: "ops",
      }, root.host);
      assert.deepEqual(fix.first.map((c) => c.summary), ["create /root/id_test.pub"]);
      assert.deepEqual(fix.again, []);
      // Another type is generated again (regenerate: partial_idempotence).
      const rsa = await converge(
        opensshKeypair,
        { path: "/root/id_test", type: "rsa", size: 2048 },
        root.host,
      );
      assert.deepEqual(rsa.first.map((c) => c.summary), [
        "ssh-keygen -t rsa -b 2048 -f /root/id_test",
      ]);
      assert.deepEqual(rsa.again, []);

      const u = await converge(user, {
        name: "deploy",
        generate_ssh_key: true,
        ssh_key_type: "ed25519",
        ssh_key_comment: "deploy@test",
        password_expire_min: 1,
        password_expire_max: 90,
        password_expire_warn: 7,
      }, root.host);
      assert.deepEqual(u.first.map((c) => c.summary), [
        "useradd -m deploy",
        "chage -m 1 -M 90 -W 7 deploy",
        "ssh-keygen -t ed25519 -f /home/deploy/.ssh/id_ed25519",
      ]);
      assert.deepEqual(u.again, []);
      const shadow = (await Deno.readTextFile(`${root.dir}/etc/shadow`)).split("\n").find((l) =>
        l.startsWith("deploy:")
      )!;
      assert.deepEqual(shadow.split(":").slice(3, 6), ["1", "90", "7"]);
      const ssh = await Deno.stat(`${root.dir}/home/deploy/.ssh`);
      const key = await Deno.stat(`${root.dir}/home/deploy/.ssh/id_ed25519`);
      assert.deepEqual([ssh.mode! & 0o7777, ssh.uid === key.uid, key.uid !== 0], [
        0o700,
        true,
        true,
      ]);
    } finally {
      await root.close();
    }
  },
}));
