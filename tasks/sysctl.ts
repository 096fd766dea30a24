/**
 * `sysctl`: a kernel parameter persisted in a sysctl file (`name=value`, as Ansible writes it),
 * reloaded with `sysctl -p <file>` when the file changes, and with `sysctl_set` also checked
 * against the live value in /proc/sys and set with `sysctl -w`.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, str } from "./_ansible_params.ts";
import { type Cmd, cmdLine, readOptional, runAll } from "./_run.ts";

const schema = z.strictObject({
  name: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  value: str().optional(),
  val: str().optional(),
  state: z.enum(["present", "absent"]).default("present"),
  sysctl_file: z.string().default("/etc/sysctl.conf"),
  reload: bool().default(true),
  ignoreerrors: bool().default(false),
  /** Also compare with (and set) the live value. */
  sysctl_set: bool().default(false),
}).refine((p) => (p.name ?? p.key) !== undefined, { message: "name is required" })
  .refine((p) => p.state === "absent" || (p.value ?? p.val) !== undefined, {
    message: "value is required with state: present",
  });
type Params = z.output<typeof schema>;

interface SysctlCurrent {
  readonly text?: string;
  /** The live value from /proc/sys, when readable. */
  readonly live?: string;
}

interface SysctlOp {
  readonly path?: string;
  readonly text?: string;
  readonly cmds: readonly Cmd[];
}

const keyOf = (p: Params) => (p.name ?? p.key)!;
const valueOf = (p: Params) => (p.value ?? p.val)!;

/** `net/ipv4/ip_forward` and `net.ipv4.ip_forward` name the same key. */
function norm(key: string): string {
  return key.trim().replaceAll("/", ".");
}

/** Values compare with whitespace collapsed (`4096  87380` equals `4096 87380`). */
function normValue(v: string): string {
  return v.trim().split(/\s+/).join(" ");
}

function procPath(key: string): string {
  return `/proc/sys/${key.includes("/") ? key : key.replaceAll(".", "/")}`;
}

/** The key and value of a sysctl.conf line, if it is an assignment. */
function assignment(line: string): { key: string; value: string } | undefined {
  const t = line.trim();
  if (t === "" || t.startsWith("#") || t.startsWith(";")) return undefined;
  const i = t.indexOf("=");
  if (i < 0) return undefined;
  return { key: norm(t.slice(0, i).replace(/^-/, "")), value: normValue(t.slice(i + 1)) };
}

/** The file after setting or removing the key; pure. */
export function editSysctl(text: string, key: string, value: string | undefined): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const out: string[] = [];
  let placed = false;
  for (const line of lines) {
    const a = assignment(line);
    if (!a || a.key !== norm(key)) {
      out.push(line);
      continue;
    }
    if (value === undefined || placed) continue;
    out.push(a.value === normValue(value) ? line : `${key}=${value}`);
    placed = true;
  }
  if (value !== undefined && !placed) out.push(`${key}=${value}`);
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}

async function readLive(host: Host, key: string): Promise<string | undefined> {
  try {
    const v = await readOptional(host, procPath(key));
    return v === undefined ? undefined : normValue(v);
  } catch {
    return undefined;
  }
}

/** The sysctl task. */
export const sysctl = defineTask({
  type: "sysctl",
  schema,
  mainParam: "name",
  async read(p, host): Promise<SysctlCurrent> {
    const [text, live] = await Promise.all([
      readOptional(host, p.sysctl_file),
      p.sysctl_set ? readLive(host, keyOf(p)) : Promise.resolve(undefined),
    ]);
    return { ...(text !== undefined ? { text } : {}), ...(live !== undefined ? { live } : {}) };
  },
  plan(p, cur): Change<SysctlOp>[] {
    const key = keyOf(p);
    const want = p.state === "present" ? valueOf(p) : undefined;
    const before = cur.text ?? "";
    const after = editSysctl(before, key, want);
    const changes: Change<SysctlOp>[] = [];
    const reload: Cmd = {
      cmd: "sysctl",
      args: [...(p.ignoreerrors ? ["-e"] : []), "-p", p.sysctl_file],
    };
    if (after !== before) {
      const cmds = p.reload ? [reload] : [];
      changes.push({
        op: { path: p.sysctl_file, text: after, cmds },
        summary: `${want === undefined ? "remove" : "set"} ${key}${
          want === undefined ? "" : ` = ${want}`
        } in ${p.sysctl_file}${p.reload ? ` && ${cmdLine(reload)}` : ""}`,
        diff: { before, after, path: p.sysctl_file },
      });
    }
    const reloads = changes.length > 0 && p.reload;
    if (p.sysctl_set && want !== undefined && !reloads && cur.live !== normValue(want)) {
      const set: Cmd = {
        cmd: "sysctl",
        args: [...(p.ignoreerrors ? ["-e"] : []), "-w", `${key}=${want}`],
      };
      changes.push({
        op: { cmds: [set] },
        summary: cmdLine(set),
        diff: {
          before: `${key} = ${cur.live ?? "(unknown)"}\n`,
          after: `${key} = ${normValue(want)}\n`,
          beforeLabel: "live before",
          afterLabel: "live after",
        },
      });
    }
    return changes;
  },
  async apply(op, host) {
    if (op.path !== undefined && op.text !== undefined) {
      await host.writeAtomic(op.path, op.text);
    }
    await runAll(host, op.cmds);
  },
});
