/**
 * `user`: a local account with Ansible's parameters (uid, group, groups + append, home,
 * create_home, move_home, shell, comment, password hash, password_lock, system, expires,
 * password_expire_min/max/warn, generate_ssh_key, state absent + remove), through `useradd`,
 * `usermod`, `chage`, `ssh-keygen` and `userdel`. State is read from /etc/passwd, /etc/shadow
 * and /etc/group; diffs list the passwd fields with the password hash redacted.
 *
 * @module
 */
import * as z from "zod";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, list, num, str } from "./_ansible_params.ts";
import {
  type AccountDb,
  fieldLines,
  findGroup,
  type PasswdEntry,
  readAccounts,
  redactHash,
  type ShadowEntry,
} from "./_passwd.ts";
import { shellQuote } from "../lib/shlex.ts";
import type { Host } from "../lib/apply/host.ts";
import { type Cmd, cmdLine, runAll } from "./_run.ts";

const schema = z.strictObject({
  name: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
  state: z.enum(["present", "absent"]).default("present"),
  uid: num().optional(),
  non_unique: bool().default(false),
  /** Primary group, by name or gid. */
  group: str().optional(),
  /** Supplementary groups; `[]` or `""` removes them all (unless `append`). */
  groups: list().optional(),
  append: bool().default(false),
  home: z.string().optional(),
  create_home: bool().optional(),
  createhome: bool().optional(),
  move_home: bool().default(false),
  skeleton: z.string().optional(),
  shell: z.string().optional(),
  comment: z.string().optional(),
  /** A crypted hash (`$6$...`), as Ansible expects; never plain text. */
  password: z.string().optional(),
  update_password: z.enum(["always", "on_create"]).default("always"),
  password_lock: bool().optional(),
  system: bool().default(false),
  /** Expiry as epoch seconds; a negative value removes the expiry. */
  expires: num().optional(),
  /** Password aging, as `chage -m`, `-M` and `-W` set it (days). */
  password_expire_min: num().optional(),
  password_expire_max: num().optional(),
  password_expire_warn: num().optional(),
  /** Create an SSH key pair for the user when the key file does not exist yet. */
  generate_ssh_key: bool().default(false),
  ssh_key_type: z.string().default("rsa"),
  ssh_key_bits: num().optional(),
  /** Relative paths are under the user's home (default `.ssh/id_<type>`). */
  ssh_key_file: z.string().optional(),
  ssh_key_comment: z.string().optional(),
  ssh_key_passphrase: z.string().optional(),
  /** With state absent: also remove the home directory and mail spool. */
  remove: bool().default(false),
  force: bool().default(false),
}).refine((p) => (p.name ?? p.user) !== undefined, { message: "name is required" });
type Params = z.output<typeof schema>;

/** An SSH key to generate: where, and the ssh-keygen arguments. */
interface KeyGen {
  readonly file: string;
  readonly args: readonly string[];
}

/** One step of a user change: commands, or a key generation. */
type Step = Cmd | { readonly keygen: KeyGen; readonly user: string };

interface UserCurrent {
  readonly entry?: PasswdEntry;
  readonly shadow?: ShadowEntry;
  /** Name of the primary group. */
  readonly primary?: string;
  /** Supplementary groups, sorted. */
  readonly groups: readonly string[];
  /** The gid the wanted `group` names, when the group exists. */
  readonly wantedGid?: number;
  /** Every group name that exists (to show which `groups` are missing). */
  readonly db: AccountDb;
  /** The SSH key file `generate_ssh_key` names, and whether it exists. */
  readonly sshKey?: { readonly file: string; readonly exists: boolean; readonly pub?: string };
}

const nameOf = (p: Params) => (p.name ?? p.user)!;

