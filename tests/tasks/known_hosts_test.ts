import assert from "node:assert/strict";
import { knownHosts } from "../../tasks/known_hosts.ts";
import { hashHost, hostFieldMatches } from "../../tasks/_ssh_keys.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { writeFiles } from "../_helpers/scripted_host.ts";
import { needs, toolMissing } from "../_helpers/needs.ts";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
const OLD = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
const RSA = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7";
// ssh-keygen -H's format, computed independently (HMAC-SHA1 keyed by the salt 0..19).
const HASHED = "|1|AAECAwQFBgcICQoLDA0ODxAREhM=|gvHh3r1BCltA892h9G5kQrV6GG8=";

Deno.test("hashHost() matches ssh-keygen's hashed names", async () => {
  assert.equal(
    await hashHost("git.example.org", Uint8Array.from({ length: 20 }, (_, i) => i)),
    HASHED,
  );
  assert.ok(await hostFieldMatches(HASHED, "git.example.org"));
  assert.ok(!(await hostFieldMatches(HASHED, "other.example.org")));
  assert.ok(await hostFieldMatches("a.example.org,git.example.org", "git.example.org"));
});

const F = "/root/.ssh/known_hosts";

Deno.test("known_hosts: file table", async (t) => {
  await runCases(t, knownHosts, [
    {
      name: "adds a host to a missing file",
      params: { name: "git.example.org", key: `git.example.org ${KEY}`, path: F },
      summaries: [`set the key of git.example.org in ${F}`],
      check: async (real) =>
        assert.equal(await Deno.readTextFile(real(F)), `git.example.org ${KEY}\n`),
    },
    {
      name: "a hashed entry with the same key is converged",
      params: { name: "git.example.org", key: `git.example.org ${KEY}`, path: F, hash_host: true },
      setup: (root) => writeFiles(root, { [F]: `${HASHED} ${KEY}\n` }),
      summaries: [],
    },
    {
      name: "a changed key replaces the old one, other types and hosts stay",
      params: { name: "git.example.org", key: `git.example.org ${KEY}`, path: F },
      setup: (root) =>
        writeFiles(root, { [F]: `other ${OLD}\n${HASHED} ${OLD}\ngit.example.org ${RSA}\n` }),
      summaries: [`set the key of git.example.org in ${F}`],
      check: async (real) =>
        assert.equal(
          await Deno.readTextFile(real(F)),
          `other ${OLD}\ngit.example.org ${RSA}\ngit.example.org ${KEY}\n`,
        ),
    },
    {
      name: "hash_host writes a hashed name that matches",
      params: {
        name: "[git.example.org]:2222",
        key: `[git.example.org]:2222 ${KEY}`,
        path: F,
        hash_host: "yes",
      },
      summaries: [/^set the key of \[git.example.org\]:2222/],
      check: async (real) => {
        const line = (await Deno.readTextFile(real(F))).trim();
        assert.match(line, /^\|1\|[^ ]+ ssh-ed25519 /);
        assert.ok(await hostFieldMatches(line.split(" ")[0]!, "[git.example.org]:2222"));
      },
    },
    {
      name: "absent removes every entry of the host",
      params: { name: "git.example.org", state: "absent", path: F },
      setup: (root) =>
        writeFiles(root, { [F]: `${HASHED} ${KEY}\nother ${OLD}\ngit.example.org ${RSA}\n` }),
      summaries: [`remove the keys of git.example.org in ${F}`],
      check: async (real) => assert.equal(await Deno.readTextFile(real(F)), `other ${OLD}\n`),
    },
    {
      name: "a key line for another host is refused",
      params: { name: "git.example.org", key: `evil.example.org ${KEY}`, path: F },
      summaries: [],
      throws: /does not name "git.example.org"/,
    },
  ]);
});

Deno.test(needs(toolMissing("ssh-keygen"), {
  name: "known_hosts: ssh-keygen -F finds what the task wrote (hashed)",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const { LocalHost } = await import("../../lib/apply/host.ts");
      const host = new LocalHost();
      const path = `${dir}/known_hosts`;
      const params = knownHosts.schema.parse({
        name: "git.example.org",
        key: `git.example.org ${KEY}`,
        path,
        hash_host: true,
      });
      const ctx = { configDir: dir, renderTemplate: () => Promise.reject(new Error("none")) };
      for (const c of knownHosts.plan(params, await knownHosts.read(params, host, ctx))) {
        await knownHosts.apply(c.op, host, ctx);
      }
      const out = await new Deno.Command("ssh-keygen", {
        args: ["-F", "git.example.org", "-f", path],
        stdout: "piped",
      }).output();
      assert.ok(out.success);
      assert.match(new TextDecoder().decode(out.stdout), /ssh-ed25519 AAAAC3/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));
