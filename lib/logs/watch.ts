/**
 * Watching a source's directories with inotify (`Deno.watchFs`): events wake the reader at
 * once; polling stays the fallback. Event handling is only bookkeeping (which files to look
 * at, whether to scan): all file I/O stays in the reader's loop.
 *
 * @module
 */

/** What a watcher reports to its source. */
export interface WatchHandlers {
  /** These files were written to. */
  modified(paths: readonly string[]): void;
  /** A file was renamed (it may have left the globs before a scan saw it). */
  renamed(from: string, to: string): void;
  /** Something was created, removed or renamed: look for files. */
  changed(): void;
  /** The kernel's event queue overflowed: events were lost, look at everything. */
  overflowed(): void;
}

/** Watches a set of directories, recursively; watches again when the set changes. */
export class DirWatcher {
  readonly #on: WatchHandlers;
  readonly #debug: (message: string) => void;
  #watcher: Deno.FsWatcher | undefined;
  #key = "";
  #closed = false;

  constructor(handlers: WatchHandlers, debug: (message: string) => void) {
    this.#on = handlers;
    this.#debug = debug;
  }

  /** Watches the existing directories among `dirs` (nothing new when they are watched already). */
  watch(dirs: readonly string[]): void {
    if (this.#closed) return;
    const existing = [...new Set(dirs)].filter((d) => {
      if (d === "/") return false;
      try {
        return Deno.statSync(d).isDirectory;
      } catch {
        return false;
      }
    });
    const key = existing.join("\0");
    if (key === this.#key) return;
    this.#stop();
    this.#key = key;
    if (existing.length === 0) return;
    let watcher: Deno.FsWatcher;
    try {
      watcher = Deno.watchFs(existing, { recursive: true });
    } catch (e) {
      this.#debug(`no inotify (${(e as Error).message}); polling`);
      return;
    }
    this.#watcher = watcher;
    (async () => {
      try {
        for await (const ev of watcher) this.#event(ev);
      } catch (e) {
        if (!this.#closed) this.#debug(`watching stopped (${(e as Error).message}); polling`);
      }
      // Closed or failed: the next call watches again.
      if (this.#watcher === watcher) {
        this.#watcher = undefined;
        this.#key = "";
      }
    })();
  }

  /** Stops watching for good. */
  close(): void {
    this.#closed = true;
    this.#stop();
  }

  #stop(): void {
    try {
      this.#watcher?.close();
    } catch { /* closed */ }
    this.#watcher = undefined;
  }

  #event(ev: Deno.FsEvent): void {
    if (ev.flag === "rescan") this.#on.overflowed();
    else if (ev.kind === "modify" || ev.kind === "access") this.#on.modified(ev.paths);
    else {
      if (ev.kind === "rename" && ev.paths.length === 2) {
        this.#on.renamed(ev.paths[0]!, ev.paths[1]!);
      }
      this.#on.changed();
    }
  }
}
