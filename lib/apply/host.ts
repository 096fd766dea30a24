/**
 * Host: every file system and process call a task makes goes through here (DESIGN §3), so the
 * runner can swap in an overlay for dry runs and tests can root a host in a temp dir or chroot.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";

/** What `stat` reports. Paths that do not exist give `undefined` instead. */
export interface FileStat {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
  /** Permission bits, including setuid/setgid/sticky (`0o4755`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: Date | null;
  readonly atime: Date | null;
  readonly dev: number;
  readonly ino: number;
  readonly nlink: number;
}

/** Options for {@linkcode Host.writeAtomic}. */
export interface WriteOptions {
  /** Permission bits for the file; an existing file keeps its mode when unset. */
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Keep the previous content as `<path>.<timestamp>~` (Ansible's backup naming). */
  readonly backup?: boolean;
}

/** Options for {@linkcode Host.run}. */
export interface RunOptions {
  readonly stdin?: string | Uint8Array;
  /** Milliseconds before the command is killed. */
  readonly timeout?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** What a command returned. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the timeout killed it. */
  readonly timedOut: boolean;
}

/** A user or group entry read from the host's passwd/group databases. */
export interface Account {
  readonly name: string;
  readonly id: number;
}

/** The operations tasks may perform on a host. Paths are absolute paths on the managed host. */
export interface Host {
  /** Reads a file; NotFound errors propagate. */
  readBytes(path: string): Promise<Uint8Array>;
  /** Reads a UTF-8 file; NotFound errors propagate. */
  readText(path: string): Promise<string>;
  /** Stat, following symlinks unless `follow` is false; `undefined` when missing. */
  stat(path: string, options?: { follow?: boolean }): Promise<FileStat | undefined>;
  /** Target of a symlink. */
  readLink(path: string): Promise<string>;
  /** Names in a directory, sorted. */
  readDir(path: string): Promise<string[]>;
  /** Writes through a temp file in the same dir + fsync + rename; keeps mode and owner. */
  writeAtomic(
    path: string,
    data: string | Uint8Array,
    options?: WriteOptions,
  ): Promise<{ backup?: string }>;
  mkdir(path: string, options?: { mode?: number; recursive?: boolean }): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Changes owner; on a symlink, of the link itself unless `follow`. */
  chown(
    path: string,
    uid: number | null,
    gid: number | null,
    options?: { follow?: boolean },
  ): Promise<void>;
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  link(target: string, path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  utime(path: string, atime: Date, mtime: Date): Promise<void>;
  /** Runs a command (argv, never a shell string); resolves with the exit code. */
  run(cmd: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Looks up a user by name or numeric id in the host's passwd database. */
  user(nameOrId: string | number): Promise<Account | undefined>;
  /** Looks up a group by name or numeric id in the host's group database. */
  group(nameOrId: string | number): Promise<Account | undefined>;
  /** The path on this machine for a managed-host path (differs under a root prefix). */
  realPath(path: string): string;
}

/** Options for {@linkcode LocalHost}. */
export interface LocalHostOptions {
  /** Managed paths live under this directory (default `/`). */
  readonly root?: string;
  /** Run commands with `chroot <root>` (true when root is not `/`, unless set false). */
  readonly chroot?: boolean;
}

const decoder = new TextDecoder();

/** The machine itself, or a directory tree standing in for it. */
export class LocalHost implements Host {
  readonly root: string;
  readonly #chroot: boolean;

  constructor(options: LocalHostOptions = {}) {
    this.root = resolve(options.root ?? "/");
    this.#chroot = options.chroot ?? this.root !== "/";
  }

  realPath(path: string): string {
    return this.root === "/" ? resolve(path) : join(this.root, resolve("/", path));
  }

  readBytes(path: string): Promise<Uint8Array> {
    return Deno.readFile(this.realPath(path));
  }

  readText(path: string): Promise<string> {
    return Deno.readTextFile(this.realPath(path));
  }

  async stat(path: string, options: { follow?: boolean } = {}): Promise<FileStat | undefined> {
    const real = this.realPath(path);
    try {
      const info = options.follow === false ? await Deno.lstat(real) : await Deno.stat(real);
      return toStat(info);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
        return undefined;
      }
      throw e;
    }
  }

  readLink(path: string): Promise<string> {
    return Deno.readLink(this.realPath(path));
  }

  async readDir(path: string): Promise<string[]> {
    const names: string[] = [];
    for await (const e of Deno.readDir(this.realPath(path))) names.push(e.name);
    return names.sort();
  }

  async writeAtomic(
    path: string,
    data: string | Uint8Array,
    options: WriteOptions = {},
  ): Promise<{ backup?: string }> {
    const real = this.realPath(path);
    const existing = await this.stat(path);
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const mode = options.mode ?? existing?.mode ?? 0o644;
    const tmp = join(
      dirname(real),
      `.${basename(real)}.driftless-${crypto.randomUUID().slice(0, 8)}.tmp`,
    );
    let backup: string | undefined;
    try {
      const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
      try {
        let off = 0;
        while (off < bytes.length) off += await file.write(bytes.subarray(off));
        await file.syncData();
      } finally {
        file.close();
      }
      await Deno.chmod(tmp, mode);
      const uid = options.uid ?? existing?.uid;
      const gid = options.gid ?? existing?.gid;
      if (uid !== undefined || gid !== undefined) {
        const made = await Deno.stat(tmp);
        if ((uid ?? made.uid) !== made.uid || (gid ?? made.gid) !== made.gid) {
          await Deno.chown(tmp, uid ?? null, gid ?? null);
        }
      }
      if (options.backup && existing?.isFile) {
        backup = `${real}.${backupStamp()}~`;
        await Deno.link(real, backup).catch(() => Deno.copyFile(real, backup!));
      }
      await Deno.rename(tmp, real);
      await syncDir(dirname(real));
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
    return backup ? { backup: this.hostPath(backup) } : {};
  }

  async mkdir(path: string, options: { mode?: number; recursive?: boolean } = {}): Promise<void> {
    await Deno.mkdir(this.realPath(path), {
      recursive: options.recursive ?? false,
      mode: options.mode ?? 0o755,
    });
    // mkdir's mode is filtered by the umask; set it exactly as asked.
    if (options.mode !== undefined) await Deno.chmod(this.realPath(path), options.mode);
  }

  chmod(path: string, mode: number): Promise<void> {
    return Deno.chmod(this.realPath(path), mode);
  }

  async chown(
    path: string,
    uid: number | null,
    gid: number | null,
    options: { follow?: boolean } = {},
  ): Promise<void> {
    const real = this.realPath(path);
    if (options.follow === false && (await Deno.lstat(real)).isSymlink) {
      const { lchown } = await import("node:fs/promises");
      const info = await Deno.lstat(real);
      await lchown(real, uid ?? info.uid ?? -1, gid ?? info.gid ?? -1);
      return;
    }
    await Deno.chown(real, uid, gid);
  }

  remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    return Deno.remove(this.realPath(path), { recursive: options.recursive ?? false });
  }

  symlink(target: string, path: string): Promise<void> {
    return Deno.symlink(target, this.realPath(path));
  }

  link(target: string, path: string): Promise<void> {
    return Deno.link(this.realPath(target), this.realPath(path));
  }

  rename(from: string, to: string): Promise<void> {
    return Deno.rename(this.realPath(from), this.realPath(to));
  }

  utime(path: string, atime: Date, mtime: Date): Promise<void> {
    return Deno.utime(this.realPath(path), atime, mtime);
  }

  async run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    // Inside a chroot the working dir is set by coreutils' `env --chdir`, after the chroot.
    const inRoot = options.cwd ? ["env", `--chdir=${options.cwd}`, cmd, ...args] : [cmd, ...args];
    const [program, argv] = this.#chroot ? ["chroot", [this.root, ...inRoot]] : [cmd, [...args]];
    const signal = options.timeout ? AbortSignal.timeout(options.timeout) : undefined;
    const command = new Deno.Command(program, {
      args: argv,
      stdin: options.stdin !== undefined ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      ...(options.env ? { env: { ...options.env } } : {}),
      ...(options.cwd && !this.#chroot ? { cwd: this.realPath(options.cwd) } : {}),
      ...(signal ? { signal } : {}),
    });
    const child = command.spawn();
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(
        typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin,
      )
        .catch(() => {});
      await writer.close().catch(() => {});
    }
    const out = await child.output();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
      timedOut: signal?.aborted ?? false,
    };
  }

