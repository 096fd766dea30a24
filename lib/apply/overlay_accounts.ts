/**
 * Accounts in a dry run: what `useradd`, `usermod`, `userdel`, `groupadd`, `groupmod` and
 * `groupdel` would do, done to the overlay's copies of /etc/passwd, /etc/shadow and /etc/group
 * (and the new home directory), as shadow-utils does it on Debian: ids from /etc/login.defs
 * (next above the highest in use, system ids downwards from SYS_*_MAX), a private group per user
 * (USERGROUPS_ENAB), home under /etc/default/useradd's HOME with /etc/skel copied in. Later
 * tasks then see the planned user with its planned uid, so `owner: app` plans instead of failing.
 *
 * @module
 */
import { join } from "node:path";
import type { Host } from "./host.ts";

/** The commands simulated here. */
export const ACCOUNT_COMMANDS: ReadonlySet<string> = new Set([
  "useradd",
  "usermod",
  "userdel",
  "groupadd",
  "groupmod",
  "groupdel",
]);

/** Options that take a value, per command (short forms, as the tasks run them). */
const WITH_VALUE: Readonly<Record<string, string>> = {
  useradd: "bcdefgGkKpsu",
  usermod: "cdefgGlpsu",
  userdel: "",
  groupadd: "gKp",
  groupmod: "gnp",
  groupdel: "",
};

/** Splits `-u 1001 -m name` into options and operands; undefined for what it cannot read. */
function parseArgs(
  cmd: string,
  args: readonly string[],
): { opts: Map<string, string | true>; name: string } | undefined {
  const takes = WITH_VALUE[cmd] ?? "";
  const opts = new Map<string, string | true>();
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("-") || a === "-") {
      operands.push(a);
      continue;
    }
    if (a.startsWith("--")) return undefined;
    for (let j = 1; j < a.length; j++) {
      const o = a[j]!;
      if (!takes.includes(o)) {
        opts.set(o, true);
        continue;
      }
      const value = j + 1 < a.length ? a.slice(j + 1) : args[++i];
      if (value === undefined) return undefined;
      opts.set(o, value);
      break;
    }
  }
  return operands.length === 1 ? { opts, name: operands[0]! } : undefined;
}

/** A line of a colon-separated database, as fields. */
type Row = string[];

async function readDb(host: Host, path: string): Promise<Row[]> {
  const text = await host.readText(path).catch(() => "");
  return text.split("\n").filter((l) => l !== "").map((l) => l.split(":"));
}

async function writeDb(host: Host, path: string, rows: Row[]): Promise<void> {
  const st = await host.stat(path);
  const mode = st?.mode ?? (path.endsWith("shadow") ? 0o640 : 0o644);
  await host.writeAtomic(path, rows.map((r) => r.join(":")).join("\n") + "\n", { mode });
}

/** Settings from a `KEY VALUE` (login.defs) or `KEY=VALUE` (default/useradd) file. */
async function settings(host: Host, path: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const text = await host.readText(path).catch(() => "");
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Z_]+)(?:\s+|=)(\S+)/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** The id shadow-utils would pick: the next above the highest in range, system ids downwards. */
function nextId(
  used: ReadonlySet<number>,
  defs: Map<string, string>,
  kind: "UID" | "GID",
  system: boolean,
) {
  const num = (k: string, d: number) => Number(defs.get(k) ?? d);
  if (system) {
    const min = num(`SYS_${kind}_MIN`, 100);
    for (let id = num(`SYS_${kind}_MAX`, num(`${kind}_MIN`, 1000) - 1); id >= min; id--) {
      if (!used.has(id)) return id;
    }
    throw new Error(`no free system ${kind.toLowerCase()} left`);
  }
  const min = num(`${kind}_MIN`, 1000);
  const max = num(`${kind}_MAX`, 60000);
  const inRange = [...used].filter((id) => id >= min && id <= max);
  const next = inRange.length === 0 ? min : Math.max(...inRange) + 1;
  if (next <= max) return next;
  for (let id = min; id <= max; id++) if (!used.has(id)) return id;
  throw new Error(`no free ${kind.toLowerCase()} left`);
}

