/**
 * The account databases as files (`/etc/passwd`, `/etc/shadow`, `/etc/group`), read through
 * the Host so a chroot, a temp root and the dry-run overlay all see the same state as the
 * commands that change it (`useradd`, `usermod`, `groupadd`, ...).
 *
 * @module
 */
import type { Host } from "../lib/apply/host.ts";
import { readOptional } from "./_run.ts";

/** A passwd entry. */
export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly comment: string;
  readonly home: string;
  readonly shell: string;
}

/** A shadow entry (the fields the user task manages). */
export interface ShadowEntry {
  readonly name: string;
  readonly hash: string;
  /** Account expiry in days since the epoch; `undefined` when it never expires. */
  readonly expireDays?: number;
  /** Password aging (chage -m/-M/-W): minimum and maximum age, warning days. */
  readonly minDays?: number;
  readonly maxDays?: number;
  readonly warnDays?: number;
}

/** A group entry. */
export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

/** Parses /etc/passwd. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) continue;
    out.push({
      name: f[0]!,
      uid: Number(f[2]),
      gid: Number(f[3]),
      comment: f[4]!,
      home: f[5]!,
      shell: f[6]!,
    });
  }
  return out;
}

/** Parses /etc/shadow. */
export function parseShadow(text: string): ShadowEntry[] {
  const out: ShadowEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 8 || !f[0]) continue;
    const days = (i: number) => (/^\d+$/.test(f[i]!) ? Number(f[i]) : undefined);
    const [expireDays, minDays, maxDays, warnDays] = [days(7), days(3), days(4), days(5)];
    out.push({
      name: f[0],
      hash: f[1]!,
      ...(expireDays !== undefined ? { expireDays } : {}),
      ...(minDays !== undefined ? { minDays } : {}),
      ...(maxDays !== undefined ? { maxDays } : {}),
      ...(warnDays !== undefined ? { warnDays } : {}),
    });
  }
  return out;
}

/** Parses /etc/group. */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 4 || !/^\d+$/.test(f[2]!)) continue;
    out.push({ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(",").filter(Boolean) });
  }
  return out;
}

/** The three databases of a host. */
export interface AccountDb {
  readonly passwd: readonly PasswdEntry[];
  readonly shadow: readonly ShadowEntry[];
  readonly groups: readonly GroupEntry[];
}

/** Reads the databases (a missing file reads as empty). */
export async function readAccounts(host: Host): Promise<AccountDb> {
  const [passwd, shadow, groups] = await Promise.all([
    readOptional(host, "/etc/passwd"),
    readOptional(host, "/etc/shadow"),
    readOptional(host, "/etc/group"),
  ]);
  return {
    passwd: parsePasswd(passwd ?? ""),
    shadow: parseShadow(shadow ?? ""),
    groups: parseGroup(groups ?? ""),
  };
}

/** Finds a group by name or numeric id (`"100"` or `100`). */
export function findGroup(db: AccountDb, nameOrId: string | number): GroupEntry | undefined {
  const s = String(nameOrId);
  return db.groups.find((g) => g.name === s) ??
    (/^\d+$/.test(s) ? db.groups.find((g) => g.gid === Number(s)) : undefined);
}

/** A passwd/shadow hash for diffs: never the hash itself. */
export function redactHash(hash: string | undefined): string {
  if (hash === undefined || hash === "") return "(none)";
  const locked = hash.startsWith("!");
  const bare = locked ? hash.slice(1) : hash;
  const shown = bare === "" || bare === "*" || bare === "x" ? bare || "(empty)" : "[hash]";
  return locked ? `${shown} (locked)` : shown;
}

/** Renders fields as `key: value` lines for readable diffs. */
export function fieldLines(fields: Record<string, string | number | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join("");
}
