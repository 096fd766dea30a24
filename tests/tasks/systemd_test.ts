import assert from "node:assert/strict";
import { systemd } from "../../tasks/systemd.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost } from "../_helpers/scripted_host.ts";
import { booted } from "../_helpers/systemd_model.ts";
import type { TaskContext } from "../../lib/apply/task.ts";
import { DEBIAN_ROOT, debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { needs } from "../_helpers/needs.ts";

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

const ctx: TaskContext = {
  configDir: "/x",
  renderTemplate: () => Promise.reject(new Error("none")),
};

/** Why the Debian root cannot run systemctl, or undefined. */
function systemctlMissing(): string | undefined {
  const why = debianRootMissing();
  if (why) return why;
  try {
    Deno.statSync(`${DEBIAN_ROOT}/usr/bin/systemctl`);
    return undefined;
  } catch {
    return "the Debian root has no systemctl; rebuild it with scripts/debian_root.sh";
  }
}

Deno.test(needs(systemctlMissing(), {
  name: "systemd: real offline systemctl enable, disable, mask and unmask in the Debian root",
  async fn() {
    const root = await openRoot();
    try {
      const run = async (raw: Record<string, unknown>) => {
        const p = systemd.schema.parse(raw);
        const first = systemd.plan(p, await systemd.read(p, root.host, ctx));
        for (const c of first) await systemd.apply(c.op, root.host, ctx);
        const again = systemd.plan(p, await systemd.read(p, root.host, ctx));
        return { first: first.map((c) => c.summary), again: again.map((c) => c.summary) };
      };
      const wants = `${root.dir}/etc/systemd/system/multi-user.target.wants/cron.service`;
      const unit = `${root.dir}/etc/systemd/system/cron.service`;
      const link = (path: string) => Deno.readLink(path).catch(() => undefined);

      assert.deepEqual(await run({ name: "cron.service", enabled: false }), {
        first: ["systemctl disable cron.service"],
        again: [],
      });
      assert.equal(await link(wants), undefined);
      assert.deepEqual(await run({ name: "cron.service", enabled: true }), {
        first: ["systemctl enable cron.service"],
        again: [],
      });
      assert.equal(await link(wants), "/lib/systemd/system/cron.service");
      assert.deepEqual(await run({ name: "cron.service", masked: true }), {
        first: ["systemctl mask cron.service"],
        again: [],
      });
      assert.equal(await link(unit), "/dev/null");
      assert.deepEqual(await run({ name: "cron.service", masked: false }), {
        first: ["systemctl unmask cron.service"],
        again: [],
      });
      assert.equal(await link(unit), undefined);
      // Starting needs a running systemd: refused with the reason, nothing half-done.
      await assert.rejects(
        () => run({ name: "cron.service", state: "started" }),
        /PID 1 is not systemd/,
      );
    } finally {
      await root.close();
    }
  },
}));
