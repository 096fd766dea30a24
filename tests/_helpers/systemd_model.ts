/**
 * A systemd unit model for command tables: `systemctl show` answers from it and the action
 * verbs change it, on a ScriptedHost whose root has /run/systemd/system (systemd "booted").
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Case } from "./run_cases.ts";
import type { Rule, ScriptedHost } from "./scripted_host.ts";

/** A systemd model: one unit whose state the rules report and change. */
export function systemdUnit(
  unit: { active: boolean; enabled: boolean; masked?: boolean; needReload?: boolean },
): Rule[] {
  const u = { ...unit };
  return [
    {
      match: /^systemctl (--[\w-]+ )*show /,
      reply: () => ({
        stdout: `ActiveState=${u.active ? "active" : "inactive"}\nUnitFileState=${
          u.masked ? "masked" : u.enabled ? "enabled" : "disabled"
        }\nLoadState=${u.masked ? "masked" : "loaded"}\nNeedDaemonReload=${
          u.needReload ? "yes" : "no"
        }\n`,
      }),
    },
    { match: /^systemctl (--[\w-]+ )*start /, reply: () => void (u.active = true) },
    { match: /^systemctl (--[\w-]+ )*stop /, reply: () => void (u.active = false) },
    { match: /^systemctl (--[\w-]+ )*(restart|reload) / },
    { match: /^systemctl (--[\w-]+ )*enable /, reply: () => void (u.enabled = true) },
    { match: /^systemctl (--[\w-]+ )*disable /, reply: () => void (u.enabled = false) },
    { match: /^systemctl (--[\w-]+ )*mask /, reply: () => void (u.masked = true) },
    { match: /^systemctl (--[\w-]+ )*unmask /, reply: () => void (u.masked = false) },
    { match: /^systemctl (--[\w-]+ )*daemon-reload/, reply: () => void (u.needReload = false) },
  ];
}

/** A case on a booted systemd host with one scripted unit; checks the commands run. */
export function booted(
  c: Omit<Case, "setup" | "check"> & {
    unit: Parameters<typeof systemdUnit>[0];
    commands: string[];
  },
): Case {
  return {
    ...c,
    setup: async (root, host) => {
      await Deno.mkdir(`${root}/run/systemd/system`, { recursive: true });
      (host as ScriptedHost).script(...systemdUnit(c.unit));
    },
    check: (_r, host) =>
      assert.deepEqual((host as ScriptedHost).changes(/ (show|is-enabled) /), c.commands),
  };
}
