/**
 * Mode, owner and group: the attributes every file-like task shares (Ansible's "file common
 * arguments"). Modes are octal strings (`"0644"`, `"644"`, `"0o644"`) or symbolic
 * (`u+rwx,g-w,o=r`, `a+X`, `u=rw,go=`), computed from the current mode exactly as Ansible's
 * `_symbolic_mode_to_octal` does; owner and group are names or ids, looked up through the host.
 *
 * @module
 */
import * as z from "zod";
import type { Account, FileStat, Host } from "../lib/apply/host.ts";
import type { Change } from "../lib/apply/task.ts";

const OCTAL = /^(?:0o)?[0-7]{1,5}$/;
const CLAUSE = /^[ugoa]*(?:[-+=][rwxXstugo]*)+$/;

/** True for a mode Ansible accepts: octal or symbolic. */
export function isModeSpec(spec: string): boolean {
  if (OCTAL.test(spec)) return parseInt(spec.replace(/^0o/, ""), 8) <= 0o7777;
  return spec.split(",").every((c) => CLAUSE.test(c));
}

/**
 * The `mode` parameter: an octal or symbolic string, or a number taken as Ansible takes it, as
 * the mode bits themselves (YAML 1.1 reads `0644` as octal, so `mode: 0644` means 0o644).
 */
export function modeSchema(options: { preserve?: boolean } = {}): z.ZodType<string, unknown> {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    if (typeof v === "number") {
      if (Number.isInteger(v) && v >= 0 && v <= 0o7777) return octal(v);
      ctx.addIssue({ code: "custom", message: `mode ${v} is not a file mode (0 to 0o7777)` });
      return z.NEVER;
    }
    if (options.preserve && v === "preserve") return v;
    if (!isModeSpec(v)) {
      ctx.addIssue({
        code: "custom",
        message: `mode "${v}" is neither octal ("0644") nor symbolic ("u=rw,g=r,o=")${
          options.preserve ? ' nor "preserve"' : ""
        }`,
      });
      return z.NEVER;
    }
    return v;
  });
}

/** An owner or group: a name, or a numeric id (number or digits). */
export const idSchema: z.ZodType<string, unknown> = z.union([
  z.string().min(1),
  z.number().int().nonnegative(),
]).transform(String);

