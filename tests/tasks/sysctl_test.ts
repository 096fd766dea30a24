import assert from "node:assert/strict";
import { editSysctl, sysctl } from "../../tasks/sysctl.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost, writeFiles } from "../_helpers/scripted_host.ts";
import { converge, debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { needs } from "../_helpers/needs.ts";

Deno.test("editSysctl() replaces the first assignment, drops duplicates, keeps comments", () => {
  const text = "# comment\nnet.ipv4.ip_forward = 0\nvm.swappiness=10\nnet/ipv4/ip_forward=0\n";
  assert.equal(
    editSysctl(text, "net.ipv4.ip_forward", "1"),
    "# comment\nnet.ipv4.ip_forward=1\nvm.swappiness=10\n",
  );
  assert.equal(editSysctl(text, "vm.swappiness", "10"), text);
  assert.equal(editSysctl(text, "net.ipv4.ip_forward", undefined), "# comment\nvm.swappiness=10\n");
  assert.equal(editSysctl("", "a.b", "4096  87380"), "a.b=4096  87380\n");
  assert.equal(editSysctl("a.b = 4096\t87380\n", "a.b", "4096 87380"), "a.b = 4096\t87380\n");
});

Deno.test("sysctl: command table", async (t) => {
  let live = "0";
  await runCases(t, sysctl, [
    {
      name: "appends to the file and reloads it",
      params: { name: "net.ipv4.ip_forward", value: 1, sysctl_file: "/etc/sysctl.d/99-fwd.conf" },
      setup: async (root, host) => {
        await Deno.mkdir(`${root}/etc/sysctl.d`, { recursive: true });
        (host as ScriptedHost).script({ match: "sysctl -p /etc/sysctl.d/99-fwd.conf" });
      },
      summaries: [
        "set net.ipv4.ip_forward = 1 in /etc/sysctl.d/99-fwd.conf && sysctl -p /etc/sysctl.d/99-fwd.conf",
      ],
      changes: (ch) => assert.equal(ch[0]!.diff!.after, "net.ipv4.ip_forward=1\n"),
      check: async (real, host) => {
        assert.equal(
          await Deno.readTextFile(real("/etc/sysctl.d/99-fwd.conf")),
          "net.ipv4.ip_forward=1\n",
        );
        assert.deepEqual((host as ScriptedHost).lines(), ["sysctl -p /etc/sysctl.d/99-fwd.conf"]);
      },
    },
    {
      name: "reload off with ignoreerrors: file only",
      params: { key: "vm.swappiness", val: "10", reload: "no", ignoreerrors: true },
      setup: (root) => writeFiles(root, { "/etc/sysctl.conf": "vm.swappiness=60\n" }),
      summaries: ["set vm.swappiness = 10 in /etc/sysctl.conf"],
    },
    {
      name: "sysctl_set compares the live value and sets it with -w",
      params: { name: "net.ipv4.ip_forward", value: "1", sysctl_set: true },
      setup: async (root, host) => {
        await writeFiles(root, {
          "/etc/sysctl.conf": "net.ipv4.ip_forward=1\n",
          "/proc/sys/net/ipv4/ip_forward": `${live}\n`,
        });
        (host as ScriptedHost).script({
          match: "sysctl -w net.ipv4.ip_forward=1",
          reply: () => {
            live = "1";
            Deno.writeTextFileSync(host.realPath("/proc/sys/net/ipv4/ip_forward"), "1\n");
          },
        });
      },
      summaries: ["sysctl -w net.ipv4.ip_forward=1"],
      changes: (ch) => assert.equal(ch[0]!.diff!.before, "net.ipv4.ip_forward = 0\n"),
    },
    {
      name: "absent removes the line",
      params: { name: "vm.swappiness", state: "absent", reload: false },
      setup: (root) => writeFiles(root, { "/etc/sysctl.conf": "a=1\nvm.swappiness = 10\n" }),
      summaries: ["remove vm.swappiness in /etc/sysctl.conf"],
      check: async (real) =>
        assert.equal(await Deno.readTextFile(real("/etc/sysctl.conf")), "a=1\n"),
    },
    {
      name: "a matching value is converged",
      params: { name: "vm.swappiness", value: "10" },
      setup: (root) => writeFiles(root, { "/etc/sysctl.conf": "vm.swappiness = 10\n" }),
      summaries: [],
    },
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test(needs(debianRootMissing(), {
  name: "sysctl: a sysctl.d file in the Debian root (reload off: the kernel is the host's)",
  async fn() {
    const root = await openRoot();
    try {
      const p = {
        name: "vm.swappiness",
        value: 10,
        sysctl_file: "/etc/sysctl.d/60-swap.conf",
        reload: false,
      };
      const r = await converge(sysctl, p, root.host);
      assert.equal(r.first.length, 1);
      assert.deepEqual(r.again, []);
      assert.equal(
        await Deno.readTextFile(`${root.dir}/etc/sysctl.d/60-swap.conf`),
        "vm.swappiness=10\n",
      );
    } finally {
      await root.close();
    }
  },
}));