/** Finds a group row by name or number. */
function groupRow(groups: Row[], nameOrId: string): Row | undefined {
  return groups.find((g) => g[0] === nameOrId) ??
    (/^\d+$/.test(nameOrId) ? groups.find((g) => g[2] === nameOrId) : undefined);
}

function setMembers(row: Row, members: string[]): void {
  row[3] = [...new Set(members)].join(",");
}

function members(row: Row): string[] {
  return (row[3] ?? "").split(",").filter(Boolean);
}

/** Days since the epoch for `-e YYYY-MM-DD` (empty: never expires). */
function expiryDays(date: string): string {
  return date === "" || date === "-1" ? "" : String(Math.floor(Date.parse(date) / 86_400_000));
}

/**
 * Does to the host's account files what the command would have done. Returns false when the
 * command line is one it does not read (it is then only recorded, as any other command).
 */
export async function simulateAccounts(
  host: Host,
  cmd: string,
  args: readonly string[],
): Promise<boolean> {
  const parsed = parseArgs(cmd, args);
  if (!parsed) return false;
  const { opts, name } = parsed;
  const opt = (o: string) => (typeof opts.get(o) === "string" ? opts.get(o) as string : undefined);
  const [passwd, shadow, groups, defs] = await Promise.all([
    readDb(host, "/etc/passwd"),
    readDb(host, "/etc/shadow"),
    readDb(host, "/etc/group"),
    settings(host, "/etc/login.defs"),
  ]);
  const user = passwd.find((r) => r[0] === name);
  const system = opts.has("r");
  const gids = () => new Set(groups.map((g) => Number(g[2])));
  const addGroup = (group: string, gid: number) => groups.push([group, "x", String(gid), ""]);

  switch (cmd) {
    case "groupadd": {
      if (groupRow(groups, name)) return true; // fails for real; the task asked first
      addGroup(name, opt("g") ? Number(opt("g")) : nextId(gids(), defs, "GID", system));
      break;
    }
    case "groupmod": {
      const row = groupRow(groups, name);
      if (!row) return true;
      const gid = opt("g");
      if (gid) {
        for (const u of passwd) if (u[3] === row[2]) u[3] = gid;
        row[2] = gid;
      }
      if (opt("n")) row[0] = opt("n")!;
      break;
    }
    case "groupdel": {
      const i = groups.findIndex((g) => g[0] === name);
      if (i >= 0) groups.splice(i, 1);
      break;
    }
    case "useradd": {
      if (user) return true;
      // A private group is made with the user (USERGROUPS_ENAB): useradd then picks an id free
      // as a uid and as a gid, so both match.
      const privateGroup = !opt("g") && !opts.has("N") &&
        (defs.get("USERGROUPS_ENAB") ?? "yes") === "yes";
      const uids = new Set(passwd.map((r) => Number(r[2])));
      const uid = opt("u") !== undefined
        ? Number(opt("u"))
        : nextId(privateGroup ? new Set([...uids, ...gids()]) : uids, defs, "UID", system);
      let gid: number;
      if (opt("g")) {
        const row = groupRow(groups, opt("g")!);
        gid = row ? Number(row[2]) : Number(opt("g"));
      } else if (privateGroup) {
        gid = gids().has(uid) ? nextId(gids(), defs, "GID", system) : uid;
        addGroup(name, gid);
      } else {
        gid = Number((await settings(host, "/etc/default/useradd")).get("GROUP") ?? 100);
      }
      const useraddDefaults = await settings(host, "/etc/default/useradd");
      const home = opt("d") ?? join(opt("b") ?? useraddDefaults.get("HOME") ?? "/home", name);
      const shell = opt("s") ?? useraddDefaults.get("SHELL") ?? "/bin/sh";
      passwd.push([name, "x", String(uid), String(gid), opt("c") ?? "", home, shell]);
      const days = String(Math.floor(Date.now() / 86_400_000));
      shadow.push([
        name,
        opt("p") ?? "!",
        days,
        "0",
        "99999",
        "7",
        "",
        expiryDays(opt("e") ?? ""),
        "",
      ]);
      for (const g of (opt("G") ?? "").split(",").filter(Boolean)) {
        const row = groupRow(groups, g);
        if (row) setMembers(row, [...members(row), name]);
      }
      const createHome = opts.has("m") ||
        (!opts.has("M") && !system && (defs.get("CREATE_HOME") ?? "no") === "yes");
      if (createHome) {
        await makeHome(
          host,
          home,
          uid,
          gid,
          defs,
          opt("k") ?? useraddDefaults.get("SKEL") ?? "/etc/skel",
        );
      }
      break;
    }
    case "usermod": {
      if (!user) return true;
      const shadowRow = shadow.find((r) => r[0] === name);
      if (opt("u")) user[2] = opt("u")!;
      if (opt("g")) {
        const row = groupRow(groups, opt("g")!);
        user[3] = row ? row[2]! : opt("g")!;
      }
      if (opt("G") !== undefined) {
        const wanted = new Set(opt("G")!.split(",").filter(Boolean));
        for (const row of groups) {
          const has = members(row).includes(name);
          if (wanted.has(row[0]!) && !has) setMembers(row, [...members(row), name]);
          if (!wanted.has(row[0]!) && has && !opts.has("a")) {
            setMembers(row, members(row).filter((m) => m !== name));
          }
        }
      }
      if (opt("d")) user[5] = opt("d")!;
      if (opt("s")) user[6] = opt("s")!;
      if (opt("c") !== undefined) user[4] = opt("c")!;
      if (shadowRow) {
        if (opt("p") !== undefined) shadowRow[1] = opt("p")!;
        if (opts.has("L") && !shadowRow[1]!.startsWith("!")) shadowRow[1] = `!${shadowRow[1]}`;
        if (opts.has("U")) shadowRow[1] = shadowRow[1]!.replace(/^!/, "");
        if (opt("e") !== undefined) shadowRow[7] = expiryDays(opt("e")!);
      }
      if (opt("l")) {
        user[0] = opt("l")!;
        if (shadowRow) shadowRow[0] = opt("l")!;
        for (const row of groups) {
          setMembers(row, members(row).map((m) => (m === name ? opt("l")! : m)));
        }
      }
      break;
    }
    case "userdel": {
      if (!user) return true;
      passwd.splice(passwd.indexOf(user), 1);
      const s = shadow.findIndex((r) => r[0] === name);
      if (s >= 0) shadow.splice(s, 1);
      for (const row of groups) setMembers(row, members(row).filter((m) => m !== name));
      // The user's private group goes with it when no one else is in it.
      const own = groups.findIndex((g) =>
        g[0] === name && g[2] === user[3] && members(g).length === 0
      );
      if (own >= 0 && (defs.get("USERGROUPS_ENAB") ?? "yes") === "yes") groups.splice(own, 1);
      if (opts.has("r")) await host.remove(user[5]!, { recursive: true }).catch(() => {});
      break;
    }
    default:
      return false;
  }
  await writeDb(host, "/etc/passwd", passwd);
  await writeDb(host, "/etc/shadow", shadow);
  await writeDb(host, "/etc/group", groups);
  return true;
}

