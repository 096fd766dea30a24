/**
 * Host: every file system and process call a task makes goes through here (DESIGN §3), so the
 * runner can swap in an overlay for dry runs and tests can root a host in a temp dir or chroot.
 *
 * @module
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  openSync,
  realpathSync,
  type Stats,
} from "node:fs";
import { type FileHandle, lchown as nodeLchown, open as nodeOpen } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

/** What `stat` reports. Paths that do not exist give `undefined` instead. */
export interface FileStat {
  /** A regular file. */
  readonly isFile: boolean;
  /** A directory. */
  readonly isDirectory: boolean;
  /** A symbolic link (only when not following links). */
  readonly isSymlink: boolean;
  /** Permission bits, including setuid/setgid/sticky (`0o4755`). */
  readonly mode: number;
  /** Owner's user id. */
  readonly uid: number;
  /** Owner's group id. */
  readonly gid: number;
  /** Size in bytes. */
  readonly size: number;
  /** Last modification. */
  readonly mtime: Date | null;
  /** Last access. */
  readonly atime: Date | null;
  /** Device of the file system. */
  readonly dev: number;
  /** Inode number. */
  readonly ino: number;
  /** Number of hard links. */
  readonly nlink: number;
}

/**
 * Content made while it is written, so it is never held whole in memory: a file of the config
 * repo, a download.
 */
export interface ContentStream {
  /** Where it comes from, for messages: `files/big.iso`, `https://...`. */
  readonly source: string;
  /** Opens the bytes; a host calls it once, when it writes them. */
  open(): Promise<ReadableStream<Uint8Array>>;
  /** Runs after every byte is in the temp file, before it goes into place: throw to refuse. */
  verify?(): void | Promise<void>;
  /** Opening it costs (a download): the dry-run overlay never opens it. */
  readonly remote?: boolean;
  /** Its size in bytes, when known before it is read. */
  readonly size?: number;
}

/** What {@linkcode Host.writeAtomic} writes: text, bytes, or a stream of them. */
export type Content = string | Uint8Array | ContentStream;

/** Options for {@linkcode Host.writeAtomic}. */
export interface WriteOptions {
  /** Permission bits for the file; an existing file keeps its mode when unset. */
  readonly mode?: number;
  /** Owner to set (default: an existing file keeps its owner). */
  readonly uid?: number;
  /** Group to set (default: an existing file keeps its group). */
  readonly gid?: number;
  /** Keep the previous content as `<path>.<timestamp>~` (Ansible's backup naming). */
  readonly backup?: boolean;
}

/** Options for {@linkcode Host.run}. */
export interface RunOptions {
  /** Input for the command. */
  readonly stdin?: string | Uint8Array;
  /** Milliseconds before the command is killed. */
  readonly timeout?: number;
  /** Variables added to the environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory (a managed-host path). */
  readonly cwd?: string;
}

/** What a command returned. */
export interface RunResult {
  /** Exit code. */
  readonly code: number;
  /** Standard output, as text. */
  readonly stdout: string;
  /** Standard error, as text. */
  readonly stderr: string;
  /** True when the timeout killed it. */
  readonly timedOut: boolean;
}

/** A user or group entry read from the host's passwd/group databases. */
export interface Account {
  /** The user or group name. */
  readonly name: string;
  /** The numeric uid or gid. */
  readonly id: number;
}

