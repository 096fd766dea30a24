/**
 * `ScriptedHost`: a Host whose files live under a temp root (a real `LocalHost`, no chroot) and
 * whose `run` answers from a scripted command table instead of running anything, recording
 * every call. Command tables in the pyinfra style: the test scripts the host's current state
 * (what `dpkg-query`, `systemctl show` or `getent` answer) and asserts the commands a task runs.
 * A rule's reply may be a function that also updates the test's model of the host, so the
 * re-read after apply sees the new state and the convergence check is real.
 *
 * An unscripted command throws, so a task that runs something unexpected fails its test.
 *
 * @module
 */
import { shellJoin } from "../../lib/shlex.ts";
import {
  type Account,
  type Content,
  type FileStat,
  type Host,
  LocalHost,
  type RunOptions,
  type RunResult,
  type WriteOptions,
} from "../../lib/apply/host.ts";

/** One recorded command. */
export interface Call {
  readonly cmd: string;
  readonly args: readonly string[];
  /** `cmd arg ...`, shell-quoted: what rules match against. */
  readonly line: string;
  readonly stdin?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** What a rule answers: a result, or a function of the call (which may update a model). */
export type Reply = Partial<RunResult> | ((call: Call) => Partial<RunResult> | void);

/** One row of a command table. */
export interface Rule {
  /** The whole command line (exact), or a pattern. */
  readonly match: string | RegExp;
  /** Default: exit 0 with no output. */
  readonly reply?: Reply;
}

/** A Host for command-table tests. */
export class ScriptedHost implements Host {
  readonly files: LocalHost;
  readonly calls: Call[] = [];
  #rules: Rule[] = [];

  constructor(root: string, rules: readonly Rule[] = []) {
    this.files = new LocalHost({ root, chroot: false });
    this.#rules = [...rules];
  }

  /** Adds rules (checked in order, after earlier ones). */
  script(...rules: Rule[]): this {
    this.#rules.push(...rules);
    return this;
  }

  /** Every command line run so far. */
  lines(): string[] {
    return this.calls.map((c) => c.line);
  }

  /** Command lines run so far that do not match `queries` (the changes a task made). */
  changes(queries: RegExp): string[] {
    return this.lines().filter((l) => !queries.test(l));
  }

  run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const line = shellJoin([cmd, ...args]);
    const stdin = options.stdin === undefined
      ? undefined
      : typeof options.stdin === "string"
      ? options.stdin
      : new TextDecoder().decode(options.stdin);
    const call: Call = {
      cmd,
      args: [...args],
      line,
      ...(stdin !== undefined ? { stdin } : {}),
      ...(options.env ? { env: options.env } : {}),
    };
    this.calls.push(call);
    const rule = this.#rules.find((r) =>
      typeof r.match === "string" ? r.match === line : r.match.test(line)
    );
    if (!rule) return Promise.reject(new Error(`unscripted command: ${line}`));
    const out = typeof rule.reply === "function" ? rule.reply(call) ?? {} : rule.reply ?? {};
    return Promise.resolve({ code: 0, stdout: "", stderr: "", timedOut: false, ...out });
  }

  readBytes(path: string): Promise<Uint8Array> {
    return this.files.readBytes(path);
  }
  readStream(path: string): Promise<ReadableStream<Uint8Array>> {
    return this.files.readStream(path);
  }
  readText(path: string): Promise<string> {
    return this.files.readText(path);
  }
  stat(path: string, options?: { follow?: boolean }): Promise<FileStat | undefined> {
    return this.files.stat(path, options);
  }
  readLink(path: string): Promise<string> {
    return this.files.readLink(path);
  }
  readDir(path: string): Promise<string[]> {
    return this.files.readDir(path);
  }
  writeAtomic(
    path: string,
    data: Content,
    options?: WriteOptions,
  ): Promise<{ backup?: string }> {
    return this.files.writeAtomic(path, data, options);
  }
  mkdir(path: string, options?: { mode?: number; recursive?: boolean }): Promise<void> {
    return this.files.mkdir(path, options);
  }
  chmod(path: string, mode: number): Promise<void> {
    return this.files.chmod(path, mode);
  }
  chown(
    path: string,
    uid: number | null,
    gid: number | null,
    options?: { follow?: boolean },
  ): Promise<void> {
    return this.files.chown(path, uid, gid, options);
  }
  remove(path: string, options?: { recursive?: boolean }): Promise<void> {
    return this.files.remove(path, options);
  }
  symlink(target: string, path: string): Promise<void> {
    return this.files.symlink(target, path);
  }
  link(target: string, path: string): Promise<void> {
    return this.files.link(target, path);
  }
  rename(from: string, to: string): Promise<void> {
    return this.files.rename(from, to);
  }
  utime(path: string, atime: Date, mtime: Date): Promise<void> {
    return this.files.utime(path, atime, mtime);
  }
  user(nameOrId: string | number): Promise<Account | undefined> {
    return this.files.user(nameOrId);
  }
  group(nameOrId: string | number): Promise<Account | undefined> {
    return this.files.group(nameOrId);
  }
  realPath(path: string): string {
    return this.files.realPath(path);
  }
}

/** Writes files under a root (host paths → content), creating parent dirs. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const real = `${root}${path}`;
    await Deno.mkdir(real.slice(0, real.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(real, content);
  }
}
