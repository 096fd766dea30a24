import assert from "node:assert/strict";
import { packageTask } from "../../tasks/package.ts";
import { type Case, runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost, writeFiles } from "../_helpers/scripted_host.ts";
import { pkgModel, PROGRAM } from "../_helpers/pkg_model.ts";

const QUERIES =
  /^(dpkg-query|apt-cache|rpm -q|dnf -q check-update|yum -q check-update|zypper --non-interactive --quiet|pacman -Qu? |apk info|apk version)/;

type Mgr = "apt" | "dnf" | "yum" | "zypper" | "pacman" | "apk";

/** A case on a host whose only package manager is `mgr`, checking the commands run. */
function onHost(
  mgr: Mgr,
  c: Omit<Case, "setup" | "check"> & {
    installed?: Record<string, string>;
    available?: Record<string, string>;
    commands: string[];
    after?: Record<string, string>;
  },
): Case {
  const model = pkgModel(mgr, c.installed ?? {}, c.available ?? {});
  return {
    ...c,
    name: `${mgr}: ${c.name}`,
    setup: async (root, host) => {
      await writeFiles(root, { [PROGRAM[mgr]!]: "" });
      (host as ScriptedHost).script(...model.rules);
    },
    check: (_real, host) => {
      assert.deepEqual((host as ScriptedHost).changes(QUERIES), c.commands);
      if (c.after) assert.deepEqual(model.installed, c.after);
    },
  };
}

const APT = "apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold";

