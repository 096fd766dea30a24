import assert from "node:assert/strict";
import { join } from "node:path";
import { LocalHost } from "../../lib/apply/host.ts";
import { dnf } from "../../tasks/dnf.ts";
import { yum } from "../../tasks/yum.ts";
import { packageTask } from "../../tasks/package.ts";
import { runCli, writeTree } from "../_helpers/cli.ts";
import { converge } from "../_helpers/debian_root.ts";
import {
  buildRpmRepo,
  convergesTo,
  openToolRoot,
  packageLifecycle,
  rpmVersion,
  type ToolRoot,
  TOOLS,
  toolsMissing,
  toolTestName,
} from "../_helpers/pkg_root.ts";

const why = toolsMissing(TOOLS.dnf);

/** A tool root whose dnf sees `drift` (enabled) and `drift-extra` (disabled) repositories. */
async function rpmRoot(): Promise<ToolRoot> {
  const root = await openToolRoot();
  try {
    await buildRpmRepo(join(root.dir, "srv/main"), [
      ["drift-hello", "1.0"],
      ["drift-hello", "2.0"],
      ["drift-other", "1.0"],
    ]);
    await buildRpmRepo(join(root.dir, "srv/extra"), [["drift-extra", "1.0"]]);
    await Deno.mkdir(join(root.dir, "etc/yum.repos.d"), { recursive: true });
    await Deno.writeTextFile(
      join(root.dir, "etc/yum.repos.d/drift.repo"),
      "[drift]\nname=drift\nbaseurl=file:///srv/main\ngpgcheck=0\nenabled=1\n\n" +
        "[drift-extra]\nname=drift extra\nbaseurl=file:///srv/extra\ngpgcheck=0\nenabled=0\n",
    );
    return root;
  } catch (e) {
    await root.close();
    throw e;
  }
}

Deno.test({
  name: toolTestName("dnf: install, pin, upgrade, remove against real dnf on a temp root", why),
  ignore: why !== undefined,
  async fn(t) {
    const root = await rpmRoot();
    try {
      await t.step("present installs the newest version, then is converged", async () => {
        await convergesTo(dnf, { name: "drift-hello" }, root.host, ["install drift-hello=2.0-1"]);
        assert.equal(await rpmVersion(root, "drift-hello"), "2.0-1");
        assert.equal(await root.sh("cat /usr/share/drift-hello/VERSION"), "2.0\n");
      });
      await t.step("an older pin is left alone without allow_downgrade (as Ansible)", async () => {
        const { first } = await converge(dnf, { name: "drift-hello-1.0" }, root.host);
        assert.deepEqual(first, []);
        assert.equal(await rpmVersion(root, "drift-hello"), "2.0-1");
      });
      await t.step("allow_downgrade installs the pinned version", async () => {
        const first = await convergesTo(
          dnf,
          { name: "drift-hello-1.0", allow_downgrade: true },
          root.host,
          ["install drift-hello=1.0-1"],
        );
        assert.equal(first[0]!.diff?.before, "drift-hello 2.0-1\n");
        assert.equal(await rpmVersion(root, "drift-hello"), "1.0-1");
      });
      await t.step("present with a bare name keeps the installed older version", async () => {
        const { first } = await converge(dnf, { name: ["drift-hello"] }, root.host);
        assert.deepEqual(first, []);
      });
      await t.step("latest upgrades, then is converged", async () => {
        await convergesTo(dnf, { name: "drift-hello", state: "latest" }, root.host, [
          "upgrade drift-hello 1.0-1 -> 2.0-1",
        ]);
        assert.equal(await rpmVersion(root, "drift-hello"), "2.0-1");
      });
      await t.step("absent removes, then is converged", async () => {
        await convergesTo(dnf, { name: "drift-hello", state: "absent" }, root.host, [
          "remove drift-hello=2.0-1",
        ]);
        assert.equal(await rpmVersion(root, "drift-hello"), "");
      });
      await t.step(
        "a package no repository has is a clear error before anything runs",
        async () => {
          await assert.rejects(
            converge(dnf, { name: ["drift-other", "no-such-package"] }, root.host),
            /No package no-such-package available\. \(dnf: no repository provides it\)/,
          );
          assert.equal(await rpmVersion(root, "drift-other"), "", "nothing half-applied");
        },
      );
      await t.step("a pin no repository has is the same error", async () => {
        await assert.rejects(
          converge(dnf, { name: "drift-hello-9.9" }, root.host),
          /No package drift-hello-9\.9 available/,
        );
      });
      await t.step("enablerepo reaches a disabled repository, for the query too", async () => {
        await assert.rejects(converge(dnf, { name: "drift-extra" }, root.host), /No package/);
        await convergesTo(dnf, { name: "drift-extra", enablerepo: "drift-extra" }, root.host, [
          "install drift-extra=1.0-1",
        ]);
        assert.equal(await rpmVersion(root, "drift-extra"), "1.0-1");
      });
      await t.step("disablerepo hides a repository", async () => {
        await assert.rejects(
          converge(dnf, { name: "drift-other", disablerepo: ["drift"] }, root.host),
          /No package drift-other available/,
        );
      });
      await t.step("a local .rpm file installs its version, then is converged", async () => {
        const file = "/srv/main/noarch/drift-other-1.0-1.noarch.rpm";
        await convergesTo(dnf, { name: file }, root.host, ["install drift-other=1.0-1"]);
        assert.equal(await rpmVersion(root, "drift-other"), "1.0-1");
        await convergesTo(dnf, { name: file, state: "absent" }, root.host, [
          "remove drift-other=1.0-1",
        ]);
      });
      await t.step("name * with latest upgrades everything installed", async () => {
        await converge(dnf, { name: "drift-hello-1.0" }, root.host);
        await convergesTo(dnf, { name: "*", state: "latest" }, root.host, [
          "upgrade drift-hello 1.0-1 -> 2.0-1",
        ]);
      });
    } finally {
      await root.close();
    }
  },
});

