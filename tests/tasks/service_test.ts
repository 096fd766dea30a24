import assert from "node:assert/strict";
import { service } from "../../tasks/service.ts";
import { type Case, runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost, writeFiles } from "../_helpers/scripted_host.ts";
import { debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { needs } from "../_helpers/needs.ts";
import type { TaskContext } from "../../lib/apply/task.ts";
import { booted } from "../_helpers/systemd_model.ts";

/** A sysv host: `service x status` answers from the model, rc.d links are real files. */
function sysv(
  c: Omit<Case, "setup" | "check"> & { running: boolean; enabled: boolean; commands: string[] },
): Case {
  let running = c.running;
  return {
    ...c,
    setup: async (root, host) => {
      await writeFiles(root, { "/usr/sbin/update-rc.d": "", "/usr/sbin/service": "" });
      await Deno.mkdir(`${root}/etc/rc2.d`, { recursive: true });
      if (c.enabled) await Deno.writeTextFile(`${root}/etc/rc2.d/S01cron`, "");
      (host as ScriptedHost).script(
        { match: "service cron status", reply: () => ({ code: running ? 0 : 3 }) },
        { match: "service cron start", reply: () => void (running = true) },
        { match: "service cron stop", reply: () => void (running = false) },
        { match: "service cron restart" },
        { match: "update-rc.d cron defaults" },
        {
          match: "update-rc.d cron enable",
          reply: () => Deno.writeTextFileSync(`${root}/etc/rc2.d/S01cron`, ""),
        },
        {
          match: "update-rc.d cron disable",
          reply: () => Deno.removeSync(`${root}/etc/rc2.d/S01cron`),
        },
      );
    },
    check: (_r, host) => assert.deepEqual((host as ScriptedHost).changes(/ status$/), c.commands),
  };
}

function openrc(
  c: Omit<Case, "setup" | "check"> & { running: boolean; enabled: boolean; commands: string[] },
): Case {
  let running = c.running;
  return {
    ...c,
    setup: async (root, host) => {
      await writeFiles(root, { "/sbin/openrc-run": "" });
      await Deno.mkdir(`${root}/etc/runlevels/default`, { recursive: true });
      const link = `${root}/etc/runlevels/default/sshd`;
      if (c.enabled) await Deno.symlink("/etc/init.d/sshd", link);
      (host as ScriptedHost).script(
        { match: "rc-service sshd status", reply: () => ({ code: running ? 0 : 3 }) },
        { match: "rc-service sshd start", reply: () => void (running = true) },
        { match: "rc-service sshd stop", reply: () => void (running = false) },
        {
          match: "rc-update add sshd default",
          reply: () => Deno.symlinkSync("/etc/init.d/sshd", link),
        },
        { match: "rc-update del sshd default", reply: () => Deno.removeSync(link) },
      );
    },
    check: (_r, host) => assert.deepEqual((host as ScriptedHost).changes(/ status$/), c.commands),
  };
}

Deno.test("service: systemd when it is PID 1", async (t) => {
  await runCases(t, service, [
    booted({
      name: "starts and enables, with unit diffs",
      params: { name: "nginx", state: "started", enabled: true },
      unit: { active: false, enabled: false },
      summaries: ["systemctl enable nginx", "systemctl start nginx"],
      commands: ["systemctl enable nginx", "systemctl start nginx"],
      changes: (ch) => {
        assert.equal(ch[1]!.diff!.before, "nginx state: stopped\n");
        assert.equal(ch[1]!.diff!.after, "nginx state: started\n");
      },
    }),
    booted({
      name: "a running enabled unit is converged",
      params: { name: "nginx", state: "started", enabled: "yes" },
      unit: { active: true, enabled: true },
      summaries: [],
      commands: [],
    }),
    booted({
      name: "stops and disables",
      params: { name: "nginx", state: "stopped", enabled: false },
      unit: { active: true, enabled: true },
      summaries: ["systemctl disable nginx", "systemctl stop nginx"],
      commands: ["systemctl disable nginx", "systemctl stop nginx"],
    }),
    booted({
      name: "restarted acts once per run (the re-plan of the same run is empty)",
      params: { name: "nginx", state: "restarted" },
      unit: { active: true, enabled: true },
      summaries: ["systemctl restart nginx"],
      commands: ["systemctl restart nginx"],
    }),
    booted({
      name: "reloaded on a stopped unit starts it",
      params: { name: "nginx", state: "reloaded" },
      unit: { active: false, enabled: true },
      summaries: ["systemctl start nginx"],
      commands: ["systemctl start nginx"],
    }),
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test("service: sysv fallback when systemd is not PID 1", async (t) => {
  await runCases(t, service, [
    sysv({
      name: "starts with service and enables with update-rc.d",
      params: { name: "cron", state: "started", enabled: true },
      running: false,
      enabled: false,
      summaries: ["update-rc.d cron defaults && update-rc.d cron enable", "service cron start"],
      commands: ["update-rc.d cron defaults", "update-rc.d cron enable", "service cron start"],
    }),
    sysv({
      name: "converged from status and rc.d links",
      params: { name: "cron", state: "started", enabled: true },
      running: true,
      enabled: true,
      summaries: [],
      commands: [],
    }),
    sysv({
      name: "stops and disables",
      params: { name: "cron", state: "stopped", enabled: false },
      running: true,
      enabled: true,
      summaries: ["update-rc.d cron disable", "service cron stop"],
      commands: ["update-rc.d cron disable", "service cron stop"],
    }),
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test("service: OpenRC fallback", async (t) => {
  await runCases(t, service, [
    openrc({
      name: "rc-service start and rc-update add",
      params: { name: "sshd", state: "started", enabled: true },
      running: false,
      enabled: false,
      summaries: ["rc-update add sshd default", "rc-service sshd start"],
      commands: ["rc-update add sshd default", "rc-service sshd start"],
    }),
    openrc({
      name: "rc-update del",
      params: { name: "sshd", enabled: false },
      running: true,
      enabled: true,
      summaries: ["rc-update del sshd default"],
      commands: ["rc-update del sshd default"],
    }),
  ], { host: (root) => new ScriptedHost(root) });
});

const ctx: TaskContext = {
  configDir: "/x",
  renderTemplate: () => Promise.reject(new Error("none")),
};

Deno.test(needs(debianRootMissing(), {
  name:
    "service: real sysv `service cron` start/stop and update-rc.d in the Debian root (systemd is not PID 1 here)",
  async fn() {
    const root = await openRoot();
    const proc = `${root.dir}/proc`;
    const mounted =
      (await new Deno.Command("mount", { args: ["-t", "proc", "proc", proc] }).output()).success;
    try {
      const run = async (raw: Record<string, unknown>) => {
        const p = service.schema.parse(raw);
        const first = service.plan(p, await service.read(p, root.host, ctx));
        for (const c of first) await service.apply(c.op, root.host, ctx);
        const again = service.plan(p, await service.read(p, root.host, ctx));
        return { first: first.map((c) => c.summary), again: again.map((c) => c.summary) };
      };
      assert.deepEqual(await run({ name: "cron", enabled: false }), {
        first: ["update-rc.d cron disable"],
        again: [],
      });
      assert.deepEqual(await run({ name: "cron", enabled: true }), {
        first: ["update-rc.d cron defaults && update-rc.d cron enable"],
        again: [],
      });
      if (mounted) {
        assert.deepEqual(await run({ name: "cron", state: "started" }), {
          first: ["service cron start"],
          again: [],
        });
        assert.deepEqual(await run({ name: "cron", state: "stopped" }), {
          first: ["service cron stop"],
          again: [],
        });
      }
    } finally {
      await new Deno.Command("/usr/sbin/chroot", { args: [root.dir, "service", "cron", "stop"] })
        .output();
      if (mounted) await new Deno.Command("umount", { args: [proc] }).output();
      await root.close();
    }
  },
}));