/** The home directory useradd -m makes: mode from HOME_MODE (or the UMASK), /etc/skel copied. */
async function makeHome(
  host: Host,
  home: string,
  uid: number,
  gid: number,
  defs: Map<string, string>,
  skel: string,
): Promise<void> {
  if (await host.stat(home)) return;
  const umask = parseInt(defs.get("UMASK") ?? "022", 8);
  const mode = defs.has("HOME_MODE") ? parseInt(defs.get("HOME_MODE")!, 8) : 0o777 & ~umask;
  await host.mkdir(home, { mode, recursive: true });
  await host.chown(home, uid, gid);
  const copy = async (from: string, to: string): Promise<void> => {
    for (const entry of await host.readDir(from).catch(() => [] as string[])) {
      const src = join(from, entry);
      const dest = join(to, entry);
      const st = await host.stat(src, { follow: false });
      if (!st) continue;
      if (st.isDirectory) {
        await host.mkdir(dest, { mode: st.mode });
        await copy(src, dest);
      } else if (st.isSymlink) {
        await host.symlink(await host.readLink(src), dest);
      } else {
        await host.writeAtomic(dest, await host.readBytes(src), { mode: st.mode });
      }
      await host.chown(dest, uid, gid, { follow: false });
    }
  };
  await copy(skel, home);
}
