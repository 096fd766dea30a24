/**
 * `timezone`: the system time zone. With systemd running: `timedatectl set-timezone`.
 * Otherwise the /etc/localtime symlink is replaced atomically (new link + rename) and, on
 * Debian, /etc/timezone is written, as Ansible's non-systemd strategy does.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { type Cmd, cmdLine, query, readOptional, runChecked, systemdBooted } from "./_run.ts";

const ZONEINFO = "/usr/share/zoneinfo";

const schema = z.strictObject({
  name: z.string().regex(
    /^[A-Za-z0-9_+\-]+(\/[A-Za-z0-9_+\-]+)*$/,
    "expected a zone like Europe/Paris",
  ),
});

interface TzCurrent {
  readonly systemd: boolean;
  /** The zone in effect (timedatectl, or the /etc/localtime link). */
  readonly zone?: string;
  /** /etc/timezone content, when the file exists. */
  readonly timezoneFile?: string;
  readonly debian: boolean;
  readonly zoneExists: boolean;
}

type TzOp =
  | { kind: "cmd"; cmd: Cmd }
  | { kind: "link"; name: string }
  | { kind: "file"; name: string };

async function linkedZone(host: Host): Promise<string | undefined> {
  const st = await host.stat("/etc/localtime", { follow: false });
  if (!st?.isSymlink) return undefined;
  const target = await host.readLink("/etc/localtime");
  const i = target.indexOf("zoneinfo/");
  return i >= 0 ? target.slice(i + "zoneinfo/".length) : undefined;
}

/** The timezone task. */
export const timezone = defineTask({
  type: "timezone",
  schema,
  mainParam: "name",
  async read(p, host): Promise<TzCurrent> {
    const systemd = await systemdBooted(host);
    let zone: string | undefined;
    if (systemd) {
      const r = await query(host, "timedatectl", ["show", "--property=Timezone", "--value"]);
      zone = r.code === 0 ? r.stdout.trim() : undefined;
    } else zone = await linkedZone(host);
    const timezoneFile = (await readOptional(host, "/etc/timezone"))?.trim();
    return {
      systemd,
      ...(zone ? { zone } : {}),
      ...(timezoneFile !== undefined ? { timezoneFile } : {}),
      debian: (await host.stat("/etc/debian_version")) !== undefined,
      zoneExists: (await host.stat(`${ZONEINFO}/${p.name}`))?.isFile ?? false,
    };
  },
  plan(p, cur): Change<TzOp>[] {
    if (!cur.zoneExists) {
      throw new Error(`unknown time zone "${p.name}" (no ${ZONEINFO}/${p.name} on the host)`);
    }
    const diff = (before: string | undefined) => ({
      before: before !== undefined ? `${before}\n` : "",
      after: `${p.name}\n`,
      beforeLabel: "time zone before",
      afterLabel: "time zone after",
    });
    if (cur.systemd) {
      if (cur.zone === p.name) return [];
      const cmd: Cmd = { cmd: "timedatectl", args: ["set-timezone", p.name] };
      return [{ op: { kind: "cmd", cmd }, summary: cmdLine(cmd), diff: diff(cur.zone) }];
    }
    const changes: Change<TzOp>[] = [];
    if (cur.zone !== p.name) {
      changes.push({
        op: { kind: "link", name: p.name },
        summary: `link /etc/localtime -> ${ZONEINFO}/${p.name} (was ${cur.zone ?? "unset"})`,
        diff: diff(cur.zone),
      });
    }
    if ((cur.timezoneFile !== undefined || cur.debian) && cur.timezoneFile !== p.name) {
      changes.push({
        op: { kind: "file", name: p.name },
        summary: `write /etc/timezone: ${cur.timezoneFile ?? "(none)"} -> ${p.name}`,
        diff: { ...diff(cur.timezoneFile), path: "/etc/timezone" },
      });
    }
    return changes;
  },
  async apply(op, host) {
    if (op.kind === "cmd") await runChecked(host, op.cmd);
    else if (op.kind === "file") await host.writeAtomic("/etc/timezone", `${op.name}\n`);
    else {
      // A new link renamed over the old one: /etc/localtime is never missing.
      const tmp = `/etc/.localtime.driftless-${crypto.randomUUID().slice(0, 8)}`;
      await host.symlink(`${ZONEINFO}/${op.name}`, tmp);
      try {
        await host.rename(tmp, "/etc/localtime");
      } catch (e) {
        await host.remove(tmp).catch(() => {});
        throw e;
      }
    }
  },
  result: (p, cur) => ({ name: p.name, previous: cur.zone }),
});
