/**
 * `selinux` (ansible.posix): SELinux's mode and policy. Where SELinux is present (its config
 * file exists), the `SELINUX=` and `SELINUXTYPE=` lines of /etc/selinux/config are set as the
 * module sets them, and a running enforcing/permissive system is switched with `setenforce`;
 * leaving or entering `disabled` needs a reboot (`reboot_required`). Where SELinux is absent
 * (Debian, Ubuntu), the task only reports: `state: disabled` is already true, and any other
 * state fails with the reason, as nothing can make it so.
 *
 * @module
 */
import * as z from "zod";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool } from "./_ansible_params.ts";
import { contentDiff } from "./_files.ts";
import { readOptional, runChecked } from "./_run.ts";

const schema = z.strictObject({
  state: z.enum(["enforcing", "permissive", "disabled"]),
  policy: z.string().optional(),
  update_kernel_param: bool().default(false),
  configfile: z.string().default("/etc/selinux/config"),
});
type Params = z.output<typeof schema>;

interface Current {
  /** The config file's text; undefined where SELinux is absent. */
  readonly config?: string;
  /** The running mode (`getenforce`), when selinuxfs is mounted. */
  readonly runtime?: "enforcing" | "permissive";
}

type Op =
  | { kind: "config"; path: string; text: string }
  | { kind: "setenforce"; mode: "enforcing" | "permissive" };

/** The config with `SELINUX=` and `SELINUXTYPE=` set (each key's lines replaced, or appended). */
export function setConfig(text: string, state: string, policy: string | undefined): string {
  const set = (t: string, key: string, value: string) => {
    const re = new RegExp(`^${key}=.*$`, "m");
    return re.test(t)
      ? t.replace(new RegExp(`^${key}=.*$`, "gm"), `${key}=${value}`)
      : `${t}${t === "" || t.endsWith("\n") ? "" : "\n"}${key}=${value}\n`;
  };
  const withState = set(text, "SELINUX", state);
  return policy === undefined ? withState : set(withState, "SELINUXTYPE", policy);
}

function configValue(text: string, key: string): string | undefined {
  return new RegExp(`^${key}=(.*)$`, "m").exec(text)?.[1]?.trim();
}

/** The selinux task. */
export const selinux = defineTask({
  type: "selinux",
  schema,
  mainParam: "state",
  async read(p, host): Promise<Current> {
    const config = await readOptional(host, p.configfile);
    const enforce = await readOptional(host, "/sys/fs/selinux/enforce");
    const runtime = enforce === undefined
      ? undefined
      : enforce.trim() === "1"
      ? "enforcing"
      : "permissive";
    return { ...(config !== undefined ? { config } : {}), ...(runtime ? { runtime } : {}) };
  },
  plan(p, cur): Change<Op>[] {
    if (cur.config === undefined) {
      if (p.state === "disabled") return [];
      throw new Error(
        `SELinux is absent on this host (no ${p.configfile}): it cannot be ${p.state}`,
      );
    }
    const out: Change<Op>[] = [];
    const text = setConfig(cur.config, p.state, p.policy);
    if (text !== cur.config) {
      const enc = (t: string) => new TextEncoder().encode(t);
      out.push({
        op: { kind: "config", path: p.configfile, text },
        summary: `SELINUX=${p.state}${
          p.policy ? ` SELINUXTYPE=${p.policy}` : ""
        } in ${p.configfile}`,
        diff: contentDiff(p.configfile, enc(cur.config), enc(text)),
      });
    }
    if (cur.runtime && p.state !== "disabled" && cur.runtime !== p.state) {
      out.push({
        op: { kind: "setenforce", mode: p.state },
        summary: `setenforce ${p.state === "enforcing" ? 1 : 0}`,
        action: true,
      });
    }
    return out;
  },
  async apply(op, host) {
    if (op.kind === "config") await host.writeAtomic(op.path, op.text);
    else await runChecked(host, { cmd: "setenforce", args: [op.mode === "enforcing" ? "1" : "0"] });
  },
  result(p, cur) {
    if (cur.config === undefined) {
      return { state: "disabled", msg: "SELinux is absent on this host", reboot_required: false };
    }
    const configured = configValue(cur.config, "SELINUX");
    // Entering or leaving disabled takes effect at the next boot only.
    const reboot = (configured === "disabled") !== (p.state === "disabled");
    return {
      state: p.state,
      configfile: p.configfile,
      ...(p.policy ? { policy: p.policy } : {}),
      reboot_required: reboot,
    };
  },
});