Deno.test({
  name: toolTestName("yum: the same command line as dnf, as yum is on EL 8 and later", why),
  ignore: why !== undefined,
  async fn() {
    const root = await rpmRoot();
    try {
      // EL 8+: /usr/bin/yum is a link to dnf.
      await Deno.symlink("dnf", join(root.dir, "usr/bin/yum"));
      await packageLifecycle(yum, root.host, (n) => rpmVersion(root, n), {
        name: "drift-hello",
        pin: "drift-hello-1.0",
        old: "1.0-1",
        newest: "2.0-1",
      });
    } finally {
      await root.close();
    }
  },
});

Deno.test({
  name: toolTestName("package: detects dnf and drives it, enablerepo included", why),
  ignore: why !== undefined,
  async fn() {
    const root = await rpmRoot();
    try {
      await root.hide("apt-get");
      await convergesTo(packageTask, { name: "drift-hello=1.0" }, root.host, [
        "install drift-hello=1.0-1",
      ]);
      await convergesTo(
        packageTask,
        { name: ["drift-hello", "drift-extra"], state: "latest", enablerepo: "drift-extra" },
        root.host,
        ["install drift-extra=1.0-1", "upgrade drift-hello 1.0-1 -> 2.0-1"],
      );
      assert.equal(await rpmVersion(root, "drift-hello"), "2.0-1");
      await convergesTo(
        packageTask,
        { name: "drift-hello,drift-extra", state: "absent" },
        root.host,
        [
          "remove drift-hello=2.0-1 drift-extra=1.0-1",
        ],
      );
      await assert.rejects(
        converge(packageTask, { name: "no-such-package" }, root.host),
        /No package no-such-package available/,
      );
    } finally {
      await root.close();
    }
  },
});

Deno.test({
  name: toolTestName("dnf: installroot manages another root with the machine's own dnf", why),
  ignore: why !== undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "driftless_installroot_" });
    try {
      await buildRpmRepo(join(dir, "srv/main"), [["drift-hello", "1.0"], ["drift-hello", "2.0"]]);
      await Deno.mkdir(join(dir, "etc/yum.repos.d"), { recursive: true });
      // dnf reads the repositories inside the installroot; their URLs are the machine's paths.
      await Deno.writeTextFile(
        join(dir, "etc/yum.repos.d/drift.repo"),
        `[drift]\nname=drift\nbaseurl=file://${dir}/srv/main\ngpgcheck=0\n`,
      );
      const host = new LocalHost();
      const params = { name: "drift-hello-1.0", installroot: dir, releasever: "1" };
      await convergesTo(dnf, params, host, ["install drift-hello=1.0-1"]);
      assert.equal(await Deno.readTextFile(join(dir, "usr/share/drift-hello/VERSION")), "1.0\n");
      await convergesTo(dnf, { ...params, name: "drift-hello", state: "latest" }, host, [
        "upgrade drift-hello 1.0-1 -> 2.0-1",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: toolTestName("driftless apply --root runs Ansible-style dnf entries in a chroot", why),
  ignore: why !== undefined,
  async fn() {
    const root = await rpmRoot();
    const config = await Deno.makeTempDir({ prefix: "driftless_dnf_config_" });
    try {
      await writeTree(config, {
        "apply.yml": [
          "tasks:",
          "  - name: Hello, pinned",
          "    ansible.builtin.dnf: {name: drift-hello-1.0}",
          "  - name: Extra, from a disabled repository",
          "    ansible.builtin.dnf:",
          "      name: drift-extra",
          "      enablerepo: drift-extra",
          "",
        ].join("\n"),
      });
      const args = ["--config", config, "apply", "--root", root.dir, "--detailed-exitcode"];
      const dry = await runCli([...args, "--dry-run"]);
      assert.equal(dry.code, 2, dry.stderr);
      assert.match(dry.stdout, /install drift-hello=1\.0-1/);
      assert.equal(await rpmVersion(root, "drift-hello"), "", "a dry run installs nothing");
      const run = await runCli(args);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(await rpmVersion(root, "drift-hello"), "1.0-1");
      assert.equal(await rpmVersion(root, "drift-extra"), "1.0-1");
      const again = await runCli(args);
      assert.equal(again.code, 0, `second run changed something:\n${again.stdout}`);
    } finally {
      await Deno.remove(config, { recursive: true });
      await root.close();
    }
  },
});
