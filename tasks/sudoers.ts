/**
 * `sudoers`: one rule file in /etc/sudoers.d, with community.general.sudoers' parameters and
 * rule format. The new file is written beside the target under a name sudo ignores (it has a
 * dot), checked with `visudo -cf`, and only then renamed into place, 0440 root:root: a rule that
 * does not parse never reaches sudo.
 *
 * @module
 */
import * as z from "zod";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, list } from "./_ansible_params.ts";
import { firstProgram, readOptional, runChecked } from "./_run.ts";

const schema = z.strictObject({
  /** The file name in sudoers_path. */
  name: z.string().regex(
    /^[A-Za-z0-9_-]+$/,
    "use letters, digits, _ and - only: sudo skips files in sudoers.d whose name has a dot or ends with ~",
  ),
  state: z.enum(["present", "absent"]).default("present"),
  user: z.string().optional(),
  group: z.string().optional(),
  commands: list().optional(),
  host: z.string().default("ALL"),
  runas: z.string().optional(),
  nopassword: bool().default(true),
  setenv: bool().default(false),
  noexec: bool().default(false),
  sudoers_path: z.string().default("/etc/sudoers.d"),
  /** `detect`: run visudo when it is installed; `required`: fail without it; `absent`: skip. */
  validation: z.enum(["detect", "required", "absent"]).default("detect"),
}).refine((p) => p.state === "absent" || (p.user ?? p.group) !== undefined, {
  message: "user or group is required with state: present",
}).refine((p) => !(p.user && p.group), { message: "user and group are mutually exclusive" })
  .refine((p) => p.state === "absent" || (p.commands?.length ?? 0) > 0, {
    message: "commands is required with state: present",
  });
type Params = z.output<typeof schema>;

/** The rule line, exactly as community.general.sudoers writes it. */
export function sudoersLine(p: Params): string {
  const owner = p.user ?? `%${p.group}`;
  const runas = p.runas !== undefined ? `(${p.runas})` : "";
  const tags = `${p.noexec ? "NOEXEC:" : ""}${p.nopassword ? "NOPASSWD:" : ""}${
    p.setenv ? "SETENV:" : ""
  }`;
  return `${owner} ${p.host}=${runas}${tags} ${p.commands!.join(", ")}\n`;
}

interface SudoersCurrent {
  readonly text?: string;
  readonly mode?: number;
  readonly visudo?: string;
}

type SudoersOp =
  | { kind: "write"; path: string; text: string; validate: boolean }
  | { kind: "remove"; path: string };

/** The sudoers task. */
export const sudoers = defineTask({
  type: "sudoers",
  schema,
  mainParam: "name",
  async read(p, host): Promise<SudoersCurrent> {
    const path = `${p.sudoers_path}/${p.name}`;
    const [text, st, visudo] = await Promise.all([
      readOptional(host, path),
      host.stat(path),
      p.validation === "absent" ? Promise.resolve(undefined) : firstProgram(host, ["visudo"]),
    ]);
    return {
      ...(text !== undefined ? { text } : {}),
      ...(st ? { mode: st.mode & 0o7777 } : {}),
      ...(visudo ? { visudo } : {}),
    };
  },
  plan(p, cur): Change<SudoersOp>[] {
    const path = `${p.sudoers_path}/${p.name}`;
    if (p.state === "absent") {
      return cur.text === undefined ? [] : [{
        op: { kind: "remove", path },
        summary: `remove ${path}`,
        diff: { before: cur.text, after: "", path },
      }];
    }
    const text = sudoersLine(p);
    if (cur.text === text && cur.mode === 0o440) return [];
    if (p.validation === "required" && !cur.visudo) {
      throw new Error("validation: required, but visudo is not installed (install sudo)");
    }
    return [{
      op: { kind: "write", path, text, validate: cur.visudo !== undefined },
      summary: `write ${path}${cur.visudo ? " (checked with visudo -cf)" : ""}`,
      diff: { before: cur.text ?? "", after: text, path },
    }];
  },
  async apply(op, host) {
    if (op.kind === "remove") {
      await host.remove(op.path);
      return;
    }
    const dir = op.path.slice(0, op.path.lastIndexOf("/"));
    const tmp = `${dir}/.${op.path.slice(dir.length + 1)}.driftless-check`;
    await host.writeAtomic(tmp, op.text, { mode: 0o440, uid: 0, gid: 0 });
    try {
      if (op.validate) await runChecked(host, { cmd: "visudo", args: ["-cf", tmp] });
      await host.rename(tmp, op.path);
    } catch (e) {
      await host.remove(tmp).catch(() => {});
      throw e;
    }
  },
});
