/**
 * `service`: start, stop, restart or reload a service and enable it at boot, with whatever init
 * the host runs: systemd when it is PID 1, otherwise OpenRC (`rc-service`, `rc-update`) or sysv
 * (`service`, `update-rc.d`/`chkconfig`), as Ansible's service module falls back.
 *
 * @module
 */
import * as z from "zod";
import { defineTask } from "../lib/apply/task.ts";
import { bool, list } from "./_ansible_params.ts";
import {
  applyService,
  type InitSystem,
  planService,
  readService,
  type ServiceState,
  type ServiceWanted,
  sysvTool,
} from "./_services.ts";

const schema = z.strictObject({
  name: z.string().min(1),
  state: z.enum(["started", "stopped", "restarted", "reloaded"]).optional(),
  enabled: bool().optional(),
  /** `auto` (default) detects; `service` means sysv. */
  use: z.enum(["auto", "systemd", "sysvinit", "service", "openrc"]).default("auto"),
  /** sysv: extra arguments after the verb. */
  arguments: list().optional(),
  args: list().optional(),
  /** OpenRC runlevel for `enabled`. */
  runlevel: z.string().default("default"),
}).refine((p) => p.state !== undefined || p.enabled !== undefined, {
  message: "one of state or enabled is required",
});
type Params = z.output<typeof schema>;

function wanted(p: Params): ServiceWanted {
  const args = p.arguments ?? p.args;
  return {
    name: p.name,
    ...(p.state ? { state: p.state } : {}),
    ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
    ...(args ? { arguments: args } : {}),
    runlevel: p.runlevel,
  };
}

const INIT: Record<Params["use"], InitSystem | undefined> = {
  auto: undefined,
  systemd: "systemd",
  sysvinit: "sysv",
  service: "sysv",
  openrc: "openrc",
};

/** The service task. */
export const service = defineTask({
  type: "service",
  schema,
  mainParam: "name",
  async read(p, host): Promise<ServiceState & { sysvTool: string }> {
    const state = await readService(host, wanted(p), INIT[p.use]);
    return { ...state, sysvTool: state.init === "sysv" ? await sysvTool(host) : "" };
  },
  plan: (p, cur) => planService(wanted(p), cur, cur.sysvTool),
  apply: (op, host) => applyService(op, host),
  result: (p, cur) => ({
    name: p.name,
    init: cur.init,
    ...(cur.active !== undefined ? { status: { active: cur.active, enabled: cur.enabled } } : {}),
  }),
});
