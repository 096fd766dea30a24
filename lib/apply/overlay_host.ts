/**
 * The dry-run overlay (DESIGN §3): a Host that records every change in memory on top of a real
 * one, so later tasks plan against what earlier ones would have made, and the machine is never
 * touched. It writes nothing, so a dry run works without `--allow-write`.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import {
  type Account,
  type Content,
  type FileStat,
  type Host,
  parseAccounts,
  type RunOptions,
  type RunResult,
  type WriteOptions,
} from "./host.ts";
import { shellJoin } from "../shlex.ts";
import { ACCOUNT_COMMANDS, simulateAccounts } from "./overlay_accounts.ts";
import { PlannedPackages } from "./overlay_packages.ts";
import { PlannedServices } from "./overlay_services.ts";

interface Meta {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  atime: Date;
}

/** Content a dry run does not fetch (a download): known by where it would come from. */
interface Deferred {
  readonly deferred: string;
}

/** What the overlay knows about a path. `base` content means "as on the real host". */
type Entry =
  | ({ kind: "file"; data: Uint8Array | "base" | Deferred } & Meta)
  | ({ kind: "dir"; fresh?: boolean } & Meta)
  | ({ kind: "symlink"; target: string } & Meta)
  | { kind: "absent" };

const MAX_LINKS = 40;

/** The largest streamed content the overlay holds in memory; larger is kept as a reference. */
const OVERLAY_FILE_LIMIT = 8 * 1024 * 1024;

/** Content as the overlay keeps it: bytes, or where a download would come from. */
async function inMemory(data: Content): Promise<Uint8Array | Deferred> {
  if (typeof data === "string") return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  // A download, or a file too large to hold for a dry run: known by its source.
  if (data.remote || (data.size ?? 0) > OVERLAY_FILE_LIMIT) return { deferred: data.source };
  const bytes = new Uint8Array(await new Response(await data.open()).arrayBuffer());
  await data.verify?.();
  return bytes;
}

/** A Host whose changes stay in memory; commands run during apply are recorded, not run. */
export class OverlayHost implements Host {
  readonly #base: Host;
  readonly #entries = new Map<string, Entry>();
  /** Symlink targets (or undefined) of real-host paths already looked at. */
  readonly #realLinks = new Map<string, string | undefined>();
  readonly #packages = new PlannedPackages();
  readonly #services = new PlannedServices();
  /** Commands that apply() asked for, as `cmd arg ...` lines: the "would run" list. */
  readonly commands: string[] = [];
  /**
   * Set by the runner around `apply()`: commands then are recorded instead of run. Reads
   * (`read()`) still run their query commands (`dpkg-query`, `systemctl show`) for real.
   */
  applying = false;

  constructor(base: Host) {
    this.#base = base;
  }

  realPath(path: string): string {
    return this.#base.realPath(path);
  }

  /** Takes the commands recorded since the last call. */
  takeCommands(): string[] {
    return this.commands.splice(0);
  }

