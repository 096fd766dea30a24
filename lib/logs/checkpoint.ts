/**
 * Checkpoints: per source and file (device + inode + head fingerprint), the offset up to which
 * every line has been acknowledged by every sink it was routed to. Saved atomically (temp file,
 * fsync, rename, fsync of the directory) with the previous snapshot kept beside it; a state
 * file that cannot be read is an error, never a silent "read everything again".
 *
 * @module
 */
import { join } from "node:path";

/** One file's checkpoint. */
export interface CheckpointEntry {
  readonly source: string;
  readonly dev: number;
  readonly ino: number;
  /** Hash of the file's first `fp_len` bytes (hex). */
  readonly fp: string;
  readonly fp_len: number;
  /** Bytes acknowledged: reading resumes here. */
  readonly offset: number;
  /** The path it was last seen at (to find it after a rename during downtime). */
  readonly path: string;
  /** Outputs that acknowledged more than `offset`: how far each did (by output name). */
  readonly sinks?: Readonly<Record<string, number>>;
  /**
   * When the file was read to its end and let go (it had left its path). The entry stays while
   * the file does, so a later rename of it is not read again.
   */
  readonly released?: number;
}

/**
 * The content of a file truncated in place (copytruncate) before it was fully shipped: its copy
 * (a new inode with the same head) continues from `offset`.
 */
export interface OrphanEntry {
  readonly source: string;
  readonly fp: string;
  readonly fp_len: number;
  readonly offset: number;
  /** Path of the truncated file. */
  readonly path: string;
  /** When it was truncated (ms since the epoch); orphans expire. */
  readonly since: number;
  /** Outputs that acknowledged more than `offset`: how far each did (by output name). */
  readonly sinks?: Readonly<Record<string, number>>;
}

/** The state file could not be read; the message says what to do. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointError";
  }
}

const FILE = "checkpoints.json";
const PREV = "checkpoints.prev.json";
/** The previous snapshot is refreshed at most this often. */
const PREV_EVERY_MS = 10_000;

function key(source: string, dev: number, ino: number): string {
  return `${source}\0${dev}:${ino}`;
}

/** The checkpoints of one state dir. */
export class CheckpointStore {
  readonly dir: string;
  readonly #entries = new Map<string, CheckpointEntry>();
  readonly #orphans = new Map<string, OrphanEntry>();
  /** When each source last looked for files (saved with the next write). */
  readonly #scanned = new Map<string, number>();
  #dirty = false;
  #running: Promise<void> | undefined;
  #prevAt = 0;
  /** Writes done, for self-metrics. */
  saves = 0;
  /** When the last save finished (ms since the epoch), 0 before the first. */
  savedAt = 0;
  /** A note about recovery from the previous snapshot, for the caller to print. */
  readonly notes: string[] = [];

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Opens (creating) a state dir and loads its checkpoints. */
  static async open(dir: string): Promise<CheckpointStore> {
    await Deno.mkdir(dir, { recursive: true, mode: 0o750 });
    const store = new CheckpointStore(dir);
    await store.#load();
    return store;
  }

  /** The checkpoint of a file, if any. */
  get(source: string, dev: number, ino: number): CheckpointEntry | undefined {
    return this.#entries.get(key(source, dev, ino));
  }

