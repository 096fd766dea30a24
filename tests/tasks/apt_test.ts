import assert from "node:assert/strict";
import { apt, parseAptSimulation } from "../../tasks/apt.ts";
import { type Case, runCases } from "../_helpers/run_cases.ts";
import { type Rule, ScriptedHost, writeFiles } from "../_helpers/scripted_host.ts";
import { type PkgModel, pkgModel } from "../_helpers/pkg_model.ts";
import { converge, debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { needs } from "../_helpers/needs.ts";

const BASE = "apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold";

Deno.test("parseAptSimulation() reads Inst and Remv lines", () => {
  const text =
    "Reading package lists...\nRemv libfoo1 [1.0-1]\nInst bash [5.2-1] (5.2-2 Debian:12.5/stable [amd64])\nInst newpkg (1.0 Debian:12.5/stable [amd64])\nConf bash (5.2-2 Debian)\n";
  assert.deepEqual(parseAptSimulation(text), {
    remove: ["libfoo1 1.0-1"],
    install: ["bash 5.2-1 -> 5.2-2", "newpkg 1.0"],
  });
});

function table(
  c: Omit<Case, "setup" | "check"> & {
    installed?: Record<string, string>;
    available?: Record<string, string>;
    extra?: Rule[] | ((m: PkgModel) => Rule[]);
    commands: string[];
    files?: Record<string, string>;
    prepare?: (root: string) => Promise<void>;
  },
): Case {
  const model = pkgModel("apt", c.installed ?? {}, c.available ?? {});
  return {
    ...c,
    setup: async (root, host) => {
      await writeFiles(root, { "/usr/bin/apt-get": "", ...c.files });
      await c.prepare?.(root);
      const extra = typeof c.extra === "function" ? c.extra(model) : c.extra ?? [];
      (host as ScriptedHost).script(...extra, ...model.rules);
    },
    check: (_r, host) =>
      assert.deepEqual(
        (host as ScriptedHost).changes(/^(dpkg-query|apt-cache|apt-get -s|dpkg-deb)/),
        c.commands,
      ),
  };
}

Deno.test("apt: command table", async (t) => {
  let autoremovable = ["libold1 1.0"];
  let upgrades = ["bash 5.2-1 -> 5.2-2"];
  await runCases(t, apt, [
    table({
      name: "install_recommends off, dpkg_options and default_release go on the command line",
      params: {
        pkg: ["nginx"],
        install_recommends: false,
        dpkg_options: "force-confnew",
        default_release: "bookworm-backports",
      },
      available: { nginx: "1.22.1-9" },
      summaries: ["install nginx=1.22.1-9"],
      commands: [
        `apt-get -y -q -o Dpkg::Options::=--force-confnew --no-install-recommends -t bookworm-backports install nginx`,
      ],
    }),
    table({
      name: "cache_valid_time refreshes a stale cache on its own and records the refresh",
      params: { name: "nginx", cache_valid_time: 3600 },
      installed: { nginx: "1.22.1-9" },
      files: { "/var/lib/apt/lists/.keep": "" },
      prepare: (root) =>
        Deno.utime(`${root}/var/lib/apt/lists`, new Date(0), new Date(Date.now() - 86400_000)),
      summaries: [/^apt-get update -q \(cache \d+s old, valid for 3600s\)$/],
      commands: ["apt-get update -q"],
      extra: [],
    }),
    table({
      name: "purge with autoremove",
      params: { name: "nginx", state: "absent", purge: true, autoremove: true },
      installed: { nginx: "1.22.1-9" },
      summaries: ["purge nginx=1.22.1-9"],
      commands: [`${BASE} purge --auto-remove nginx`],
    }),
    table({
      name: "autoremove alone removes what apt-get -s autoremove lists",
      params: { autoremove: true },
      summaries: ["autoremove libold1 1.0"],
      commands: ["apt-get -y -q autoremove"],
      extra: [
        {
          match: "apt-get -s -q autoremove",
          reply: () => ({
            stdout: autoremovable.map((l) => `Remv ${l.replace(" ", " [")}]\n`).join(""),
          }),
        },
        { match: "apt-get -y -q autoremove", reply: () => void (autoremovable = []) },
      ],
    }),
    table({
      name: "upgrade: dist runs dist-upgrade when the simulation has work",
      params: { upgrade: "dist" },
      summaries: ["apt-get dist-upgrade: bash 5.2-1 -> 5.2-2"],
      commands: [`${BASE} dist-upgrade`],
      extra: [
        {
          match: "apt-get -s -q dist-upgrade",
          reply: () => ({
            stdout: upgrades.map((u) =>
              `Inst bash [5.2-1] (5.2-2 Debian:12 [amd64])\n`.repeat(u ? 1 : 0)
            ).join(""),
          }),
        },
        { match: `${BASE} dist-upgrade`, reply: () => void (upgrades = []) },
      ],
    }),
    table({
      name: "a deb file is installed when its version is not",
      params: { deb: "/tmp/app_2.0_amd64.deb" },
      installed: { app: "1.0" },
      summaries: ["install app=2.0 from /tmp/app_2.0_amd64.deb"],
      commands: [`${BASE} install /tmp/app_2.0_amd64.deb`],
      extra: (m) => [
        {
          match: "dpkg-deb -f /tmp/app_2.0_amd64.deb Package Version",
          reply: { stdout: "Package: app\nVersion: 2.0\n" },
        },
        {
          match: `${BASE} install /tmp/app_2.0_amd64.deb`,
          reply: () => void (m.installed.app = "2.0"),
        },
      ],
    }),
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test(needs(debianRootMissing(), {
  name: "apt: install and remove a real Debian package (hello) in the Debian root",
  async fn() {
    const root = await openRoot();
    try {
      const i = await converge(apt, { name: "hello", state: "present" }, root.host);
      assert.match(i.first.map((c) => c.summary).join(), /^install hello=\S+$/);
      assert.deepEqual(i.again, []);
      const out = await new Deno.Command("/usr/sbin/chroot", {
        args: [root.dir, "hello"],
        stdout: "piped",
      }).output();
      assert.equal(new TextDecoder().decode(out.stdout), "Hello, world!\n");
      const r = await converge(apt, { name: "hello", state: "absent", purge: true }, root.host);
      assert.match(r.first.map((c) => c.summary).join(), /^purge hello=/);
      assert.deepEqual(r.again, []);
      await assert.rejects(Deno.stat(`${root.dir}/usr/bin/hello`));
    } finally {
      await root.close();
    }
  },
}));