  user(nameOrId: string | number): Promise<Account | undefined> {
    return this.#lookup("/etc/passwd", nameOrId);
  }

  group(nameOrId: string | number): Promise<Account | undefined> {
    return this.#lookup("/etc/group", nameOrId);
  }

  async #lookup(db: string, nameOrId: string | number): Promise<Account | undefined> {
    let text: string;
    try {
      text = await this.readText(db);
    } catch {
      return undefined;
    }
    return parseAccounts(text).find((a) =>
      typeof nameOrId === "number" ? a.id === nameOrId : a.name === nameOrId
    );
  }

  hostPath(real: string): string {
    return this.root === "/" ? real : `/${real.slice(this.root.length).replace(/^\/+/, "")}`;
  }
}

/** Parses passwd/group lines (`name:x:id:...`). */
export function parseAccounts(text: string): Account[] {
  const out: Account[] = [];
  for (const line of text.split("\n")) {
    const [name, , id] = line.split(":");
    if (name && id !== undefined && /^\d+$/.test(id)) out.push({ name, id: Number(id) });
  }
  return out;
}

function toStat(info: Deno.FileInfo): FileStat {
  return {
    isFile: info.isFile,
    isDirectory: info.isDirectory,
    isSymlink: info.isSymlink,
    mode: (info.mode ?? 0) & 0o7777,
    uid: info.uid ?? 0,
    gid: info.gid ?? 0,
    size: info.size,
    mtime: info.mtime,
    atime: info.atime,
    dev: info.dev,
    ino: info.ino ?? 0,
    nlink: info.nlink ?? 1,
  };
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Ansible's backup suffix: `.<pid>.<YYYY-MM-DD@HH:MM:SS>`. */
function backupStamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  return `${Deno.pid}.${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${
    p(d.getHours())
  }:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** fsync the directory so the rename itself survives a crash. */
async function syncDir(dir: string): Promise<void> {
  try {
    const f = await Deno.open(dir, { read: true });
    try {
      await f.sync();
    } finally {
      f.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  }
}