Deno.test("package: command tables for every manager", async (t) => {
  await runCases(t, packageTask, [
    onHost("apt", {
      name: "installs a missing package, showing the candidate version",
      params: { name: "hello" },
      available: { hello: "2.10-3" },
      summaries: ["install hello=2.10-3"],
      commands: [`${APT} install hello`],
      after: { hello: "2.10-3" },
      changes: (ch) => {
        assert.equal(ch[0]!.diff?.before, "hello (not installed)\n");
        assert.equal(ch[0]!.diff?.after, "hello 2.10-3\n");
      },
    }),
    onHost("apt", {
      name: "an installed package is converged",
      params: { name: ["hello"], state: "present" },
      installed: { hello: "2.10-3" },
      available: { hello: "2.10-3" },
      summaries: [],
      commands: [],
    }),
    onHost("apt", {
      name: "absent removes only what is installed",
      params: { name: "hello,curl", state: "absent" },
      installed: { hello: "2.10-3" },
      summaries: ["remove hello=2.10-3"],
      commands: [`${APT} remove hello`],
      after: {},
    }),
    onHost("apt", {
      name: "latest upgrades to the candidate",
      params: { name: "hello", state: "latest" },
      installed: { hello: "2.10-2" },
      available: { hello: "2.10-3" },
      summaries: ["upgrade hello 2.10-2 -> 2.10-3"],
      commands: [`${APT} install --only-upgrade hello`],
      after: { hello: "2.10-3" },
    }),
    onHost("apt", {
      name: "a version pin that differs installs the pinned version",
      params: { name: "hello=2.10-2" },
      installed: { hello: "2.10-3" },
      summaries: ["install hello=2.10-2"],
      commands: [`${APT} install hello=2.10-2`],
    }),
    onHost("apt", {
      name: "a glob pin that matches is converged",
      params: { name: "hello=2.10*" },
      installed: { hello: "2.10-3" },
      summaries: [],
      commands: [],
    }),
    onHost("apt", {
      name: "update_cache refreshes before an install only",
      params: { name: "hello", update_cache: "yes" },
      available: { hello: "2.10-3" },
      summaries: ["install hello=2.10-3"],
      commands: ["apt-get update -q", `${APT} install hello`],
    }),
    onHost("apt", {
      name: "update_cache alone refreshes once per run",
      params: { name: [], update_cache: true },
      summaries: ["apt-get update -q"],
      commands: ["apt-get update -q"],
    }),
    onHost("dnf", {
      name: "installs with dnf, pins as name-version",
      params: { name: ["nginx", "curl=8.0-1"] },
      installed: { curl: "7.0-1" },
      available: { nginx: "1.24-1", curl: "8.0-1" },
      summaries: ["install nginx curl=8.0-1"],
      commands: ["dnf -y install nginx curl-8.0-1"],
      after: { nginx: "1.24-1", curl: "8.0-1" },
    }),
    onHost("dnf", {
      name: "latest reads check-update",
      params: { name: "nginx", state: "latest" },
      installed: { nginx: "1.22-1" },
      available: { nginx: "1.24-1" },
      summaries: ["upgrade nginx 1.22-1 -> 1.24-1"],
      commands: ["dnf -y upgrade nginx"],
    }),
    onHost("yum", {
      name: "removes with yum",
      params: { name: "nginx", state: "removed" },
      installed: { nginx: "1.22-1" },
      summaries: ["remove nginx=1.22-1"],
      commands: ["yum -y remove nginx"],
      after: {},
    }),
    onHost("zypper", {
      name: "installs and refreshes with zypper",
      params: { name: "nginx", update_cache: true },
      summaries: ["install nginx"],
      commands: ["zypper --non-interactive refresh", "zypper --non-interactive install nginx"],
    }),
    onHost("zypper", {
      name: "latest reads list-updates",
      params: { name: "nginx", state: "latest" },
      installed: { nginx: "1.22" },
      available: { nginx: "1.24" },
      summaries: ["upgrade nginx 1.22 -> 1.24"],
      commands: ["zypper --non-interactive update nginx"],
    }),
    onHost("pacman", {
      name: "installs only what is missing, --needed",
      params: { name: ["vim", "git"] },
      installed: { git: "2.44-1" },
      summaries: ["install vim"],
      commands: ["pacman -S --noconfirm --needed vim"],
    }),
    onHost("pacman", {
      name: "latest upgrades only the named package, never -Syu",
      params: { name: "git", state: "latest" },
      installed: { git: "2.44-1" },
      available: { git: "2.45-1" },
      summaries: ["upgrade git 2.44-1 -> 2.45-1"],
      commands: ["pacman -S --noconfirm git"],
    }),
    onHost("apk", {
      name: "adds and deletes with apk",
      params: { name: "curl", state: "absent" },
      installed: { curl: "8.5.0-r0", musl: "1.2.4-r2" },
      summaries: ["remove curl=8.5.0-r0"],
      commands: ["apk del curl"],
      after: { musl: "1.2.4-r2" },
    }),
    onHost("apk", {
      name: "latest with apk version",
      params: { name: "curl", state: "latest" },
      installed: { curl: "8.5.0-r0" },
      available: { curl: "8.6.0-r0" },
      summaries: ["upgrade curl 8.5.0-r0 -> 8.6.0-r0"],
      commands: ["apk add --upgrade curl"],
    }),
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test("package: an unknown apt package fails the plan with its name", async (t) => {
  await runCases(t, packageTask, [
    onHost("apt", {
      name: "no candidate",
      params: { name: "no-such-pkg" },
      summaries: [],
      commands: [],
      throws: /no package matching "no-such-pkg"/,
    }),
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test("package: no package manager is a clear error", async (t) => {
  await runCases(t, packageTask, [{
    name: "nothing detected",
    params: { name: "x" },
    summaries: [],
    throws: /no supported package manager found/,
  }], { host: (root) => new ScriptedHost(root) });
});

Deno.test("package: `use` picks the manager without detection", async () => {
  const root = await Deno.makeTempDir();
  try {
    const host = new ScriptedHost(root, pkgModel("apk", {}, {}).rules);
    const params = packageTask.schema.parse({ name: "curl", use: "apk" });
    const changes = packageTask.plan(params, await packageTask.read(params, host, ctxStub));
    assert.deepEqual(changes.map((c) => c.summary), ["install curl"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

const ctxStub = {
  configDir: "/nonexistent",
  renderTemplate: () => Promise.reject(new Error("none")),
};
