/**
 * `hostname`: the host's name, persisted and live. With systemd running (or `use: systemd`):
 * `hostnamectl set-hostname`. Otherwise /etc/hostname is written and, when the live name (from
 * /proc/sys/kernel/hostname) is readable and differs, `hostname <name>` sets it. In a chroot
 * without /proc only the file is managed: the live name belongs to the machine outside.
 *
 * @module
 */
import * as z from "zod";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { type Cmd, cmdLine, readOptional, runChecked, systemdBooted } from "./_run.ts";

const schema = z.strictObject({
  name: z.string().regex(
    /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
    "expected a host name (letters, digits, hyphens; dot-separated labels)",
  ),
  /** Strategy; by default systemd when it is running, else the /etc/hostname file. */
  use: z.enum(["systemd", "debian", "alpine", "generic", "redhat", "file"]).optional(),
});

interface HostnameCurrent {
  readonly file?: string;
  readonly live?: string;
  readonly systemd: boolean;
}

type HostnameOp = { kind: "file"; name: string } | { kind: "cmd"; cmd: Cmd };

/** The hostname task. */
export const hostname = defineTask({
  type: "hostname",
  schema,
  mainParam: "name",
  async read(p, host): Promise<HostnameCurrent> {
    const systemd = p.use === "systemd" || (p.use === undefined && (await systemdBooted(host)));
    const file = (await readOptional(host, "/etc/hostname"))?.trim();
    const live = (await readOptional(host, "/proc/sys/kernel/hostname").catch(() => undefined))
      ?.trim();
    return {
      systemd,
      ...(file !== undefined ? { file } : {}),
      ...(live ? { live } : {}),
    };
  },
  plan(p, cur): Change<HostnameOp>[] {
    const changes: Change<HostnameOp>[] = [];
    const liveDiffers = cur.live !== undefined && cur.live !== p.name;
    if (cur.systemd) {
      if (cur.file !== p.name || liveDiffers) {
        const cmd: Cmd = { cmd: "hostnamectl", args: ["set-hostname", p.name] };
        changes.push({
          op: { kind: "cmd", cmd },
          summary: cmdLine(cmd),
          diff: {
            before: `${cur.live ?? cur.file ?? ""}\n`,
            after: `${p.name}\n`,
            beforeLabel: "hostname before",
            afterLabel: "hostname after",
          },
        });
      }
      return changes;
    }
    if (cur.file !== p.name) {
      changes.push({
        op: { kind: "file", name: p.name },
        summary: `write /etc/hostname: ${cur.file ?? "(none)"} -> ${p.name}`,
        diff: {
          before: cur.file !== undefined ? `${cur.file}\n` : "",
          after: `${p.name}\n`,
          path: "/etc/hostname",
        },
      });
    }
    if (liveDiffers) {
      const cmd: Cmd = { cmd: "hostname", args: [p.name] };
      changes.push({
        op: { kind: "cmd", cmd },
        summary: cmdLine(cmd),
        diff: {
          before: `${cur.live}\n`,
          after: `${p.name}\n`,
          beforeLabel: "live hostname before",
          afterLabel: "live hostname after",
        },
      });
    }
    return changes;
  },
  async apply(op, host) {
    if (op.kind === "file") await host.writeAtomic("/etc/hostname", `${op.name}\n`);
    else await runChecked(host, op.cmd);
  },
});
