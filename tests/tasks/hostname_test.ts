import assert from "node:assert/strict";
import { hostname } from "../../tasks/hostname.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost, writeFiles } from "../_helpers/scripted_host.ts";
import { converge, debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { needs } from "../_helpers/needs.ts";

Deno.test("hostname: command table", async (t) => {
  await runCases(t, hostname, [
    {
      name: "without systemd: file, then the live name",
      params: { name: "web1.example.org" },
      setup: async (root, host) => {
        await writeFiles(root, { "/etc/hostname": "old\n", "/proc/sys/kernel/hostname": "old\n" });
        (host as ScriptedHost).script({
          match: "hostname web1.example.org",
          reply: () =>
            Deno.writeTextFileSync(`${root}/proc/sys/kernel/hostname`, "web1.example.org\n"),
        });
      },
      summaries: ["write /etc/hostname: old -> web1.example.org", "hostname web1.example.org"],
      changes: (ch) => {
        assert.deepEqual(ch[0]!.diff, {
          before: "old\n",
          after: "web1.example.org\n",
          path: "/etc/hostname",
        });
      },
      check: async (real) =>
        assert.equal(await Deno.readTextFile(real("/etc/hostname")), "web1.example.org\n"),
    },
    {
      name: "with systemd running: hostnamectl",
      params: { name: "web1" },
      setup: async (root, host) => {
        await writeFiles(root, { "/etc/hostname": "old\n", "/proc/sys/kernel/hostname": "old\n" });
        await Deno.mkdir(`${root}/run/systemd/system`, { recursive: true });
        (host as ScriptedHost).script({
          match: "hostnamectl set-hostname web1",
          reply: () => {
            Deno.writeTextFileSync(`${root}/proc/sys/kernel/hostname`, "web1\n");
            Deno.writeTextFileSync(`${root}/etc/hostname`, "web1\n");
          },
        });
      },
      summaries: ["hostnamectl set-hostname web1"],
    },
    {
      name: "no /proc (a chroot): the file only",
      params: { name: "web1" },
      setup: (root) => Deno.mkdir(`${root}/etc`),
      summaries: ["write /etc/hostname: (none) -> web1"],
    },
    {
      name: "converged",
      params: { name: "web1" },
      setup: (root) =>
        writeFiles(root, { "/etc/hostname": "web1\n", "/proc/sys/kernel/hostname": "web1\n" }),
      summaries: [],
    },
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test("hostname: invalid names are schema errors", () => {
  assert.equal(hostname.schema.safeParse({ name: "bad_name!" }).success, false);
  assert.equal(hostname.schema.safeParse({ name: "-lead" }).success, false);
});

Deno.test(needs(debianRootMissing(), {
  name: "hostname: /etc/hostname in the Debian root (the live name is the machine's: not touched)",
  async fn() {
    const root = await openRoot();
    try {
      const r = await converge(hostname, { name: "driftless-test" }, root.host);
      assert.deepEqual(r.first.map((c) => c.summary), [
        "write /etc/hostname: debian-root -> driftless-test",
      ]);
      assert.deepEqual(r.again, []);
      assert.equal(await Deno.readTextFile(`${root.dir}/etc/hostname`), "driftless-test\n");
    } finally {
      await root.close();
    }
  },
}));