function expireDate(epochSeconds: number): string {
  return epochSeconds < 0 ? "" : new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

function expireDays(epochSeconds: number): number | undefined {
  return epochSeconds < 0 ? undefined : Math.floor(epochSeconds / 86400);
}

function daysLabel(days: number | undefined): string {
  return days === undefined ? "never" : new Date(days * 86400_000).toISOString().slice(0, 10);
}

/** Shows a command with any `-p <hash>` redacted. */
function shown(c: Cmd): string {
  return [c.cmd, ...c.args].map((a, i) => (c.args[i - 2] === "-p" ? "[hash]" : shellQuote(a)))
    .join(" ");
}

function userFields(
  u: Partial<PasswdEntry> & { group?: string; groups?: string; hash?: string; expires?: string },
): string {
  return fieldLines({
    name: u.name,
    uid: u.uid,
    group: u.group,
    groups: u.groups,
    home: u.home,
    shell: u.shell,
    comment: u.comment,
    password: u.hash,
    expires: u.expires,
  });
}

/** The user task. */
export const user = defineTask({
  type: "user",
  schema,
  mainParam: "name",
  async read(p, host): Promise<UserCurrent> {
    const db = await readAccounts(host);
    const name = nameOf(p);
    const entry = db.passwd.find((u) => u.name === name);
    const shadow = db.shadow.find((s) => s.name === name);
    const primary = entry ? db.groups.find((g) => g.gid === entry.gid)?.name : undefined;
    const groups = db.groups.filter((g) => g.members.includes(name)).map((g) => g.name).sort();
    const wantedGid = p.group !== undefined ? findGroup(db, p.group)?.gid : undefined;
    const sshKey = p.generate_ssh_key && p.state === "present"
      ? await readKey(host, keyFile(p, entry?.home))
      : undefined;
    return {
      ...(sshKey ? { sshKey } : {}),
      ...(entry ? { entry } : {}),
      ...(shadow ? { shadow } : {}),
      ...(primary ? { primary } : {}),
      groups,
      ...(wantedGid !== undefined ? { wantedGid } : {}),
      db,
    };
  },
  plan(p, cur): Change<Step[]>[] {
    const changes: Change<Step[]>[] = planAccount(p, cur);
    const aging = planAging(p, cur);
    if (aging) changes.push(aging);
    if (cur.sshKey && !cur.sshKey.exists) changes.push(planKey(p, cur.sshKey.file));
    return changes;
  },
  async apply(op, host) {
    for (const step of op) {
      if ("keygen" in step) await generateKey(host, step.keygen, step.user);
      else await runAll(host, [step]);
    }
  },
  result: (p, cur) => ({
    name: nameOf(p),
    state: p.state,
    ...(cur.entry
      ? {
        uid: cur.entry.uid,
        group: cur.entry.gid,
        home: cur.entry.home,
        shell: cur.entry.shell,
        comment: cur.entry.comment,
      }
      : {}),
    system: p.system,
    ...(cur.sshKey?.exists
      ? {
        ssh_key_file: cur.sshKey.file,
        ...(cur.sshKey.pub ? { ssh_public_key: cur.sshKey.pub } : {}),
      }
      : {}),
  }),
});

function planAccount(p: Params, cur: UserCurrent): Change<Step[]>[] {
  const name = nameOf(p);
  const { entry } = cur;
  if (p.state === "absent") {
    if (!entry) return [];
    const cmd: Cmd = {
      cmd: "userdel",
      args: [...(p.remove ? ["-r"] : []), ...(p.force ? ["-f"] : []), name],
    };
    return [{
      op: [cmd],
      summary: cmdLine(cmd),
      diff: {
        before: userFields({
          ...entry,
          group: cur.primary ?? String(entry.gid),
          groups: cur.groups.join(","),
        }),
        after: "",
        path: "/etc/passwd",
      },
    }];
  }

  // Supplementary groups as Ansible compares them: names, without the primary group.
  const primaryName = p.group !== undefined
    ? (findGroup(cur.db, p.group)?.name ?? p.group)
    : cur.primary;
  const wantGroups = p.groups?.map((g) => findGroup(cur.db, g)?.name ?? g)
    .filter((g) => g !== primaryName);
  const lock = p.password_lock;

  if (!entry) {
    const createHome = p.create_home ?? p.createhome ?? true;
    const args = [
      ...(p.uid !== undefined ? ["-u", String(p.uid)] : []),
      ...(p.non_unique ? ["-o"] : []),
      ...(p.group !== undefined ? ["-g", p.group] : []),
      ...(wantGroups && wantGroups.length > 0 ? ["-G", wantGroups.join(",")] : []),
      ...(p.home !== undefined ? ["-d", p.home] : []),
      ...(createHome ? ["-m", ...(p.skeleton ? ["-k", p.skeleton] : [])] : ["-M"]),
      ...(p.shell !== undefined ? ["-s", p.shell] : []),
      ...(p.comment !== undefined ? ["-c", p.comment] : []),
      ...(p.password !== undefined ? ["-p", lock ? `!${p.password}` : p.password] : []),
      ...(p.system ? ["-r"] : []),
      ...(p.expires !== undefined && p.expires >= 0 ? ["-e", expireDate(p.expires)] : []),
      name,
    ];
    const cmds: Cmd[] = [{ cmd: "useradd", args }];
    if (lock && p.password === undefined) cmds.push({ cmd: "usermod", args: ["-L", name] });
    return [{
      op: cmds,
      summary: cmds.map(shown).join(" && "),
      diff: {
        before: "",
        after: userFields({
          name,
          ...(p.uid !== undefined ? { uid: p.uid } : {}),
          ...(p.group !== undefined ? { group: p.group } : {}),
          ...(wantGroups && wantGroups.length > 0 ? { groups: wantGroups.join(",") } : {}),
          ...(p.home !== undefined ? { home: p.home } : {}),
          ...(p.shell !== undefined ? { shell: p.shell } : {}),
          ...(p.comment !== undefined ? { comment: p.comment } : {}),
          ...(p.password !== undefined || lock
            ? { hash: redactHash(`${lock ? "!" : ""}${p.password ?? ""}`) }
            : {}),
          ...(p.expires !== undefined ? { expires: daysLabel(expireDays(p.expires)) } : {}),
        }),
        path: "/etc/passwd",
      },
    }];
  }

  const args: string[] = [];
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  const field = (key: string, from: string, to: string) => {
    before[key] = from;
    after[key] = to;
  };
  if (p.uid !== undefined && p.uid !== entry.uid) {
    args.push("-u", String(p.uid), ...(p.non_unique ? ["-o"] : []));
    field("uid", String(entry.uid), String(p.uid));
  }
  if (p.group !== undefined) {
    const differs = cur.wantedGid !== undefined
      ? cur.wantedGid !== entry.gid
      : p.group !== cur.primary && p.group !== String(entry.gid);
    if (differs) {
      args.push("-g", p.group);
      field("group", cur.primary ?? String(entry.gid), primaryName ?? p.group);
    }
  }
  if (wantGroups !== undefined) {
    const have = new Set(cur.groups);
    if (p.append) {
      const missing = wantGroups.filter((g) => !have.has(g));
      if (missing.length > 0) {
        args.push("-a", "-G", missing.join(","));
        field("groups", cur.groups.join(","), [...cur.groups, ...missing].sort().join(","));
      }
    } else {
      const want = [...new Set(wantGroups)].sort();
      if (want.join(",") !== cur.groups.join(",")) {
        args.push("-G", want.join(","));
        field("groups", cur.groups.join(",") || "(none)", want.join(",") || "(none)");
      }
    }
  }
  if (p.home !== undefined && p.home !== entry.home) {
    args.push("-d", p.home, ...(p.move_home ? ["-m"] : []));
    field("home", entry.home, p.home);
  }
  if (p.shell !== undefined && p.shell !== entry.shell) {
    args.push("-s", p.shell);
    field("shell", entry.shell, p.shell);
  }
  if (p.comment !== undefined && p.comment !== entry.comment) {
    args.push("-c", p.comment);
    field("comment", entry.comment, p.comment);
  }
  const hash = cur.shadow?.hash ?? "";
  const locked = hash.startsWith("!");
  const bare = locked ? hash.slice(1) : hash;
  const setPassword = p.password !== undefined && p.update_password === "always" &&
    p.password !== bare;
  if (setPassword) {
    // The lock is the hash's "!" prefix: set both in one go (usermod -p excludes -L/-U).
    const lockIt = lock ?? locked;
    args.push("-p", lockIt ? `!${p.password}` : p.password!);
    field("password", redactHash(hash), redactHash(`${lockIt ? "!" : ""}x`));
  }
  if (p.expires !== undefined) {
    const want = expireDays(p.expires);
    if (want !== cur.shadow?.expireDays) {
      args.push("-e", expireDate(p.expires));
      field("expires", daysLabel(cur.shadow?.expireDays), daysLabel(want));
    }
  }
  const cmds: Cmd[] = args.length > 0 ? [{ cmd: "usermod", args: [...args, name] }] : [];
  if (lock === true && !locked && !setPassword) {
    cmds.push({ cmd: "usermod", args: ["-L", name] });
    field("password", redactHash(hash), redactHash(`!${bare}`));
  }
  if (lock === false && locked && !setPassword) {
    cmds.push({ cmd: "usermod", args: ["-U", name] });
    field("password", redactHash(hash), redactHash(bare));
  }
  if (cmds.length === 0) return [];
  return [{
    op: cmds,
    summary: cmds.map(shown).join(" && "),
    diff: {
      before: fieldLines({ name, ...before }),
      after: fieldLines({ name, ...after }),
      path: "/etc/passwd",
    },
  }];
}

/** `password_expire_*` against the shadow entry (a new account has the system defaults). */
function planAging(p: Params, cur: UserCurrent): Change<Step[]> | undefined {
  if (p.state === "absent") return undefined;
  const want = [
    ["-m", p.password_expire_min, cur.shadow?.minDays, "min"],
    ["-M", p.password_expire_max, cur.shadow?.maxDays, "max"],
    ["-W", p.password_expire_warn, cur.shadow?.warnDays, "warn"],
  ] as const;
  const args: string[] = [];
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  for (const [flag, value, have, label] of want) {
    if (value === undefined || (cur.entry && value === have)) continue;
    args.push(flag, String(value));
    before[`password_expire_${label}`] = have === undefined ? "" : String(have);
    after[`password_expire_${label}`] = String(value);
  }
  if (args.length === 0) return undefined;
  const cmd: Cmd = { cmd: "chage", args: [...args, nameOf(p)] };
  return {
    op: [cmd],
    summary: cmdLine(cmd),
    diff: {
      before: fieldLines({ name: nameOf(p), ...before }),
      after: fieldLines({ name: nameOf(p), ...after }),
      path: "/etc/shadow",
    },
  };
}

/** The key file `generate_ssh_key` makes: `ssh_key_file`, under the home when relative. */
function keyFile(p: Params, home: string | undefined): string {
  const file = p.ssh_key_file ?? `.ssh/id_${p.ssh_key_type}`;
  if (file.startsWith("/")) return file;
  return `${(p.home ?? home ?? `/home/${nameOf(p)}`).replace(/\/$/, "")}/${file}`;
}

async function readKey(host: Host, file: string) {
  const exists = (await host.stat(file)) !== undefined;
  const pub = exists
    ? (await host.readText(`${file}.pub`).catch(() => undefined))?.trim()
    : undefined;
  return { file, exists, ...(pub ? { pub } : {}) };
}

function planKey(p: Params, file: string): Change<Step[]> {
  const comment = p.ssh_key_comment ?? `ansible-generated on ${hostname()}`;
  const args = [
    "-t",
    p.ssh_key_type,
    ...(p.ssh_key_bits !== undefined ? ["-b", String(p.ssh_key_bits)] : []),
    "-C",
    comment,
    "-f",
    file,
    "-N",
    p.ssh_key_passphrase ?? "",
    "-q",
  ];
  return {
    op: [{ keygen: { file, args }, user: nameOf(p) }],
    summary: `ssh-keygen -t ${p.ssh_key_type} -f ${file}`,
    ...(p.ssh_key_passphrase !== undefined ? { sensitive: true } : {}),
  };
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}

/** Makes the key's dir (0700, the user's) and the key pair, owned by the user, as Ansible. */
async function generateKey(host: Host, k: KeyGen, name: string): Promise<void> {
  const owner = await readAccounts(host);
  const entry = owner.passwd.find((u) => u.name === name);
  const dir = k.file.slice(0, k.file.lastIndexOf("/")) || "/";
  if (!(await host.stat(dir))) {
    await host.mkdir(dir, { mode: 0o700, recursive: true });
    if (entry) await host.chown(dir, entry.uid, entry.gid);
  }
  // The argv holds the passphrase: the error names the file and stderr, never the argv.
  const r = await host.run("ssh-keygen", k.args, { timeout: 60_000 });
  if (r.code !== 0) throw new Error(`ssh-keygen for ${k.file} failed: ${r.stderr.trim()}`);
  if (entry) {
    for (const f of [k.file, `${k.file}.pub`]) await host.chown(f, entry.uid, entry.gid);
  }
}