  #entry(path: string): Entry | undefined {
    const p = resolve("/", path);
    const own = this.#entries.get(p);
    if (own) return own;
    // A removed or replaced ancestor hides whatever the real host has below it.
    for (let d = dirname(p);; d = dirname(d)) {
      const e = this.#entries.get(d);
      if (e && e.kind !== "dir") return { kind: "absent" };
      if (d === "/") break;
    }
    return undefined;
  }

  /** Resolves every symlink in a path, the overlay's and the real host's; returns the final path. */
  async #resolve(path: string, depth = 0): Promise<string> {
    const parts = resolve("/", path).split("/").filter(Boolean);
    let cur = "/";
    for (const part of parts) {
      const next = join(cur, part);
      const target = await this.#linkTarget(next);
      if (target === undefined) {
        cur = next;
        continue;
      }
      if (depth >= MAX_LINKS) {
        throw new Deno.errors.FilesystemLoop(`too many levels of symbolic links: ${path}`);
      }
      cur = await this.#resolve(resolve(cur, target), depth + 1);
    }
    return cur;
  }

  /** The target when the path (whose ancestors are resolved) is a symlink. */
  async #linkTarget(path: string): Promise<string | undefined> {
    const e = this.#entry(path);
    if (e) return e.kind === "symlink" ? e.target : undefined;
    // The overlay never writes to the real host, so what it says about a path holds all run.
    if (this.#realLinks.has(path)) return this.#realLinks.get(path);
    let target: string | undefined;
    try {
      const st = await this.#base.stat(path, { follow: false });
      target = st?.isSymlink ? await this.#base.readLink(path) : undefined;
    } catch (e) {
      // A restricted dry run may not read an ancestor such as /tmp itself: treat it as a plain
      // directory (the kernel still resolves it for every real read below it).
      if (!(e instanceof Deno.errors.NotCapable)) throw e;
    }
    this.#realLinks.set(path, target);
    return target;
  }

  /** Resolves the parent dirs of a path but not its last component (lstat semantics). */
  async #resolveParent(path: string): Promise<string> {
    const p = resolve("/", path);
    return p === "/" ? p : join(await this.#resolve(dirname(p)), p.slice(p.lastIndexOf("/") + 1));
  }

  async readBytes(path: string): Promise<Uint8Array> {
    const p = await this.#resolve(path);
    const e = this.#entry(p);
    if (e === undefined || (e.kind === "file" && e.data === "base")) return this.#base.readBytes(p);
    if (e.kind === "file" && e.data instanceof Uint8Array) return e.data;
    if (e.kind === "file") {
      throw new Deno.errors.NotSupported(
        `the dry run does not have the content of ${p}: it would come from ${
          (e.data as Deferred).deferred
        }`,
      );
    }
    if (e.kind === "dir") throw new Deno.errors.IsADirectory(`is a directory: ${p}`);
    throw new Deno.errors.NotFound(`no such file (in the dry-run overlay): ${p}`);
  }

  async readText(path: string): Promise<string> {
    return new TextDecoder().decode(await this.readBytes(path));
  }

  async readStream(path: string): Promise<ReadableStream<Uint8Array>> {
    const p = await this.#resolve(path);
    const e = this.#entry(p);
    if (e === undefined || (e.kind === "file" && e.data === "base")) {
      return this.#base.readStream(p);
    }
    return ReadableStream.from([await this.readBytes(p)]);
  }

  async stat(path: string, options: { follow?: boolean } = {}): Promise<FileStat | undefined> {
    const p = options.follow === false
      ? await this.#resolveParent(path)
      : await this.#resolve(path);
    const e = this.#entry(p);
    if (e === undefined) return this.#base.stat(p, options);
    if (e.kind === "absent") return undefined;
    const size = e.kind === "file"
      ? (e.data === "base"
        ? (await this.#base.stat(p))?.size ?? 0
        : e.data instanceof Uint8Array
        ? e.data.length
        : 0)
      : e.kind === "symlink"
      ? e.target.length
      : 4096;
    const real = e.kind === "file" && e.data === "base" ? await this.#base.stat(p) : undefined;
    return {
      isFile: e.kind === "file",
      isDirectory: e.kind === "dir",
      isSymlink: e.kind === "symlink",
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      size,
      mtime: e.mtime,
      atime: e.atime,
      dev: real?.dev ?? 0,
      ino: real?.ino ?? 0,
      nlink: real?.nlink ?? 1,
    };
  }

  async readLink(path: string): Promise<string> {
    const p = await this.#resolveParent(path);
    const e = this.#entry(p);
    if (e === undefined) return this.#base.readLink(p);
    if (e.kind === "symlink") return e.target;
    throw new Deno.errors.InvalidData(`not a symlink: ${path}`);
  }

  async readDir(path: string): Promise<string[]> {
    const p = await this.#resolve(path);
    const e = this.#entry(p);
    if (e && e.kind !== "dir") throw new Deno.errors.NotFound(`no such directory: ${p}`);
    const names = new Set<string>();
    // A directory the overlay created has no real content; one it only re-moded does.
    if (e === undefined || (e.kind === "dir" && !e.fresh)) {
      for (const n of await this.#base.readDir(p).catch(() => [] as string[])) names.add(n);
    }
    const prefix = p === "/" ? "/" : `${p}/`;
    for (const [key, entry] of this.#entries) {
      if (!key.startsWith(prefix) || key === p) continue;
      const name = key.slice(prefix.length);
      if (name.includes("/")) continue;
      if (entry.kind === "absent") names.delete(name);
      else names.add(name);
    }
    return [...names].sort();
  }

  async writeAtomic(
    path: string,
    data: Content,
    options: WriteOptions = {},
  ): Promise<{ backup?: string }> {
    const p = await this.#resolve(path);
    await this.#requireDir(dirname(p));
    const existing = await this.stat(p);
    const now = new Date();
    this.#entries.set(p, {
      kind: "file",
      data: await inMemory(data),
      mode: options.mode ?? existing?.mode ?? 0o644,
      uid: options.uid ?? existing?.uid ?? 0,
      gid: options.gid ?? existing?.gid ?? 0,
      mtime: now,
      atime: now,
    });
    return options.backup && existing?.isFile ? { backup: `${p}.<timestamp>~` } : {};
  }

  async mkdir(path: string, options: { mode?: number; recursive?: boolean } = {}): Promise<void> {
    const p = await this.#resolveParent(path);
    const st = await this.stat(p);
    if (st) {
      if (options.recursive && st.isDirectory) return;
      throw new Deno.errors.AlreadyExists(`file exists: ${p}`);
    }
    const parent = dirname(p);
    if (options.recursive && parent !== p) await this.mkdir(parent, { recursive: true });
    await this.#requireDir(parent);
    const now = new Date();
    this.#entries.set(p, {
      kind: "dir",
      fresh: true,
      mode: options.mode ?? 0o755,
      uid: 0,
      gid: 0,
      mtime: now,
      atime: now,
    });
  }

  async #requireDir(path: string): Promise<void> {
    const st = await this.stat(path);
    if (!st) throw new Deno.errors.NotFound(`no such directory: ${path}`);
    if (!st.isDirectory) throw new Deno.errors.NotADirectory(`not a directory: ${path}`);
  }

  /** Copy-on-write of metadata: the entry for a path, created from the real host if needed. */
  async #own(path: string, follow = true): Promise<Exclude<Entry, { kind: "absent" }>> {
    const p = follow ? await this.#resolve(path) : await this.#resolveParent(path);
    const e = this.#entry(p);
    if (e && e.kind !== "absent") return e;
    const st = await this.#base.stat(p, { follow: false });
    if (!e && st) {
      const meta = {
        mode: st.mode,
        uid: st.uid,
        gid: st.gid,
        mtime: st.mtime ?? new Date(),
        atime: st.atime ?? new Date(),
      };
      const entry: Exclude<Entry, { kind: "absent" }> = st.isDirectory
        ? { kind: "dir", ...meta }
        : st.isSymlink
        ? { kind: "symlink", target: await this.#base.readLink(p), ...meta }
        : { kind: "file", data: "base", ...meta };
      this.#entries.set(p, entry);
      return entry;
    }
    throw new Deno.errors.NotFound(`no such file or directory: ${p}`);
  }

  async chmod(path: string, mode: number): Promise<void> {
    (await this.#own(path)).mode = mode;
  }

  async chown(
    path: string,
    uid: number | null,
    gid: number | null,
    options: { follow?: boolean } = {},
  ): Promise<void> {
    const e = await this.#own(path, options.follow !== false);
    if (uid !== null) e.uid = uid;
    if (gid !== null) e.gid = gid;
  }

  async remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const p = await this.#resolveParent(path);
    const st = await this.stat(p, { follow: false });
    if (!st) throw new Deno.errors.NotFound(`no such file or directory: ${p}`);
    if (st.isDirectory && !options.recursive && (await this.readDir(p)).length > 0) {
      throw new Error(`directory not empty: ${p}`);
    }
    for (const key of [...this.#entries.keys()]) {
      if (key.startsWith(`${p}/`)) this.#entries.delete(key);
    }
    this.#entries.set(p, { kind: "absent" });
  }

  async symlink(target: string, path: string): Promise<void> {
    const p = await this.#resolveParent(path);
    if (await this.stat(p, { follow: false })) {
      throw new Deno.errors.AlreadyExists(`file exists: ${p}`);
    }
    await this.#requireDir(dirname(p));
    const now = new Date();
    this.#entries.set(p, {
      kind: "symlink",
      target,
      mode: 0o777,
      uid: 0,
      gid: 0,
      mtime: now,
      atime: now,
    });
  }

  async link(target: string, path: string): Promise<void> {
    const p = await this.#resolveParent(path);
    if (await this.stat(p, { follow: false })) {
      throw new Deno.errors.AlreadyExists(`file exists: ${p}`);
    }
    const src = await this.#own(target);
    // A hard link shares the inode; the overlay shares the entry object.
    this.#entries.set(p, src);
  }

  async rename(from: string, to: string): Promise<void> {
    const src = await this.#own(from, false);
    const f = await this.#resolveParent(from);
    const t = await this.#resolveParent(to);
    if (src.kind === "file" && src.data === "base") src.data = await this.#base.readBytes(f);
    for (const [key, entry] of [...this.#entries]) {
      if (key.startsWith(`${f}/`)) this.#entries.set(join(t, key.slice(f.length + 1)), entry);
    }
    this.#entries.set(t, src);
    this.#entries.set(f, { kind: "absent" });
  }

  async utime(path: string, atime: Date, mtime: Date): Promise<void> {
    const e = await this.#own(path);
    e.atime = atime;
    e.mtime = mtime;
  }

  async run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const program = cmd.slice(cmd.lastIndexOf("/") + 1);
    if (!this.applying) {
      const real = await this.#base.run(cmd, args, options);
      return program === "systemctl"
        ? this.#services.adjust(args, real, this.#packages.installing)
        : this.#packages.adjust(program, args, real);
    }
    this.commands.push(shellJoin([cmd, ...args]));
    // What later tasks ask about: the accounts, packages and units this command would have made.
    if (ACCOUNT_COMMANDS.has(program)) await simulateAccounts(this, program, args);
    else if (program === "systemctl") this.#services.record(args);
    else this.#packages.record(program, args);
    return { code: 0, stdout: "", stderr: "", timedOut: false };
  }

  user(nameOrId: string | number): Promise<Account | undefined> {
    return this.#lookup("/etc/passwd", nameOrId);
  }

  group(nameOrId: string | number): Promise<Account | undefined> {
    return this.#lookup("/etc/group", nameOrId);
  }

  async #lookup(db: string, nameOrId: string | number): Promise<Account | undefined> {
    const e = this.#entry(db);
    if (e === undefined) {
      return db.endsWith("passwd") ? this.#base.user(nameOrId) : this.#base.group(nameOrId);
    }
    const text = await this.readText(db).catch(() => "");
    return parseAccounts(text).find((
      a,
    ) => (typeof nameOrId === "number" ? a.id === nameOrId : a.name === nameOrId));
  }
}
