import assert from "node:assert/strict";
import { join } from "node:path";
import { parseZypperSpec } from "../../tasks/_pkg_zypper.ts";
import { packageTask } from "../../tasks/package.ts";
import { zypper } from "../../tasks/zypper.ts";
import { zypperRepository } from "../../tasks/zypper_repository.ts";
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

const why = toolsMissing(TOOLS.zypper);

Deno.test("parseZypperSpec() splits prefixes and version ranges as community.general does", () => {
  assert.deepEqual(parseZypperSpec("nginx"), { prefix: "", name: "nginx" });
  assert.deepEqual(parseZypperSpec("docker>=1.10"), {
    prefix: "",
    name: "docker",
    op: ">=",
    version: "1.10",
  });
  assert.deepEqual(parseZypperSpec("~exim"), { prefix: "-", name: "exim" });
  assert.deepEqual(parseZypperSpec("+apache2=2.4-1"), {
    prefix: "+",
    name: "apache2",
    op: "=",
    version: "2.4-1",
  });
});

/** A tool root with the RPM repositories built, but none added to zypper yet. */
async function zypperRoot(): Promise<ToolRoot> {
  const root = await openToolRoot();
  try {
    await buildRpmRepo(join(root.dir, "srv/main"), [
      ["drift-hello", "1.0"],
      ["drift-hello", "2.0"],
      ["drift-other", "1.0"],
      ["drift-base", "1.0"],
    ]);
    await buildRpmRepo(join(root.dir, "srv/extra"), [["drift-extra", "1.0"]]);
    // zypper cannot cache an empty rpm database (rpmdb2solv fails after the last removal);
    // a real system always has packages, so this one stays installed.
    await root.sh("rpm -i --quiet /srv/main/noarch/drift-base-1.0-1.noarch.rpm 2>/dev/null");
    return root;
  } catch (e) {
    await root.close();
    throw e;
  }
}

const addMain = {
  name: "drift",
  repo: "file:///srv/main",
  description: "Drift main",
  disable_gpg_check: true,
  autorefresh: false,
};

Deno.test({
  name: toolTestName("zypper_repository: add, converge, change, remove with real zypper", why),
  ignore: why !== undefined,
  async fn(t) {
    const root = await zypperRoot();
    try {
      await t.step("adds a repository, then is converged", async () => {
        await convergesTo(zypperRepository, addMain, root.host, [
          "add repository drift (file:///srv/main)",
        ]);
        assert.match(await root.sh("zypper --non-interactive repos -u"), /drift .*Drift main/);
      });
      await t.step("a changed setting replaces it, as Ansible does", async () => {
        await convergesTo(zypperRepository, { ...addMain, priority: 50 }, root.host, [
          "replace repository drift (file:/srv/main): priority 99 -> 50",
        ]);
      });
      await t.step("a .repo file names the alias and URL", async () => {
        await Deno.writeTextFile(
          join(root.dir, "srv/extra.repo"),
          "[drift-extra]\nname=Drift extra\nbaseurl=file:///srv/extra\nenabled=1\nautorefresh=0\ngpgcheck=0\n",
        );
        await convergesTo(zypperRepository, { repo: "/srv/extra.repo" }, root.host, [
          "add repository drift-extra (file:///srv/extra)",
        ]);
      });
      await t.step("absent removes it by alias, then is converged", async () => {
        await convergesTo(zypperRepository, { name: "drift-extra", state: "absent" }, root.host, [
          "remove repository drift-extra (file:/srv/extra)",
        ]);
        assert.doesNotMatch(await root.sh("zypper --non-interactive repos || true"), /drift-extra/);
      });
      await t.step("present without a name is a clear error", async () => {
        await assert.rejects(
          converge(zypperRepository, { repo: "file:///srv/extra" }, root.host),
          /name \(the alias\) is required/,
        );
      });
    } finally {
      await root.close();
    }
  },
});

Deno.test({
  name: toolTestName("zypper: install, range pin, upgrade, remove against real zypper", why),
  ignore: why !== undefined,
  async fn(t) {
    const root = await zypperRoot();
    try {
      await converge(zypperRepository, addMain, root.host);
      await t.step("present installs the newest version, then is converged", async () => {
        await convergesTo(zypper, { name: "drift-hello" }, root.host, [
          "install drift-hello=2.0-1",
        ]);
        assert.equal(await rpmVersion(root, "drift-hello"), "2.0-1");
      });
      await t.step(
        "a pinned older version downgrades (a version implies --oldpackage)",
        async () => {
          await convergesTo(zypper, { name: "drift-hello=1.0" }, root.host, [
            "install drift-hello=1.0-1",
          ]);
          assert.equal(await rpmVersion(root, "drift-hello"), "1.0-1");
        },
      );
      await t.step("a range the installed version meets is converged", async () => {
        const { first } = await converge(zypper, { name: "drift-hello<2" }, root.host);
        assert.deepEqual(first, []);
      });
      await t.step("latest upgrades, then is converged", async () => {
        await convergesTo(zypper, { name: ["drift-hello"], state: "latest" }, root.host, [
          "upgrade drift-hello 1.0-1 -> 2.0-1",
        ]);
        assert.equal(await rpmVersion(root, "drift-hello"), "2.0-1");
      });
      await t.step("-name removes in the same run as an install", async () => {
        await convergesTo(zypper, { name: ["drift-other", "-drift-hello"] }, root.host, [
          "remove drift-hello=2.0-1",
          "install drift-other=1.0-1",
        ]);
        assert.equal(await rpmVersion(root, "drift-hello"), "");
        assert.equal(await rpmVersion(root, "drift-other"), "1.0-1");
      });
      await t.step("absent removes, then is converged", async () => {
        await convergesTo(zypper, { name: "drift-other", state: "absent" }, root.host, [
          "remove drift-other=1.0-1",
        ]);
        assert.equal(await rpmVersion(root, "drift-other"), "");
      });
      await t.step("a package no repository has is a clear error", async () => {
        await assert.rejects(
          converge(zypper, { name: "no-such-package" }, root.host),
          /No provider of 'no-such-package' found\. \(zypper: no repository provides it\)/,
        );
        await assert.rejects(
          converge(zypper, { name: "drift-hello>=3" }, root.host),
          /No provider of 'drift-hello>=3' found/,
        );
      });
      await t.step('name "*" with latest updates everything installed', async () => {
        await converge(zypper, { name: "drift-hello=1.0" }, root.host);
        const { first, again } = await converge(zypper, { name: "*", state: "latest" }, root.host);
        assert.equal(first.length, 1);
        assert.match(first[0]!.summary, /zypper .*update .*: drift-hello 1\.0-1 -> 2\.0-1$/);
        assert.deepEqual(again, []);
        assert.equal(await rpmVersion(root, "drift-hello"), "2.0-1");
      });
    } finally {
      await root.close();
    }
  },
});

Deno.test({
  name: toolTestName("package: detects zypper and drives it", why),
  ignore: why !== undefined,
  async fn() {
    const root = await zypperRoot();
    try {
      await root.hide("apt-get", "dnf");
      await converge(zypperRepository, addMain, root.host);
      await packageLifecycle(packageTask, root.host, (n) => rpmVersion(root, n), {
        name: "drift-hello",
        pin: "drift-hello=1.0",
        old: "1.0-1",
        newest: "2.0-1",
      });
      await assert.rejects(
        converge(packageTask, { name: "drift-hello", enablerepo: "x" }, root.host),
        /enablerepo\/disablerepo work with dnf and yum; this host uses zypper/,
      );
    } finally {
      await root.close();
    }
  },
});
