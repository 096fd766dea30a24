import assert from "node:assert/strict";
import { systemd } from "../../tasks/systemd.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost } from "../_helpers/scripted_host.ts";
import { booted } from "../_helpers/systemd_model.ts";

const pid1 = await Deno.readTextFile("/proc/1/comm").catch(() => "").then((s) => s.trim());

Deno.test("systemd: command table (units are scripted)", async (t) => {
  await runCases(t, systemd, [
    booted({
      name: "unmask, enable, start",
      params: { name: "app.service", masked: false, enabled: true, state: "started" },
      unit: { active: false, enabled: false, masked: true },
      summaries: [
        "systemctl unmask app.service",
        "systemctl enable app.service",
        "systemctl start app.service",
      ],
      commands: [
        "systemctl unmask app.service",
        "systemctl enable app.service",
        "systemctl start app.service",
      ],
    }),
    booted({
      name: "mask",
      params: { unit: "app.service", masked: true },
      unit: { active: false, enabled: false },
      summaries: ["systemctl mask app.service"],
      commands: ["systemctl mask app.service"],
    }),
    booted({
      name: "daemon_reload only when systemd reports a changed unit file",
      params: { name: "app", daemon_reload: true, state: "restarted" },
      unit: { active: true, enabled: true, needReload: true },
      summaries: ["systemctl daemon-reload", "systemctl restart app"],
      commands: ["systemctl daemon-reload", "systemctl restart app"],
    }),
    booted({
      name: "daemon_reload is skipped when nothing changed",
      params: { name: "app", "daemon-reload": true, state: "started" },
      unit: { active: true, enabled: true },
      summaries: [],
      commands: [],
    }),
    booted({
      name: "daemon_reload alone runs once",
      params: { daemon_reload: true },
      unit: { active: true, enabled: true },
      summaries: ["systemctl daemon-reload"],
      commands: ["systemctl daemon-reload"],
    }),
    booted({
      name: "user scope and no_block",
      params: { name: "sync", scope: "user", no_block: true, state: "started" },
      unit: { active: false, enabled: false },
      summaries: ["systemctl --user --no-block start sync"],
      commands: ["systemctl --user --no-block start sync"],
    }),
    {
      name: "not booted: enable works offline, start is refused with the reason",
      params: { name: "app", enabled: true, state: "started" },
      setup: (_root, host) =>
        void (host as ScriptedHost).script({
          match: "systemctl is-enabled app",
          reply: { code: 1, stdout: "disabled\n" },
        }),
      summaries: [],
      throws: /systemd is not running \(PID 1 is not systemd\)/,
    },
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test({
  name: `systemd: real units need systemd as PID 1 (PID 1 here is "${pid1}"${
    pid1 === "systemd" ? "" : ": covered by the command table instead"
  })`,
  ignore: pid1 !== "systemd",
  fn() {
    // Nothing to run outside a systemd machine; the command table covers the behaviour.
    assert.equal(pid1, "systemd");
  },
});
