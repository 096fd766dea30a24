/**
 * `authorized_key`: SSH public keys in a user's authorized_keys, with Ansible's parameters
 * (user, key — one or many lines, or an https URL —, key_options, comment, exclusive,
 * manage_dir, path, state). Keys are matched by type and blob; options and comments are
 * updated in place. The ~/.ssh dir (0700) and the file (0600) belong to the user.
 *
 * @module
 */
import * as z from "zod";
import { dirname } from "node:path";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool } from "./_ansible_params.ts";
import { readAccounts } from "./_passwd.ts";
import { readOptional } from "./_run.ts";
import { keyLine, parseKey, sameKey, type SshKey } from "./_ssh_keys.ts";

const schema = z.strictObject({
  user: z.string().min(1),
  /** One key, several lines of keys, or an http(s) URL that serves them. */
  key: z.string().min(1),
  path: z.string().optional(),
  manage_dir: bool().default(true),
  state: z.enum(["present", "absent"]).default("present"),
  key_options: z.string().optional(),
  comment: z.string().optional(),
  /** Remove every other key from the file. */
  exclusive: bool().default(false),
  validate_certs: bool().default(true),
});
type Params = z.output<typeof schema>;

interface KeyCurrent {
  readonly path: string;
  readonly uid: number;
  readonly gid: number;
  /** The file's text; `undefined` when it does not exist. */
  readonly text?: string;
  readonly dirExists: boolean;
  readonly fileMode?: number;
  readonly fileOwner?: [number, number];
  readonly dirMode?: number;
  readonly dirOwner?: [number, number];
}

type KeyOp =
  | { kind: "mkdir"; path: string; uid: number; gid: number }
  | { kind: "write"; path: string; text: string; uid: number; gid: number; mode: number }
  | { kind: "attrs"; path: string; mode: number; uid: number; gid: number };

async function wantedKeys(p: Params): Promise<SshKey[]> {
  let text = p.key;
  if (/^https?:\/\//.test(text)) {
    if (!p.validate_certs && text.startsWith("https:")) {
      throw new Error("validate_certs: false is not supported; serve the keys over a trusted CA");
    }
    const res = await fetch(text, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`key: GET ${text} answered ${res.status}`);
    text = await res.text();
  }
  const keys: SshKey[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    const k = parseKey(line);
    if (!k) throw new Error(`key: not an SSH public key line: ${line.slice(0, 60)}`);
    keys.push({
      ...k,
      ...(p.key_options !== undefined ? { options: p.key_options } : {}),
      ...(p.comment !== undefined ? { comment: p.comment } : {}),
    });
  }
  return keys;
}

/** The file after adding or removing keys; pure. */
export function editKeys(
  text: string,
  wanted: readonly SshKey[],
  o: { state: "present" | "absent"; exclusive: boolean },
): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const out: string[] = [];
  const placed = new Set<number>();
  for (const line of lines) {
    const k = parseKey(line);
    if (!k) {
      out.push(line);
      continue;
    }
    const i = wanted.findIndex((w) => sameKey(w, k));
    if (o.state === "absent") {
      if (i < 0) out.push(line);
      continue;
    }
    if (i < 0) {
      if (!o.exclusive) out.push(line);
      continue;
    }
    if (placed.has(i)) continue; // a duplicate of a key already placed
    placed.add(i);
    out.push(keyLine(wanted[i]!) === keyLine(k) ? line : keyLine(wanted[i]!));
  }
  if (o.state === "present") {
    wanted.forEach((w, i) => {
      if (!placed.has(i)) out.push(keyLine(w));
    });
  }
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}

/** The authorized_key task. */
export const authorizedKey = defineTask({
  type: "authorized_key",
  schema,
  mainParam: "user",
  async read(p, host): Promise<KeyCurrent & { wanted: SshKey[] }> {
    const account = (await readAccounts(host)).passwd.find((u) => u.name === p.user);
    if (!account) throw new Error(`user "${p.user}" does not exist`);
    const path = p.path ?? `${account.home}/.ssh/authorized_keys`;
    const [text, dir, file] = await Promise.all([
      readOptional(host, path),
      host.stat(dirname(path)),
      host.stat(path),
    ]);
    return {
      path,
      uid: account.uid,
      gid: account.gid,
      ...(text !== undefined ? { text } : {}),
      dirExists: dir?.isDirectory ?? false,
      ...(file ? { fileMode: file.mode & 0o7777, fileOwner: [file.uid, file.gid] } : {}),
      ...(dir ? { dirMode: dir.mode & 0o7777, dirOwner: [dir.uid, dir.gid] } : {}),
      wanted: await wantedKeys(p),
    };
  },
  plan(p, cur): Change<KeyOp>[] {
    const changes: Change<KeyOp>[] = [];
    const dir = dirname(cur.path);
    const before = cur.text ?? "";
    const after = editKeys(before, cur.wanted, { state: p.state, exclusive: p.exclusive });
    const owner = { uid: cur.uid, gid: cur.gid };
    const ownedBy = (o: [number, number] | undefined) => o?.join() === `${cur.uid},${cur.gid}`;
    const write = after !== before || (cur.text === undefined && p.state === "present");
    const manage = p.manage_dir && p.state === "present";
    if (!cur.dirExists && write) {
      if (!p.manage_dir) {
        throw new Error(`${dir} does not exist (manage_dir is off, so it is not created)`);
      }
      changes.push({ op: { kind: "mkdir", path: dir, ...owner }, summary: `mkdir -m 0700 ${dir}` });
    } else if (cur.dirExists && manage && (cur.dirMode !== 0o700 || !ownedBy(cur.dirOwner))) {
      changes.push({
        op: { kind: "attrs", path: dir, mode: 0o700, ...owner },
        summary: `chmod 0700, chown ${cur.uid}:${cur.gid} ${dir}`,
      });
    }
    if (write) {
      const have = before.split("\n").map(parseKey).filter((k) => k !== undefined);
      const added = cur.wanted.filter((w) => !have.some((k) => sameKey(k, w)));
      const count = p.state === "absent" ? cur.wanted.length : added.length;
      changes.push({
        op: {
          kind: "write",
          path: cur.path,
          text: after,
          ...owner,
          mode: p.manage_dir ? 0o600 : cur.fileMode ?? 0o600,
        },
        summary: `${p.state === "absent" ? "remove" : "add"} ${count} key(s) ${
          p.state === "absent" ? "from" : "in"
        } ${cur.path}${p.exclusive ? " (exclusive)" : ""}`,
        diff: { before, after, path: cur.path },
      });
    } else if (manage && (cur.fileMode !== 0o600 || !ownedBy(cur.fileOwner))) {
      changes.push({
        op: { kind: "attrs", path: cur.path, mode: 0o600, ...owner },
        summary: `chmod 0600, chown ${cur.uid}:${cur.gid} ${cur.path}`,
      });
    }
    return changes;
  },
  async apply(op, host) {
    if (op.kind === "mkdir") {
      await host.mkdir(op.path, { mode: 0o700, recursive: true });
      await host.chown(op.path, op.uid, op.gid);
    } else if (op.kind === "write") {
      await host.writeAtomic(op.path, op.text, { mode: op.mode, uid: op.uid, gid: op.gid });
    } else {
      await host.chmod(op.path, op.mode);
      await host.chown(op.path, op.uid, op.gid);
    }
  },
  result: (p, cur) => ({ user: p.user, path: cur.path, exclusive: p.exclusive }),
});
