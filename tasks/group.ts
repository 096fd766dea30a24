/**
 * `group`: a local group with Ansible's parameters (name, gid, system, non_unique, state),
 * through `groupadd`, `groupmod` and `groupdel`; state is read from /etc/group.
 *
 * @module
 */
import * as z from "zod";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, int } from "./_ansible_params.ts";
import { fieldLines, type GroupEntry, readAccounts } from "./_passwd.ts";
import { type Cmd, cmdLine, runChecked } from "./_run.ts";

const schema = z.strictObject({
  name: z.string().min(1),
  gid: int().optional(),
  state: z.enum(["present", "absent"]).default("present"),
  system: bool().default(false),
  non_unique: bool().default(false),
  /** groupdel -f: delete even when it is a user's primary group. */
  force: bool().default(false),
});

function groupFields(g: GroupEntry | undefined): string {
  return g
    ? fieldLines({ name: g.name, gid: g.gid, members: g.members.join(",") || "(none)" })
    : "";
}

/** The group task. */
export const group = defineTask({
  type: "group",
  schema,
  mainParam: "name",
  async read(p, host): Promise<{ entry?: GroupEntry }> {
    const entry = (await readAccounts(host)).groups.find((g) => g.name === p.name);
    return entry ? { entry } : {};
  },
  plan(p, { entry }): Change<Cmd>[] {
    if (p.state === "absent") {
      if (!entry) return [];
      const cmd: Cmd = { cmd: "groupdel", args: [...(p.force ? ["-f"] : []), p.name] };
      return [{
        op: cmd,
        summary: cmdLine(cmd),
        diff: { before: groupFields(entry), after: "", path: "/etc/group" },
      }];
    }
    const flags = [...(p.non_unique ? ["-o"] : [])];
    if (!entry) {
      const cmd: Cmd = {
        cmd: "groupadd",
        args: [
          ...(p.gid !== undefined ? ["-g", String(p.gid)] : []),
          ...flags,
          ...(p.system ? ["-r"] : []),
          p.name,
        ],
      };
      return [{
        op: cmd,
        summary: cmdLine(cmd),
        diff: {
          before: "",
          after: fieldLines({ name: p.name, gid: p.gid ?? "(next free)" }),
          path: "/etc/group",
        },
      }];
    }
    if (p.gid !== undefined && p.gid !== entry.gid) {
      const cmd: Cmd = { cmd: "groupmod", args: ["-g", String(p.gid), ...flags, p.name] };
      return [{
        op: cmd,
        summary: cmdLine(cmd),
        diff: {
          before: groupFields(entry),
          after: groupFields({ ...entry, gid: p.gid }),
          path: "/etc/group",
        },
      }];
    }
    return [];
  },
  async apply(op, host) {
    await runChecked(host, op);
  },
  result: (p, { entry }) => ({
    name: p.name,
    ...(entry ? { gid: entry.gid } : {}),
    state: p.state,
    system: p.system,
  }),
});