/** The operations tasks may perform on a host. Paths are absolute paths on the managed host. */
export interface Host {
  /** Reads a file; NotFound errors propagate. */
  readBytes(path: string): Promise<Uint8Array>;
  /** Reads a UTF-8 file; NotFound errors propagate. */
  readText(path: string): Promise<string>;
  /** A file's bytes as a stream, for files too large to hold (hashing, comparing). */
  readStream(path: string): Promise<ReadableStream<Uint8Array>>;
  /** Stat, following symlinks unless `follow` is false; `undefined` when missing. */
  stat(path: string, options?: { follow?: boolean }): Promise<FileStat | undefined>;
  /** Target of a symlink. */
  readLink(path: string): Promise<string>;
  /** Names in a directory, sorted. */
  readDir(path: string): Promise<string[]>;
  /** Writes through a temp file in the same dir + fsync + rename; keeps mode and owner. */
  writeAtomic(path: string, data: Content, options?: WriteOptions): Promise<{ backup?: string }>;
  /** Creates a directory (and its parents with `recursive`). */
  mkdir(path: string, options?: { mode?: number; recursive?: boolean }): Promise<void>;
  /** Sets permission bits. */
  chmod(path: string, mode: number): Promise<void>;
  /** Changes owner; on a symlink, of the link itself unless `follow`. */
  chown(
    path: string,
    uid: number | null,
    gid: number | null,
    options?: { follow?: boolean },
  ): Promise<void>;
  /** Removes a file, link or (with `recursive`) a directory tree. */
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
  /** Creates a symbolic link at `path` pointing to `target`. */
  symlink(target: string, path: string): Promise<void>;
  /** Creates a hard link at `path` to `target`. */
  link(target: string, path: string): Promise<void>;
  /** Renames a path. */
  rename(from: string, to: string): Promise<void>;
  /** Sets access and modification times. */
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
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = constants;
/** Linux's limit on symlinks followed while resolving one path. */
const MAX_LINKS = 40;

/**
 * The machine itself, or a directory tree standing in for it.
 *
 * Written as root into directories other users own, so: every path is resolved here, link by
 * link, as the kernel would inside a chroot at `root` (an absolute target is re-rooted, `..`
 * stops at the root, a loop is an error); a symlink not owned by root (or by this process's
 * user) is followed only to a file of its own owner, as Apache's SymLinksIfOwnerMatch; and
 * modes, owners and times are set through an open handle that refused to follow a symlink,
 * never by a path another user could swap in between.
 */
export class LocalHost implements Host {
  readonly root: string;
  readonly #chroot: boolean;
  /** The root with its own symlinks resolved (`/tmp` may be a link). */
  #machineRoot: string | undefined;
  /** This process's uid when it may be known (`--allow-sys=uid`), for links it owns. */
  readonly #self: number | undefined;

  constructor(options: LocalHostOptions = {}) {
    this.root = resolve(options.root ?? "/");
    this.#chroot = options.chroot ?? this.root !== "/";
    this.#self = ownUid();
  }

  realPath(path: string): string {
    return this.root === "/" ? resolve(path) : join(this.root, resolve("/", path));
  }

  /** The path on this machine for a managed path, its symlinks resolved inside the root. */
  async #real(path: string, followLast = true): Promise<string> {
    this.#machineRoot ??= this.root === "/"
      ? "/"
      : await Deno.realPath(this.root).catch(() => this.root);
    const lexical = this.#onMachine(resolve("/", path));
    // Fast path: no `..` and no symlink anywhere, which the kernel answers in one call.
    if (!path.split("/").includes("..")) {
      const probe = followLast ? lexical : dirname(lexical);
      if (realOrUndefined(probe) === probe) return lexical;
    }
    return this.#onMachine(`/${(await this.#walk(path, followLast, { links: 0 })).join("/")}`);
  }

