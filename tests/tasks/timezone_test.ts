import assert from "node:assert/strict";
import { timezone } from "../../tasks/timezone.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost, writeFiles } from "../_helpers/scripted_host.ts";
import { converge, debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { needs } from "../_helpers/needs.ts";

async function zones(root: string) {
  await writeFiles(root, {
    "/usr/share/zoneinfo/Etc/UTC": "TZif",
    "/usr/share/zoneinfo/Europe/Paris": "TZif",
    "/etc/debian_version": "12.5\n",
    "/etc/timezone": "Etc/UTC\n",
  });
  await Deno.symlink("/usr/share/zoneinfo/Etc/UTC", `${root}/etc/localtime`);
}

Deno.test("timezone: command table", async (t) => {
  await runCases(t, timezone, [
    {
      name: "without systemd: relinks /etc/localtime and writes /etc/timezone",
      params: { name: "Europe/Paris" },
      setup: zones,
      summaries: [
        "link /etc/localtime -> /usr/share/zoneinfo/Europe/Paris (was Etc/UTC)",
        "write /etc/timezone: Etc/UTC -> Europe/Paris",
      ],
      check: async (real) => {
        assert.equal(
          await Deno.readLink(real("/etc/localtime")),
          "/usr/share/zoneinfo/Europe/Paris",
        );
        assert.equal(await Deno.readTextFile(real("/etc/timezone")), "Europe/Paris\n");
      },
    },
    {
      name: "with systemd running: timedatectl",
      params: { name: "Europe/Paris" },
      setup: async (root, host) => {
        await zones(root);
        await Deno.mkdir(`${root}/run/systemd/system`, { recursive: true });
        let zone = "Etc/UTC";
        (host as ScriptedHost).script(
          {
            match: "timedatectl show --property=Timezone --value",
            reply: () => ({ stdout: `${zone}\n` }),
          },
          {
            match: "timedatectl set-timezone Europe/Paris",
            reply: () => void (zone = "Europe/Paris"),
          },
        );
      },
      summaries: ["timedatectl set-timezone Europe/Paris"],
    },
    {
      name: "an unknown zone fails with its name",
      params: { name: "Mars/Olympus" },
      setup: zones,
      summaries: [],
      throws: /unknown time zone "Mars\/Olympus"/,
    },
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test(needs(debianRootMissing(), {
  name: "timezone: /etc/localtime and /etc/timezone in the Debian root",
  async fn() {
    const root = await openRoot();
    try {
      const r = await converge(timezone, { name: "America/New_York" }, root.host);
      assert.equal(r.first.length, 2);
      assert.deepEqual(r.again, []);
      assert.equal(
        await Deno.readLink(`${root.dir}/etc/localtime`),
        "/usr/share/zoneinfo/America/New_York",
      );
      const out = await new Deno.Command("/usr/sbin/chroot", {
        args: [root.dir, "date", "+%Z"],
        clearEnv: true,
        env: { PATH: "/usr/bin:/bin" },
      }).output();
      assert.match(new TextDecoder().decode(out.stdout), /^E[SD]T$/m);
    } finally {
      await root.close();
    }
  },
}));
