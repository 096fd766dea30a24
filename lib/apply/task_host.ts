/**
 * A host as one task sees it: with the task's `environment` added to every command, and under
 * `become_user`, commands run as that user (through util-linux `runuser`, inside the root when
 * there is one) and the files and directories the task creates belong to that user, as they
 * would when Ansible runs the module as that user.
 *
 * @module
 */
import type {
  Account,
  Content,
  FileStat,
  Host,
  RunOptions,
  RunResult,
  WriteOptions,
} from "./host.ts";

/** The user a task becomes. */
export interface BecomeUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  /** The home dir, for `HOME` (as `sudo -H` sets it). */
  readonly home?: string;
}

/** What a task adds to the host. */
export interface TaskHostOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly user?: BecomeUser;
}

/** Wraps a host for one task; every call not listed here passes through. */
export class TaskHost implements Host {
  readonly #base: Host;
  readonly #o: TaskHostOptions;

  constructor(base: Host, options: TaskHostOptions) {
    this.#base = base;
    this.#o = options;
  }

  run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const user = this.#o.user;
    const env = {
      ...this.#o.env,
      ...(user ? { HOME: user.home ?? "/", USER: user.name, LOGNAME: user.name } : {}),
      ...options.env,
    };
    const withEnv = Object.keys(env).length > 0 ? { ...options, env } : options;
    if (!user) return this.#base.run(cmd, args, withEnv);
    return this.#base.run("runuser", ["-u", user.name, "--", cmd, ...args], withEnv);
  }

  async writeAtomic(
    path: string,
    data: Content,
    options: WriteOptions = {},
  ): Promise<{ backup?: string }> {
    const user = this.#o.user;
    if (!user || (await this.#base.stat(path))) return this.#base.writeAtomic(path, data, options);
    return this.#base.writeAtomic(path, data, {
      ...options,
      uid: options.uid ?? user.uid,
      gid: options.gid ?? user.gid,
    });
  }

  async mkdir(path: string, options: { mode?: number; recursive?: boolean } = {}): Promise<void> {
    const user = this.#o.user;
    if (!user) return this.#base.mkdir(path, options);
    // Every dir the call creates (with `recursive`, the missing parents too) is the user's.
    const created: string[] = [];
    for (let p = path; p !== "/" && !(await this.#base.stat(p)); p = parent(p)) {
      created.push(p);
      if (!options.recursive) break;
    }
    await this.#base.mkdir(path, options);
    for (const p of created.reverse()) await this.#base.chown(p, user.uid, user.gid);
  }

  async symlink(target: string, path: string): Promise<void> {
    await this.#base.symlink(target, path);
    const user = this.#o.user;
    if (user) await this.#base.chown(path, user.uid, user.gid, { follow: false });
  }

  readBytes(path: string): Promise<Uint8Array> {
    return this.#base.readBytes(path);
  }
  readStream(path: string): Promise<ReadableStream<Uint8Array>> {
    return this.#base.readStream(path);
  }
  readText(path: string): Promise<string> {
    return this.#base.readText(path);
  }
  stat(path: string, options?: { follow?: boolean }): Promise<FileStat | undefined> {
    return this.#base.stat(path, options);
  }
  readLink(path: string): Promise<string> {
    return this.#base.readLink(path);
  }
  readDir(path: string): Promise<string[]> {
    return this.#base.readDir(path);
  }
  chmod(path: string, mode: number): Promise<void> {
    return this.#base.chmod(path, mode);
  }
  chown(
    path: string,
    uid: number | null,
    gid: number | null,
    options?: { follow?: boolean },
  ): Promise<void> {
    return this.#base.chown(path, uid, gid, options);
  }
  remove(path: string, options?: { recursive?: boolean }): Promise<void> {
    return this.#base.remove(path, options);
  }
  link(target: string, path: string): Promise<void> {
    return this.#base.link(target, path);
  }
  rename(from: string, to: string): Promise<void> {
    return this.#base.rename(from, to);
  }
  utime(path: string, atime: Date, mtime: Date): Promise<void> {
    return this.#base.utime(path, atime, mtime);
  }
  user(nameOrId: string | number): Promise<Account | undefined> {
    return this.#base.user(nameOrId);
  }
  group(nameOrId: string | number): Promise<Account | undefined> {
    return this.#base.group(nameOrId);
  }
  realPath(path: string): string {
    return this.#base.realPath(path);
  }
}

function parent(path: string): string {
  const i = path.replace(/\/+$/, "").lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}