  #onMachine(hostPath: string): string {
    const root = this.#machineRoot ?? this.root;
    return root === "/" ? hostPath : hostPath === "/" ? root : `${root}${hostPath}`;
  }

  /** Resolves a managed path component by component; returns the components of the result. */
  async #walk(path: string, followLast: boolean, budget: { links: number }): Promise<string[]> {
    const todo = path.split("/").filter((c) => c !== "" && c !== ".");
    const follow = followLast || /\/\.?$/.test(path);
    const done: string[] = [];
    while (todo.length > 0) {
      const c = todo.shift()!;
      if (c === "..") {
        done.pop(); // the root's parent is the root, as in a chroot
        continue;
      }
      if (todo.length === 0 && !follow) {
        done.push(c);
        break;
      }
      const hostPath = `/${[...done, c].join("/")}`;
      let info: Deno.FileInfo;
      try {
        info = await Deno.lstat(this.#onMachine(hostPath));
      } catch (e) {
        if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
          // Nothing to follow below a missing component: the rest is a plain path.
          for (const r of [c, ...todo]) r === ".." ? done.pop() : done.push(r);
          return done;
        }
        // A restricted run may not look at an ancestor: the kernel resolves it for us.
        if (e instanceof Deno.errors.NotCapable) {
          done.push(c);
          continue;
        }
        throw e;
      }
      if (!info.isSymlink) {
        done.push(c);
        continue;
      }
      if (++budget.links > MAX_LINKS) {
        throw new Deno.errors.FilesystemLoop(`too many levels of symbolic links: ${path}`);
      }
      const target = await Deno.readLink(this.#onMachine(hostPath));
      const owner = info.uid ?? 0;
      if (owner !== 0 && owner !== this.#self) {
        await this.#trust(
          hostPath,
          owner,
          target.startsWith("/") ? target : `/${[...done, target].join("/")}`,
          budget,
        );
      }
      if (target.startsWith("/")) done.length = 0;
      todo.unshift(...target.split("/").filter((t) => t !== "" && t !== "."));
    }
    return done;
  }

  /** Refuses a link owned by another user unless what it leads to is that user's own. */
  async #trust(link: string, owner: number, target: string, budget: { links: number }) {
    let p = `/${(await this.#walk(target, true, budget)).join("/")}`;
    for (;;) {
      try {
        if ((await Deno.lstat(this.#onMachine(p))).uid === owner) return;
        break;
      } catch (e) {
        if (e instanceof Deno.errors.NotCapable) return; // cannot look: the kernel decides
        if (!(e instanceof Deno.errors.NotFound) || p === "/") throw e;
        p = dirname(p); // a link to a file to be created: its directory's owner counts
      }
    }
    throw new UnsafeLinkError(
      `refusing to follow the symlink ${link} -> ${target}: it belongs to uid ${owner} and ` +
        `leads to ${p}, which does not (a link not owned by root is followed only to its ` +
        `owner's files)`,
    );
  }

  async readBytes(path: string): Promise<Uint8Array> {
    // O_NOFOLLOW: a link swapped in after the path was resolved is not read through.
    const file = await open(await this.#real(path), O_RDONLY | O_NOFOLLOW | O_NOCTTY);
    try {
      return new Uint8Array(await file.readFile().catch((e) => Promise.reject(denoError(e))));
    } finally {
      await file.close();
    }
  }

  async readText(path: string): Promise<string> {
    return decoder.decode(await this.readBytes(path));
  }

  async readStream(path: string): Promise<ReadableStream<Uint8Array>> {
    return handleStream(await open(await this.#real(path), O_RDONLY | O_NOFOLLOW | O_NOCTTY));
  }

  async stat(path: string, options: { follow?: boolean } = {}): Promise<FileStat | undefined> {
    const follow = options.follow !== false;
    try {
      const real = await this.#real(path, follow);
      return toStat(follow ? await Deno.stat(real) : await Deno.lstat(real));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
        return undefined;
      }
      throw e;
    }
  }

  async readLink(path: string): Promise<string> {
    return await Deno.readLink(await this.#real(path, false));
  }

  async readDir(path: string): Promise<string[]> {
    const names: string[] = [];
    for await (const e of Deno.readDir(await this.#real(path))) names.push(e.name);
    return names.sort();
  }

  async writeAtomic(
    path: string,
    data: Content,
    options: WriteOptions = {},
  ): Promise<{ backup?: string }> {
    const real = await this.#real(path, false);
    const dir = dirname(real);
    // The file it replaces, not what a link there points to: a link is replaced, not followed.
    const existing = await Deno.lstat(real).then((i) => (i.isFile ? toStat(i) : undefined))
      .catch((e) => {
        if (e instanceof Deno.errors.NotFound) return undefined;
        throw e;
      });
    const tmp = join(dir, `.${basename(real)}.driftless-${crypto.randomUUID().slice(0, 8)}.tmp`);
    let backup: string | undefined;
    try {
      // Exclusive and no-follow: a name another user planted is never opened.
      const file = await open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
        throw new Deno.errors.NotFound(`no such directory: ${dirname(resolve("/", path))}`);
      });
      let made: Stats;
      try {
        await writeContent(file, data);
        made = await file.stat();
        const uid = options.uid ?? existing?.uid ?? made.uid;
        const gid = options.gid ?? existing?.gid ?? made.gid;
        // On the handle, owner first: chown clears setuid/setgid bits, chmod sets them back.
        if (uid !== made.uid || gid !== made.gid) await file.chown(uid, gid);
        await file.chmod(options.mode ?? existing?.mode ?? 0o644);
        await file.datasync();
      } finally {
        await file.close();
      }
      // Another user who owns the directory may have swapped the name since: then stop.
      const now = await Deno.lstat(tmp);
      if (now.ino !== made.ino || now.dev !== made.dev) {
        throw new Error(`${tmp} was replaced while it was written: not moving it into place`);
      }
      if (options.backup && existing) backup = await makeBackup(real);
      await Deno.rename(tmp, real);
      await syncDir(dir);
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw denoError(e);
    }
    return backup ? { backup: this.hostPath(backup) } : {};
  }

  async mkdir(path: string, options: { mode?: number; recursive?: boolean } = {}): Promise<void> {
    const p = resolve("/", path);
    const mode = options.mode ?? 0o755;
    if (options.recursive) {
      if ((await this.stat(p))?.isDirectory) return;
      const missing: string[] = [];
      for (let d = dirname(p); d !== "/" && !(await this.stat(d)); d = dirname(d)) {
        missing.unshift(d);
      }
      for (const d of missing) await Deno.mkdir(await this.#real(d, false), { mode });
    }
    const real = await this.#real(p, false);
    await Deno.mkdir(real, { mode });
    // mkdir's mode is filtered by the umask; set it exactly as asked, on the new directory.
    if (options.mode !== undefined) await onHandle(real, (f) => f.chmod(mode));
  }

  async chmod(path: string, mode: number): Promise<void> {
    await onHandle(await this.#real(path), (f) => f.chmod(mode));
  }

  async chown(
    path: string,
    uid: number | null,
    gid: number | null,
    options: { follow?: boolean } = {},
  ): Promise<void> {
    if (options.follow === false) {
      const real = await this.#real(path, false);
      const info = await Deno.lstat(real);
      // lchown never follows: the link itself changes owner.
      if (info.isSymlink) return await lchown(real, uid ?? -1, gid ?? -1);
    }
    await onHandle(await this.#real(path), (f) => f.chown(uid ?? -1, gid ?? -1));
  }

  async remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    await Deno.remove(await this.#real(path, false), { recursive: options.recursive ?? false });
  }

  async symlink(target: string, path: string): Promise<void> {
    await Deno.symlink(target, await this.#real(path, false));
  }

  async link(target: string, path: string): Promise<void> {
    await Deno.link(await this.#real(target, false), await this.#real(path, false));
  }

  async rename(from: string, to: string): Promise<void> {
    await Deno.rename(await this.#real(from, false), await this.#real(to, false));
  }

  async utime(path: string, atime: Date, mtime: Date): Promise<void> {
    await onHandle(await this.#real(path), (f) => f.utimes(atime, mtime));
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
      ...(options.cwd && !this.#chroot ? { cwd: await this.#real(options.cwd) } : {}),
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

  /** The managed-host path of a path on this machine under the root. */
  hostPath(real: string): string {
    const root = this.#machineRoot ?? this.root;
    return root === "/" ? real : `/${real.slice(root.length).replace(/^\/+/, "")}`;
  }
}

/** The bytes of an open file as a stream; the file is closed at its end or when cancelled. */
function handleStream(file: FileHandle): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      try {
        const buffer = new Uint8Array(64 * 1024);
        const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
        if (bytesRead > 0) return controller.enqueue(buffer.subarray(0, bytesRead));
        await file.close();
        controller.close();
      } catch (e) {
        await file.close().catch(() => {});
        controller.error(denoError(e));
      }
    },
    cancel: () => file.close(),
  });
}

/** Writes content to an open file: at once, or chunk by chunk as a stream yields it. */
async function writeContent(file: FileHandle, data: Content): Promise<void> {
  if (typeof data === "string" || data instanceof Uint8Array) return await file.writeFile(data);
  for await (const chunk of await data.open()) {
    let off = 0;
    while (off < chunk.length) off += (await file.write(chunk, off)).bytesWritten;
  }
  await data.verify?.();
}

/** A symlink in a managed path leads where its owner may not: it is not followed. */
export class UnsafeLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsafeLinkError";
  }
}

/**
 * The path with its symlinks resolved, or undefined when it does not resolve (missing, not
 * permitted). node's synchronous realpath: one in-process call, no thread-pool round trip.
 */
function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** What can be changed on an open file: mode, owner, times. */
interface FdOps {
  chmod(mode: number): void;
  chown(uid: number, gid: number): void;
  utimes(atime: Date, mtime: Date): void;
}

/**
 * Runs `fn` on a file opened without following a symlink, so the change lands on the file that
 * was resolved, not on one swapped in since. Only a file this process may not open at all (a
 * non-root owner's mode 000 file: no one else can be tricked then) falls back to the path. The
 * calls are node:fs's synchronous ones: each is one syscall, where the asynchronous API costs a
 * thread-pool round trip several times longer.
 */
async function onHandle(real: string, fn: (file: FdOps) => void): Promise<void> {
  let fd: number;
  try {
    fd = openSync(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  } catch (e) {
    const error = denoError(e);
    if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
    const byPath: Promise<void>[] = [];
    fn({
      chmod: (mode) => byPath.push(Deno.chmod(real, mode)),
      chown: (uid, gid) =>
        byPath.push(Deno.chown(real, uid === -1 ? null : uid, gid === -1 ? null : gid)),
      utimes: (atime, mtime) => byPath.push(Deno.utime(real, atime, mtime)),
    });
    await Promise.all(byPath);
    return;
  }
  try {
    fn({
      chmod: (mode) => fchmodSync(fd, mode),
      chown: (uid, gid) => fchownSync(fd, uid, gid),
      utimes: (atime, mtime) => futimesSync(fd, atime, mtime),
    });
  } catch (e) {
    throw denoError(e);
  } finally {
    closeSync(fd);
  }
}

/** Keeps the current file as `<path>.<stamp>~`: a hard link, or a copy made through handles. */
async function makeBackup(real: string): Promise<string> {
  const backup = `${real}.${backupStamp()}~`;
  try {
    await Deno.link(real, backup); // link(2) never follows a symlink
    return backup;
  } catch {
    // Another file system or no hard links: copy.
  }
  const from = await open(real, O_RDONLY | O_NOFOLLOW | O_NOCTTY);
  try {
    const info = await from.stat();
    const to = await open(backup, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      await to.writeFile(await from.readFile());
      await to.chown(info.uid, info.gid);
      await to.chmod(info.mode & 0o7777);
      await to.datasync();
    } finally {
      await to.close();
    }
  } catch (e) {
    throw denoError(e);
  } finally {
    await from.close();
  }
  return backup;
}

/** node:fs's open, failing with Deno's error classes (tasks test for `Deno.errors.NotFound`). */
function open(path: string, flags: number, mode?: number): Promise<FileHandle> {
  return nodeOpen(path, flags, mode).catch((e) => {
    throw denoError(e);
  });
}

function lchown(path: string, uid: number, gid: number): Promise<void> {
  return nodeLchown(path, uid, gid).catch((e) => {
    throw denoError(e);
  });
}

const ERRORS: Readonly<Record<string, new (message: string) => Error>> = {
  ENOENT: Deno.errors.NotFound,
  EEXIST: Deno.errors.AlreadyExists,
  EACCES: Deno.errors.PermissionDenied,
  EPERM: Deno.errors.PermissionDenied,
  ELOOP: Deno.errors.FilesystemLoop,
  ENOTDIR: Deno.errors.NotADirectory,
  EISDIR: Deno.errors.IsADirectory,
};

/** A node:fs error as the Deno error class of its code, message kept. */
function denoError(e: unknown): unknown {
  const code = (e as { code?: string }).code;
  const Class = code ? ERRORS[code] : undefined;
  if (!Class) return e;
  const out = new Class((e as Error).message);
  Object.assign(out, { code });
  return out;
}

/** This process's uid, when the permissions let it be known. */
function ownUid(): number | undefined {
  try {
    return Deno.uid() ?? undefined;
  } catch {
    return undefined;
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