/** Ansible booleans: true/false, 1/0 and the strings yes/no/on/off/true/false/y/n (any case). */
export const bool: z.ZodType<boolean, unknown> = z.union([z.boolean(), z.string(), z.number()])
  .transform((v, ctx) => {
    if (typeof v === "boolean") return v;
    const s = String(v).toLowerCase();
    if (["yes", "true", "on", "1", "y", "t"].includes(s)) return true;
    if (["no", "false", "off", "0", "n", "f"].includes(s)) return false;
    ctx.addIssue({
      code: "custom",
      message: `expected a boolean (true/false, yes/no), found ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  });

/** The shape every file-like task spreads into its schema. */
export const attrShape = {
  mode: modeSchema().optional(),
  owner: idSchema.optional(),
  group: idSchema.optional(),
};

/** Mode/owner/group as parsed. */
export interface AttrParams {
  readonly mode?: string | undefined;
  readonly owner?: string | undefined;
  readonly group?: string | undefined;
}

/** Ansible's `0644` form of a mode. */
export function octal(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}

/**
 * The mode a spec gives a path whose mode is `current` (Ansible's `_symbolic_mode_to_octal`):
 * octal strings are absolute; symbolic clauses apply left to right, `X` only for directories
 * or already-executable files, and a clause without `u`/`g`/`o`/`a` respects the umask.
 */
export function computeMode(spec: string, current: number, isDir: boolean, umask = 0o022): number {
  if (OCTAL.test(spec)) return parseInt(spec.replace(/^0o/, ""), 8);
  // As Ansible 2.14: X and the u/g/o copies read the mode the path had before any clause.
  const original = current & 0o7777;
  let mode = original;
  for (const clause of spec.split(",")) {
    if (!CLAUSE.test(clause)) throw new Error(`bad symbolic permission for mode: ${clause}`);
    const parts = clause.split(/[-+=]/);
    const ops = clause.match(/[-+=]/g) ?? [];
    const who = parts.shift()!;
    const useUmask = who === "";
    const users = who === "" || who.includes("a") ? "ugo" : who;
    parts.forEach((perms, i) => {
      for (const user of users) {
        const bits = permBits(user as "u" | "g" | "o", perms, original, isDir, useUmask, umask);
        mode = applyOp(user as "u" | "g" | "o", ops[i]!, bits, mode);
      }
    });
  }
  return mode;
}

function permBits(
  user: "u" | "g" | "o",
  perms: string,
  prev: number,
  isDir: boolean,
  useUmask: boolean,
  umask: number,
): number {
  const shift = { u: 6, g: 3, o: 0 }[user];
  const keep = useUmask ? ~umask & 0o777 : 0o777;
  const applyX = isDir || (prev & 0o111) !== 0;
  let bits = 0;
  for (const p of perms) {
    switch (p) {
      case "r":
        bits |= (0o4 << shift) & keep;
        break;
      case "w":
        bits |= (0o2 << shift) & keep;
        break;
      case "x":
        bits |= (0o1 << shift) & keep;
        break;
      case "X":
        if (applyX) bits |= 0o1 << shift;
        break;
      case "s":
        bits |= user === "u" ? 0o4000 : user === "g" ? 0o2000 : 0;
        break;
      case "t":
        bits |= user === "o" ? 0o1000 : 0;
        break;
      default: {
        // u, g, o: copy that class's current bits to this class.
        const from = { u: 6, g: 3, o: 0 }[p as "u" | "g" | "o"];
        bits |= ((prev >> from) & 0o7) << shift;
      }
    }
  }
  return bits;
}

function applyOp(user: "u" | "g" | "o", op: string, bits: number, current: number): number {
  if (op === "+") return current | bits;
  if (op === "-") return current & ~bits;
  const mask = { u: 0o4700, g: 0o2070, o: 0o1007 }[user];
  return (current & ~mask & 0o7777) | bits;
}

/**
 * Cached passwd/group lookups for one read (a recursive task asks about many paths). Display
 * names of current owners are only looked up when `names` is set: they are only shown in
 * chown summaries, and a task that sets no owner should not read /etc/passwd for nothing.
 */
export class Accounts {
  readonly #host: Host;
  readonly #names: boolean;
  readonly #users = new Map<string | number, Promise<Account | undefined>>();
  readonly #groups = new Map<string | number, Promise<Account | undefined>>();

  constructor(host: Host, options: { names?: boolean } = {}) {
    this.#host = host;
    this.#names = options.names ?? true;
  }

  /** Accounts that show names when the params set an owner or group. */
  static for(host: Host, params: AttrParams): Accounts {
    return new Accounts(host, { names: params.owner !== undefined || params.group !== undefined });
  }

  user(key: string | number): Promise<Account | undefined> {
    let p = this.#users.get(key);
    if (!p) this.#users.set(key, p = this.#host.user(key));
    return p;
  }

  group(key: string | number): Promise<Account | undefined> {
    let p = this.#groups.get(key);
    if (!p) this.#groups.set(key, p = this.#host.group(key));
    return p;
  }

  /** A user name for display, or the id when the database has none. */
  async userName(uid: number): Promise<string> {
    return this.#names ? (await this.user(uid))?.name ?? String(uid) : String(uid);
  }

  async groupName(gid: number): Promise<string> {
    return this.#names ? (await this.group(gid))?.name ?? String(gid) : String(gid);
  }
}

/** An owner or group param resolved to an id, with the name to show. */
export interface Resolved {
  readonly id: number;
  readonly name: string;
}

/** Resolves `owner`/`group` params; an unknown name is an error, as chown would make it. */
export async function resolveOwnership(
  params: AttrParams,
  accounts: Accounts,
): Promise<{ owner?: Resolved; group?: Resolved }> {
  const out: { owner?: Resolved; group?: Resolved } = {};
  if (params.owner !== undefined) out.owner = await resolveOne(params.owner, "user", accounts);
  if (params.group !== undefined) out.group = await resolveOne(params.group, "group", accounts);
  return out;
}

async function resolveOne(
  value: string,
  kind: "user" | "group",
  accounts: Accounts,
): Promise<Resolved> {
  const byName = kind === "user" ? await accounts.user(value) : await accounts.group(value);
  if (byName) return { id: byName.id, name: byName.name };
  if (/^\d+$/.test(value)) {
    const id = Number(value);
    const byId = kind === "user" ? await accounts.user(id) : await accounts.group(id);
    return { id, name: byId?.name ?? value };
  }
  throw new Error(
    `chown failed: failed to look up ${kind} ${value} (not in /etc/${
      kind === "user" ? "passwd" : "group"
    })`,
  );
}

/** What the attribute plan needs to know about one path. */
export interface AttrState {
  readonly path: string;
  readonly stat: FileStat;
  /** Display names of the current owner and group. */
  readonly ownerName: string;
  readonly groupName: string;
}

/** The wanted attributes, resolved (mode still a spec: symbolic modes depend on the path). */
export interface AttrWant {
  readonly mode?: string | undefined;
  readonly owner?: Resolved | undefined;
  readonly group?: Resolved | undefined;
  /** Change the owner of a symlink itself rather than its target. */
  readonly noFollow?: boolean;
  readonly umask: number;
}

/** One attribute step. */
export type AttrOp =
  | { readonly kind: "chmod"; readonly path: string; readonly mode: number }
  | {
    readonly kind: "chown";
    readonly path: string;
    readonly uid: number | null;
    readonly gid: number | null;
    readonly follow: boolean;
  };

/** Reads what {@linkcode planAttrs} needs for a path that exists. */
export async function readAttrState(
  host: Host,
  path: string,
  accounts: Accounts,
  options: { follow?: boolean } = {},
): Promise<AttrState | undefined> {
  const stat = await host.stat(path, { follow: options.follow ?? true });
  if (!stat) return undefined;
  return {
    path,
    stat,
    ownerName: await accounts.userName(stat.uid),
    groupName: await accounts.groupName(stat.gid),
  };
}

/** Plans chmod/chown for an existing path; `[]` when it already matches. */
export function planAttrs(state: AttrState, want: AttrWant): Change<AttrOp>[] {
  const out: Change<AttrOp>[] = [];
  const { stat, path } = state;
  if (want.mode !== undefined && !stat.isSymlink) {
    const mode = computeMode(want.mode, stat.mode, stat.isDirectory, want.umask);
    if (mode !== stat.mode) {
      out.push({
        op: { kind: "chmod", path, mode },
        summary: `chmod ${octal(stat.mode)} -> ${octal(mode)} ${path}`,
      });
    }
  }
  const follow = !want.noFollow;
  if (want.owner && want.owner.id !== stat.uid) {
    out.push({
      op: { kind: "chown", path, uid: want.owner.id, gid: null, follow },
      summary: `chown ${state.ownerName} -> ${want.owner.name} ${path}`,
    });
  }
  if (want.group && want.group.id !== stat.gid) {
    out.push({
      op: { kind: "chown", path, uid: null, gid: want.group.id, follow },
      summary: `chgrp ${state.groupName} -> ${want.group.name} ${path}`,
    });
  }
  return out;
}

/**
 * The chmod/chown steps that give existing paths the params' mode, owner and group (`[]` when
 * none is set); with `noFollow`, links are changed themselves.
 */
export async function planPathAttrs(
  host: Host,
  paths: readonly string[],
  params: AttrParams,
  options: { noFollow?: boolean } = {},
): Promise<Change<AttrOp>[]> {
  if (params.mode === undefined && params.owner === undefined && params.group === undefined) {
    return [];
  }
  const accounts = Accounts.for(host, params);
  const { owner, group } = await resolveOwnership(params, accounts);
  const umask = currentUmask();
  const noFollow = options.noFollow ?? false;
  const out: Change<AttrOp>[] = [];
  for (const path of paths) {
    const state = await readAttrState(host, path, accounts, { follow: !noFollow });
    if (state) out.push(...planAttrs(state, { mode: params.mode, owner, group, noFollow, umask }));
  }
  return out;
}

/** The mode a new file or directory gets: the spec applied to the default for its kind. */
export function newMode(spec: string | undefined, isDir: boolean, umask: number): number {
  const base = (isDir ? 0o777 : 0o666) & ~umask;
  return spec === undefined ? base : computeMode(spec, base, isDir, umask);
}

/** Applies one attribute step. */
export async function applyAttr(op: AttrOp, host: Host): Promise<void> {
  if (op.kind === "chmod") await host.chmod(op.path, op.mode);
  else await host.chown(op.path, op.uid, op.gid, { follow: op.follow });
}

let umask: number | undefined;

/**
 * The process umask (what a new file's default mode starts from). Reading it needs
 * `--allow-sys=umask`; without it (a permission-restricted dry run) the usual 022 is assumed.
 */
export function currentUmask(): number {
  if (umask === undefined) {
    try {
      umask = Deno.umask();
    } catch (e) {
      if (!(e instanceof Deno.errors.NotCapable)) throw e;
      umask = 0o022;
    }
  }
  return umask;
}
