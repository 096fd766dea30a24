/**
 * What a run leaves in a root, as a manifest: every path it added, changed or removed, with
 * type, mode, owner, group, link target and content hash, and the packages it installed. The
 * role tests compare the manifest of `driftless apply --root` on a fresh root with the one
 * `scripts/record_roles.ts` recorded from `ansible-playbook` on an identical root.
 *
 * Paths that change by themselves are left out (logs, caches, apt lists, dpkg's database: the
 * packages stand for it, Python bytecode, Ansible's temp dirs), and `/etc/shadow` is compared
 * without its last-change day (a date, so it differs from the recording day).
 *
 * @module
 */
import { join } from "node:path";

/** One path as a snapshot sees it. */
interface Seen {
  readonly type: "file" | "dir" | "link" | "other";
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly ino: number;
  readonly target?: string;
}

/** A root's paths, for spotting what a run changed. */
export type Snapshot = Map<string, Seen>;

/** One manifest entry. */
export interface Entry {
  readonly path: string;
  readonly type: "file" | "dir" | "link" | "other" | "absent";
  readonly mode?: string;
  readonly owner?: string;
  readonly group?: string;
  readonly target?: string;
  /** sha256 of the content (files), or `volatile` where content differs run to run. */
  readonly sha256?: string;
}

/** Paths never compared: they change whatever runs. */
const IGNORED = [
  /^\/(proc|sys|dev|run|tmp)\//,
  /^\/var\/(log|cache|tmp)\//,
  /^\/var\/lib\/(apt|dpkg)\//,
  /^\/var\/lib\/systemd\/deb-systemd-/,
  /^\/root\/\.(ansible|cache)(\/|$)/,
  /\/__pycache__(\/|$)/,
  /^\/etc\/ld\.so\.cache$/,
  /^\/usr\/sbin\/policy-rc\.d$/,
];

function ignored(path: string): boolean {
  return IGNORED.some((re) => re.test(path));
}

/** Lists every path of a root (not following links). */
export async function snapshot(root: string): Promise<Snapshot> {
  const out: Snapshot = new Map();
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(join(root, rel))) {
      const path = `${rel}/${e.name}`;
      if (ignored(path) || ignored(`${path}/`)) continue;
      const info = await Deno.lstat(join(root, path));
      const type = info.isSymlink
        ? "link"
        : info.isDirectory
        ? "dir"
        : info.isFile
        ? "file"
        : "other";
      out.set(path, {
        type,
        mode: (info.mode ?? 0) & 0o7777,
        uid: info.uid ?? 0,
        gid: info.gid ?? 0,
        size: info.size,
        mtime: info.mtime?.getTime() ?? 0,
        ino: info.ino ?? 0,
        ...(type === "link" ? { target: await Deno.readLink(join(root, path)) } : {}),
      });
      if (type === "dir") await walk(path);
    }
  };
  await walk("");
  return out;
}

/** No change: a directory whose entries changed (its mtime) keeps its type, mode and owner. */
function same(a: Seen, b: Seen): boolean {
  const attrs = a.type === b.type && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid &&
    a.target === b.target;
  return attrs &&
    (a.type === "dir" || (a.size === b.size && a.mtime === b.mtime && a.ino === b.ino));
}

async function sha256(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new Uint8Array(data));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** `/etc/shadow` without the last-change day of each entry. */
function normalise(path: string, data: Uint8Array): Uint8Array {
  if (path !== "/etc/shadow" && path !== "/etc/shadow-") return data;
  const text = new TextDecoder().decode(data).split("\n").map((line) => {
    const f = line.split(":");
    if (f.length > 2 && /^\d+$/.test(f[2]!)) f[2] = "<day>";
    return f.join(":");
  });
  return new TextEncoder().encode(text.join("\n"));
}

function names(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split("\n")) {
    const [name, , id] = line.split(":");
    if (name && id && /^\d+$/.test(id) && !out.has(Number(id))) out.set(Number(id), name);
  }
  return out;
}

/**
 * The manifest of what changed between a snapshot and the root now. `volatile` paths (globs
 * with `*`) keep everything but their content hash: generated keys, random passwords.
 */
export async function manifest(
  root: string,
  before: Snapshot,
  volatile: readonly string[] = [],
): Promise<Entry[]> {
  const after = await snapshot(root);
  const read = (p: string) => Deno.readTextFile(join(root, p)).catch(() => "");
  const users = names(await read("/etc/passwd"));
  const groups = names(await read("/etc/group"));
  const loose = volatile.map((g) =>
    new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*")}$`)
  );
  const out: Entry[] = [];
  for (const [path, now] of after) {
    const was = before.get(path);
    if (was && same(was, now)) continue;
    const entry: Entry = {
      path,
      type: now.type,
      mode: now.mode.toString(8).padStart(4, "0"),
      owner: users.get(now.uid) ?? String(now.uid),
      group: groups.get(now.gid) ?? String(now.gid),
      ...(now.target !== undefined ? { target: now.target } : {}),
      ...(now.type === "file"
        ? {
          sha256: loose.some((re) => re.test(path))
            ? "volatile"
            : await sha256(normalise(path, await Deno.readFile(join(root, path)))),
        }
        : {}),
    };
    out.push(entry);
  }
  for (const path of before.keys()) {
    if (!after.has(path)) out.push({ path, type: "absent" });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Packages installed in a root (dpkg's database), `name=version`. */
export async function packages(root: string): Promise<string[]> {
  const text = await Deno.readTextFile(join(root, "var/lib/dpkg/status")).catch(() => "");
  const out: string[] = [];
  for (const para of text.split("\n\n")) {
    const name = /^Package: (.+)$/m.exec(para)?.[1];
    const status = /^Status: (.+)$/m.exec(para)?.[1];
    const version = /^Version: (.+)$/m.exec(para)?.[1];
    if (name && status?.endsWith(" installed")) out.push(`${name}=${version}`);
  }
  return out.sort();
}
