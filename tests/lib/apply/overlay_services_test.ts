/**
 * A dry run where a service comes with a package the plan installs: the overlay answers
 * `systemctl show` for the unit systemd does not know yet, and for units that earlier tasks
 * would start or enable, so the whole plan shows instead of stopping at "not found".
 */
import assert from "node:assert/strict";
import { runApply, type TaskRecord } from "../../../lib/apply/runner.ts";
import { PLANNED_LOAD_STATE, PlannedServices } from "../../../lib/apply/overlay_services.ts";
import { loadConfig } from "../../../lib/config/loader.ts";
import { TaskLoader } from "../../../lib/config/task_loader.ts";
import * as engine from "../../../lib/template/engine.ts";
import { catalog, loaded } from "../../../tasks/mod.ts";
import { writeTree } from "../../_helpers/cli.ts";
import { pkgModel, PROGRAM } from "../../_helpers/pkg_model.ts";
import { ScriptedHost, writeFiles } from "../../_helpers/scripted_host.ts";

const SHOW = "--property=ActiveState,UnitFileState,LoadState,NeedDaemonReload";
const NOT_FOUND =
  "ActiveState=inactive\nUnitFileState=\nLoadState=not-found\nNeedDaemonReload=no\n";
const result = (stdout: string, code = 0) => ({ code, stdout, stderr: "", timedOut: false });

/** Runs `yaml` as a dry run on a booted-systemd host with apt, where systemd knows no nginx. */
async function dryRun(yaml: string): Promise<{ records: TaskRecord[]; host: ScriptedHost }> {
  const root = await Deno.makeTempDir({ prefix: "driftless_svc_overlay_" });
  try {
    await writeTree(`${root}/config`, { "apply.yml": yaml });
    await writeFiles(root, { [PROGRAM.apt!]: "" });
    await Deno.mkdir(`${root}/host/run/systemd/system`, { recursive: true });
    await writeFiles(`${root}/host`, { [PROGRAM.apt!]: "" });
    const host = new ScriptedHost(`${root}/host`, [
      ...pkgModel("apt", {}, { nginx: "1.22.1-9" }).rules,
      { match: /^systemctl show nginx(\.service)? /, reply: { stdout: NOT_FOUND } },
      {
        match: /^systemctl is-enabled nginx(\.service)?$/,
        reply: { code: 1, stderr: "Failed to get unit file state for nginx.service\n" },
      },
    ]);
    const config = await loadConfig(`${root}/config`, { catalog });
    const records: TaskRecord[] = [];
    await runApply(config.apply!, {
      engine,
      tasks: loaded,
      configDir: `${root}/config`,
      vars: config.vars,
      loader: new TaskLoader(`${root}/config`, { catalog }),
      host,
      facts: {},
      dryRun: true,
      onRecord: (r) => void records.push(r),
    });
    return { records, host };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("dry run: a service after the install of its package is planned, and said to be assumed", async () => {
  const { records, host } = await dryRun(`
tasks:
  - {type: package, name: nginx}
  - {type: service, name: nginx, state: started, enabled: true}
  - {type: service, name: nginx.service, state: started, enabled: true}
  - {type: service, name: nginx, state: stopped}
`);
  assert.deepEqual(
    records.map((r) => [r.status, r.changes.map((c) => c.summary)]),
    [
      ["changed", ["install nginx=1.22.1-9"]],
      ["changed", [
        "systemctl enable nginx (the unit is expected from a planned package)",
        "systemctl start nginx (the unit is expected from a planned package)",
      ]],
      // The planned start and enable are what the next task sees.
      ["ok", []],
      ["changed", ["systemctl stop nginx (the unit is expected from a planned package)"]],
    ],
  );
  assert.deepEqual(host.changes(/^(dpkg-query|apt-cache|systemctl show) /), [], "nothing ran");
});

Deno.test("dry run: with no package planned, an unknown unit still fails as the real run would", async () => {
  const { records } = await dryRun(`
tasks:
  - {type: service, name: nginx, state: started}
`);
  assert.equal(records[0]!.status, "failed");
  assert.match(records[0]!.message ?? "", /service "nginx" not found/);
});

Deno.test("PlannedServices: recorded systemctl commands change later answers, per scope", () => {
  const s = new PlannedServices();
  const loaded = "ActiveState=inactive\nUnitFileState=disabled\nLoadState=loaded\n";
  assert.equal(s.adjust(["show", "cron", SHOW], result(loaded), false).stdout, loaded);
  s.record(["enable", "--now", "cron"]);
  s.record(["--user", "mask", "cron"]);
  assert.equal(
    s.adjust(["show", "cron.service", SHOW], result(loaded), false).stdout,
    "ActiveState=active\nUnitFileState=enabled\nLoadState=loaded\n",
  );
  assert.equal(
    s.adjust(["--user", "show", "cron", SHOW], result(loaded), false).stdout,
    "ActiveState=inactive\nUnitFileState=masked\nLoadState=loaded\n",
  );
  assert.deepEqual(
    [s.adjust(["is-enabled", "cron"], result("disabled\n", 1), false)].map((r) => [
      r.code,
      r.stdout,
    ]),
    [[0, "enabled\n"]],
  );
  // An unknown unit is "planned" only while a package install is planned.
  assert.equal(s.adjust(["show", "x", SHOW], result(NOT_FOUND), false).stdout, NOT_FOUND);
  assert.match(
    s.adjust(["show", "x", SHOW], result(NOT_FOUND), true).stdout,
    new RegExp(`^LoadState=${PLANNED_LOAD_STATE}$`, "m"),
  );
  assert.equal(s.record(["daemon-reload"]), false);
});