  /** Every checkpoint of a source. */
  forSource(source: string): CheckpointEntry[] {
    return [...this.#entries.values()].filter((e) => e.source === source);
  }

  /** Records a checkpoint (saved by the next `save()`). */
  set(entry: CheckpointEntry): void {
    const k = key(entry.source, entry.dev, entry.ino);
    const old = this.#entries.get(k);
    if (
      old && old.offset === entry.offset && old.fp === entry.fp && old.fp_len === entry.fp_len &&
      old.path === entry.path && old.released === entry.released &&
      sameSinks(old.sinks, entry.sinks)
    ) return;
    this.#entries.set(k, entry);
    this.#dirty = true;
  }

  /** Forgets a file (deleted and fully shipped). */
  delete(source: string, dev: number, ino: number): void {
    if (this.#entries.delete(key(source, dev, ino))) this.#dirty = true;
  }

  /** Orphaned contents of a source (copytruncate), oldest first. */
  orphans(source: string): OrphanEntry[] {
    return [...this.#orphans.values()].filter((o) => o.source === source);
  }

  /** Records (or updates) an orphan. */
  setOrphan(orphan: OrphanEntry): void {
    this.#orphans.set(`${orphan.source}\0${orphan.fp}\0${orphan.since}`, orphan);
    this.#dirty = true;
  }

  /** Forgets an orphan (adopted by its copy, or expired). */
  deleteOrphan(orphan: OrphanEntry): void {
    if (this.#orphans.delete(`${orphan.source}\0${orphan.fp}\0${orphan.since}`)) this.#dirty = true;
  }

  /**
   * When a source last looked for files (ms since the epoch), as saved by the last run; files
   * that changed after it and were never seen are new to it.
   */
  scannedAt(source: string): number | undefined {
    return this.#scanned.get(source);
  }

  /** Records a scan's start (saved with the next write, not a write of its own). */
  setScannedAt(source: string, ms: number): void {
    this.#scanned.set(source, ms);
  }

  /** True when there are changes not yet saved. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /**
   * Saves the checkpoints if they changed. Concurrent calls share writes: the promise resolves
   * after a write that includes every change made before the call.
   */
  save(): Promise<void> {
    if (!this.#dirty && !this.#running) return Promise.resolve();
    this.#running ??= this.#loop();
    return this.#running;
  }

  async #loop(): Promise<void> {
    try {
      while (this.#dirty) {
        this.#dirty = false;
        try {
          await this.#write();
        } catch (e) {
          this.#dirty = true;
          throw e;
        }
      }
    } finally {
      this.#running = undefined;
    }
  }

  async #write(): Promise<void> {
    const text = JSON.stringify({
      version: 1,
      files: [...this.#entries.values()],
      orphans: [...this.#orphans.values()],
      scanned: Object.fromEntries(this.#scanned),
    }) + "\n";
    const main = join(this.dir, FILE);
    // A fresh random name, created exclusively: never an existing file or a planted symlink.
    const tmp = tempName(this.dir, FILE);
    const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o640 });
    try {
      const bytes = new TextEncoder().encode(text);
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
      await file.sync();
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw e;
    } finally {
      file.close();
    }
    const now = Date.now();
    if (now - this.#prevAt >= PREV_EVERY_MS) {
      // Keep the snapshot being replaced: a hard link, then an atomic rename over the old one.
      const prevTmp = tempName(this.dir, PREV);
      try {
        await Deno.link(main, prevTmp);
        await Deno.rename(prevTmp, join(this.dir, PREV));
        this.#prevAt = now;
      } catch (e) {
        await Deno.remove(prevTmp).catch(() => {});
        if (!(e instanceof Deno.errors.NotFound)) throw e; // no snapshot yet
      }
    }
    await Deno.rename(tmp, main);
    await syncDir(this.dir);
    this.saves++;
    this.savedAt = Date.now();
  }

  async #load(): Promise<void> {
    const main = join(this.dir, FILE);
    const prev = join(this.dir, PREV);
    const a = await readState(main);
    if (a.entries) return this.#fill(a);
    const b = await readState(prev);
    if (b.entries) {
      if (a.error) this.notes.push(`${main} is unreadable (${a.error}); using ${prev}`);
      return this.#fill(b);
    }
    if (!a.error && !b.error) return; // a fresh state dir
    throw new CheckpointError(
      `cannot read the log checkpoints in ${this.dir}: ${a.error ?? "missing"}` +
        (b.error ? `; previous snapshot: ${b.error}` : "") +
        `. Files would be read again from the start: fix or remove ${main} to go on`,
    );
  }

  #fill(state: State): void {
    for (const e of state.entries ?? []) this.#entries.set(key(e.source, e.dev, e.ino), e);
    for (const o of state.orphans ?? []) this.#orphans.set(`${o.source}\0${o.fp}\0${o.since}`, o);
    for (const [source, ms] of Object.entries(state.scanned ?? {})) this.#scanned.set(source, ms);
  }
}

function sameSinks(
  a: Readonly<Record<string, number>> | undefined,
  b: Readonly<Record<string, number>> | undefined,
): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** `.NAME.RANDOM.tmp` in `dir`. */
function tempName(dir: string, name: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let r = "";
  for (const b of bytes) r += b.toString(16).padStart(2, "0");
  return join(dir, `.${name}.${r}.tmp`);
}

interface State {
  entries?: CheckpointEntry[];
  orphans?: OrphanEntry[];
  scanned?: Record<string, number>;
  error?: string;
}

async function readState(path: string): Promise<State> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return {};
    return { error: (e as Error).message };
  }
  try {
    const data = JSON.parse(text) as {
      version?: unknown;
      files?: unknown;
      orphans?: unknown;
      scanned?: unknown;
    };
    if (data.version !== 1 || !Array.isArray(data.files)) throw new Error("not a version 1 state");
    const entries = data.files.map((f: Record<string, unknown>) => {
      if (
        typeof f.source !== "string" || typeof f.dev !== "number" || typeof f.ino !== "number" ||
        typeof f.fp !== "string" || typeof f.fp_len !== "number" ||
        typeof f.offset !== "number" || typeof f.path !== "string" || !numberRecord(f.sinks) ||
        (f.released !== undefined && typeof f.released !== "number")
      ) throw new Error("an entry lacks source, dev, ino, fp, fp_len, offset or path");
      return f as unknown as CheckpointEntry;
    });
    const orphans = (Array.isArray(data.orphans) ? data.orphans : []).map(
      (o: Record<string, unknown>) => {
        if (
          typeof o.source !== "string" || typeof o.fp !== "string" ||
          typeof o.fp_len !== "number" || typeof o.offset !== "number" ||
          typeof o.path !== "string" || typeof o.since !== "number" || !numberRecord(o.sinks)
        ) throw new Error("an orphan lacks source, fp, fp_len, offset, path or since");
        return o as unknown as OrphanEntry;
      },
    );
    const scanned = data.scanned !== undefined && numberRecord(data.scanned)
      ? data.scanned as Record<string, number>
      : {};
    return { entries, orphans, scanned };
  } catch (e) {
    return { error: `${path}: ${(e as Error).message}` };
  }
}

function numberRecord(v: unknown): boolean {
  if (v === undefined) return true;
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  return Object.values(v).every((n) => typeof n === "number");
}

async function syncDir(dir: string): Promise<void> {
  const d = await Deno.open(dir, { read: true });
  try {
    await d.sync();
  } catch {
    /* some filesystems cannot sync a directory */
  } finally {
    d.close();
  }
}
