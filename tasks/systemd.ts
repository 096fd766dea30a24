/**
 * `systemd` (Ansible's systemd_service): a unit's state, enablement and mask, plus
 * `daemon_reload` (run when systemd reports the unit file changed, or once when no unit is
 * named). When systemd is not PID 1 (a chroot, an image), `enabled` and `masked` still work
 * offline; starting and stopping are refused with that reason.
 *
 * @module
 */
import * as z from "zod";
import { defineTask } from "../lib/apply/task.ts";
import { bool } from "./_ansible_params.ts";
import {
  applyService,
  planService,
  readService,
  type ServiceState,
  type ServiceWanted,
} from "./_services.ts";

const schema = z.strictObject({
  name: z.string().min(1).optional(),
  service: z.string().min(1).optional(),
  unit: z.string().min(1).optional(),
  state: z.enum(["started", "stopped", "restarted", "reloaded"]).optional(),
  enabled: bool().optional(),
  masked: bool().optional(),
  daemon_reload: bool().default(false),
  "daemon-reload": bool().optional(),
  scope: z.enum(["system", "user", "global"]).default("system"),
  no_block: bool().default(false),
  force: bool().default(false),
}).refine(
  (p) => (p.name ?? p.service ?? p.unit) !== undefined || p.daemon_reload || p["daemon-reload"],
  { message: "name is required unless daemon_reload is set" },
);
type Params = z.output<typeof schema>;

function wanted(p: Params): ServiceWanted {
  const name = p.name ?? p.service ?? p.unit;
  const flags = p.scope === "user" ? ["--user"] : p.scope === "global" ? ["--global"] : [];
  return {
    ...(name ? { name } : {}),
    ...(p.state ? { state: p.state } : {}),
    ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
    ...(p.masked !== undefined ? { masked: p.masked } : {}),
    daemonReload: p.daemon_reload || (p["daemon-reload"] ?? false),
    systemctlFlags: flags,
    noBlock: p.no_block,
    forceEnable: p.force,
  };
}

/** The systemd task. */
export const systemd = defineTask({
  type: "systemd",
  schema,
  mainParam: "name",
  read: (p, host): Promise<ServiceState> => readService(host, wanted(p), "systemd"),
  plan: (p, cur) => planService(wanted(p), cur),
  apply: (op, host) => applyService(op, host),
  result: (p, cur) => ({
    name: p.name ?? p.service ?? p.unit,
    ...(cur.active !== undefined
      ? { status: { ActiveState: cur.active ? "active" : "inactive" } }
      : {}),
  }),
});
