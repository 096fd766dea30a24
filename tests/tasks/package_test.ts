import assert from "node:assert/strict";
import { packageTask } from "../../tasks/package.ts";
import { type Case, runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost, writeFiles } from "../_helpers/scripted_host.ts";
import { pkgModel, PROGRAM } from "../_helpers/pkg_model.ts";
import { writeTree } from "../_helpers/cli.ts";
import { loadConfig } from "../../lib/config/loader.ts";
import { catalog } from "../../tasks/mod.ts";

const QUERIES = /^(dpkg-query|apt-cache|apk info|apk version)/;

/**
 * apt and apk on a scripted command table. dnf, yum, zypper and pacman run for real on a temp
 * root (dnf_test.ts, zypper_test.ts, pacman_test.ts), and apt for real in the Debian root
 * (apt_test.ts). apk stays a model: Debian ships no apk-tools, so no real apk can run here.
 */
type Mgr = "apt" | "apk";

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

Deno.test("package: command tables for apt and apk (apk: a model, no real apk on Debian)", async (t) => {
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
      throws: /No package matching 'no-such-pkg' is available/,
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

Deno.test("collection-qualified package modules resolve to the same tasks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTree(dir, {
      "apply.yml": [
        "tasks:",
        "  - ansible.builtin.dnf: {name: nginx, enablerepo: epel}",
        "  - ansible.builtin.yum: {name: nginx, disablerepo: updates}",
        "  - community.general.zypper: {name: nginx, state: latest}",
        "  - community.general.zypper_repository: {name: oss, repo: 'http://x/oss'}",
        "  - community.general.pacman: {name: nginx, update_cache: true}",
        "  - ansible.builtin.package: {name: nginx, enablerepo: epel}",
        "",
      ].join("\n"),
    });
    const tasks = (await loadConfig(dir, { catalog })).apply!.tasks;
    assert.deepEqual(tasks.map((t) => t.type), [
      "dnf",
      "yum",
      "zypper",
      "zypper_repository",
      "pacman",
      "package",
    ]);
    assert.deepEqual(tasks[0]!.params, { name: "nginx", enablerepo: "epel" });
    assert.deepEqual(tasks[3]!.params, { name: "oss", repo: "http://x/oss" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
